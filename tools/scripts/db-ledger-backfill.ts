// `npm run db:ledger-backfill [-- --tenant <id>]`: carries the money that documents recorded before every movement was
// written to the ledger into the ledger, as opening transactions (ADR 0006), each checked like any other. Safe to run
// again: what was carried is found, not carried twice. Exit code 0 when everything was carried (or was there already),
// 1 when the ledger's checks refused something (listed for a person to correct), 2 on bad usage.
// The server is MONGO_URL, else the one `npm run stack:up` runs.
import { MongoIntegrityReader, createMongoAdapters } from '@invoicing/integration/mongodb';
import { tenantId as parseTenantId } from '@invoicing/core';
import { carryIntoLedger, type CarryReport } from '@invoicing/invoice';
import { withDatabase } from './database';
import { parseArgs } from './db-check';

/** One tenant's report, for people. */
export function formatCarry(report: CarryReport): string {
  const { carried } = report;
  const out = [
    `${report.tenantId}: carried ${carried.payments} payments, ${carried.credits} credits, ${carried.writeOffs} write-offs, ${carried.voids} voids; ` +
      `${report.alreadyInLedger} already in the ledger; ${report.refused.length} refused`,
  ];
  for (const refused of report.refused) out.push(`  REFUSED ${refused.operationId}: ${refused.code} ${refused.message}`);
  return out.join('\n');
}

export async function main(args: readonly string[] = []): Promise<number> {
  const options = parseArgs(args.filter((arg) => arg !== '--json'));
  if (typeof options === 'string') {
    console.error(options.replace('db:check -- [--json]', 'db:ledger-backfill --'));
    return 2;
  }
  return withDatabase(async (mongo, where) => {
    const adapters = createMongoAdapters(mongo);
    const reader = new MongoIntegrityReader(adapters.models);
    const tenants: string[] = [];
    if (options.tenantId !== undefined) tenants.push(options.tenantId);
    else for await (const tenant of reader.tenants()) tenants.push(tenant);
    console.log(`Carrying into the ledger of ${where}: ${tenants.length} tenant(s)`);
    let refused = 0;
    for (const tenant of tenants) {
      const report = await carryIntoLedger({ reader, payments: adapters.payments, invoices: adapters.invoices, ledger: adapters.ledger }, parseTenantId(tenant), new Date());
      refused += report.refused.length;
      console.log(formatCarry(report));
    }
    console.log(refused === 0 ? 'Nothing refused.' : `Refused: ${refused} (run npm run db:check for the details of each)`);
    return refused === 0 ? 0 : 1;
  });
}

