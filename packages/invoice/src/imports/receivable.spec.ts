import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@invoicing/core';
import { parseReceivable, parseTermsText, type ReceivableInput } from './receivable';

const ROW: ReceivableInput = {
  invoiceNumber: '10443',
  customerName: 'Harbor Freight Supply',
  contactName: 'Dana Ortiz',
  contactEmail: 'Dana.Ortiz@harbor.example',
  contactPhone: '+1 555 0100',
  invoiceDate: '2024-03-01',
  terms: 'Net 30',
  total: '1250.40',
  applied: '250.40',
  status: 'Pending',
  currency: 'usd',
};

function issuesOf(input: ReceivableInput): { path: string; code: string }[] {
  try {
    parseReceivable(input);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map(({ path, code }) => ({ path, code }));
    throw error;
  }
  throw new Error('expected the receivable to be refused');
}

describe('parseTermsText', () => {
  it.each([
    ['Net 30', { terms: { kind: 'net', days: 30 } }],
    ['net30', { terms: { kind: 'net', days: 30 } }],
    ['N/45', { terms: { kind: 'net', days: 45 } }],
    ['Net 0', { terms: { kind: 'due_on_receipt' } }],
    ['Due on receipt', { terms: { kind: 'due_on_receipt' } }],
    ['Due upon receipt', { terms: { kind: 'due_on_receipt' } }],
    ['COD', { terms: { kind: 'due_on_receipt' } }],
    ['Net 30 EOM', { terms: { kind: 'end_of_month', days: 30 } }],
    ['2% 10 Net 30', { terms: { kind: 'net', days: 30 }, discount: { percent: '2', days: 10 } }],
    ['2/10 Net 30', { terms: { kind: 'net', days: 30 }, discount: { percent: '2', days: 10 } }],
    ['1.5% 15, Net 45', { terms: { kind: 'net', days: 45 }, discount: { percent: '1.5', days: 15 } }],
  ])('reads %s', (text, expected) => {
    expect(parseTermsText(text)).toEqual(expected);
  });

  it.each(['Net', 'Net 99999', 'whenever', '2% 10 2% 10 Net 30', ''])('does not guess at %j', (text) => {
    expect(parseTermsText(text)).toBeUndefined();
  });
});

describe('parseReceivable', () => {
  it('checks and types a row: due date from the terms, email lower-cased, currency upper-cased', () => {
    const receivable = parseReceivable(ROW);
    expect(receivable).toMatchObject({
      invoiceNumber: '10443',
      customerName: 'Harbor Freight Supply',
      contact: { name: 'Dana Ortiz', email: 'dana.ortiz@harbor.example', phone: '+1 555 0100' },
      invoiceDate: '2024-03-01',
      dueDate: '2024-03-31',
      paymentTerms: { kind: 'net', days: 30 },
      status: 'pending',
    });
    expect(receivable.total.toJSON()).toEqual({ amount: '1250.40', currency: 'USD' });
    expect(receivable.applied.toJSON()).toEqual({ amount: '250.40', currency: 'USD' });
    // Terms fully said by the payment terms are not kept again as text.
    expect(receivable.termsText).toBeUndefined();
  });

  it('keeps terms with an early-payment discount as text, since payment terms carry no discount', () => {
    expect(parseReceivable({ ...ROW, terms: '2% 10 Net 30' }).termsText).toBe('2% 10 Net 30');
  });

  it('takes the due date given over the terms, and terms days over the terms text', () => {
    expect(parseReceivable({ ...ROW, dueDate: '2024-04-15' }).dueDate).toBe('2024-04-15');
    expect(parseReceivable({ ...ROW, termsDays: '45' }).dueDate).toBe('2024-04-15');
    expect(parseReceivable({ ...ROW, terms: 'see contract', dueDate: '2024-03-11' }).paymentTerms).toEqual({ kind: 'net', days: 10 });
  });

  it('uses the default currency for rows without one', () => {
    expect(parseReceivable({ ...ROW, currency: '' }, 'EUR').total.currency).toBe('EUR');
    expect(issuesOf({ ...ROW, currency: '' })).toEqual([{ path: 'currency', code: 'text.required' }]);
  });

  it('names every bad field at once', () => {
    expect(
      issuesOf({ ...ROW, invoiceNumber: ' ', customerName: '', invoiceDate: '03/01/2024', contactEmail: 'not-an-email', status: 'Void', total: '12.345' }),
    ).toEqual([
      { path: 'invoiceNumber', code: 'text.required' },
      { path: 'customerName', code: 'text.required' },
      { path: 'invoiceDate', code: 'date.malformed' },
      { path: 'contactEmail', code: 'contact.invalid_email' },
      { path: 'status', code: 'import.invalid_status' },
      { path: 'total', code: 'money.precision_exceeded' },
    ]);
  });

  it('refuses negative amounts, more applied than the total, and a status that disagrees with them', () => {
    expect(issuesOf({ ...ROW, total: '-10.00', applied: '0' })).toEqual([{ path: 'total', code: 'import.negative_amount' }]);
    expect(issuesOf({ ...ROW, applied: '1250.41' })).toEqual([{ path: 'applied', code: 'import.applied_exceeds_total' }]);
    expect(issuesOf({ ...ROW, status: 'Closed' })).toEqual([{ path: 'status', code: 'import.status_mismatch' }]);
    expect(issuesOf({ ...ROW, applied: '1250.40' })).toEqual([{ path: 'status', code: 'import.status_mismatch' }]);
  });

  it('refuses a due date it cannot know, and one before the invoice date', () => {
    expect(issuesOf({ ...ROW, terms: 'when convenient' })).toEqual([{ path: 'terms', code: 'import.unknown_terms' }]);
    expect(issuesOf({ ...ROW, terms: '' })).toEqual([{ path: 'terms', code: 'import.due_date_unknown' }]);
    expect(issuesOf({ ...ROW, dueDate: '2024-02-01' })).toEqual([{ path: 'dueDate', code: 'import.due_before_invoice_date' }]);
  });

  it('refuses an invisible format character in the invoice number or the customer name (audit `files`, F6)', () => {
    // Before, `D1` and `D1\u200B`, `Acme` and `Acme\u200B` were two invoices and two partners that read the same everywhere.
    for (const invisible of ['\u200B', '\u200E', '\u200F', '\u202A', '\u202E', '\u2060', '\u2064', '\uFEFF', '\u00AD']) {
      const code = `U+${invisible.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      expect([code, issuesOf({ ...ROW, invoiceNumber: `D${invisible}1`, customerName: `Ac${invisible}me` })]).toEqual([
        code,
        [
          { path: 'invoiceNumber', code: 'text.invisible_character' },
          { path: 'customerName', code: 'text.invisible_character' },
        ],
      ]);
    }
    // Around the text, a byte-order mark is trimmed as spaces are: `D1\uFEFF` is D1.
    expect(parseReceivable({ ...ROW, invoiceNumber: '\uFEFFD1\uFEFF' }).invoiceNumber).toBe('D1');
    expect(() => parseReceivable({ ...ROW, invoiceNumber: 'D1\u200B' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ message: 'holds an invisible character (U+200B at position 3): take it out, or it is another value that reads the same' })] }),
    );
    // The zero-width non-joiner and joiner write Persian and Indic names (and emoji) right: kept in a name, not in a number.
    expect(parseReceivable({ ...ROW, customerName: 'می\u200Cخانه' }).customerName).toBe('می\u200Cخانه');
    expect(parseReceivable({ ...ROW, customerName: 'क्\u200Dष' }).customerName).toBe('क्\u200Dष');
    expect(issuesOf({ ...ROW, invoiceNumber: 'D\u200C1' })).toEqual([{ path: 'invoiceNumber', code: 'text.invisible_character' }]);
    // Only those two: a note-like field keeps what it was given.
    expect(parseReceivable({ ...ROW, purchaseOrder: 'PO\u200B1' }).purchaseOrder).toBe('PO\u200B1');
  });

  it('refuses the largest amounts money cannot hold rather than wrapping them', () => {
    expect(issuesOf({ ...ROW, total: '99999999999999999999.00', applied: '0' })[0]?.path).toBe('total');
  });
});
