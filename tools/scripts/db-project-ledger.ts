// `npm run db:project-ledger [-- --tenant <id>]`: brings the payment, invoice and credit note documents that lag behind
// the ledger up to it, as a retry of the interrupted request would (ADR 0006): a process that stopped between a ledger
// entry and the documents leaves the money recorded and the documents showing less (an invoice still owed in aging and
// balances, a void or a write-off not shown, a payment or a credit note with no document). Finds them with the
// invariant checker, projects each from the ledger (a credit note from the content stored with its credit, ADR 0024),
// checks again. Safe at any time and again: a document up to date is left as it is. A document the domain refuses to
// bring up to its ledger (edited by hand, say) is named (`NOT PROJECTED`, with the code) and the others go on. Exit code 0 when
// no document lags any more, 1 when some still disagree with the ledger (a document showing MORE than the ledger is
// not projected away: see `npm run db:check`), 2 on bad usage. A credit an earlier release recorded without its credit
// note's content is named (`NOT MADE`) and not counted: no run can make it. The server is MONGO_URL, else the one
// `npm run stack:up` runs.
import { MongoIntegrityReader, createMongoAdapters } from '@invoicing/integration/mongodb';
import { DomainError, SystemClock, ValidationError, tenantId as parseTenantId } from '@invoicing/core';
import { LedgerProjection, checkIntegrity, type IntegrityFinding, type InvoiceId, type PaymentId } from '@invoicing/invoice';
import { withDatabase } from './database';
import { parseArgs } from './db-check';

/**
 * A document behind the ledger: one that disagrees with it, or a payment or credit note the ledger names and no document
 * holds (its process stopped before the document was created). Not the query fields stored beside a document (`fields`).
 */
const lagging = (finding: IntegrityFinding) =>
  (finding.code === 'integrity.projection_mismatch' && finding.ids['fields'] === undefined) ||
  (finding.code === 'integrity.dangling_reference' && finding.ids['seq'] !== undefined && (finding.ids['paymentId'] !== undefined || finding.ids['creditNoteId'] !== undefined));

/** What each reason `restoreCreditNotes` gives means, for the operator. */
const REASONS: Readonly<Record<string, string>> = {
  'ledger.content_missing': 'its credit was recorded by a release before the ledger kept credit notes\' content (ADR 0024); nothing can make it',
  'ledger.content_unreadable': 'the content stored with its credit cannot be read as a credit note',
  'ledger.credit_note_mismatch': 'the content stored with its credit does not come to the amount credited',
  'invoice.duplicate_external_reference': 'another document took its external reference since',
};

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
    const projected = { payments: 0, invoices: 0, creditNotes: 0 };
    const unmade: { tenant: string; creditNoteId: string; reason: string; invoiceId: string }[] = [];
    const unprojected: string[] = [];
    const done = new Set<string>();
    // A document the domain refuses to bring up to its ledger (one edited by hand, say) is named, and the others go on.
    const attempt = async (what: string, tenant: string, work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        if (!(error instanceof DomainError) && !(error instanceof ValidationError)) throw error;
        unprojected.push(`[${tenant}] ${what}: ${error.code} ${error.message}`);
      }
    };
    // Payments first: one created from the ledger is then there for the invoices it was applied to.
    for (const finding of [...found].sort((left, right) => Number(right.ids['paymentId'] !== undefined) - Number(left.ids['paymentId'] !== undefined))) {
      const tenant = parseTenantId(finding.tenantId);
      const paymentId = finding.ids['paymentId'];
      const invoiceId = finding.ids['invoiceId'];
      // A payment brings the invoices it was applied to along; an invoice, its payments, credits, write-off and void.
      if (paymentId !== undefined && !done.has(`${tenant}/payment/${paymentId}`)) {
        done.add(`${tenant}/payment/${paymentId}`);
        await attempt(`payment ${paymentId}`, tenant, async () => {
          const payment = await projection.syncPaymentAndInvoices(tenant, paymentId as PaymentId);
          for (const application of payment?.toState().applications ?? []) done.add(`${tenant}/invoice/${application.invoiceId}`);
          projected.payments += 1;
        });
      } else if (finding.ids['creditNoteId'] !== undefined && finding.ids['seq'] !== undefined && invoiceId !== undefined && !done.has(`${tenant}/credits/${invoiceId}`)) {
        // A credit the ledger holds and no credit note shows: made again with the invoice's other credits, which projects the invoice too.
        done.add(`${tenant}/credits/${invoiceId}`).add(`${tenant}/invoice/${invoiceId}`);
        await attempt(`credit notes of invoice ${invoiceId}`, tenant, async () => {
          const made = await projection.restoreCreditNotes(tenant, invoiceId as InvoiceId);
          projected.creditNotes += made.restored.length;
          unmade.push(...made.unrestorable.map(({ creditNoteId, reason }) => ({ tenant, creditNoteId, reason, invoiceId: String(invoiceId) })));
        });
      } else if (paymentId === undefined && invoiceId !== undefined && !done.has(`${tenant}/invoice/${invoiceId}`)) {
        done.add(`${tenant}/invoice/${invoiceId}`);
        await attempt(`invoice ${invoiceId}`, tenant, async () => {
          await projection.syncInvoice(tenant, invoiceId as InvoiceId);
          projected.invoices += 1;
        });
      }
    }
    // Credits an earlier release recorded without content: named below, not counted, as no run can ever make them
    // (`npm run db:check` still reports them).
    const lost = new Set(unmade.filter(({ reason }) => reason === 'ledger.content_missing').map(({ tenant, creditNoteId }) => `${tenant}/${creditNoteId}`));
    const left = (await checkIntegrity(reader, scope)).findings.filter((finding) => lagging(finding) && !lost.has(`${finding.tenantId}/${finding.ids['creditNoteId']}`));
    console.log(`Projected from the ledger of ${where}: ${projected.payments} payment(s) with their invoices, ${projected.invoices} invoice(s), ${projected.creditNotes} credit note(s)`);
    for (const { tenant, creditNoteId, invoiceId, reason } of unmade) console.log(`  NOT MADE [${tenant}] credit note ${creditNoteId} of invoice ${invoiceId}: ${REASONS[reason] ?? reason}`);
    for (const line of unprojected) console.log(`  NOT PROJECTED ${line}`);
    for (const finding of left) console.log(`  STILL DIFFERENT [${finding.tenantId}] ${finding.message}`);
    console.log(left.length === 0 ? 'No document lags behind the ledger.' : `Still different from the ledger: ${left.length} (see npm run db:check)`);
    return left.length === 0 ? 0 : 1;
  });
}
