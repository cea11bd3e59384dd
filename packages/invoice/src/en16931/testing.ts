import type { En16931Document, Line, VatBreakdownEntry } from './model';

/**
 * A valid line: 2 × 10.00, standard rated at 19 %. `id` is BT-126; `netAmount` (BT-131) may be changed together with
 * the totals, as `validDocument` does.
 */
export function validLine(id: string, netAmount = '20.00'): Line {
  return {
    id,
    quantity: '2',
    unitCode: 'C62',
    netAmount,
    allowances: [],
    charges: [],
    price: { netPrice: '10.00' },
    vat: { category: 'S', rate: '19' },
    item: { name: `Widget ${id}`, classifications: [], attributes: [] },
  };
}

/**
 * The smallest document that every EN 16931 rule accepts: one standard-rated line of 20.00, VAT 3.80, due 23.80,
 * paid by SEPA credit transfer. Tests break one term of it at a time.
 */
export function validDocument(): En16931Document {
  return {
    number: 'INV-2024-001',
    issueDate: '2024-01-31',
    typeCode: '380',
    currency: 'EUR',
    notes: [],
    process: { specification: 'urn:cen.eu:en16931:2017' },
    precedingInvoices: [],
    seller: {
      name: 'Seller GmbH',
      identifiers: [],
      vatId: 'DE123456789',
      address: { line1: 'Hauptstraße 1', city: 'Berlin', postCode: '10115', country: 'DE' },
    },
    buyer: { name: 'Buyer SARL', address: { line1: '1 rue de la Paix', city: 'Paris', postCode: '75002', country: 'FR' } },
    paymentInstructions: { meansCode: '58', creditTransfers: [{ accountId: 'DE89370400440532013000' }] },
    allowances: [],
    charges: [],
    totals: { lineNetTotal: '20.00', taxExclusive: '20.00', vatTotal: '3.80', taxInclusive: '23.80', amountDue: '23.80' },
    vatBreakdown: [{ taxableAmount: '20.00', taxAmount: '3.80', category: 'S', rate: '19' }],
    attachments: [],
    lines: [validLine('1')],
  };
}

/** `doc` with line `index` changed by `patch`. */
export function withLine(doc: En16931Document, index: number, patch: Partial<Line>): En16931Document {
  return { ...doc, lines: doc.lines.map((line, i) => (i === index ? { ...line, ...patch } : line)) };
}

/**
 * A document of `lines` lines at `rates` distinct standard rates (each written three ways: `1.5`, `1.50`, `1.500`),
 * with document allowances and charges at some of them, one breakdown entry per rate, and a few entries of other
 * categories; some entries are wrong on purpose (taxable and tax amounts, a duplicate Z entry, an allowance rate that
 * is not a number, O entries beside other categories), so that the VAT category rules have findings of every kind.
 * Deterministic: specs compare its findings with those the rules gave before they grouped the lines by rate.
 */
export function manyRatesDocument(lines = 600, rates = 200): En16931Document {
  const rateOf = (k: number) => (1 + k / 100).toFixed(2);
  const written = (k: number, form: number) => [String(Number(rateOf(k))), rateOf(k), `${rateOf(k)}0`][form % 3] as string;
  const taxable = new Map<number, number>(); // in cents, by rate index
  const add = (k: number, cents: number) => taxable.set(k, (taxable.get(k) ?? 0) + cents);
  const docLines: Line[] = Array.from({ length: lines }, (_, i) => {
    const k = i % rates;
    const cents = ((i % 7) + 1) * 100;
    add(k, cents);
    return { ...validLine(String(i + 1), (cents / 100).toFixed(2)), vat: { category: 'S', rate: written(k, Math.floor(i / rates)) } };
  });
  const allowances = Array.from({ length: 30 }, (_, i) => {
    const k = (i * 7) % rates;
    add(k, -50);
    return { amount: '0.50', reason: 'Discount', vatCategory: 'S', vatRate: written(k, i) };
  });
  const charges = Array.from({ length: 30 }, (_, i) => {
    const k = (i * 11) % rates;
    add(k, 25);
    return { amount: '0.25', reason: 'Freight', vatCategory: 'S', vatRate: written(k, i + 1) };
  });
  const money = (cents: number) => (cents / 100).toFixed(2);
  const breakdown: VatBreakdownEntry[] = Array.from({ length: rates }, (_, k) => {
    const base = taxable.get(k) ?? 0;
    // Off by 1.50 (every stylesheet), off by 0.50 (CII wants equality), a tax off by 2.00.
    const stated = k % 29 === 3 ? base + 150 : k % 31 === 4 ? base + 50 : base;
    const tax = Math.round((stated * (100 + k)) / 10_000) + (k % 37 === 5 ? 200 : 0);
    return { taxableAmount: money(stated), taxAmount: money(tax), category: 'S', rate: written(k, k) };
  });
  return {
    ...validDocument(),
    lines: [
      ...docLines,
      ...['1', '2', '3', '4', '5'].map((n) => ({ ...validLine(`Z${n}`, '10.00'), vat: { category: 'Z', rate: '0' } })),
      ...['1', '2', '3'].map((n) => ({ ...validLine(`L${n}`, '10.00'), vat: { category: 'L', rate: '7' } })),
      { ...validLine('E1', '10.00'), vat: { category: 'E', rate: '0' } },
    ],
    allowances: [...allowances, { amount: '1.00', reason: 'Discount', vatCategory: 'L', vatRate: 'seven' }],
    charges: [...charges, { amount: '4.00', reason: 'Freight', vatCategory: 'S', vatRate: '60' }],
    vatBreakdown: [
      ...breakdown,
      // The same rate again, and rates no line uses: one with a charge alone, one with nothing.
      { ...(breakdown[0] as VatBreakdownEntry) },
      { taxableAmount: '4.00', taxAmount: '2.40', category: 'S', rate: '60' },
      { taxableAmount: '0.00', taxAmount: '0.00', category: 'S', rate: '50' },
      { taxableAmount: '50.00', taxAmount: '0.00', category: 'Z', rate: '0' },
      { taxableAmount: '49.00', taxAmount: '0.00', category: 'Z', rate: '0' },
      { taxableAmount: '33.00', taxAmount: '2.31', category: 'L', rate: '7' }, // 30.00 less an allowance whose rate is no number: not checked
      { taxableAmount: '10.00', taxAmount: '0.00', category: 'E', rate: '0', exemptionReasonCode: 'VATEX-EU-132' },
      { taxableAmount: '0.00', taxAmount: '0.00', category: 'O', exemptionReason: 'Not subject' },
      { taxableAmount: '0.00', taxAmount: '0.00', category: 'O', exemptionReason: 'Not subject' },
    ],
  };
}

/** `doc` with each line's VAT rate behind a getter that counts its reads: how often the rules go over the lines. */
export function countingRateReads(doc: En16931Document): { readonly doc: En16931Document; readonly reads: () => number } {
  let reads = 0;
  const lines = doc.lines.map((line): Line => {
    const { category, rate } = line.vat;
    const vat = {
      ...(category === undefined ? {} : { category }),
      get rate() {
        reads++;
        return rate;
      },
    };
    return { ...line, vat };
  });
  return { doc: { ...doc, lines }, reads: () => reads };
}
