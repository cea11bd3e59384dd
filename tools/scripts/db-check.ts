// `npm run db:check [-- --json] [-- --tenant <id>]`: the invariant checker (issue 12). Proves, per tenant, partner and
// currency, the rules of docs/payments-and-balances.md ("Checking the stored data") on the data as stored, and
// reports what breaks them; it repairs nothing. Exit code 0 when clean, 1 with findings (or on error), 2 on bad usage.
// The server is MONGO_URL, else the one `npm run stack:up` runs.
import { MongoIntegrityReader, createMongoAdapters } from '@invoicing/integration/mongodb';
import { checkIntegrity, type IntegrityFinding, type IntegrityReport } from '@invoicing/invoice';
import { withDatabase } from './database';

const USAGE = 'usage: npm run db:check -- [--json] [--tenant <id>]';

export function parseArgs(args: readonly string[]): { json: boolean; tenantId?: string } | string {
  let json = false;
  let tenantId: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === '--json') json = true;
    else if (arg === '--tenant' && args[index + 1] !== undefined && !(args[index + 1] as string).startsWith('--')) tenantId = args[(index += 1)];
    else if (arg.startsWith('--tenant=') && arg.length > '--tenant='.length) tenantId = arg.slice('--tenant='.length);
    else return `unknown or incomplete argument ${arg}\n${USAGE}`;
  }
  return tenantId === undefined ? { json } : { json, tenantId };
}

function line(finding: IntegrityFinding): string {
  const ids = Object.entries(finding.ids).map(([name, value]) => `${name}=${value}`);
  const amounts = Object.entries(finding.amounts ?? {}).map(([name, value]) => `${name}=${value}`);
  return `  ${finding.code} [${finding.tenantId}] ${finding.message}\n    ${[...ids, ...amounts].join(' ')}${finding.currency ? ` ${finding.currency}` : ''}`;
}

/** The report for people. */
export function formatReport(report: IntegrityReport, source: string): string {
  const { checked } = report;
  const out = [
    `Invariant check of ${source}: ${report.tenants.length} tenant(s)`,
    `Checked: ${checked.partners} partners, ${checked.payments} payments, ${checked.invoices} invoices, ${checked.creditNotes} credit notes, ` +
      `${checked.numberReservations} number reservations, ${checked.ledgerTransactions} ledger transactions (${checked.ledgerPostings} postings, ${checked.ledgerAccounts} accounts)`,
  ];
  for (const account of report.accounts) {
    out.push(
      `  ${account.tenantId} ${account.partnerId} ${account.currency}: received ${account.received} = applied ${account.applied} + unapplied ${account.unapplied} + refunded ${account.refunded}${account.balanced ? '' : '  (does NOT balance)'}`,
    );
  }
  if (report.notes.length > 0) {
    out.push(`Notes (documented exceptions, not findings): ${report.notes.length}`);
    for (const note of report.notes) out.push(line(note));
  }
  out.push(report.clean ? 'No findings.' : `Findings: ${report.findings.length}`);
  for (const finding of report.findings) out.push(line(finding));
  return out.join('\n');
}

export async function main(args: readonly string[] = []): Promise<number> {
  const options = parseArgs(args);
  if (typeof options === 'string') {
    console.error(options);
    return 2;
  }
  return withDatabase(async (mongo, where) => {
    const reader = new MongoIntegrityReader(createMongoAdapters(mongo).models);
    const report = await checkIntegrity(reader, options.tenantId === undefined ? {} : { tenantId: options.tenantId });
    if (options.json) console.log(JSON.stringify(report, null, 2));
    else console.log(formatReport(report, where));
    return report.clean ? 0 : 1;
  });
}
