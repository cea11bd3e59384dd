import { Decimal } from '@invoicing/core';
import type { En16931Document, Finding, VatBreakdownEntry } from '../model';
import { finding, type RuleSet } from './rule';
import { Usage, clearParsedValues, trimmed, xsDecimal, xsDouble, type Codes, type Dec } from './vat-categories';

/*
 * The VAT category rules of the CEN schematron 1.3.16 as its CII stylesheet (EN16931-CII-validation.xslt) states
 * them, for a document read from CII; `vat-categories.ts` has the UBL stylesheet's, and says how the two differ.
 *
 * How the CII XPath reads here:
 * - `ram:CategoryCode = 'S'` compares the code as written (the reader has trimmed it); every tax is taken as of
 *   `ram:TypeCode` VAT, the only one the model knows;
 * - the contexts are the line's tax, the document allowance's or charge's tax, and the breakdown entry: one finding
 *   each. A breakdown of category O, L or M is the context itself (`ram:ApplicableTradeTax[ram:CategoryCode = 'O']`),
 *   the others' is its `ram:CategoryCode`;
 * - an untyped value compared with a number is an xs:double (`ram:RateApplicablePercent > 0`,
 *   `ram:BasisAmount - 1 < …`, `ram:CalculatedAmount = 0`), the sums of `xs:decimal(…)` are exact, each rounded to
 *   cents on its own (`round(x * 10 * 10) div 100`, a half up);
 * - a value that is not a number makes the stylesheet fail with a dynamic error; here the rule gives no finding for
 *   that context, as in `vat-categories.ts`.
 */

/** Everything that differs between the VAT categories in the CII stylesheet. */
interface CiiCategory {
  readonly code: string;
  readonly rule: string;
  readonly name: string;
  /**
   * BR-x-01. `pairs` (S, L, M): lines and breakdowns of the category number 2 or more, or there is no such line; the
   * same for document allowances and charges. `exactly-one`: no such tax at all, or one breakdown and a line, allowance
   * or charge. `if-breakdown` (O): the same, tested only when there is such a breakdown.
   */
  readonly presence: 'pairs' | 'exactly-one' | 'if-breakdown';
  /** BR-x-02 … 04 */
  readonly seller: 'vat-or-tax-registration' | 'vat' | 'forbidden';
  readonly buyer: 'none' | 'vat' | 'vat-or-legal-registration';
  /** BR-x-05 … 07 */
  readonly rate: 'above-zero' | 'zero-or-more' | 'zero' | 'absent';
  /**
   * BR-x-08. `per-rate` (S): equal to the sums of that rate, each rounded; `within-one`: ±1 of the sums of the category;
   * `equal` (O): equal to those sums; `never` (L, M): the test reads `../ram:RateApplicablePercent` from the breakdown
   * itself, a child its parent never has, so `every $rate in ()` holds.
   */
  readonly taxable: 'per-rate' | 'within-one' | 'equal' | 'never';
  /** BR-x-09. `never` (L, M): `true()`. */
  readonly taxAmount: 'rate' | 'zero' | 'never';
  /** BR-x-10 */
  readonly exemption: 'forbidden' | 'required';
}

const CATEGORIES: readonly CiiCategory[] = [
  { code: 'S', rule: 'BR-S', name: 'Standard rated', presence: 'pairs', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'above-zero', taxable: 'per-rate', taxAmount: 'rate', exemption: 'forbidden' },
  { code: 'Z', rule: 'BR-Z', name: 'Zero rated', presence: 'exactly-one', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'zero', taxable: 'within-one', taxAmount: 'zero', exemption: 'forbidden' },
  { code: 'E', rule: 'BR-E', name: 'Exempt from VAT', presence: 'exactly-one', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'zero', taxable: 'within-one', taxAmount: 'zero', exemption: 'required' },
  { code: 'AE', rule: 'BR-AE', name: 'Reverse charge', presence: 'exactly-one', seller: 'vat-or-tax-registration', buyer: 'vat-or-legal-registration', rate: 'zero', taxable: 'within-one', taxAmount: 'zero', exemption: 'required' },
  { code: 'K', rule: 'BR-IC', name: 'Intra-community supply', presence: 'exactly-one', seller: 'vat', buyer: 'vat', rate: 'zero', taxable: 'within-one', taxAmount: 'zero', exemption: 'required' },
  { code: 'G', rule: 'BR-G', name: 'Export outside the EU', presence: 'exactly-one', seller: 'vat', buyer: 'none', rate: 'zero', taxable: 'within-one', taxAmount: 'zero', exemption: 'required' },
  { code: 'O', rule: 'BR-O', name: 'Not subject to VAT', presence: 'if-breakdown', seller: 'forbidden', buyer: 'none', rate: 'absent', taxable: 'equal', taxAmount: 'zero', exemption: 'required' },
  { code: 'L', rule: 'BR-AF', name: 'IGIC', presence: 'pairs', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'above-zero', taxable: 'never', taxAmount: 'never', exemption: 'forbidden' },
  { code: 'M', rule: 'BR-AG', name: 'IPSI', presence: 'pairs', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'zero-or-more', taxable: 'never', taxAmount: 'never', exemption: 'forbidden' },
];

const XSD_DOUBLE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN)$/;

/** An untyped value compared with `=`, as an xs:double: `undefined` when absent, `null` when not a double. */
function doubleValue(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  const value = trimmed(text) ?? '';
  if (!XSD_DOUBLE.test(value)) return null;
  return value.endsWith('INF') ? (value.startsWith('-') ? -Infinity : Infinity) : Number(value);
}

/** `round(x * 10 * 10) div 100` on a decimal: XPath's `round` takes a half toward positive infinity. */
function round2(value: Decimal): Decimal {
  return value.toDecimalPlaces(2, Decimal.ROUND_HALF_CEIL);
}

function count(codes: readonly (string | undefined)[], code: string): number {
  let n = 0;
  for (const c of codes) if (c === code) n++;
  return n;
}

/** BR-x-01 (context: the document). */
function presence(codes: Codes, cat: CiiCategory, out: Finding[]): void {
  const lines = count(codes.lines, cat.code);
  const charges = count(codes.allowances, cat.code) + count(codes.charges, cat.code);
  const breakdown = count(codes.breakdown, cat.code);
  let ok: boolean;
  if (cat.presence === 'pairs') ok = (lines + breakdown >= 2 || lines === 0) && (charges + breakdown >= 2 || charges === 0);
  else if (cat.presence === 'if-breakdown') ok = breakdown === 0 || (breakdown === 1 && lines + charges > 0);
  else ok = (breakdown === 0 && lines === 0 && charges === 0) || (breakdown === 1 && lines + charges > 0);
  if (ok) return;
  const message =
    cat.presence === 'pairs'
      ? `A document that uses VAT category "${cat.name}" (${cat.code}) shall have a VAT breakdown of that category`
      : `A document that uses VAT category "${cat.name}" (${cat.code}) shall have exactly one VAT breakdown of that category, and no such breakdown otherwise`;
  out.push(finding(`${cat.rule}-01`, message, 'BG-23', 'vatBreakdown'));
}

const WHERE = ['An invoice line', 'A document level allowance', 'A document level charge'] as const;

/** BR-x-02 … 04 (context: each line, document allowance and charge of the category); `O` forbids every VAT id. */
function identifiers(doc: En16931Document, codes: Codes, cat: CiiCategory, out: Finding[]): void {
  const { seller, buyer } = doc;
  const representativeVat = doc.taxRepresentative?.vatId !== undefined;
  let ok: boolean;
  let blame: readonly [string, string];
  if (cat.seller === 'forbidden') {
    ok = seller.vatId === undefined && !representativeVat && buyer.vatId === undefined;
    blame = seller.vatId !== undefined ? ['BT-31', 'seller.vatId'] : representativeVat ? ['BT-63', 'taxRepresentative.vatId'] : ['BT-48', 'buyer.vatId'];
  } else {
    const sellerOk = seller.vatId !== undefined || (cat.seller === 'vat-or-tax-registration' && seller.taxRegistrationId !== undefined) || representativeVat;
    const buyerOk = cat.buyer === 'none' || buyer.vatId !== undefined || (cat.buyer === 'vat-or-legal-registration' && buyer.legalRegistration !== undefined);
    ok = sellerOk && buyerOk;
    blame = sellerOk ? ['BT-48', 'buyer.vatId'] : ['BT-31', 'seller.vatId'];
  }
  if (ok) return;
  const wanted = cat.seller === 'forbidden' ? 'shall not come with a seller, tax representative or buyer VAT identifier' : 'needs the VAT identifiers its category requires';
  [codes.lines, codes.allowances, codes.charges].forEach((list, i) => {
    list.forEach((code) => {
      if (code === cat.code) out.push(finding(`${cat.rule}-0${i + 2}`, `${WHERE[i]} of VAT category "${cat.name}" (${cat.code}) ${wanted}`, blame[0], blame[1]));
    });
  });
}

/** BR-x-05 … 07 on one rate (context: the line's, allowance's or charge's tax of the category). */
function rate(cat: CiiCategory, text: string | undefined, rule: string, what: string, term: string, pointer: string, out: Finding[]): void {
  let ok: boolean;
  if (cat.rate === 'absent') ok = text === undefined;
  else if (cat.rate === 'zero') {
    const value = doubleValue(text);
    if (value === null) return;
    ok = value === 0;
  } else {
    // `xsDouble` orders a negative zero with a decimal point below 0, as Saxon does.
    const value = xsDouble(text);
    if (value === null) return;
    ok = value !== undefined && (cat.rate === 'above-zero' ? value > 0 : value >= 0);
  }
  if (ok) return;
  const wanted = { absent: 'shall have no VAT rate', zero: 'shall have a VAT rate of 0', 'above-zero': 'shall have a VAT rate above 0', 'zero-or-more': 'shall have a VAT rate of 0 or more' }[cat.rate];
  out.push(finding(rule, `${what} of VAT category "${cat.name}" (${cat.code}) ${wanted}`, term, pointer));
}

/**
 * `round2(Σ line net amounts) + round2(Σ charges) − round2(Σ allowances)` of the category, and of the rate when given;
 * `null` when an amount or a rate read is not a decimal. The groups and their sums come from `usage`, made once per
 * document.
 */
function expectedTaxable(usage: Usage, code: string, rateValue?: Decimal): Decimal | null {
  const u = usage.of(code, rateValue);
  if (u === null) return null;
  const lineSum = usage.sum(u.lines, (l) => l.netAmount);
  const chargeSum = usage.sum(u.charges, (c) => c.amount);
  const allowanceSum = usage.sum(u.allowances, (a) => a.amount);
  if (lineSum === null || chargeSum === null || allowanceSum === null) return null;
  return round2(lineSum).plus(round2(chargeSum)).minus(round2(allowanceSum));
}

/** BR-x-08 (context: a breakdown entry of the category). */
function taxableAmount(usage: Usage, cat: CiiCategory, entry: VatBreakdownEntry, index: number, out: Finding[]): void {
  if (cat.taxable === 'never') return;
  const stated = doubleValue(entry.taxableAmount);
  if (stated === null) return;
  let ok: boolean;
  if (cat.taxable === 'per-rate') {
    // `every $rate in ../ram:RateApplicablePercent/xs:decimal(.) satisfies …`: nothing to check without a rate.
    const rateValue: Dec = xsDecimal(entry.rate);
    if (rateValue === null || rateValue === undefined) return;
    const expected = expectedTaxable(usage, cat.code, rateValue);
    if (expected === null) return;
    ok = stated !== undefined && stated === expected.toNumber();
  } else {
    const expected = expectedTaxable(usage, cat.code);
    if (expected === null) return;
    const value = expected.toNumber();
    ok = stated !== undefined && (cat.taxable === 'equal' ? stated === value : stated - 1 < value && stated + 1 > value);
  }
  if (ok) return;
  out.push(
    finding(
      `${cat.rule}-08`,
      `The VAT category taxable amount of "${cat.name}" (${cat.code}) shall equal the sum of its line net amounts plus its document level charges minus its document level allowances`,
      'BT-116',
      `vatBreakdown[${index}].taxableAmount`,
    ),
  );
}

/** BR-x-09 (context: a breakdown entry of the category). */
function taxAmount(cat: CiiCategory, entry: VatBreakdownEntry, index: number, out: Finding[]): void {
  if (cat.taxAmount === 'never') return;
  let ok: boolean;
  if (cat.taxAmount === 'zero') {
    const tax = doubleValue(entry.taxAmount);
    if (tax === null) return;
    ok = tax === 0;
  } else {
    // (abs(xs:decimal(tax)) - 1 < round(abs(xs:decimal(taxable)) * rate) div 100) and (abs(…) + 1 > …): the product
    // with the untyped rate is an xs:double.
    const tax = xsDecimal(entry.taxAmount);
    const taxable = xsDecimal(entry.taxableAmount);
    const rateValue = doubleValue(entry.rate);
    if (tax === null || taxable === null || rateValue === null) return;
    if (tax === undefined || taxable === undefined || rateValue === undefined) ok = false;
    else {
      const expected = Math.round(taxable.abs().toNumber() * rateValue) / 100;
      ok = tax.abs().minus(1).toNumber() < expected && tax.abs().plus(1).toNumber() > expected;
    }
  }
  if (ok) return;
  const wanted = cat.taxAmount === 'zero' ? 'shall be 0' : 'shall equal the taxable amount (BT-116) times the rate (BT-119)';
  out.push(finding(`${cat.rule}-09`, `The VAT category tax amount of "${cat.name}" (${cat.code}) ${wanted}`, 'BT-117', `vatBreakdown[${index}].taxAmount`));
}

/** BR-x-10 (context: a breakdown entry of the category). */
function exemption(cat: CiiCategory, entry: VatBreakdownEntry, index: number, out: Finding[]): void {
  const stated = entry.exemptionReason !== undefined || entry.exemptionReasonCode !== undefined;
  if (cat.exemption === 'required' && !stated) {
    out.push(finding(`${cat.rule}-10`, `A VAT breakdown of "${cat.name}" (${cat.code}) shall have a VAT exemption reason code (BT-121) or text (BT-120)`, 'BT-120', `vatBreakdown[${index}].exemptionReason`));
  } else if (cat.exemption === 'forbidden' && stated) {
    const [term, field] = entry.exemptionReason !== undefined ? ['BT-120', 'exemptionReason'] : ['BT-121', 'exemptionReasonCode'];
    out.push(finding(`${cat.rule}-10`, `A VAT breakdown of "${cat.name}" (${cat.code}) shall have no VAT exemption reason code (BT-121) or text (BT-120)`, term, `vatBreakdown[${index}].${field}`));
  }
}

/** Whether the document has a tax of a category other than O: of a breakdown or a line, of an allowance or a charge. */
interface OtherThanO {
  readonly taxes: boolean;
  readonly allowancesCharges: boolean;
}

function otherThanO(codes: Codes): OtherThanO {
  const other = (list: readonly (string | undefined)[]) => list.some((code) => code !== undefined && code !== 'O');
  return { taxes: other(codes.breakdown) || other(codes.lines), allowancesCharges: other(codes.allowances) || other(codes.charges) };
}

/**
 * BR-O-11 … 14 (context: each breakdown entry O). BR-O-11 and BR-O-12 both test every `ram:ApplicableTradeTax` (the
 * breakdown's and the lines'), BR-O-13 and BR-O-14 every `ram:CategoryTradeTax` (the document allowances' and
 * charges'): a tax with a code other than O breaks both of its pair. `other` is worked out once for all O entries.
 */
function notSubjectAlone(other: OtherThanO, index: number, out: Finding[]): void {
  const pointer = `vatBreakdown[${index}].category`;
  if (other.taxes) {
    out.push(finding('BR-O-11', 'A document with a VAT breakdown "Not subject to VAT" (O) shall have no other VAT breakdown', 'BT-118', pointer));
    out.push(finding('BR-O-12', 'A document with a VAT breakdown "Not subject to VAT" (O) shall have no line of another VAT category', 'BT-151', pointer));
  }
  if (other.allowancesCharges) {
    out.push(finding('BR-O-13', 'A document with a VAT breakdown "Not subject to VAT" (O) shall have no document level allowance of another VAT category', 'BT-95', pointer));
    out.push(finding('BR-O-14', 'A document with a VAT breakdown "Not subject to VAT" (O) shall have no document level charge of another VAT category', 'BT-102', pointer));
  }
}

/** BR-IC-11, BR-IC-12 (context: each breakdown entry K): the elements exist, whatever their text. */
function intraCommunityDelivery(doc: En16931Document, index: number, out: Finding[]): void {
  const period = doc.invoicePeriod?.start !== undefined || doc.invoicePeriod?.end !== undefined;
  if (doc.delivery?.date === undefined && !period) {
    out.push(finding('BR-IC-11', 'An intra-community supply (K) shall state the actual delivery date (BT-72) or the invoicing period (BG-14)', 'BT-72', `vatBreakdown[${index}]`));
  }
  if (doc.delivery?.address?.country === undefined) {
    out.push(finding('BR-IC-12', 'An intra-community supply (K) shall state the deliver to country code (BT-80)', 'BT-80', `vatBreakdown[${index}]`));
  }
}

/** BR-B-01, BR-B-02 (context: the document), on every `ram:CategoryCode` and every `ram:CountryID` (the addresses'). */
function splitPayment(doc: En16931Document, codes: Codes, out: Finding[]): void {
  const categories = [...codes.breakdown, ...codes.lines, ...codes.allowances, ...codes.charges];
  if (!categories.includes('B')) return;
  const countries: [string | undefined, string, string][] = [
    [doc.seller.address?.country, 'BT-40', 'seller.address.country'],
    [doc.buyer.address?.country, 'BT-55', 'buyer.address.country'],
    [doc.taxRepresentative?.address?.country, 'BT-69', 'taxRepresentative.address.country'],
    [doc.delivery?.address?.country, 'BT-80', 'delivery.address.country'],
  ];
  const foreign = countries.find(([country]) => country !== undefined && country !== 'IT');
  if (foreign !== undefined) out.push(finding('BR-B-01', 'An invoice with VAT category "Split payment" (B) shall be a domestic Italian invoice', foreign[1], foreign[2]));
  if (categories.includes('S')) {
    out.push(finding('BR-B-02', 'An invoice with VAT category "Split payment" (B) shall not also use VAT category "Standard rated" (S)', 'BG-23', 'vatBreakdown'));
  }
}

const BY_CODE: ReadonlyMap<string, CiiCategory> = new Map(CATEGORIES.map((cat) => [cat.code, cat]));

/** The VAT category rules of EN 16931 as the CII stylesheet states them (CEN schematron 1.3.16). */
export const ciiVatCategoryRules: RuleSet = (doc) => {
  clearParsedValues();
  const out: Finding[] = [];
  const codes: Codes = {
    lines: doc.lines.map((l) => trimmed(l.vat.category)),
    allowances: doc.allowances.map((a) => trimmed(a.vatCategory)),
    charges: doc.charges.map((c) => trimmed(c.vatCategory)),
    breakdown: doc.vatBreakdown.map((e) => trimmed(e.category)),
  };

  const usage = new Usage(doc, codes);
  let other: OtherThanO | undefined;

  for (const cat of CATEGORIES) {
    presence(codes, cat, out);
    identifiers(doc, codes, cat, out);
  }
  splitPayment(doc, codes, out);

  doc.vatBreakdown.forEach((entry, i) => {
    const cat = BY_CODE.get(codes.breakdown[i] ?? '');
    if (cat === undefined) return;
    taxableAmount(usage, cat, entry, i, out);
    taxAmount(cat, entry, i, out);
    exemption(cat, entry, i, out);
    if (cat.code === 'O') notSubjectAlone((other ??= otherThanO(codes)), i, out);
    if (cat.code === 'K') intraCommunityDelivery(doc, i, out);
  });
  doc.allowances.forEach((allowance, i) => {
    const cat = BY_CODE.get(codes.allowances[i] ?? '');
    if (cat !== undefined) rate(cat, allowance.vatRate, `${cat.rule}-06`, 'A document level allowance', 'BT-96', `allowances[${i}].vatRate`, out);
  });
  doc.charges.forEach((charge, i) => {
    const cat = BY_CODE.get(codes.charges[i] ?? '');
    if (cat !== undefined) rate(cat, charge.vatRate, `${cat.rule}-07`, 'A document level charge', 'BT-103', `charges[${i}].vatRate`, out);
  });
  doc.lines.forEach((line, i) => {
    const cat = BY_CODE.get(codes.lines[i] ?? '');
    if (cat !== undefined) rate(cat, line.vat.rate, `${cat.rule}-05`, 'An invoice line', 'BT-152', `lines[${i}].vat.rate`, out);
  });
  return out;
};
