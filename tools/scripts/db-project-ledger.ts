// `npm run db:project-ledger [-- --tenant <id>]`: brings the payment and invoice documents that lag behind the ledger
// up to it, as a retry of the interrupted request would (ADR 0006): a process that stopped between a ledger entry and
// the documents leaves the money recorded and the documents showing less (an invoice still owed in aging and balances,
// a void or a write-off not shown). Finds them with the invariant checker, projects each from the ledger, checks again.
// Safe at any time and again: a document up to date is left as it is. Exit code 0 when no document lags any more, 1
// when some still disagree with the ledger (a document showing MORE than the ledger is not projected away: see
// `npm run db:check`), 2 on bad usage. The server is MONGO_URL, else the one `npm run stack:up` runs.
import { MongoIntegrityReader, createMongoAdapters } from '@invoicing/integration/mongodb';
import { SystemClock, tenantId as parseTenantId } from '@invoicing/core';
import { LedgerProjection, checkIntegrity, type IntegrityFinding, type InvoiceId, type PaymentId } from '@invoicing/invoice';
import { withDatabase } from './database';
import { parseArgs } from './db-check';

const lagging = (finding: IntegrityFinding) => finding.code === 'integrity.projection_mismatch' && finding.ids['fields'] === undefined;

export async function main(args: readonly string[] = []): Promise<number> {
  const options = parseArgs(args);
  if (typeof options === 'string' || options.json) {
    console.error(typeof options === 'string' ? options.replace('db:check -- [--json]', 'db:project-ledger --') : 'usage: npm run db:project-ledger -- [--tenant <id>]');
    return 2;
  }
  return withDatabase(async (mongo, where) => {
    const adapters = createMongoAdapters(mongo);
    const reader = new MongoIntegrityReader(adapters.models);
    const projection = new LedgerProjection(adapters.ledger, adapters.payments, adapters.invoices, new SystemClock());
    const scope = options.tenantId === undefined ? {} : { tenantId: options.tenantId };
    const found = (await checkIntegrity(reader, scope)).findings.filter(lagging);
    const projected = { payments: 0, invoices: 0 };
    for (const finding of found) {
      const tenant = parseTenantId(finding.tenantId);
      // A payment brings the invoices it was applied to along; an invoice, its payments, credits, write-off and void.
      if (finding.ids['paymentId'] !== undefined) {
        await projection.syncPaymentAndInvoices(tenant, finding.ids['paymentId'] as PaymentId);
        projected.payments += 1;
      } else if (finding.ids['invoiceId'] !== undefined) {
        await projection.syncInvoice(tenant, finding.ids['invoiceId'] as InvoiceId);
        projected.invoices += 1;
      }
    }
    const left = (await checkIntegrity(reader, scope)).findings.filter(lagging);
    console.log(`Projected from the ledger of ${where}: ${projected.payments} payment(s) with their invoices, ${projected.invoices} invoice(s)`);
    for (const finding of left) console.log(`  STILL DIFFERENT [${finding.tenantId}] ${finding.message}`);
    console.log(left.length === 0 ? 'No document lags behind the ledger.' : `Still different from the ledger: ${left.length} (see npm run db:check)`);
    return left.length === 0 ? 0 : 1;
  });
}
