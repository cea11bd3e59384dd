import { Decimal } from '@invoicing/core';
import type { DocumentAllowanceCharge, En16931Document, Finding, Line, VatBreakdownEntry } from '../model';
import { trimXmlSpace } from './code-lists';
import { finding, type RuleSet } from './rule';

/*
 * The VAT category rules of the CEN schematron 1.3.16 (BR-S-*, BR-Z-*, BR-E-*, BR-AE-*, BR-IC-*, BR-G-*, BR-O-*,
 * BR-AF-*, BR-AG-*, BR-B-*) on the semantic model, as the UBL stylesheet states them: same contexts (one finding per
 * document, per VAT breakdown entry, per document allowance or charge, per line), same tests, same arithmetic.
 *
 * How the XPath reads here:
 * - `normalize-space(cbc:ID) = 'S'` is `trimXmlSpace(category) === 'S'`; where the stylesheet compares without
 *   normalize-space (`cbc:ID = 'L'` in BR-AF-01 …), so does this file. Every tax category is taken as of the VAT scheme
 *   (`cac:TaxScheme/cbc:ID = 'VAT'`): the model has no other;
 * - `xs:decimal(x)` is exact (decimal.js); an absent term is the empty sequence, so a comparison with it is false;
 * - `(cbc:Percent) > 0` compares an untyped value, which XPath turns into an xs:double; so does `cbc:TaxableAmount - 1`
 *   in BR-S-08, BR-AF-08 and BR-AG-08, whose double result `xs:decimal()` then takes exactly (binary expansion);
 * - a value that is not a number makes the stylesheet fail with a dynamic error; here the rule gives no finding for
 *   that context (the XSD check reports the value).
 * Agreement with the official UBL run was checked on every case of the spec and on the official examples.
 *
 * Where the CII stylesheet (EN16931-CII-validation.xslt) differs, a document read from CII gets its rules
 * (`vat-categories-cii.ts`):
 * - BR-x-02 … 04 are checked per line, allowance and charge there (a finding each), once per document here;
 * - BR-x-01: CII does not count the breakdown entry itself (a Z, E, AE, K or G breakdown that nothing uses breaks it),
 *   tests BR-O-01 only when an O breakdown exists, and counts S, L and M as "lines + breakdowns ≥ 2";
 * - BR-S-08: CII wants equality with each sum rounded to cents, not ±1; BR-Z/E/AE/IC/G-08: CII allows ±1 after the
 *   same rounding, UBL wants the exact sum; BR-O-08: CII wants equality after that rounding; BR-AF-08 and BR-AG-08
 *   never fire in CII (their rate is read from the wrong element);
 * - BR-AF-09 and BR-AG-09 are `true()` in CII; BR-AF-05 … 07 want a rate above zero there (UBL: zero or more);
 * - BR-O-11 … 14 and BR-IC-11, 12 have the breakdown entry as context in CII, and test existence (not string-length);
 * - BR-B-01 reads every `ram:CountryID` in CII (not the item's country of origin), BR-B-02 any `ram:CategoryCode`.
 */

/** A term as `xs:decimal()` reads it: a value, absent (the empty sequence), or not a decimal (a dynamic error). */
export type Dec = Decimal | undefined | null;

const XSD_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const XSD_DOUBLE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN)$/;
const ZERO = new Decimal(0);

/**
 * The values `xsDecimal` read during one run of the rules, by text: the rules read the same rates and amounts again
 * and again, and a decimal.js parse costs more than the rest of a check. Emptied at the start of each run, so it holds
 * one document's values at most; Decimals are immutable, so sharing them is safe.
 */
const parsed = new Map<string, Decimal | null>();

export function xsDecimal(text: string | undefined): Dec {
  if (text === undefined) return undefined;
  let value = parsed.get(text);
  if (value === undefined) {
    const trimmed = trimXmlSpace(text);
    value = XSD_DECIMAL.test(trimmed) ? new Decimal(trimmed) : null;
    parsed.set(text, value);
  }
  return value;
}

const MINUS_INTEGER = /^-\d+$/;
/** The values `xsDouble` read during one run, by text (see `parsed`). */
const parsedDoubles = new Map<string, number | null>();

/**
 * An untyped value cast to xs:double: a number, `undefined` when absent, `null` when not a double. Saxon orders the
 * double -0.0 below 0 (`'-0.00' >= 0` and `'-1e-400' >= 0` are false) but reads `-0` and `-00` as the integer 0
 * (checked with Saxon-HE 12.9): such a negative zero comes back as the smallest negative double, which compares the same.
 */
export function xsDouble(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  let number = parsedDoubles.get(text);
  if (number === undefined) {
    const value = trimXmlSpace(text);
    if (!XSD_DOUBLE.test(value)) number = null;
    else {
      number = value.endsWith('INF') ? (value.startsWith('-') ? -Infinity : Infinity) : Number(value);
      if (Object.is(number, -0) && !MINUS_INTEGER.test(value)) number = -Number.MIN_VALUE;
    }
    parsedDoubles.set(text, number);
  }
  return number;
}

const doubleBits = new DataView(new ArrayBuffer(8));

/** The exact value of a finite double, as Saxon's `xs:decimal(xs:double)` gives it (`99.1` → `99.0999999999999943…`). */
export function exactDecimal(value: number): Decimal {
  doubleBits.setFloat64(0, value);
  const high = doubleBits.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(doubleBits.getUint32(4));
  if (biased !== 0) mantissa |= 1n << 52n;
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  const sign = high >>> 31 === 1 ? '-' : '';
  if (exponent >= 0) return new Decimal(`${sign}${(mantissa << BigInt(exponent)).toString()}`);
  // m × 2^-k = m × 5^k / 10^k
  const digits = (mantissa * 5n ** BigInt(-exponent)).toString().padStart(-exponent + 1, '0');
  return new Decimal(`${sign}${digits.slice(0, exponent)}.${digits.slice(exponent)}`);
}

/**
 * `xs:decimal(double) < value` (`> value` when `above`), exactly. Rounding is monotonic, so when `value` does not round
 * to the double itself, comparing the double with `value` rounded gives the same answer; only a tie needs the exact
 * binary expansion.
 */
function doubleBeyond(double: number, value: Decimal, above: boolean): boolean {
  const rounded = value.toNumber();
  if (rounded !== double) return above ? double > rounded : double < rounded;
  return above ? exactDecimal(double).gt(value) : exactDecimal(double).lt(value);
}

/** Whether `xs:decimal(x - 1) < value and xs:decimal(x + 1) > value` for an untyped x; `null` when x is not a number. */
function withinOne(text: string | undefined, value: Decimal): boolean | null {
  const x = xsDouble(text);
  if (x === null) return null;
  if (x === undefined) return false; // () - 1 is (), and a comparison with () is false
  const below = x - 1;
  const above = x + 1;
  if (!Number.isFinite(below) || !Number.isFinite(above)) return null; // xs:decimal(INF) is an error (FOCA0002)
  return doubleBeyond(below, value, false) && doubleBeyond(above, value, true);
}

/** Sum of `xs:decimal(amount)` over `items`, `sum(())` being 0; `null` when one is not a decimal. */
export function sum<T>(items: readonly T[], amount: (item: T) => string | undefined): Decimal | null {
  let total = ZERO;
  for (const item of items) {
    const value = xsDecimal(amount(item));
    if (value === null) return null;
    if (value !== undefined) total = total.plus(value);
  }
  return total;
}

/** XPath `round()`: halves go toward positive infinity. */
function round(value: Decimal): Decimal {
  return value.toDecimalPlaces(0, Decimal.ROUND_HALF_CEIL);
}

/** What the rules read of each VAT category code in the document, computed once. */
export interface Codes {
  readonly lines: readonly (string | undefined)[];
  readonly allowances: readonly (string | undefined)[];
  readonly charges: readonly (string | undefined)[];
  readonly breakdown: readonly (string | undefined)[];
}

export function trimmed(value: string | undefined): string | undefined {
  return value === undefined ? undefined : trimXmlSpace(value);
}

/** A line or document allowance/charge has a tax category element when it states a code or a rate. */
function lineHasCategory(line: Line): boolean {
  return line.vat.category !== undefined || line.vat.rate !== undefined;
}
function chargeHasCategory(ac: DocumentAllowanceCharge): boolean {
  return ac.vatCategory !== undefined || ac.vatRate !== undefined;
}

/** What the seller side shall have; `O` forbids every VAT identifier instead. */
type SellerIds = 'vat-or-tax-registration' | 'vat' | 'forbidden';
/** What the buyer side shall have. */
type BuyerIds = 'none' | 'vat' | 'vat-or-legal-registration';

/** Everything that differs between the VAT categories, from the UBL stylesheet. */
interface Category {
  readonly code: string;
  /** Rule id prefix: `BR-IC` for `K`, `BR-AF` for `L` … */
  readonly rule: string;
  readonly name: string;
  /** BR-x-01: `S` needs at least one breakdown, `L` and `M` too (with an exact first count), the others exactly one. */
  readonly breakdownPresence: 'at-least-one' | 'at-least-one-exact' | 'exactly-one';
  /** BR-x-02 … 04 */
  readonly seller: SellerIds;
  readonly buyer: BuyerIds;
  /** BR-x-05 … 07 */
  readonly rate: 'above-zero' | 'zero' | 'zero-or-more' | 'absent';
  /** BR-x-08 */
  readonly taxable: 'per-rate-if-used' | 'per-rate' | 'exact';
  /** BR-x-09 */
  readonly taxAmount: 'rate' | 'zero';
  /** BR-x-10 */
  readonly exemption: 'forbidden' | 'required';
}

const CATEGORIES: readonly Category[] = [
  { code: 'S', rule: 'BR-S', name: 'Standard rated', breakdownPresence: 'at-least-one', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'above-zero', taxable: 'per-rate-if-used', taxAmount: 'rate', exemption: 'forbidden' },
  { code: 'Z', rule: 'BR-Z', name: 'Zero rated', breakdownPresence: 'exactly-one', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'zero', taxable: 'exact', taxAmount: 'zero', exemption: 'forbidden' },
  { code: 'E', rule: 'BR-E', name: 'Exempt from VAT', breakdownPresence: 'exactly-one', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'zero', taxable: 'exact', taxAmount: 'zero', exemption: 'required' },
  { code: 'AE', rule: 'BR-AE', name: 'Reverse charge', breakdownPresence: 'exactly-one', seller: 'vat-or-tax-registration', buyer: 'vat-or-legal-registration', rate: 'zero', taxable: 'exact', taxAmount: 'zero', exemption: 'required' },
  { code: 'K', rule: 'BR-IC', name: 'Intra-community supply', breakdownPresence: 'exactly-one', seller: 'vat', buyer: 'vat', rate: 'zero', taxable: 'exact', taxAmount: 'zero', exemption: 'required' },
  { code: 'G', rule: 'BR-G', name: 'Export outside the EU', breakdownPresence: 'exactly-one', seller: 'vat', buyer: 'none', rate: 'zero', taxable: 'exact', taxAmount: 'zero', exemption: 'required' },
  { code: 'O', rule: 'BR-O', name: 'Not subject to VAT', breakdownPresence: 'exactly-one', seller: 'forbidden', buyer: 'none', rate: 'absent', taxable: 'exact', taxAmount: 'zero', exemption: 'required' },
  { code: 'L', rule: 'BR-AF', name: 'IGIC', breakdownPresence: 'at-least-one-exact', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'zero-or-more', taxable: 'per-rate', taxAmount: 'rate', exemption: 'forbidden' },
  { code: 'M', rule: 'BR-AG', name: 'IPSI', breakdownPresence: 'at-least-one-exact', seller: 'vat-or-tax-registration', buyer: 'none', rate: 'zero-or-more', taxable: 'per-rate', taxAmount: 'rate', exemption: 'forbidden' },
];

function count(codes: readonly (string | undefined)[], code: string): number {
  let n = 0;
  for (const c of codes) if (c === code) n++;
  return n;
}

/** BR-x-01 (context: the document). */
function breakdownPresence(doc: En16931Document, codes: Codes, cat: Category, out: Finding[]): void {
  const { code } = cat;
  const used = count(codes.lines, code) + count(codes.allowances, code) + count(codes.charges, code);
  const inBreakdown = count(codes.breakdown, code);
  let ok: boolean;
  if (cat.breakdownPresence === 'at-least-one') {
    ok = used > 0 === inBreakdown > 0;
  } else if (cat.breakdownPresence === 'at-least-one-exact') {
    // BR-AF-01, BR-AG-01: the first count compares `cbc:ID = 'L'` without normalize-space, the second with it.
    const exact = doc.vatBreakdown.filter((entry) => entry.category === code).length;
    ok = (used > 0 && exact > 0) || (used === 0 && inBreakdown === 0);
  } else {
    // `//cac:TaxCategory` also finds the breakdown's own category: a breakdown entry alone is fine, two are not.
    ok = used + inBreakdown === 0 || inBreakdown === 1;
  }
  if (!ok) {
    const message =
      cat.breakdownPresence === 'exactly-one'
        ? `A document that uses VAT category "${cat.name}" (${code}) shall have exactly one VAT breakdown of that category, and no such breakdown otherwise`
        : `A document that uses VAT category "${cat.name}" (${code}) shall have a VAT breakdown of that category, and no such breakdown otherwise`;
    out.push(finding(`${cat.rule}-01`, message, 'BG-23', 'vatBreakdown'));
  }
}

interface Parties {
  readonly sellerVat: boolean;
  readonly sellerVatOrTax: boolean;
  readonly representativeVat: boolean;
  readonly buyerVat: boolean;
  readonly buyerLegal: boolean;
}

function parties(doc: En16931Document): Parties {
  return {
    sellerVat: doc.seller.vatId !== undefined,
    // `cac:PartyTaxScheme/cbc:CompanyID` of any tax scheme: the VAT id (BT-31) or the tax registration id (BT-32).
    sellerVatOrTax: doc.seller.vatId !== undefined || doc.seller.taxRegistrationId !== undefined,
    representativeVat: doc.taxRepresentative?.vatId !== undefined,
    buyerVat: doc.buyer.vatId !== undefined,
    buyerLegal: doc.buyer.legalRegistration !== undefined,
  };
}

const WHERE = ['an invoice line', 'a document level allowance', 'a document level charge'] as const;

/** BR-x-02, -03, -04 (context: the document), for the categories other than `O`. */
function identifiers(codes: Codes, cat: Category, p: Parties, out: Finding[]): void {
  const sellerOk = (cat.seller === 'vat' ? p.sellerVat : p.sellerVatOrTax) || p.representativeVat;
  const buyerOk = cat.buyer === 'none' || p.buyerVat || (cat.buyer === 'vat-or-legal-registration' && p.buyerLegal);
  if (sellerOk && buyerOk) return;
  // BR-AF-04 is triggered by `cbc:ID = 'L'`, without normalize-space (its other half has it); the rest trim.
  const chargeCodes = cat.code === 'L' ? [] : codes.charges;
  const triggers = [codes.lines, codes.allowances, chargeCodes];
  const sellerWants = cat.seller === 'vat' ? 'the seller VAT identifier (BT-31)' : 'the seller VAT identifier (BT-31) or tax registration identifier (BT-32)';
  const buyerWants = cat.buyer === 'vat' ? ', and the buyer VAT identifier (BT-48)' : cat.buyer === 'vat-or-legal-registration' ? ', and the buyer VAT identifier (BT-48) or legal registration identifier (BT-47)' : '';
  triggers.forEach((list, i) => {
    if (!list.includes(cat.code)) return;
    out.push(
      finding(
        `${cat.rule}-0${i + 2}`,
        `A document with ${WHERE[i]} of VAT category "${cat.name}" (${cat.code}) shall contain ${sellerWants} or the seller tax representative VAT identifier (BT-63)${buyerWants}`,
        sellerOk ? 'BT-48' : 'BT-31',
        sellerOk ? 'buyer.vatId' : 'seller.vatId',
      ),
    );
  });
}

/** BR-AF-04 on the raw codes (see `identifiers`). */
function igicCharge(doc: En16931Document, p: Parties, out: Finding[]): void {
  if (p.sellerVatOrTax || p.representativeVat) return;
  if (!doc.charges.some((charge) => charge.vatCategory === 'L')) return;
  out.push(
    finding(
      'BR-AF-04',
      'A document with a document level charge of VAT category "IGIC" (L) shall contain the seller VAT identifier (BT-31) or tax registration identifier (BT-32) or the seller tax representative VAT identifier (BT-63)',
      'BT-31',
      'seller.vatId',
    ),
  );
}

/** BR-O-02, -03, -04 (context: the document): "Not subject to VAT" forbids every VAT identifier. */
function notSubjectIdentifiers(codes: Codes, p: Parties, out: Finding[]): void {
  const present: [string, string] | undefined = p.sellerVat
    ? ['BT-31', 'seller.vatId']
    : p.representativeVat
      ? ['BT-63', 'taxRepresentative.vatId']
      : p.buyerVat
        ? ['BT-48', 'buyer.vatId']
        : undefined;
  if (present === undefined) return;
  [codes.lines, codes.allowances, codes.charges].forEach((list, i) => {
    if (!list.includes('O')) return;
    out.push(
      finding(
        `BR-O-0${i + 2}`,
        `A document with ${WHERE[i]} of VAT category "Not subject to VAT" (O) shall not contain the seller VAT identifier (BT-31), the seller tax representative VAT identifier (BT-63) or the buyer VAT identifier (BT-48)`,
        present[0],
        present[1],
      ),
    );
  });
}

/** BR-O-11 … 14 (context: the document): a breakdown "Not subject to VAT" excludes every other category. */
function notSubjectAlone(doc: En16931Document, codes: Codes, out: Finding[]): void {
  if (!codes.breakdown.includes('O')) return;
  // `cac:TaxCategory[normalize-space(cbc:ID) != 'O']`: a tax category without a code counts as another category.
  const other = codes.breakdown.findIndex((code) => code !== 'O');
  if (other >= 0) {
    out.push(finding('BR-O-11', 'A document with a VAT breakdown "Not subject to VAT" (O) shall have no other VAT breakdown', 'BT-118', `vatBreakdown[${other}].category`));
  }
  const line = doc.lines.findIndex((l, i) => lineHasCategory(l) && codes.lines[i] !== 'O');
  if (line >= 0) {
    out.push(finding('BR-O-12', 'A document with a VAT breakdown "Not subject to VAT" (O) shall have no line of another VAT category', 'BT-151', `lines[${line}].vat.category`));
  }
  const allowance = doc.allowances.findIndex((a, i) => chargeHasCategory(a) && codes.allowances[i] !== 'O');
  if (allowance >= 0) {
    out.push(finding('BR-O-13', 'A document with a VAT breakdown "Not subject to VAT" (O) shall have no document level allowance of another VAT category', 'BT-95', `allowances[${allowance}].vatCategory`));
  }
  const charge = doc.charges.findIndex((c, i) => chargeHasCategory(c) && codes.charges[i] !== 'O');
  if (charge >= 0) {
    out.push(finding('BR-O-14', 'A document with a VAT breakdown "Not subject to VAT" (O) shall have no document level charge of another VAT category', 'BT-102', `charges[${charge}].vatCategory`));
  }
}

/** string-length(): characters, not UTF-16 units. */
function length(value: string | undefined): number {
  return value === undefined ? 0 : [...value].length;
}

/** BR-IC-11, BR-IC-12 (context: the document). */
function intraCommunityDelivery(doc: En16931Document, codes: Codes, out: Finding[]): void {
  if (!codes.breakdown.includes('K')) return;
  // `cac:InvoicePeriod/*`: any child of the period, which in UBL also holds the VAT point date code (BT-8).
  const period = doc.invoicePeriod?.start !== undefined || doc.invoicePeriod?.end !== undefined || doc.taxPointDateCode !== undefined;
  if (!(length(doc.delivery?.date) > 1 || period)) {
    out.push(finding('BR-IC-11', 'An intra-community supply (K) shall state the actual delivery date (BT-72) or the invoicing period (BG-14)', 'BT-72', 'delivery.date'));
  }
  if (!(length(doc.delivery?.address?.country) > 1)) {
    out.push(finding('BR-IC-12', 'An intra-community supply (K) shall state the deliver to country code (BT-80)', 'BT-80', 'delivery.address.country'));
  }
}

/** BR-B-01, BR-B-02 (context: the document); both compare `cbc:ID = 'B'` without normalize-space. */
function splitPayment(doc: En16931Document, out: Finding[]): void {
  const categories = [...doc.vatBreakdown.map((e) => e.category), ...doc.allowances.map((a) => a.vatCategory), ...doc.charges.map((c) => c.vatCategory), ...doc.lines.map((l) => l.vat.category)];
  if (!categories.includes('B')) return;
  // `not(//cbc:IdentificationCode != 'IT')`: every country code of the document (addresses and item origins) is IT.
  const countries: [string | undefined, string, string][] = [
    [doc.seller.address?.country, 'BT-40', 'seller.address.country'],
    [doc.buyer.address?.country, 'BT-55', 'buyer.address.country'],
    [doc.taxRepresentative?.address?.country, 'BT-69', 'taxRepresentative.address.country'],
    [doc.delivery?.address?.country, 'BT-80', 'delivery.address.country'],
    ...doc.lines.map((l, i): [string | undefined, string, string] => [l.item.originCountry, 'BT-159', `lines[${i}].item.originCountry`]),
  ];
  const foreign = countries.find(([country]) => country !== undefined && country !== 'IT');
  if (foreign !== undefined) {
    out.push(finding('BR-B-01', 'An invoice with VAT category "Split payment" (B) shall be a domestic Italian invoice', foreign[1], foreign[2]));
  }
  if (categories.includes('S')) {
    out.push(finding('BR-B-02', 'An invoice with VAT category "Split payment" (B) shall not also use VAT category "Standard rated" (S)', 'BG-23', 'vatBreakdown'));
  }
}

/** BR-x-05, -06, -07 on one rate (context: the line's or the allowance's/charge's tax category). */
function rate(cat: Category, text: string | undefined, rule: string, what: string, term: string, pointer: string, out: Finding[]): void {
  let ok: boolean;
  if (cat.rate === 'absent') {
    ok = text === undefined;
  } else if (cat.rate === 'zero') {
    const value = xsDecimal(text);
    if (value === null) return;
    ok = value !== undefined && value.isZero();
  } else {
    // `(cbc:Percent) > 0`: the untyped rate becomes an xs:double.
    const value = xsDouble(text);
    if (value === null) return;
    ok = value !== undefined && (cat.rate === 'above-zero' ? value > 0 : value >= 0);
  }
  if (ok) return;
  const wanted = { absent: 'shall have no VAT rate', zero: 'shall have a VAT rate of 0', 'above-zero': 'shall have a VAT rate above 0', 'zero-or-more': 'shall have a VAT rate of 0 or more' }[cat.rate];
  out.push(finding(rule, `${what} of VAT category "${cat.name}" (${cat.code}) ${wanted}`, term, pointer));
}

export interface Used {
  readonly lines: readonly Line[];
  readonly allowances: readonly DocumentAllowanceCharge[];
  readonly charges: readonly DocumentAllowanceCharge[];
}

const NOTHING: Used = { lines: [], allowances: [], charges: [] };

/** The key of a rate by value: `20`, `20.0` and `2e1` are one rate, as `xs:decimal` compares them. */
function rateKey(value: Decimal): string {
  return value.toString();
}

/**
 * The lines and document allowances/charges of each VAT category, and of each rate within it, in document order,
 * gathered in one pass: a breakdown entry looks its own up instead of going over every line again, so a document of
 * 10 000 lines at 10 000 rates costs 10 000 steps, not 10^8. The sums are kept per group too, since several entries
 * may state the same category and rate.
 */
export class Usage {
  private readonly byCategory = new Map<string, Used>();
  private readonly byRate = new Map<string, Map<string, Used>>();
  /** Categories with an item whose rate is not a decimal: their per-rate sums are a dynamic error in the stylesheet. */
  private readonly badRate = new Set<string>();
  private readonly sums = new Map<readonly unknown[], Decimal | null>();

  constructor(doc: En16931Document, codes: Codes) {
    this.gather(doc.lines, codes.lines, (l) => l.vat.rate, 'lines');
    this.gather(doc.allowances, codes.allowances, (a) => a.vatRate, 'allowances');
    this.gather(doc.charges, codes.charges, (c) => c.vatRate, 'charges');
  }

  /** The items of category `code`, and when `rate` is given of that rate only; `null` when an item's rate of that category is not a decimal. */
  of(code: string, rate?: Decimal): Used | null {
    if (rate === undefined) return this.byCategory.get(code) ?? NOTHING;
    if (this.badRate.has(code)) return null;
    return this.byRate.get(code)?.get(rateKey(rate)) ?? NOTHING;
  }

  /** `sum(items)`, once per group: `sum` of `xs:decimal(amount)`, `null` when one is not a decimal. */
  sum<T extends Line | DocumentAllowanceCharge>(items: readonly T[], amount: (item: T) => string | undefined): Decimal | null {
    if (items.length === 0) return ZERO;
    let total = this.sums.get(items);
    if (total === undefined) {
      total = sum(items, amount);
      this.sums.set(items, total);
    }
    return total;
  }

  private gather<T extends Line | DocumentAllowanceCharge>(
    items: readonly T[],
    itemCodes: readonly (string | undefined)[],
    rateOf: (item: T) => string | undefined,
    list: keyof Used,
  ): void {
    items.forEach((item, i) => {
      const code = itemCodes[i];
      if (code === undefined) return;
      push(this.byCategory, code, list, item);
      const rate = xsDecimal(rateOf(item));
      if (rate === null) this.badRate.add(code);
      else if (rate !== undefined) {
        let rates = this.byRate.get(code);
        if (rates === undefined) this.byRate.set(code, (rates = new Map()));
        push(rates, rateKey(rate), list, item);
      }
    });
  }
}

function push(groups: Map<string, Used>, key: string, list: keyof Used, item: Line | DocumentAllowanceCharge): void {
  let group = groups.get(key);
  if (group === undefined) groups.set(key, (group = { lines: [], allowances: [], charges: [] }));
  (group[list] as (Line | DocumentAllowanceCharge)[]).push(item);
}

/** Σ line net amounts + Σ charges − Σ allowances; `null` when an amount is not a decimal. */
function basis(usage: Usage, u: Used): Decimal | null {
  const lines = usage.sum(u.lines, (l) => l.netAmount);
  const charges = usage.sum(u.charges, (c) => c.amount);
  const allowances = usage.sum(u.allowances, (a) => a.amount);
  if (lines === null || charges === null || allowances === null) return null;
  return lines.plus(charges).minus(allowances);
}

/** BR-x-08 (context: a VAT breakdown entry of the category). */
function taxableAmount(doc: En16931Document, usage: Usage, cat: Category, entry: VatBreakdownEntry, index: number, out: Finding[]): void {
  let ok: boolean;
  if (cat.taxable === 'exact') {
    // `(exists(//cac:InvoiceLine) and xs:decimal(../cbc:TaxableAmount) = (Σ lines + Σ charges − Σ allowances))`, no tolerance.
    const u = usage.of(cat.code);
    const expected = u === null ? null : basis(usage, u);
    const stated = xsDecimal(entry.taxableAmount);
    if (expected === null || stated === null) return;
    ok = doc.lines.length > 0 && stated !== undefined && stated.eq(expected);
  } else {
    // `every $rate in xs:decimal(cbc:Percent) satisfies …`: nothing to check without a rate.
    const rateValue = xsDecimal(entry.rate);
    if (rateValue === null || rateValue === undefined) return;
    const u = usage.of(cat.code, rateValue);
    const expected = u === null ? null : basis(usage, u);
    if (u === null || expected === null) return;
    const near = withinOne(entry.taxableAmount, expected);
    if (near === null) return;
    if (cat.taxable === 'per-rate') {
      // BR-AF-08, BR-AG-08: any line will do, then within 1 of the sum.
      ok = doc.lines.length > 0 && near;
    } else {
      // BR-S-08 has an InvoiceLine branch and a CreditNoteLine branch; in either document one of them sums no line:
      // (a line or an allowance/charge of that rate, and within 1) or (an allowance/charge of that rate, and within 1 of those alone).
      const acUsed = u.allowances.length + u.charges.length > 0;
      const acOnly = (): boolean => {
        const amount = basis(usage, { lines: [], allowances: u.allowances, charges: u.charges });
        return amount !== null && withinOne(entry.taxableAmount, amount) === true;
      };
      ok = ((u.lines.length > 0 || acUsed) && near) || (acUsed && acOnly());
    }
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

/** BR-x-09 (context: a VAT breakdown entry of the category). */
function taxAmount(cat: Category, entry: VatBreakdownEntry, index: number, out: Finding[]): void {
  const tax = xsDecimal(entry.taxAmount);
  if (tax === null) return;
  let ok: boolean;
  if (cat.taxAmount === 'zero') {
    ok = tax !== undefined && tax.isZero();
  } else {
    // (abs(tax) - 1 < round((abs(taxable) * (rate div 100)) * 10 * 10) div 100) and (abs(tax) + 1 > …)
    const taxable = xsDecimal(entry.taxableAmount);
    const rateValue = xsDecimal(entry.rate);
    if (taxable === null || rateValue === null) return;
    if (tax === undefined || taxable === undefined || rateValue === undefined) {
      ok = false;
    } else {
      const expected = round(taxable.abs().times(rateValue.div(100)).times(100)).div(100);
      ok = tax.abs().minus(1).lt(expected) && tax.abs().plus(1).gt(expected);
    }
  }
  if (ok) return;
  const wanted = cat.taxAmount === 'zero' ? 'shall be 0' : 'shall equal the taxable amount (BT-116) times the rate (BT-119)';
  out.push(finding(`${cat.rule}-09`, `The VAT category tax amount of "${cat.name}" (${cat.code}) ${wanted}`, 'BT-117', `vatBreakdown[${index}].taxAmount`));
}

/** BR-x-10 (context: a VAT breakdown entry of the category). */
function exemption(cat: Category, entry: VatBreakdownEntry, index: number, out: Finding[]): void {
  const stated = entry.exemptionReason !== undefined || entry.exemptionReasonCode !== undefined;
  if (cat.exemption === 'required' && !stated) {
    out.push(finding(`${cat.rule}-10`, `A VAT breakdown of "${cat.name}" (${cat.code}) shall have a VAT exemption reason code (BT-121) or text (BT-120)`, 'BT-120', `vatBreakdown[${index}].exemptionReason`));
  } else if (cat.exemption === 'forbidden' && stated) {
    const [term, field] = entry.exemptionReason !== undefined ? ['BT-120', 'exemptionReason'] : ['BT-121', 'exemptionReasonCode'];
    out.push(finding(`${cat.rule}-10`, `A VAT breakdown of "${cat.name}" (${cat.code}) shall have no VAT exemption reason code (BT-121) or text (BT-120)`, term, `vatBreakdown[${index}].${field}`));
  }
}

const BY_CODE: ReadonlyMap<string, Category> = new Map(CATEGORIES.map((cat) => [cat.code, cat]));

/** Empties the caches of `xsDecimal` and `xsDouble`: done at the start of each run of the rules. */
export function clearParsedValues(): void {
  parsed.clear();
  parsedDoubles.clear();
}

/** The VAT category rules of EN 16931 (CEN schematron 1.3.16, UBL): BR-S-*, BR-Z-*, BR-E-*, BR-AE-*, BR-IC-*, BR-G-*, BR-O-*, BR-AF-*, BR-AG-*, BR-B-*. */
export const vatCategoryRules: RuleSet = (doc) => {
  clearParsedValues();
  const out: Finding[] = [];
  const codes: Codes = {
    lines: doc.lines.map((l) => trimmed(l.vat.category)),
    allowances: doc.allowances.map((a) => trimmed(a.vatCategory)),
    charges: doc.charges.map((c) => trimmed(c.vatCategory)),
    breakdown: doc.vatBreakdown.map((e) => trimmed(e.category)),
  };
  const p = parties(doc);
  const usage = new Usage(doc, codes);

  // Context: the document.
  for (const cat of CATEGORIES) {
    breakdownPresence(doc, codes, cat, out);
    if (cat.seller === 'forbidden') notSubjectIdentifiers(codes, p, out);
    else identifiers(codes, cat, p, out);
  }
  igicCharge(doc, p, out);
  notSubjectAlone(doc, codes, out);
  intraCommunityDelivery(doc, codes, out);
  splitPayment(doc, out);

  // Context: each VAT breakdown entry, document allowance and charge, line of a category.
  doc.vatBreakdown.forEach((entry, i) => {
    const cat = BY_CODE.get(codes.breakdown[i] ?? '');
    if (cat === undefined) return;
    taxableAmount(doc, usage, cat, entry, i, out);
    taxAmount(cat, entry, i, out);
    exemption(cat, entry, i, out);
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
