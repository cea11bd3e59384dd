import type { En16931Document, Line } from './model';

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
