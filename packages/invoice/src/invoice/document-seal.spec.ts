import { Money, parseCalendarDate } from '@invoicing/core';
import { aDraft, aPartner, aPartnership, aPaymentId, aTenant, issue } from '../testing';
import { checkSeals, invoiceFacts } from '../integrity/integrity';
import { GENESIS_HASH, canonicalContentOf, canonicalJson, chainHash, contentHashOf, isSealable, nextSeal, sha256Hex, type SealRecord } from './document-seal';
import type { Invoice, InvoiceState } from './invoice';

const tenant = aTenant();
const seller = aPartner(tenant, { legalName: 'Seller SA' });
const buyer = aPartner(tenant, { legalName: 'Buyer GmbH' });
const partnership = aPartnership(tenant, seller, buyer);

function issued(sequence: number, quantity = '2'): Invoice {
  return issue(aDraft(tenant, partnership, { quantity }), seller, buyer, sequence);
}

describe('document seals', () => {
  describe('sha256Hex', () => {
    it('gives the standard SHA-256 of the UTF-8 bytes', () => {
      expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    });
  });

  describe('canonicalJson', () => {
    it('sorts keys at every level, drops undefined members and writes Money, Decimal and Date by their JSON', () => {
      const value = { b: 1, a: { d: undefined, c: [Money.of('12.30', 'EUR'), new Date('2026-01-15T10:00:00.000Z')] } };
      expect(canonicalJson(value)).toBe('{"a":{"c":[{"amount":"12.30","currency":"EUR"},"2026-01-15T10:00:00.000Z"]},"b":1}');
      expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    });
  });

  describe('canonicalContentOf', () => {
    it('is deterministic: the same state, built again or with its keys in another order, gives the same text', () => {
      const state = issued(1).toState();
      const reordered = Object.fromEntries(Object.entries(state).reverse()) as unknown as InvoiceState;
      expect(canonicalContentOf(state)).toBe(canonicalContentOf({ ...state }));
      expect(canonicalContentOf(reordered)).toBe(canonicalContentOf(state));
      expect(contentHashOf(state)).toMatch(/^[0-9a-f]{64}$/);
    });

    it('changes when any issued content changes', () => {
      const state = issued(1).toState();
      const hash = contentHashOf(state);
      const line = state.lines[0] as InvoiceState['lines'][number];
      const changed: Partial<InvoiceState>[] = [
        { number: 'INV-000002' },
        { issueDate: parseCalendarDate('2026-01-16') },
        { dueDate: parseCalendarDate('2026-03-01') },
        { notes: ['another note'] },
        { lines: [{ ...line, netAmount: Money.of('999.00', 'EUR') }] },
        { totals: { ...state.totals, amountDue: Money.of('1.00', 'EUR') } },
        { buyer: { ...(state.buyer as NonNullable<InvoiceState['buyer']>), legalName: 'Someone else' } },
        { purchaseOrderReference: 'PO-1' },
        { invoicePeriod: { end: parseCalendarDate('2026-01-31') } },
        { kind: 'credit_note' },
      ];
      for (const change of changed) expect(contentHashOf({ ...state, ...change })).not.toBe(hash);
    });

    it('leaves out what a document does not have, so that documents sealed before a field existed keep their hashes', () => {
      const state = issued(1).toState();

      expect(canonicalContentOf(state)).not.toContain('invoicePeriod');
      expect(canonicalContentOf({ ...state, invoicePeriod: undefined })).toBe(canonicalContentOf(state));
    });

    it('does not change with the lifecycle: payments, status, void reason, updates, the seal itself', () => {
      const invoice = issued(1);
      const before = contentHashOf(invoice.toState());
      invoice.applyPayment({ paymentId: aPaymentId(), amount: Money.of('10.00', 'EUR'), appliedOn: parseCalendarDate('2026-01-20') }, new Date('2026-01-20T09:00:00Z'));
      const paid = invoice.toState();
      expect(paid.status).toBe('partially_paid');
      expect(contentHashOf(paid)).toBe(before);
      expect(contentHashOf({ ...paid, status: 'void', voidReason: 'x', updatedAt: new Date(), seal: nextSeal(undefined, paid) })).toBe(before);
    });
  });

  describe('nextSeal', () => {
    it('chains each seal to the one before, from 64 zeros', () => {
      const first = nextSeal(undefined, issued(1).toState());
      expect(first).toMatchObject({ position: 1, previousHash: GENESIS_HASH });
      expect(first.hash).toBe(chainHash(GENESIS_HASH, first.contentHash));
      expect(first.hash).toBe(sha256Hex(`${GENESIS_HASH}\n${first.contentHash}`));
      const second = nextSeal(first, issued(2).toState());
      expect(second).toMatchObject({ position: 2, previousHash: first.hash });
    });
  });

  describe('isSealable', () => {
    it('holds for issued documents of ours, not drafts nor imported ones', () => {
      expect(isSealable(issued(1).toState())).toBe(true);
      expect(isSealable(aDraft(tenant, partnership).toState())).toBe(false);
      expect(isSealable({ ...issued(1).toState(), importedAt: new Date() })).toBe(false);
    });
  });
});

describe('checkSeals', () => {
  /** Three invoices of one series, sealed in order. */
  function chain(): { states: InvoiceState[]; seals: SealRecord[] } {
    const states: InvoiceState[] = [];
    const seals: SealRecord[] = [];
    for (const sequence of [1, 2, 3]) {
      const state = issued(sequence, String(sequence)).toState();
      const seal = nextSeal(seals.at(-1), state);
      states.push({ ...state, seal });
      seals.push({ ...seal, tenantId: tenant, series: state.series, documentId: state.id, number: state.number as string, sealedAt: new Date() });
    }
    return { states, seals };
  }
  const check = (states: readonly InvoiceState[], seals: readonly SealRecord[]) =>
    checkSeals({ tenantId: tenant, partnerIds: new Set(), payments: [], invoices: states.map(invoiceFacts), reservations: [], ledger: [], seals });

  it('finds nothing in an intact chain, nor for a document not sealed yet', () => {
    const { states, seals } = chain();
    expect(check(states, seals)).toEqual([]);
    const [, , last] = states as [InvoiceState, InvoiceState, InvoiceState];
    const { seal: _seal, ...unsealed } = last;
    expect(check([...states.slice(0, 2), unsealed], seals.slice(0, 2))).toEqual([]);
  });

  it('names the first broken link when a sealed document was edited', () => {
    const { states, seals } = chain();
    const edited = states.map((state, index) => (index === 1 ? { ...state, notes: ['edited after issue'] } : state));
    expect(check(edited, seals)).toEqual([
      expect.objectContaining({ code: 'integrity.seal_content_mismatch', ids: { series: 'INV', position: 2, documentId: states[1]?.id, number: states[1]?.number } }),
    ]);
  });

  it('names a link whose hashes no longer follow, a missing link, a missing document and a copy that differs', () => {
    const { states, seals } = chain();
    const [a, b, c] = seals as [SealRecord, SealRecord, SealRecord];
    expect(check(states, [a, { ...b, hash: GENESIS_HASH }, c])).toEqual([expect.objectContaining({ code: 'integrity.seal_chain_broken', ids: expect.objectContaining({ position: 2 }) })]);
    expect(check(states, [a, c])).toEqual([expect.objectContaining({ code: 'integrity.seal_chain_broken', ids: expect.objectContaining({ position: 2 }) })]);
    expect(check(states.slice(1), seals)).toEqual([expect.objectContaining({ code: 'integrity.seal_missing_document', ids: expect.objectContaining({ position: 1 }) })]);
    const copied = states.map((state, index) => (index === 2 ? { ...state, seal: { ...(state.seal as NonNullable<InvoiceState['seal']>), hash: GENESIS_HASH } } : state));
    expect(check(copied, seals)).toEqual([expect.objectContaining({ code: 'integrity.seal_copy_mismatch', ids: expect.objectContaining({ position: 3 }) })]);
    // The last link removed: the document still carries it.
    expect(check(states, [a, b])).toEqual([expect.objectContaining({ code: 'integrity.seal_chain_broken', ids: expect.objectContaining({ position: 3 }) })]);
  });
});
