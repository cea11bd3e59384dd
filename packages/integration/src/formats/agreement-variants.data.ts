/**
 * Broken variants of valid documents, each breaking (mostly) one EN 16931 rule: the agreement test writes each one in
 * its syntax and compares our fatal rule ids with the official validator's. The rule a variant aims at is a label
 * only; the test never trusts it, it compares with what the official validator says.
 */
import type { En16931Document } from '@invoicing/invoice';

type DeepMutable<T> = T extends readonly (infer U)[] ? DeepMutable<U>[] : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;
export type MutableDocument = DeepMutable<En16931Document>;

export interface Variant {
  /** The rule the change aims at, e.g. `BR-CO-10`. */
  readonly aim: string;
  /** Applies the change; returns false when the document has nothing to change (the variant is then not used). */
  readonly apply: (doc: MutableDocument) => boolean;
}

type MutableLine = MutableDocument['lines'][number];

/** A change of the first line; not applicable to a document without lines. */
function withLine(change: (line: MutableLine) => boolean): (doc: MutableDocument) => boolean {
  return (doc) => (doc.lines[0] ? change(doc.lines[0]) : false);
}

/** Adds `delta` to a decimal text with two decimals, keeping two decimals. */
function shift(value: string | undefined, delta: number): string | undefined {
  if (value === undefined) return undefined;
  const cents = BigInt(Math.round(Number(value) * 100)) + BigInt(delta * 100);
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Every VAT category `from` of the document (lines, document allowances and charges, breakdown) becomes `to`. */
function recategorise(from: string, to: string): (doc: MutableDocument) => boolean {
  return (doc) => {
    if (!doc.vatBreakdown.some((entry) => entry.category === from)) return false;
    for (const line of doc.lines) if (line.vat.category === from) line.vat.category = to;
    for (const ac of [...doc.allowances, ...doc.charges]) if (ac.vatCategory === from) ac.vatCategory = to;
    for (const entry of doc.vatBreakdown) if (entry.category === from) entry.category = to;
    return true;
  };
}

export const VARIANTS: readonly Variant[] = [
  { aim: 'BR-02', apply: (d) => (delete d.number, true) },
  { aim: 'BR-03', apply: (d) => (delete d.issueDate, true) },
  { aim: 'BR-04', apply: (d) => (delete d.typeCode, true) },
  { aim: 'BR-05', apply: (d) => (delete d.currency, true) },
  { aim: 'BR-06', apply: (d) => (delete d.seller.name, true) },
  { aim: 'BR-07', apply: (d) => (delete d.buyer.name, true) },
  { aim: 'BR-08', apply: (d) => (delete d.seller.address, true) },
  { aim: 'BR-09', apply: (d) => (d.seller.address ? (delete d.seller.address.country, true) : false) },
  { aim: 'BR-10', apply: (d) => (delete d.buyer.address, true) },
  { aim: 'BR-11', apply: (d) => (d.buyer.address ? (delete d.buyer.address.country, true) : false) },
  { aim: 'BR-16', apply: (d) => ((d.lines = []), true) },
  { aim: 'BR-17', apply: (d) => (d.payee ? (delete d.payee.name, true) : ((d.payee = { identifier: { id: 'PAYEE-1' } }), true)) },
  { aim: 'BR-18', apply: (d) => ((d.taxRepresentative = { vatId: 'DE123456789', address: { country: 'DE' } }), true) },
  { aim: 'BR-19', apply: (d) => ((d.taxRepresentative = { name: 'Rep', vatId: 'DE123456789' }), true) },
  { aim: 'BR-20', apply: (d) => ((d.taxRepresentative = { name: 'Rep', vatId: 'DE123456789', address: { city: 'Berlin' } }), true) },
  { aim: 'BR-21', apply: withLine((l) => (delete l.id, true)) },
  { aim: 'BR-22', apply: withLine((l) => (delete l.quantity, true)) },
  { aim: 'BR-23', apply: withLine((l) => (delete l.unitCode, true)) },
  { aim: 'BR-24', apply: withLine((l) => (delete l.netAmount, true)) },
  { aim: 'BR-25', apply: withLine((l) => (delete l.item.name, true)) },
  { aim: 'BR-26', apply: withLine((l) => (delete l.price.netPrice, true)) },
  { aim: 'BR-27', apply: withLine((l) => (l.price.netPrice ? ((l.price.netPrice = `-${l.price.netPrice}`), true) : false)) },
  { aim: 'BR-28', apply: withLine((l) => ((l.price.grossPrice = '-5.00'), true)) },
  { aim: 'BR-29', apply: (d) => ((d.invoicePeriod = { start: '2024-02-01', end: '2024-01-01' }), true) },
  { aim: 'BR-30', apply: withLine((l) => ((l.period = { start: '2024-02-01', end: '2024-01-01' }), true)) },
  { aim: 'BR-33', apply: (d) => (d.allowances[0] ? (delete d.allowances[0].reason, delete d.allowances[0].reasonCode, true) : false) },
  { aim: 'BR-32', apply: (d) => (d.allowances[0] ? (delete d.allowances[0].vatCategory, true) : false) },
  { aim: 'BR-38', apply: (d) => (d.charges[0] ? (delete d.charges[0].reason, delete d.charges[0].reasonCode, true) : false) },
  { aim: 'BR-37', apply: (d) => (d.charges[0] ? (delete d.charges[0].vatCategory, true) : false) },
  { aim: 'BR-42', apply: withLine(({ allowances: [first] }) => (first ? (delete first.reason, delete first.reasonCode, true) : false)) },
  { aim: 'BR-44', apply: withLine(({ charges: [first] }) => (first ? (delete first.reason, delete first.reasonCode, true) : false)) },
  { aim: 'BR-45', apply: (d) => (d.vatBreakdown[0] ? (delete d.vatBreakdown[0].taxableAmount, true) : false) },
  { aim: 'BR-46', apply: (d) => (d.vatBreakdown[0] ? (delete d.vatBreakdown[0].taxAmount, true) : false) },
  { aim: 'BR-47', apply: (d) => (d.vatBreakdown[0] ? (delete d.vatBreakdown[0].category, true) : false) },
  { aim: 'BR-48', apply: (d) => (d.vatBreakdown[0]?.category === 'S' ? (delete d.vatBreakdown[0].rate, true) : false) },
  { aim: 'BR-49', apply: (d) => (d.paymentInstructions ? (delete d.paymentInstructions.meansCode, true) : false) },
  { aim: 'BR-50', apply: (d) => (d.paymentInstructions?.creditTransfers[0] ? (delete d.paymentInstructions.creditTransfers[0].accountId, true) : false) },
  { aim: 'BR-52', apply: (d) => (d.attachments.push({ description: 'no reference' }), true) },
  { aim: 'BR-53', apply: (d) => ((d.vatAccountingCurrency = d.currency === 'SEK' ? 'NOK' : 'SEK'), delete d.totals.vatTotalInAccountingCurrency, true) },
  { aim: 'BR-54', apply: withLine((l) => (l.item.attributes.push({ name: 'Colour' }), true)) },
  { aim: 'BR-54 present but empty', apply: withLine((l) => (l.item.attributes.push({ name: 'Colour', value: '' }), true)) },
  { aim: 'BR-55', apply: (d) => (d.precedingInvoices.push({ issueDate: '2024-01-01' }), true) },
  { aim: 'BR-56', apply: (d) => ((d.taxRepresentative = { name: 'Rep', address: { country: 'DE' } }), true) },
  { aim: 'BR-57', apply: (d) => ((d.delivery = { ...d.delivery, address: { city: 'Paris' } }), true) },
  { aim: 'BR-61', apply: (d) => ((d.paymentInstructions = { meansCode: '58', creditTransfers: [] }), true) },
  { aim: 'BR-62', apply: (d) => (d.seller.electronicAddress ? (delete d.seller.electronicAddress.scheme, true) : ((d.seller.electronicAddress = { id: 'seller@example.com' }), true)) },
  { aim: 'BR-63', apply: (d) => (d.buyer.electronicAddress ? (delete d.buyer.electronicAddress.scheme, true) : ((d.buyer.electronicAddress = { id: 'buyer@example.com' }), true)) },
  { aim: 'BR-64', apply: withLine((l) => ((l.item.standardId = { id: '1234567890128' }), true)) },
  { aim: 'BR-65', apply: withLine((l) => (l.item.classifications.push({ id: '12345678' }), true)) },
  { aim: 'BR-CO-04', apply: withLine((l) => (delete l.vat.category, true)) },
  { aim: 'BR-CO-09', apply: (d) => ((d.seller.vatId = '12345678'), true) },
  { aim: 'BR-CO-10', apply: withLine((l) => (l.netAmount ? ((l.netAmount = shift(l.netAmount, 1)), true) : false)) },
  { aim: 'BR-CO-10 total', apply: (d) => ((d.totals.lineNetTotal = shift(d.totals.lineNetTotal, 10)), true) },
  { aim: 'BR-CO-11', apply: (d) => (d.totals.allowanceTotal !== undefined ? ((d.totals.allowanceTotal = shift(d.totals.allowanceTotal, 1)), true) : false) },
  { aim: 'BR-CO-12', apply: (d) => (d.totals.chargeTotal !== undefined ? ((d.totals.chargeTotal = shift(d.totals.chargeTotal, 1)), true) : false) },
  { aim: 'BR-CO-13', apply: (d) => ((d.totals.taxExclusive = shift(d.totals.taxExclusive, 1)), true) },
  { aim: 'BR-CO-14', apply: (d) => ((d.totals.vatTotal = shift(d.totals.vatTotal, 1)), true) },
  { aim: 'BR-CO-15', apply: (d) => ((d.totals.taxInclusive = shift(d.totals.taxInclusive, 1)), true) },
  { aim: 'BR-CO-16', apply: (d) => ((d.totals.amountDue = shift(d.totals.amountDue, 1)), true) },
  { aim: 'BR-CO-16 prepaid', apply: (d) => ((d.totals.prepaid = '1.00'), true) },
  { aim: 'BR-CO-17', apply: (d) => (d.vatBreakdown[0]?.taxAmount ? ((d.vatBreakdown[0].taxAmount = shift(d.vatBreakdown[0].taxAmount, 5)), true) : false) },
  { aim: 'BR-CO-18', apply: (d) => ((d.vatBreakdown = []), true) },
  { aim: 'BR-CO-19', apply: (d) => ((d.invoicePeriod = {}), true) },
  { aim: 'BR-CO-20', apply: withLine((l) => ((l.period = {}), true)) },
  { aim: 'BR-CO-21', apply: (d) => (d.allowances.push({ amount: '0.00', vatCategory: d.vatBreakdown[0]?.category ?? 'S', vatRate: d.vatBreakdown[0]?.rate ?? '25' }), true) },
  { aim: 'BR-CO-22', apply: (d) => (d.charges.push({ amount: '0.00', vatCategory: d.vatBreakdown[0]?.category ?? 'S', vatRate: d.vatBreakdown[0]?.rate ?? '25' }), true) },
  { aim: 'BR-CO-23', apply: withLine((l) => (l.allowances.push({ amount: '0.00' }), true)) },
  { aim: 'BR-CO-24', apply: withLine((l) => (l.charges.push({ amount: '0.00' }), true)) },
  { aim: 'BR-CO-25', apply: (d) => (delete d.dueDate, delete d.paymentTerms, true) },
  { aim: 'BR-CO-26', apply: (d) => ((d.seller.identifiers = []), delete d.seller.legalRegistration, delete d.seller.vatId, true) },
  { aim: 'BR-DEC-01', apply: (d) => (d.allowances[0]?.amount ? ((d.allowances[0].amount = `${d.allowances[0].amount}1`), true) : false) },
  { aim: 'BR-DEC-09', apply: (d) => (d.totals.lineNetTotal ? ((d.totals.lineNetTotal = `${d.totals.lineNetTotal}0`), true) : false) },
  { aim: 'BR-DEC-12', apply: (d) => (d.totals.taxExclusive ? ((d.totals.taxExclusive = `${d.totals.taxExclusive}0`), true) : false) },
  { aim: 'BR-DEC-13', apply: (d) => (d.totals.vatTotal ? ((d.totals.vatTotal = `${d.totals.vatTotal}0`), true) : false) },
  { aim: 'BR-DEC-14', apply: (d) => (d.totals.taxInclusive ? ((d.totals.taxInclusive = `${d.totals.taxInclusive}0`), true) : false) },
  { aim: 'BR-DEC-18', apply: (d) => (d.totals.amountDue ? ((d.totals.amountDue = `${d.totals.amountDue}0`), true) : false) },
  { aim: 'BR-DEC-19', apply: (d) => (d.vatBreakdown[0]?.taxableAmount ? ((d.vatBreakdown[0].taxableAmount = `${d.vatBreakdown[0].taxableAmount}0`), true) : false) },
  { aim: 'BR-DEC-20', apply: (d) => (d.vatBreakdown[0]?.taxAmount ? ((d.vatBreakdown[0].taxAmount = `${d.vatBreakdown[0].taxAmount}0`), true) : false) },
  { aim: 'BR-DEC-23', apply: withLine((l) => (l.netAmount ? ((l.netAmount = `${l.netAmount}0`), true) : false)) },
  { aim: 'BR-CL-01', apply: (d) => ((d.typeCode = '999'), true) },
  { aim: 'BR-CL-04', apply: (d) => ((d.currency = 'EUX'), true) },
  { aim: 'BR-CL-05', apply: (d) => ((d.vatAccountingCurrency = 'XXY'), (d.totals.vatTotalInAccountingCurrency = '1.00'), true) },
  { aim: 'BR-CL-14', apply: (d) => (d.seller.address ? ((d.seller.address.country = 'XK'), true) : false) },
  { aim: 'BR-CL-14 buyer', apply: (d) => (d.buyer.address ? ((d.buyer.address.country = 'ZZ'), true) : false) },
  { aim: 'BR-CL-16', apply: (d) => (d.paymentInstructions ? ((d.paymentInstructions.meansCode = '999'), true) : false) },
  { aim: 'BR-CL-17', apply: (d) => (d.vatBreakdown[0] ? ((d.vatBreakdown[0].category = 'X'), true) : false) },
  { aim: 'BR-CL-18', apply: withLine((l) => ((l.vat.category = 'Q'), true)) },
  { aim: 'BR-CL-19', apply: (d) => (d.allowances[0] ? ((d.allowances[0].reasonCode = '999'), true) : false) },
  { aim: 'BR-CL-20', apply: (d) => (d.charges[0] ? ((d.charges[0].reasonCode = 'ZZZZ'), true) : false) },
  { aim: 'BR-CL-21', apply: withLine((l) => ((l.item.standardId = { id: '123', scheme: '9999' }), true)) },
  { aim: 'BR-CL-13', apply: withLine((l) => (l.item.classifications.push({ id: '123', scheme: 'ZZZ' }), true)) },
  { aim: 'BR-CL-15', apply: withLine((l) => ((l.item.originCountry = 'QQ'), true)) },
  { aim: 'BR-CL-22', apply: (d) => (d.vatBreakdown[0] ? ((d.vatBreakdown[0].exemptionReasonCode = 'VATEX-XX-999'), true) : false) },
  { aim: 'BR-CL-23', apply: withLine((l) => ((l.unitCode = 'QQQ'), true)) },
  { aim: 'BR-CL-24', apply: (d) => (d.attachments.push({ reference: 'att', content: { base64: 'QUJD', mimeCode: 'application/zip', filename: 'a.zip' } }), true) },
  { aim: 'BR-CL-25', apply: (d) => ((d.seller.electronicAddress = { id: 'x@example.com', scheme: 'QQ' }), true) },
  { aim: 'BR-CL-26', apply: (d) => ((d.delivery = { ...d.delivery, locationId: { id: 'LOC-1', scheme: '9999' } }), true) },
  { aim: 'BR-CL-11', apply: (d) => (d.seller.identifiers.push({ id: 'X1', scheme: '9999' }), true) },
  { aim: 'BR-CL-10', apply: (d) => ((d.buyer.identifier = { id: 'X2', scheme: '9998' }), true) },
  { aim: 'BR-CL-08', apply: (d) => (d.notes.push({ subjectCode: 'ZZZ', text: 'a note' }), true) },
  { aim: 'BR-CL-07', apply: (d) => ((d.invoicedObjectIdentifier = { id: 'OBJ-1', scheme: 'QQQ' }), true) },
  { aim: 'BR-S-08', apply: (d) => (d.vatBreakdown[0]?.taxableAmount ? ((d.vatBreakdown[0].taxableAmount = shift(d.vatBreakdown[0].taxableAmount, 3)), true) : false) },
  { aim: 'BR-S-05', apply: withLine((l) => (l.vat.category === 'S' ? ((l.vat.rate = '0'), true) : false)) },
  { aim: 'BR-S-10', apply: (d) => (d.vatBreakdown[0]?.category === 'S' ? ((d.vatBreakdown[0].exemptionReason = 'Exempt'), true) : false) },
  { aim: 'BR-S-02', apply: (d) => (delete d.seller.vatId, delete d.seller.taxRegistrationId, delete d.taxRepresentative, true) },
  { aim: 'BR-E-10', apply: (d) => (d.vatBreakdown[0]?.category === 'E' ? (delete d.vatBreakdown[0].exemptionReason, delete d.vatBreakdown[0].exemptionReasonCode, true) : false) },
  { aim: 'BR-Z-05', apply: withLine((l) => ((l.vat = { category: 'Z', rate: '5' }), true)) },
  { aim: 'BR-E-05', apply: withLine((l) => ((l.vat = { category: 'E', rate: '5' }), true)) },
  { aim: 'BR-AE-05', apply: withLine((l) => ((l.vat = { category: 'AE', rate: '5' }), true)) },
  { aim: 'BR-IC-05', apply: withLine((l) => ((l.vat = { category: 'K', rate: '5' }), true)) },
  { aim: 'BR-G-05', apply: withLine((l) => ((l.vat = { category: 'G', rate: '5' }), true)) },
  { aim: 'BR-O-05', apply: withLine((l) => ((l.vat = { category: 'O', rate: '5' }), true)) },
  { aim: 'BR-AF-05', apply: withLine((l) => ((l.vat = { category: 'L' }), true)) },
  { aim: 'BR-AG-05', apply: withLine((l) => ((l.vat = { category: 'M' }), true)) },
  { aim: 'BR-AE-01', apply: withLine((l) => ((l.vat = { category: 'AE', rate: '0' }), true)) },
  { aim: 'BR-IC-11', apply: (d) => (d.vatBreakdown[0] ? ((d.vatBreakdown[0] = { ...d.vatBreakdown[0], category: 'K', rate: '0', exemptionReason: 'Intra-community' }), delete d.delivery, true) : false) },
  { aim: 'BR-DEC-02', apply: (d) => (d.allowances[0]?.baseAmount ? ((d.allowances[0].baseAmount = `${d.allowances[0].baseAmount}1`), true) : ((d.allowances.push({ amount: '1.00', baseAmount: '10.001', percentage: '10', reason: 'Discount', vatCategory: 'S', vatRate: '25' })), true)) },
  { aim: 'BR-DEC-24', apply: withLine((l) => (l.allowances.push({ amount: '1.001', reason: 'Discount' }), true)) },
  { aim: 'BR-DEC-27', apply: withLine((l) => (l.charges.push({ amount: '1.001', reason: 'Freight' }), true)) },
  { aim: 'BR-DEC-15', apply: (d) => ((d.vatAccountingCurrency = d.currency === 'SEK' ? 'NOK' : 'SEK'), (d.totals.vatTotalInAccountingCurrency = '12.345'), true) },
  { aim: 'BR-DEC-16', apply: (d) => ((d.totals.prepaid = '0.001'), true) },
  { aim: 'BR-DEC-17', apply: (d) => ((d.totals.rounding = '0.001'), true) },
  // Where the UBL and CII stylesheets test a rule differently.
  { aim: 'BR-09 empty address', apply: (d) => ((d.seller.address = {}), true) },
  { aim: 'BR-17 payee named as the seller', apply: (d) => (d.seller.name !== undefined ? ((d.payee = { name: d.seller.name }), true) : false) },
  { aim: 'BR-52 blank tender reference', apply: (d) => ((d.tenderOrLotReference = ''), true) },
  { aim: 'BR-53 same currency', apply: (d) => ((d.vatAccountingCurrency = d.currency), delete d.totals.vatTotalInAccountingCurrency, true) },
  { aim: 'BR-55 blank reference', apply: (d) => (d.precedingInvoices.push({ reference: '', issueDate: '2024-01-01' }), true) },
  { aim: 'BR-56 empty VAT id', apply: (d) => ((d.taxRepresentative = { name: 'Rep', vatId: '', address: { country: 'DE' } }), true) },
  { aim: 'BR-57 empty country', apply: (d) => ((d.delivery = { ...d.delivery, address: { city: 'Paris', country: '' } }), true) },
  { aim: 'BR-61 two accounts', apply: (d) => ((d.paymentInstructions = { meansCode: '58', creditTransfers: [{ accountName: 'Seller' }, { accountId: 'DE89370400440532013000' }] }), true) },
  { aim: 'BR-62 empty scheme', apply: (d) => ((d.seller.electronicAddress = { id: 'seller@example.com', scheme: '' }), true) },
  { aim: 'BR-CO-09 AN prefix', apply: (d) => ((d.seller.vatId = 'AN123456789'), true) },
  { aim: 'BR-CO-10 half a cent', apply: withLine((l) => (l.netAmount !== undefined ? ((l.netAmount = `${shift(l.netAmount, 0)}5`), true) : false)) },
  { aim: 'BR-CO-13 unrounded', apply: (d) => (d.totals.allowanceTotal === undefined && d.totals.chargeTotal === undefined && d.totals.lineNetTotal !== undefined ? ((d.totals.lineNetTotal = `${d.totals.lineNetTotal}1`), true) : false) },
  { aim: 'BR-CO-15 without VAT', apply: (d) => ((d.totals.taxInclusive = d.totals.taxExclusive), true) },
  { aim: 'BR-CO-17 one off', apply: (d) => (d.vatBreakdown[0]?.taxAmount ? ((d.vatBreakdown[0].taxAmount = shift(d.vatBreakdown[0].taxAmount, 1)), (d.totals.vatTotal = shift(d.totals.vatTotal, 1)), (d.totals.taxInclusive = shift(d.totals.taxInclusive, 1)), (d.totals.amountDue = shift(d.totals.amountDue, 1)), true) : false) },
  { aim: 'BR-CO-19 with BT-8', apply: (d) => ((d.invoicePeriod = {}), delete d.taxPointDate, (d.taxPointDateCode = '35'), true) },
  { aim: 'BR-CO-26 SEPA only', apply: (d) => ((d.seller.identifiers = [{ id: 'DE98ZZZ09999999999', scheme: 'SEPA' }]), delete d.seller.legalRegistration, delete d.seller.vatId, true) },
  { aim: 'BR-CL-06', apply: (d) => (delete d.taxPointDate, (d.taxPointDateCode = '4'), true) },
  { aim: 'BR-DEC-13 half a cent', apply: (d) => (d.totals.vatTotal !== undefined ? ((d.totals.vatTotal = `${shift(d.totals.vatTotal, 0)}5`), true) : false) },
  { aim: 'BR-O beside other categories', apply: (d) => (d.vatBreakdown.push({ category: 'O', taxableAmount: '0.00', taxAmount: '0.00', exemptionReason: 'Not subject to VAT' }), true) },
  { aim: 'BR-45 on category O', apply: (d) => (d.vatBreakdown.push({ category: 'O', taxAmount: '0.00', exemptionReason: 'Not subject to VAT' }), true) },
  { aim: 'BR-AF-05 rate 0', apply: withLine((l) => ((l.vat = { category: 'L', rate: '0' }), true)) },
  { aim: 'BR-AG-05 rate 0', apply: withLine((l) => ((l.vat = { category: 'M', rate: '0' }), true)) },
  { aim: 'BR-AF IGIC document', apply: recategorise('S', 'L') },
  { aim: 'BR-AG IPSI document', apply: recategorise('S', 'M') },
  { aim: 'BR-AF-08', apply: (d) => recategorise('S', 'L')(d) && d.vatBreakdown.some((e) => e.category === 'L' && e.taxableAmount !== undefined && ((e.taxableAmount = shift(e.taxableAmount, 3)), true)) },
  { aim: 'BR-Z zero rated document', apply: (d) => recategorise('S', 'Z')(d) && (d.vatBreakdown.forEach((e) => e.category === 'Z' && ((e.rate = '0'), (e.taxAmount = '0.00'))), d.lines.forEach((l) => l.vat.category === 'Z' && (l.vat.rate = '0')), true) },
  { aim: 'BR-B split payment', apply: withLine((l) => ((l.vat = { category: 'B', rate: '0' }), true)) },
];
