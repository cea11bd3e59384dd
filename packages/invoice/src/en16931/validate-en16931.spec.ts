import { describe, expect, it } from '@jest/globals';
import type { En16931Document } from './model';
import { validDocument, withLine } from './testing';
import { validateEn16931, type ValidateEn16931Options } from './validate-en16931';

/** The fatal rule ids, sorted, once each: what the official validator's report is compared by. */
const fatal = (doc: En16931Document, options?: ValidateEn16931Options): string[] =>
  [...new Set(validateEn16931(doc, options).filter((f) => f.severity === 'fatal').map((f) => f.rule))].sort();

type Change = (doc: En16931Document) => En16931Document;

const set = (patch: Partial<En16931Document>): Change => (doc) => ({ ...doc, ...patch });
const seller = (patch: Partial<En16931Document['seller']>): Change => (doc) => ({ ...doc, seller: { ...doc.seller, ...patch } });
const totals = (patch: Partial<En16931Document['totals']>): Change => (doc) => ({ ...doc, totals: { ...doc.totals, ...patch } });
const breakdown = (patch: Partial<En16931Document['vatBreakdown'][number]>): Change => (doc) => ({
  ...doc,
  vatBreakdown: [{ taxableAmount: '20.00', taxAmount: '3.80', category: 'S', rate: '19', ...patch }],
});
const line = (patch: Parameters<typeof withLine>[2]): Change => (doc) => withLine(doc, 0, patch);
const both = (...changes: Change[]): Change => (doc) => changes.reduce((d, change) => change(d), doc);
const notSubject = { category: 'O', taxableAmount: '0.00', taxAmount: '0.00', exemptionReason: 'Not subject to VAT' };

/** [when, change, fatal ids by the UBL stylesheet, fatal ids by the CII stylesheet]; each checked with the official validator on a variant. */
const cases: [string, Change, string[], string[]][] = [
  ['the seller address has no term', seller({ address: {} }), ['BR-09'], ['BR-09']],
  ['the seller address is missing: CII tests BR-09 on the document', seller({ address: undefined }), ['BR-08'], ['BR-08', 'BR-09']],
  ['the payee has the seller name: CII compares with BT-27', set({ payee: { name: 'Seller GmbH' } }), [], ['BR-17']],
  ['the tender or lot reference is blank: CII reads it as an additional document', set({ tenderOrLotReference: '' }), [], ['BR-52']],
  ['BT-6 is BT-5: CII wants a VAT total in another currency', set({ vatAccountingCurrency: 'EUR' }), [], ['BR-53']],
  ['a preceding invoice reference is empty: CII wants text', set({ precedingInvoices: [{ reference: '' }] }), [], ['BR-55']],
  ['the tax representative VAT id is empty', set({ taxRepresentative: { name: 'Rep', vatId: '', address: { country: 'DE' } } }), [], ['BR-56', 'BR-CO-09']],
  ['the tax representative has no address: CII tests BR-20 on the party', set({ taxRepresentative: { name: 'Rep', vatId: 'DE999999999' } }), ['BR-19'], ['BR-19', 'BR-20']],
  ['the deliver-to country is empty', set({ delivery: { address: { country: '' } } }), ['BR-CL-14'], ['BR-57', 'BR-CL-14']],
  ['a credit transfer (58) has no account: CII tests BR-61 on each account', set({ paymentInstructions: { meansCode: '58', creditTransfers: [] } }), ['BR-61'], []],
  [
    'one of two accounts has no id',
    set({ paymentInstructions: { meansCode: '58', creditTransfers: [{ accountName: 'Seller' }, { accountId: 'DE89370400440532013000' }] } }),
    ['BR-50', 'BR-61'],
    ['BR-50', 'BR-61'],
  ],
  ['the seller electronic address scheme is empty', seller({ electronicAddress: { id: 'a@example.com', scheme: '' } }), ['BR-CL-25'], ['BR-62', 'BR-CL-25']],
  ['a card number is longer than 10: BR-51 is a warning in UBL only', set({ paymentInstructions: { meansCode: '48', creditTransfers: [], card: { accountNumber: '12345678901234' } } }), [], ['BR-51']],
  ['the seller VAT id starts with AN: only the CII list has it', seller({ vatId: 'AN123456789' }), ['BR-CO-09'], []],
  ['the seller VAT id starts with SS: only the UBL list has it', seller({ vatId: 'SS123456789' }), [], ['BR-CO-09']],
  ['BT-7 and BT-8 are both given: CII tests it on each breakdown', set({ taxPointDate: '2024-01-31', taxPointDateCode: '3' }), ['BR-CO-03'], ['BR-CO-03']],
  ['BT-106 has a third decimal: CII rounds it for BR-CO-13', totals({ lineNetTotal: '20.001' }), ['BR-CO-10', 'BR-CO-13', 'BR-DEC-09'], ['BR-CO-10', 'BR-DEC-09']],
  ['BT-112 is BT-109: CII accepts it whatever the VAT', totals({ taxInclusive: '20.00', amountDue: '20.00' }), ['BR-CO-15'], []],
  ['the rounding amount has a third decimal: CII adds it unrounded', totals({ rounding: '0.001' }), ['BR-DEC-17'], ['BR-CO-16', 'BR-DEC-17']],
  ['BT-117 is 1.00 off: CII allows it', both(breakdown({ taxAmount: '4.80' }), totals({ vatTotal: '4.80', taxInclusive: '24.80', amountDue: '24.80' })), ['BR-CO-17', 'BR-S-09'], ['BR-S-09']],
  // CII's BR-S-01 counts the S lines and S breakdowns together: one line alone needs its breakdown.
  ['there is no VAT breakdown: CII sums BT-110 to 0 and tests BR-CO-18 on each line', set({ vatBreakdown: [] }), ['BR-CO-18', 'BR-S-01'], ['BR-CO-14', 'BR-CO-18', 'BR-S-01']],
  ['the period holds only BT-8: CII has BT-8 elsewhere', set({ invoicePeriod: {}, taxPointDateCode: '35' }), [], ['BR-CO-19']],
  ['the seller has only a SEPA identifier: CII counts it', both(seller({ vatId: undefined, identifiers: [{ id: 'DE98ZZZ09999999999', scheme: 'SEPA' }] })), ['BR-CO-26', 'BR-S-02'], ['BR-CL-10', 'BR-S-02']],
  ['BT-110 is not round to cents: only CII tests BR-DEC-13', both(totals({ vatTotal: '3.805' })), ['BR-CO-14', 'BR-CO-15'], ['BR-CO-14', 'BR-CO-15', 'BR-DEC-13']],
  ['BT-6 is given without BT-111: CII also reports BR-DEC-15', set({ vatAccountingCurrency: 'SEK' }), ['BR-53'], ['BR-53', 'BR-DEC-15']],
  [
    'an O breakdown beside S: CII also wants an O line for BR-O-01, and pairs BR-O-11/12',
    (doc) => ({ ...doc, vatBreakdown: [...doc.vatBreakdown, notSubject] }),
    ['BR-O-11', 'BR-O-12'],
    ['BR-O-01', 'BR-O-11', 'BR-O-12'],
  ],
  [
    'an O breakdown without taxable amount: in CII the O rules shadow BR-45',
    (doc) => ({ ...doc, vatBreakdown: [...doc.vatBreakdown, { ...notSubject, taxableAmount: undefined }] }),
    ['BR-45', 'BR-O-08', 'BR-O-11', 'BR-O-12'],
    ['BR-O-01', 'BR-O-08', 'BR-O-11', 'BR-O-12'],
  ],
  ['an IGIC line at rate 0: CII wants a rate above 0', line({ vat: { category: 'L', rate: '0' } }), ['BR-AF-01', 'BR-S-01', 'BR-S-08'], ['BR-AF-01', 'BR-AF-05', 'BR-S-08']],
  ['the buyer country is AN: only the CII list has it', (doc) => ({ ...doc, buyer: { ...doc.buyer, address: { country: 'AN' } } }), ['BR-CL-14'], []],
  ['a subject code of the CII list only', set({ notes: [{ subjectCode: 'BAT', text: 'Note' }] }), ['BR-CL-08'], []],
  ['the breakdown category is unknown: BR-CL-17 in UBL, BR-CL-18 in CII', breakdown({ category: 'X' }), ['BR-CL-17', 'BR-S-01'], ['BR-CL-18', 'BR-S-01']],
  ['a UBL VAT point date code', set({ taxPointDateCode: '3' }), [], []],
];

describe('validateEn16931', () => {
  it('accepts the valid document in either syntax', () => {
    expect(fatal(validDocument())).toEqual([]);
    expect(fatal(validDocument(), { syntax: 'ubl' })).toEqual([]);
    expect(fatal(validDocument(), { syntax: 'cii' })).toEqual([]);
  });

  describe('where the UBL and CII stylesheets test differently', () => {
    it.each(cases)('gives each syntax its official answer when %s', (_when, change, ubl, cii) => {
      const doc = change(validDocument());
      expect({ ubl: fatal(doc, { syntax: 'ubl' }), cii: fatal(doc, { syntax: 'cii' }) }).toEqual({ ubl, cii });
    });

    it('follows the UBL stylesheet without a syntax', () => {
      for (const [, change] of cases) {
        const doc = change(validDocument());
        expect(fatal(doc).filter((rule) => !['BR-CL-01', 'BR-CL-06', 'BR-CL-16'].includes(rule))).toEqual(fatal(doc, { syntax: 'ubl' }));
      }
    });
  });

  describe('the code lists a syntax adapter checks on the file', () => {
    const doc = both(set({ typeCode: '999', taxPointDateCode: '4' }), (d) => ({ ...d, paymentInstructions: { meansCode: '999', creditTransfers: [] } }))(validDocument());

    it('checks BR-CL-01, BR-CL-06 and BR-CL-16 on the model when no syntax is given', () => {
      expect(fatal(doc)).toEqual(expect.arrayContaining(['BR-CL-01', 'BR-CL-06', 'BR-CL-16']));
    });

    it.each(['ubl', 'cii'] as const)('leaves them to the adapter of a document read from %s', (syntax) => {
      expect(fatal(doc, { syntax }).filter((rule) => rule.startsWith('BR-CL'))).toEqual([]);
    });
  });
});
