import { describe, expect, it } from '@jest/globals';
import { InvalidStateError, Money, parseCalendarDate, tenantId } from '@invoicing/core';
import type { MarketableId, PartnerId, PartnershipId } from '../shared/ids';
import { Partnership, type PartnershipTermsInput } from './partnership';
import { issuesOf, thrown } from '../testing/assertions';
import { attempt, tamperWith } from '../testing/tamper';

const tenant = tenantId('acme');
const at = new Date('2026-01-15T09:00:00Z');
const later = new Date('2026-01-20T10:00:00Z');
const sellerId = 'p-seller' as PartnerId;
const buyerId = 'p-buyer' as PartnerId;
const widget = 'm-widget' as MarketableId;
const gadget = 'm-gadget' as MarketableId;

function terms(overrides: Partial<PartnershipTermsInput> = {}): PartnershipTermsInput {
  return { currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01', ...overrides };
}

function create(overrides: Partial<PartnershipTermsInput> = {}): Partnership {
  return Partnership.create({ sellerId, buyerId, ...terms(overrides) }, { tenantId: tenant, id: 'ps-1' as PartnershipId, at });
}

const day = parseCalendarDate;
const eur = (amount: string): Money => Money.of(amount, 'EUR');

describe('Partnership', () => {
  describe('create', () => {
    it('opens an active partnership with default numbering and policy, and raises partnership.created', () => {
      const partnership = create();

      expect(partnership.toState()).toEqual({
        tenantId: 'acme',
        id: 'ps-1',
        version: 0,
        sellerId,
        buyerId,
        currency: 'EUR',
        paymentTerms: { kind: 'net', days: 30 },
        numbering: { invoice: 'INV', creditNote: 'CN' },
        policy: { approval: { kind: 'none' }, deliveryFormat: 'pdf' },
        priceOverrides: [],
        status: 'active',
        validFrom: '2026-01-01',
        createdAt: at,
        updatedAt: at,
      });
      expect(partnership.pendingEvents).toEqual([
        expect.objectContaining({ type: 'partnership.created', aggregateId: 'ps-1', payload: { partnershipId: 'ps-1', sellerId, buyerId } }),
      ]);
    });

    it('keeps the numbering, policy, validity and buyer reference it is given', () => {
      const partnership = create({
        numbering: { invoice: 'F2026', creditNote: 'AV-2026' },
        policy: { approval: { kind: 'above', threshold: '1000.00' }, deliveryFormat: 'ubl' },
        validUntil: '2026-12-31',
        buyerReference: ' CONTRACT-7 ',
      });

      expect(partnership.numbering).toEqual({ invoice: 'F2026', creditNote: 'AV-2026' });
      expect(partnership.policy.deliveryFormat).toBe('ubl');
      expect(partnership.policy.approval).toEqual({ kind: 'above', threshold: eur('1000.00') });
      expect(partnership.toState().validUntil).toBe('2026-12-31');
      expect(partnership.buyerReference).toBe('CONTRACT-7');
    });

    it('is refused with partnership.same_partner when seller and buyer are one partner', () => {
      expect(issuesOf(() => Partnership.create({ sellerId, buyerId: sellerId, ...terms() }, { tenantId: tenant, id: 'ps-1' as PartnershipId, at }))).toEqual([
        { path: 'buyerId', code: 'partnership.same_partner' },
      ]);
    });

    it('is refused with money.unknown_currency in gold, an ISO 4217 code without a minor unit', () => {
      // Its invoices would round 1 × 0.4 XAU to a net amount of 0.
      expect(issuesOf(() => create({ currency: 'XAU' }))).toEqual([{ path: 'currency', code: 'money.unknown_currency' }]);
    });

    it('reports every bad field at once, each under its own path', () => {
      const issues = issuesOf(() =>
        create({
          currency: 'EURO',
          paymentTerms: { kind: 'net', days: 1.5 },
          numbering: { invoice: 'inv', creditNote: 'C'.repeat(21) },
          policy: { approval: { kind: 'sometimes' } as never, deliveryFormat: 'fax' },
          validFrom: '2026-13-01',
          buyerReference: 'r'.repeat(101),
        }),
      );

      expect(issues).toEqual([
        { path: 'currency', code: 'money.unknown_currency' },
        { path: 'paymentTerms.days', code: 'payment_terms.invalid_days' },
        { path: 'numbering.invoice', code: 'partnership.invalid_series' },
        { path: 'numbering.creditNote', code: 'partnership.invalid_series' },
        { path: 'policy.approval.kind', code: 'partnership.invalid_approval' },
        { path: 'policy.deliveryFormat', code: 'partnership.invalid_delivery_format' },
        { path: 'validFrom', code: 'date.malformed' },
        { path: 'buyerReference', code: 'text.too_long' },
      ]);
    });

    it.each(['INV', 'F2026', 'A-B-C', '9', 'X'.repeat(20)])('accepts the series %s', (series) => {
      expect(create({ numbering: { invoice: series } }).numbering.invoice).toBe(series);
    });

    it.each(['inv', '-INV', 'INV_1', 'INV 1', 'X'.repeat(21), ''])('refuses the series %j', (series) => {
      expect(issuesOf(() => create({ numbering: { creditNote: series } }))).toEqual([{ path: 'numbering.creditNote', code: 'partnership.invalid_series' }]);
    });

    it('refuses a validity that ends before it starts, and accepts a single day', () => {
      expect(issuesOf(() => create({ validFrom: '2026-06-01', validUntil: '2026-05-31' }))).toEqual([{ path: 'validUntil', code: 'partnership.invalid_validity' }]);
      expect(create({ validFrom: '2026-06-01', validUntil: '2026-06-01' }).isActiveOn(day('2026-06-01'))).toBe(true);
    });

    it('refuses a negative approval threshold, or one with more decimals than the currency', () => {
      expect(issuesOf(() => create({ policy: { approval: { kind: 'above', threshold: '-1.00' } } }))).toEqual([
        { path: 'policy.approval.threshold', code: 'partnership.invalid_threshold' },
      ]);
      expect(issuesOf(() => create({ policy: { approval: { kind: 'above', threshold: '1.001' } } }))).toEqual([
        { path: 'policy.approval.threshold', code: 'money.precision_exceeded' },
      ]);
    });

    it('takes a separate approver with an approval, and keeps it over a change of terms that leaves the approval out', () => {
      const strict = create({ policy: { approval: { kind: 'above', threshold: '1000.00', separateApprover: true } } });
      expect([strict.policy.approval, strict.requiresSeparateApprover()]).toEqual([{ kind: 'above', threshold: eur('1000.00'), separateApprover: true }, true]);
      strict.updateTerms({ currency: 'EUR', paymentTerms: { kind: 'net', days: 10 }, validFrom: '2026-01-01' }, new Date('2026-02-01T00:00:00Z'));
      expect(strict.requiresSeparateApprover()).toBe(true);
      // The threshold given again (a change of currency asks for it) keeps four eyes unless it says otherwise (audit approval F4).
      strict.updateTerms({ currency: 'USD', paymentTerms: { kind: 'net', days: 10 }, validFrom: '2026-01-01', policy: { approval: { kind: 'above', threshold: '1200.00' } } }, new Date('2026-02-02T00:00:00Z'));
      expect(strict.policy.approval).toEqual({ kind: 'above', threshold: Money.of('1200.00', 'USD'), separateApprover: true });
      // A rule given as null, or a flag given as undefined, is none given (audit approval2 F4, F5): nor does null get a
      // threshold into another currency, whose figure would mean another amount.
      expect(() => strict.updateTerms({ currency: 'EUR', paymentTerms: { kind: 'net', days: 10 }, validFrom: '2026-01-01', policy: { approval: null as never } }, new Date('2026-02-03T00:00:00Z'))).toThrow(
        expect.objectContaining({ issues: [expect.objectContaining({ code: 'partnership.threshold_currency' })] }),
      );
      strict.updateTerms({ currency: 'USD', paymentTerms: { kind: 'net', days: 10 }, validFrom: '2026-01-01', policy: { approval: null as never } }, new Date('2026-02-03T00:00:00Z'));
      expect(strict.policy.approval).toEqual({ kind: 'above', threshold: Money.of('1200.00', 'USD'), separateApprover: true });
      strict.updateTerms({ currency: 'USD', paymentTerms: { kind: 'net', days: 10 }, validFrom: '2026-01-01', policy: { approval: { kind: 'always', separateApprover: undefined } } }, new Date('2026-02-04T00:00:00Z'));
      expect(strict.policy.approval).toEqual({ kind: 'always', separateApprover: true });
      strict.updateTerms({ currency: 'USD', paymentTerms: { kind: 'net', days: 10 }, validFrom: '2026-01-01', policy: { approval: { kind: 'always', separateApprover: false } } }, new Date('2026-02-05T00:00:00Z'));
      expect(strict.policy.approval).toEqual({ kind: 'always' });
      // false is no separate approver, stored as none.
      expect(create({ policy: { approval: { kind: 'always', separateApprover: false } } }).policy.approval).toEqual({ kind: 'always' });
      expect(create({ policy: { approval: { kind: 'always' } } }).requiresSeparateApprover()).toBe(false);
    });

    it('refuses a separate approver without an approval, or one that is not true or false', () => {
      expect(issuesOf(() => create({ policy: { approval: { kind: 'none', separateApprover: true } as never } }))).toEqual([{ path: 'policy.approval.separateApprover', code: 'partnership.invalid_approval' }]);
      expect(issuesOf(() => create({ policy: { approval: { kind: 'always', separateApprover: 'yes' } as never } }))).toEqual([{ path: 'policy.approval.separateApprover', code: 'partnership.invalid_approval' }]);
    });

    it('reads the threshold in the partnership currency', () => {
      expect(issuesOf(() => create({ currency: 'JPY', policy: { approval: { kind: 'above', threshold: '1000.5' } } }))).toEqual([
        { path: 'policy.approval.threshold', code: 'money.precision_exceeded' },
      ]);
      expect(create({ currency: 'JPY', policy: { approval: { kind: 'above', threshold: '1000' } } }).requiresApproval(Money.of('1001', 'JPY'))).toBe(true);
    });
  });

  describe('state handed out (review of 12 December 2026)', () => {
    function complete(): Partnership {
      const partnership = create({
        paymentTerms: { kind: 'instalments', instalments: [{ percent: '30', days: 0 }, { percent: '70', days: 30 }] },
        policy: { approval: { kind: 'above', threshold: '1000.00' }, deliveryFormat: 'ubl' },
        validUntil: '2026-12-31',
      });
      partnership.setPriceOverride(widget, '12.50', new Date(later));
      partnership.markSaved();
      return partnership;
    }

    it('cannot be changed through what toState(), draftTerms() and its getters return: arrays, nested objects, Money, Dates', () => {
      const partnership = complete();
      const expected = complete().toState();
      const state = partnership.toState();

      attempt(() => (state.priceOverrides as unknown[]).pop());
      attempt(() => state.paymentTerms.kind === 'instalments' && Object.assign(state.paymentTerms.instalments[0] as object, { days: -30 }));
      attempt(() => Object.assign(state.policy, { approval: { kind: 'none' } }));
      attempt(() => state.updatedAt.setTime(0));
      tamperWith(state);
      for (const handedOut of [partnership.paymentTerms, partnership.numbering, partnership.policy, partnership.draftTerms()]) tamperWith(handedOut);

      expect(partnership.toState()).toEqual(expected);
      expect(partnership.requiresApproval(eur('1000.01'))).toBe(true);
    });

    it('shares nothing it can be changed through with what it was built or restored from', () => {
      const now = new Date(at);
      const command = { sellerId, buyerId, ...terms({ numbering: { invoice: 'F2026' }, policy: { approval: { kind: 'always' } } }) };
      const partnership = Partnership.create(command, { tenantId: tenant, id: 'ps-1' as PartnershipId, at: now });
      const state = partnership.toState();
      const restored = Partnership.restore(state);

      now.setTime(0);
      tamperWith(command);
      tamperWith(state);

      for (const kept of [partnership, restored]) {
        expect(kept.toState()).toMatchObject({ numbering: { invoice: 'F2026', creditNote: 'CN' }, policy: { approval: { kind: 'always' } }, paymentTerms: { kind: 'net', days: 30 }, createdAt: at });
      }
    });
  });

  describe('isActiveOn', () => {
    it('is true from the first to the last day of the validity, and false outside', () => {
      const partnership = create({ validFrom: '2026-01-01', validUntil: '2026-12-31' });

      expect(partnership.isActiveOn(day('2025-12-31'))).toBe(false);
      expect(partnership.isActiveOn(day('2026-01-01'))).toBe(true);
      expect(partnership.isActiveOn(day('2026-07-14'))).toBe(true);
      expect(partnership.isActiveOn(day('2026-12-31'))).toBe(true);
      expect(partnership.isActiveOn(day('2027-01-01'))).toBe(false);
    });

    it('has no end when validUntil is not given', () => {
      expect(create().isActiveOn(day('2099-12-31'))).toBe(true);
    });

    it('is false while the partnership is suspended or after it ended', () => {
      const suspended = create();
      suspended.suspend(at);
      const ended = create();
      ended.end(at, day('2026-03-31'));

      expect(suspended.isActiveOn(day('2026-02-01'))).toBe(false);
      expect(ended.isActiveOn(day('2026-02-01'))).toBe(false);
    });
  });

  describe('canInvoice', () => {
    const partnership = () => create({ validFrom: '2026-01-01', validUntil: '2026-03-31' });
    const days = (period: { start?: string; end?: string } | undefined) => period && Object.fromEntries(Object.entries(period).map(([key, value]) => [key, day(value as string)]));
    const march = { start: '2026-03-01', end: '2026-03-31' };

    it.each<[string, string, { start?: string; end?: string } | undefined, ({ start?: string; end?: string } | undefined)[], boolean]>([
      ['an issue date within the validity, without a period', '2026-02-10', undefined, [], true],
      ['an issue date within it, for days outside it', '2026-03-31', { start: '2026-04-01', end: '2026-04-30' }, [], true],
      ['an issue date after it, without a period', '2026-04-01', undefined, [], false],
      ['an issue date after it, for days within it (the final bill in arrears)', '2026-04-01', march, [], true],
      ['an issue date after it, for days within it, lines for days within them or none', '2026-04-01', march, [{ start: '2026-03-10', end: '2026-03-12' }, undefined, { end: '2026-03-31' }], true],
      ['an issue date after it, a line for a day past its end', '2026-04-01', march, [{ start: '2026-03-10', end: '2026-04-01' }], false],
      ['an issue date after it, a line from a day past its end', '2026-04-01', march, [{ start: '2026-04-02' }], false],
      ['an issue date after it, for a period naming only its last day (its start could be any day)', '2026-04-01', { end: '2026-03-31' }, [], false],
      ['an issue date after it, for a period naming only a first day within it (its end could be any day)', '2027-06-01', { start: '2026-03-31' }, [], false],
      ['an issue date after it, for days running past its end', '2026-04-01', { start: '2026-03-01', end: '2026-04-01' }, [], false],
      ['an issue date after it, for days starting before its start', '2026-04-01', { start: '2025-12-31', end: '2026-01-31' }, [], false],
      ['an issue date before its start, for days within it (billed in advance)', '2025-12-20', { start: '2026-01-01', end: '2026-01-31' }, [], true],
    ])('with %s: %s', (_case, issueDate, period, linePeriods, expected) => {
      expect(partnership().canInvoice(day(issueDate), { period: days(period), linePeriods: linePeriods.map(days) })).toBe(expected);
    });

    it('is false while suspended, whatever the dates', () => {
      const suspended = partnership();
      suspended.suspend(at);

      expect(suspended.canInvoice(day('2026-03-10'), { period: days(march) })).toBe(false);
      expect(suspended.canInvoice(day('2026-03-10'))).toBe(false);
    });

    // Until ADR 0027 an ended partnership refused everything: its last bill in arrears waited for ever.
    it.each<[string, string, string, { start?: string; end?: string } | undefined, boolean]>([
      ['after its validity ended, the final bill in arrears for days within it', '2026-04-10', '2026-04-01', march, true],
      ['mid-period, for its days up to the end, invoiced the day after', '2026-03-15', '2026-03-16', { start: '2026-03-01', end: '2026-03-15' }, true],
      ['mid-period, on its last day, for its days', '2026-03-15', '2026-03-15', { start: '2026-03-01', end: '2026-03-15' }, true],
      ['mid-period, for days after the end', '2026-03-15', '2026-03-16', march, false],
      ['mid-period, on a day of its validity, without a period (any day could be claimed)', '2026-03-15', '2026-03-10', undefined, false],
      ['before its validity began: it was never in force', '2025-12-20', '2026-01-02', { start: '2026-01-01', end: '2026-01-01' }, false],
    ])('for an ended partnership, ended %s', (_case, lastDay, issueDate, period, expected) => {
      const ended = partnership();
      ended.end(at, day(lastDay));

      expect(ended.canInvoice(day(issueDate), { period: days(period) })).toBe(expected);
    });

    it('is false for a partnership ended before its last day was recorded', () => {
      const ended = Partnership.restore({ ...create().toState(), status: 'ended' });

      expect(ended.canInvoice(day('2026-04-01'), { period: days(march) })).toBe(false);
    });
  });

  describe('requiresApproval', () => {
    it('never requires approval when the rule is none', () => {
      expect(create().requiresApproval(eur('1000000.00'))).toBe(false);
    });

    it('always requires approval when the rule is always, even for nothing due', () => {
      const partnership = create({ policy: { approval: { kind: 'always' } } });

      expect(partnership.requiresApproval(eur('0.00'))).toBe(true);
      expect(partnership.requiresApproval(eur('5.00'))).toBe(true);
    });

    it('requires approval only above the threshold, not at it', () => {
      const partnership = create({ policy: { approval: { kind: 'above', threshold: '1000.00' } } });

      expect(partnership.requiresApproval(eur('999.99'))).toBe(false);
      expect(partnership.requiresApproval(eur('1000.00'))).toBe(false);
      expect(partnership.requiresApproval(eur('1000.01'))).toBe(true);
    });
  });

  describe('setPriceOverride', () => {
    it('sets a negotiated price, replaces it when set again, and raises partnership.price_set', () => {
      const partnership = create();
      partnership.markSaved();

      partnership.setPriceOverride(widget, '9.50', at);
      partnership.setPriceOverride(gadget, '0.0125', at);
      partnership.setPriceOverride(widget, '8.75', later);

      expect(partnership.priceOverride(widget)?.toString()).toBe('8.75');
      expect(partnership.priceOverride(gadget)?.toString()).toBe('0.0125');
      expect(partnership.priceOverride('m-other' as MarketableId)).toBeUndefined();
      expect(partnership.toState().priceOverrides).toHaveLength(2);
      expect(partnership.pendingEvents.map((event) => event.payload)).toEqual([
        { partnershipId: 'ps-1', marketableId: widget, unitPrice: '9.5' },
        { partnershipId: 'ps-1', marketableId: gadget, unitPrice: '0.0125' },
        { partnershipId: 'ps-1', marketableId: widget, unitPrice: '8.75' },
      ]);
      expect(partnership.pendingEvents.every((event) => event.type === 'partnership.price_set')).toBe(true);
    });

    it('accepts a price of zero', () => {
      const partnership = create();

      partnership.setPriceOverride(widget, '0', at);

      expect(partnership.priceOverride(widget)?.isZero()).toBe(true);
    });

    it('refuses a negative price with partnership.negative_price, and a malformed one with decimal.malformed', () => {
      const partnership = create();

      expect(issuesOf(() => partnership.setPriceOverride(widget, '-0.01', at))).toEqual([{ path: 'unitPrice', code: 'partnership.negative_price' }]);
      expect(issuesOf(() => partnership.setPriceOverride(widget, '9,50', at))).toEqual([{ path: 'unitPrice', code: 'decimal.malformed' }]);
      // A price no invoice line could take (ADR 0011: at most 10^12, 10 decimals) is refused where it is set.
      expect(issuesOf(() => partnership.setPriceOverride(widget, '1000000000000.01', at))).toEqual([{ path: 'unitPrice', code: 'partnership.price_out_of_range' }]);
      expect(issuesOf(() => partnership.setPriceOverride(widget, '0.00000000001', at))).toEqual([{ path: 'unitPrice', code: 'partnership.price_out_of_range' }]);
      expect(partnership.priceOverride(widget)).toBeUndefined();
    });
  });

  describe('removePriceOverride', () => {
    it('drops the negotiated price and raises partnership.price_removed', () => {
      const partnership = create();
      partnership.setPriceOverride(widget, '9.50', at);
      partnership.setPriceOverride(gadget, '3', at);
      partnership.markSaved();

      partnership.removePriceOverride(widget, later);

      expect(partnership.priceOverride(widget)).toBeUndefined();
      expect(partnership.priceOverride(gadget)?.toString()).toBe('3');
      expect(partnership.pendingEvents).toEqual([expect.objectContaining({ type: 'partnership.price_removed', payload: { partnershipId: 'ps-1', marketableId: widget } })]);
    });
  });

  describe('updateTerms', () => {
    it('replaces the terms, keeps prices and status, drops the optional terms left out, and raises partnership.terms_updated', () => {
      const partnership = create({ validUntil: '2026-12-31', buyerReference: 'CONTRACT-7' });
      partnership.setPriceOverride(widget, '9.50', at);
      partnership.suspend(at);
      partnership.markSaved();

      partnership.updateTerms(terms({ paymentTerms: { kind: 'end_of_month', days: 45 }, numbering: { invoice: 'F2026' }, validFrom: '2026-02-01' }), later);

      const state = partnership.toState();
      expect(state).toMatchObject({
        paymentTerms: { kind: 'end_of_month', days: 45 },
        numbering: { invoice: 'F2026', creditNote: 'CN' },
        validFrom: '2026-02-01',
        status: 'suspended',
        createdAt: at,
        updatedAt: later,
      });
      expect(state.validUntil).toBeUndefined();
      expect(state.buyerReference).toBeUndefined();
      expect(partnership.priceOverride(widget)?.toString()).toBe('9.5');
      expect(partnership.pendingEvents).toEqual([expect.objectContaining({ type: 'partnership.terms_updated', payload: { partnershipId: 'ps-1' } })]);
    });

    it('keeps the numbering and policy when an update leaves them out', () => {
      const partnership = create({ numbering: { invoice: 'F2026', creditNote: 'AV2026' }, policy: { approval: { kind: 'above', threshold: '5000.00' }, deliveryFormat: 'ubl' } });

      partnership.updateTerms(terms({ paymentTerms: { kind: 'net', days: 45 } }), later);

      expect(partnership.numbering).toEqual({ invoice: 'F2026', creditNote: 'AV2026' });
      expect(partnership.policy.deliveryFormat).toBe('ubl');
      expect(partnership.requiresApproval(Money.of('5000.01', 'EUR'))).toBe(true);
      expect(partnership.requiresApproval(Money.of('5000.00', 'EUR'))).toBe(false);
    });

    it('refuses a currency change while negotiated prices exist, and accepts it once they are removed', () => {
      const partnership = create();
      partnership.setPriceOverride(widget, '9.50', at);
      partnership.markSaved();

      expect(issuesOf(() => partnership.updateTerms(terms({ currency: 'USD' }), later))).toEqual([{ path: 'currency', code: 'partnership.currency_has_prices' }]);
      expect(partnership.currency).toBe('EUR');
      expect(partnership.pendingEvents).toEqual([]);

      partnership.removePriceOverride(widget, later);
      partnership.updateTerms(terms({ currency: 'USD' }), later);
      expect(partnership.currency).toBe('USD');
    });

    it('accepts new terms in the same currency while negotiated prices exist', () => {
      const partnership = create();
      partnership.setPriceOverride(widget, '9.50', at);

      partnership.updateTerms(terms({ paymentTerms: { kind: 'due_on_receipt' } }), later);

      expect(partnership.paymentTerms).toEqual({ kind: 'due_on_receipt' });
    });

    it('changes nothing when the new terms are invalid', () => {
      const partnership = create();
      partnership.markSaved();
      const before = partnership.toState();

      expect(issuesOf(() => partnership.updateTerms(terms({ numbering: { invoice: 'bad' } }), later))).toEqual([{ path: 'numbering.invoice', code: 'partnership.invalid_series' }]);
      expect(partnership.toState()).toEqual(before);
    });
  });

  describe('suspend', () => {
    it('pauses an active partnership and raises partnership.suspended', () => {
      const partnership = create();
      partnership.markSaved();

      partnership.suspend(later);

      expect(partnership.status).toBe('suspended');
      expect(partnership.pendingEvents).toEqual([expect.objectContaining({ type: 'partnership.suspended', payload: { partnershipId: 'ps-1' } })]);
    });

    it('is refused with partnership.not_active when suspended or ended', () => {
      const suspended = create();
      suspended.suspend(at);
      const ended = create();
      ended.end(at, day('2026-01-15'));

      expect(thrown(() => suspended.suspend(later))).toMatchObject({ code: 'partnership.not_active' });
      expect(thrown(() => ended.suspend(later))).toBeInstanceOf(InvalidStateError);
      expect(ended.status).toBe('ended');
    });
  });

  describe('resume', () => {
    it('resumes a suspended partnership and raises partnership.resumed', () => {
      const partnership = create();
      partnership.suspend(at);
      partnership.markSaved();

      partnership.resume(later);

      expect(partnership.status).toBe('active');
      expect(partnership.pendingEvents).toEqual([expect.objectContaining({ type: 'partnership.resumed' })]);
    });

    it('is refused with partnership.not_suspended when active or ended', () => {
      const ended = create();
      ended.end(at, day('2026-01-15'));

      expect(thrown(() => create().resume(later))).toMatchObject({ code: 'partnership.not_suspended' });
      expect(thrown(() => ended.resume(later))).toMatchObject({ code: 'partnership.not_suspended' });
      expect(ended.status).toBe('ended');
    });
  });

  describe('end', () => {
    it.each(['active', 'suspended'] as const)('ends a partnership that is %s and raises partnership.ended', (status) => {
      const partnership = create();
      if (status === 'suspended') partnership.suspend(at);
      partnership.markSaved();

      partnership.end(later, day('2026-01-20'));

      expect(partnership.status).toBe('ended');
      expect(partnership.pendingEvents).toEqual([expect.objectContaining({ type: 'partnership.ended' })]);
    });

    it.each<[string, string | undefined, string, string]>([
      ['an open validity', undefined, '2026-01-20', '2026-01-20'],
      ['a validity ending later', '2026-12-31', '2026-01-20', '2026-01-20'],
      ['a validity that ended before', '2026-01-10', '2026-01-20', '2026-01-10'],
      ['a validity not begun: none of its days', undefined, '2025-12-20', '2025-12-31'],
    ])('ends the validity of %s on its last day in force', (_case, validUntil, lastDay, expected) => {
      const partnership = create(validUntil === undefined ? {} : { validUntil });

      partnership.end(later, day(lastDay));

      expect(partnership.toState()).toMatchObject({ status: 'ended', validFrom: '2026-01-01', validUntil: expected });
    });

    it.each<[string, (partnership: Partnership) => void]>([
      ['end', (partnership) => partnership.end(later, day('2026-01-20'))],
      ['updateTerms', (partnership) => partnership.updateTerms(terms(), later)],
      ['setPriceOverride', (partnership) => partnership.setPriceOverride(widget, '1', later)],
      ['removePriceOverride', (partnership) => partnership.removePriceOverride(widget, later)],
    ])('refuses %s with partnership.ended once ended', (_command, run) => {
      const partnership = create();
      partnership.end(at, day('2026-01-15'));
      partnership.markSaved();
      const before = partnership.toState();

      const error = thrown(() => run(partnership));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'partnership.ended' });
      expect(partnership.toState()).toEqual(before);
      expect(partnership.pendingEvents).toEqual([]);
    });
  });
});
