import type { SealRecord } from '../invoice/document-seal';
import type { InvoiceState } from '../invoice/invoice';
import type { LedgerTransaction } from '../ledger/ledger';
import type { PartnerState } from '../partner/partner';
import type { PaymentState } from '../payment/payment';
import { invoiceFacts, paymentFacts, type NumberReservationFacts } from './integrity';
import type { IntegrityReader } from './integrity-reader.port';

/** The states an {@link InMemoryIntegrityReader} reads, of any tenants. */
export interface IntegrityStates {
  readonly partners?: readonly Pick<PartnerState, 'tenantId' | 'id'>[];
  readonly payments?: readonly PaymentState[];
  readonly invoices?: readonly InvoiceState[];
  readonly reservations?: readonly (NumberReservationFacts & { readonly tenantId: string })[];
  readonly ledger?: readonly LedgerTransaction[];
  readonly seals?: readonly SealRecord[];
}

/** The reference {@link IntegrityReader}: plain states in memory, in batches of `batchSize`. */
export class InMemoryIntegrityReader implements IntegrityReader {
  constructor(
    private readonly states: IntegrityStates,
    private readonly batchSize = 100,
  ) {}

  async *tenants(): AsyncIterable<string> {
    const all = [
      ...(this.states.partners ?? []),
      ...(this.states.payments ?? []),
      ...(this.states.invoices ?? []),
      ...(this.states.reservations ?? []),
      ...(this.states.ledger ?? []),
      ...(this.states.seals ?? []),
    ].map((state) => state.tenantId as string);
    yield* [...new Set(all)].sort();
  }

  partnerIds(tenantId: string): AsyncIterable<readonly string[]> {
    return this.batches((this.states.partners ?? []).filter((state) => state.tenantId === tenantId).map((state) => state.id as string));
  }

  payments(tenantId: string) {
    return this.batches((this.states.payments ?? []).filter((state) => state.tenantId === tenantId).map((state) => paymentFacts(state)));
  }

  invoices(tenantId: string) {
    return this.batches((this.states.invoices ?? []).filter((state) => state.tenantId === tenantId).map(invoiceFacts));
  }

  reservations(tenantId: string) {
    return this.batches(
      (this.states.reservations ?? []).filter((state) => state.tenantId === tenantId).map(({ series, sequence, documentId }) => ({ series, sequence, documentId })),
    );
  }

  ledgerTransactions(tenantId: string) {
    return this.batches((this.states.ledger ?? []).filter((state) => state.tenantId === tenantId));
  }

  seals(tenantId: string) {
    return this.batches((this.states.seals ?? []).filter((record) => record.tenantId === tenantId));
  }

  private async *batches<T>(items: readonly T[]): AsyncIterable<readonly T[]> {
    for (let start = 0; start < items.length; start += this.batchSize) yield items.slice(start, start + this.batchSize);
  }
}
