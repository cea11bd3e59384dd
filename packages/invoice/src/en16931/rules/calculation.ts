import { Decimal } from '@invoicing/core';
import type { En16931Document, Finding } from '../model';
import { MODEL_RULE_OPTIONS, ciiShadowsEntry, finding, type RuleSet } from './rule';
import { exactDecimal } from './vat-categories';

/*
 * The BR-CO-* rules of the CEN schematron 1.3.16 (BR-CO-03 … BR-CO-26; BR-CO-01, BR-CO-02 and BR-CO-25 are not in
 * 1.3.16), as its UBL binding tests them (EN16931-UBL-validation.xslt), translated to the semantic model.
 *
 * The arithmetic is the schematron's, in exact decimals:
 * - `round(x * 10 * 10) div 100` is `round2` below: XPath's `round` takes a half toward positive infinity
 *   (round(-0.005 × 100) = -0, checked with the official validator), decimal.js's ROUND_HALF_CEIL;
 * - an absent operand is XPath's empty sequence, so `xs:decimal(absent) = y` is false and the rule fires; a sum skips
 *   absent terms. Text that is not an `xs:decimal` makes the official run fail; here it fails the rule (the XSD has
 *   refused it anyway).
 *
 * Where the CII binding (EN16931-CII-validation.xslt) tests differently, a `CII:` comment says how, and the rule
 * follows it when the document was read from CII (`options.syntax`). Where CII compares untyped values with numbers,
 * XPath reads them as xs:double, and so do those rules here (`xsDouble`, `sumOfDoubles`).
 */

const ZERO = new Decimal(0);
const HALF = new Decimal('0.5');
const MINUS_HALF = new Decimal('-0.5');
const HALF_PERCENT = new Decimal('0.005');
const MINUS_HALF_PERCENT = new Decimal('-0.005');

const isXmlSpace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/**
 * `text` without the whitespace `xs:decimal()` collapses, when it is in xs:decimal's lexical space (`-1.50`, `+01.5`,
 * `.5`, `5.`); `undefined` otherwise (an exponent, `NaN`, `1,5` …). Nearly always `text` itself, unallocated.
 */
function xsDecimalText(text: string): string | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && isXmlSpace(text.charCodeAt(start))) start++;
  while (end > start && isXmlSpace(text.charCodeAt(end - 1))) end--;
  let i = start;
  const sign = text.charCodeAt(i);
  if (sign === 0x2d || sign === 0x2b) i++;
  let digits = 0;
  for (; i < end && isDigit(text.charCodeAt(i)); i++) digits++;
  if (i < end && text.charCodeAt(i) === 0x2e) for (i++; i < end && isDigit(text.charCodeAt(i)); i++) digits++;
  if (i !== end || digits === 0) return undefined;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * `xs:decimal(text)`, read once, as the platform's decimal (`@invoicing/core`'s 34-digit decimal.js clone, the one
 * `decimal()` returns). Not through `decimal()` itself: it refuses `+1`, `01`, `.5` and `5.`, which are xs:decimals,
 * and would only repeat the scan `xsDecimalText` has made. `exponent` scales while reading (`e-2`: a rate ÷ 100).
 * `undefined` when absent or not an xs:decimal.
 */
function xsDecimal(text: string | undefined, exponent = ''): Decimal | undefined {
  if (text === undefined) return undefined;
  const plain = xsDecimalText(text);
  return plain === undefined ? undefined : new Decimal(plain + exponent);
}

const XSD_DOUBLE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** An untyped value cast to xs:double; `undefined` when absent or not a number. */
function xsDouble(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = xsDecimalText(text) ?? text.trim();
  return XSD_DOUBLE.test(value) ? Number(value) : undefined;
}

/** `sum()` of untyped values, which XPath adds as xs:double in document order: 0 for none, `undefined` when one is not a number. */
function sumOfDoubles<T>(items: readonly T[], amount: (item: T) => string | undefined): number | undefined {
  let total = 0;
  for (const item of items) {
    const text = amount(item);
    if (text === undefined) continue;
    const value = xsDouble(text);
    if (value === undefined) return undefined;
    total += value;
  }
  return total;
}

/** `round(x * 10 * 10) div 100` in xs:double, step by step; JavaScript's `Math.round` also takes a half up. */
const round2Double = (x: number): number => Math.round(x * 10 * 10) / 100;

/** `round(x * 10 * 10) div 100`: XPath's `round` takes a half toward positive infinity (ROUND_HALF_CEIL). */
const round2 = (x: Decimal): Decimal => (x.decimalPlaces() <= 2 ? x : x.toDecimalPlaces(2, Decimal.ROUND_HALF_CEIL));
/** XPath `round(x) = 0`. */
const roundsToZero = (x: Decimal): boolean => x.gte(MINUS_HALF) && x.lt(HALF);
/** XPath `a = b` on decimals: false when either is absent. */
const same = (a: Decimal | undefined, b: Decimal | undefined): boolean => a !== undefined && b !== undefined && a.eq(b);

/** `sum(xs:decimal(amount))` over the present amounts: 0 for none, `undefined` when one is not an xs:decimal. */
function sumOf<T>(items: readonly T[], amount: (item: T) => string | undefined): Decimal | undefined {
  let total: Decimal | undefined;
  for (const item of items) {
    const text = amount(item);
    if (text === undefined) continue;
    const value = xsDecimal(text);
    if (value === undefined) return undefined;
    total = total === undefined ? value : total.plus(value);
  }
  return total ?? ZERO;
}

/**
 * BR-CO-09's list, verbatim from the UBL schematron. UBL tests `contains(list, substring(id, 1, 2))` without spaces
 * around the prefix, so an empty id, a one-letter id, or `D ` (the end of ` AD `) pass.
 * CII tests ` XX ` with the spaces, and its list has AN where UBL's has SS.
 */
const UBL_VAT_PREFIXES =
  ' 1A AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH EL ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XI YE YT ZA ZM ZW ';

/** BR-CO-09's list in the CII schematron: AN instead of SS, tested as ` XX ` with the spaces. */
const CII_VAT_PREFIXES =
  ' 1A AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BL BJ BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH EL ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XI YE YT ZA ZM ZW ';

/** Whether BR-CO-09 accepts the country prefix of a VAT identifier. */
function hasVatPrefix(vatId: string, cii: boolean): boolean {
  return cii ? CII_VAT_PREFIXES.includes(` ${vatId.slice(0, 2)} `) : UBL_VAT_PREFIXES.includes(vatId.slice(0, 2));
}

const CO_09 = 'A VAT identifier (BT-31, BT-48, BT-63) shall have an ISO 3166-1 alpha-2 country prefix (Greece may use EL).';

/**
 * BR-CO-03 … BR-CO-26. BR-CO-05 … BR-CO-08 ("reason code and reason shall indicate the same type") are `true()` in
 * 1.3.16 for both syntaxes: they never fire, so nothing here tests them.
 */
export const calculationRules: RuleSet = (doc: En16931Document, options = MODEL_RULE_OPTIONS): Finding[] => {
  const out: Finding[] = [];
  const totals = doc.totals;
  const cii = options.syntax === 'cii';
  // CII: the totals rules have the optional ram:SpecifiedTradeSettlementHeaderMonetarySummation as context, which a
  // document without any total lacks (the writer writes none, the reader reads none).
  const summation = !cii || Object.keys(totals).length > 0;

  // BR-CO-03, context /ubl:Invoice; in UBL, BT-8 is cac:InvoicePeriod/cbc:DescriptionCode.
  // CII: tested on each VAT breakdown (BG-23), so it fires once per breakdown entry, and never without one.
  if (doc.taxPointDate !== undefined && doc.taxPointDateCode !== undefined) {
    const CO_03 = 'Value added tax point date (BT-7) and Value added tax point date code (BT-8) are mutually exclusive.';
    if (!cii) out.push(finding('BR-CO-03', CO_03, 'BT-7', 'taxPointDate'));
    else {
      doc.vatBreakdown.forEach((entry, i) => {
        if (!ciiShadowsEntry(options, entry.category)) out.push(finding('BR-CO-03', CO_03, 'BT-7', `vatBreakdown[${i}]`));
      });
    }
  }

  // BR-CO-09, context every cac:PartyTaxScheme of the VAT scheme: the seller's, the buyer's, the tax representative's.
  // CII: context the VAT id itself (ram:ID[@schemeID='VA']).
  const vatIds: readonly (readonly [string | undefined, string, string])[] = [
    [doc.seller.vatId, 'BT-31', 'seller.vatId'],
    [doc.buyer.vatId, 'BT-48', 'buyer.vatId'],
    [doc.taxRepresentative?.vatId, 'BT-63', 'taxRepresentative.vatId'],
  ];
  for (const [vatId, term, pointer] of vatIds) {
    if (vatId !== undefined && !hasVatPrefix(vatId, cii)) out.push(finding('BR-CO-09', CO_09, term, pointer));
  }

  // The lines, in one pass: BR-CO-04, BR-CO-20, BR-CO-23, BR-CO-24.
  doc.lines.forEach((line, i) => {
    const at = `lines[${i}]`;
    if (line.vat.category === undefined) {
      out.push(finding('BR-CO-04', 'Each Invoice line (BG-25) shall be categorized with an Invoiced item VAT category code (BT-151).', 'BT-151', `${at}.vat.category`));
    }
    if (line.period !== undefined && line.period.start === undefined && line.period.end === undefined) {
      out.push(finding('BR-CO-20', 'If Invoice line period (BG-26) is used, its start date (BT-134) or end date (BT-135) shall be filled, or both.', 'BG-26', `${at}.period`));
    }
    line.allowances.forEach((allowance, j) => {
      if (allowance.reason === undefined && allowance.reasonCode === undefined) {
        out.push(finding('BR-CO-23', 'Each Invoice line allowance (BG-27) shall contain a reason (BT-139) or a reason code (BT-140), or both.', 'BT-139', `${at}.allowances[${j}].reason`));
      }
    });
    line.charges.forEach((charge, j) => {
      if (charge.reason === undefined && charge.reasonCode === undefined) {
        out.push(finding('BR-CO-24', 'Each Invoice line charge (BG-28) shall contain a reason (BT-144) or a reason code (BT-145), or both.', 'BT-144', `${at}.charges[${j}].reason`));
      }
    });
  });

  // Context cac:LegalMonetaryTotal, which the UBL XSD requires: BR-CO-10 … BR-CO-13 and BR-CO-16.
  const lineNetTotal = xsDecimal(totals.lineNetTotal);
  const allowanceTotal = xsDecimal(totals.allowanceTotal);
  const chargeTotal = xsDecimal(totals.chargeTotal);
  const taxExclusive = xsDecimal(totals.taxExclusive);
  const taxInclusive = xsDecimal(totals.taxInclusive);

  // CII: sums as xs:double (the amounts are untyped there), takes that double as an exact decimal, then rounds the same way.
  const lineSumDouble = cii ? sumOfDoubles(doc.lines, (line) => line.netAmount) : undefined;
  const lineSum = cii ? (lineSumDouble === undefined ? undefined : exactDecimal(lineSumDouble)) : sumOf(doc.lines, (line) => line.netAmount);
  if (summation && (lineSum === undefined || !same(lineNetTotal, round2(lineSum)))) {
    out.push(finding('BR-CO-10', 'Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131).', 'BT-106', 'totals.lineNetTotal'));
  }

  // BT-107 and BT-108 equal the rounded sums; absent, they are right only when there is nothing to sum.
  // CII: the total, the sum and the rounding are all xs:double.
  const totalAgrees = (total: string | undefined, items: readonly { readonly amount?: string }[]): boolean => {
    if (total === undefined) return items.length === 0;
    if (cii) {
      const sum = sumOfDoubles(items, (item) => item.amount);
      return sum !== undefined && xsDouble(total) === round2Double(sum);
    }
    const sum = sumOf(items, (item) => item.amount);
    return sum !== undefined && same(xsDecimal(total), round2(sum));
  };
  if (summation && !totalAgrees(totals.allowanceTotal, doc.allowances)) {
    out.push(finding('BR-CO-11', 'Sum of allowances on document level (BT-107) = Σ Document level allowance amount (BT-92).', 'BT-107', 'totals.allowanceTotal'));
  }
  if (summation && !totalAgrees(totals.chargeTotal, doc.charges)) {
    out.push(finding('BR-CO-12', 'Sum of charges on document level (BT-108) = Σ Document level charge amount (BT-99).', 'BT-108', 'totals.chargeTotal'));
  }

  // BR-CO-13: which of BT-107 and BT-108 are present picks the formula; with neither, BT-109 = BT-106 unrounded.
  // CII: with neither, BT-109 = BT-106 rounded to 2 decimals.
  let expectedTaxExclusive: Decimal | undefined;
  if (lineNetTotal !== undefined) {
    const hasAllowances = totals.allowanceTotal !== undefined;
    const hasCharges = totals.chargeTotal !== undefined;
    if (!hasAllowances && !hasCharges) expectedTaxExclusive = cii ? round2(lineNetTotal) : lineNetTotal;
    else if ((!hasAllowances || allowanceTotal !== undefined) && (!hasCharges || chargeTotal !== undefined)) {
      let net = lineNetTotal;
      if (chargeTotal !== undefined) net = net.plus(chargeTotal);
      if (allowanceTotal !== undefined) net = net.minus(allowanceTotal);
      expectedTaxExclusive = round2(net);
    }
  }
  if (summation && !same(taxExclusive, expectedTaxExclusive)) {
    out.push(finding('BR-CO-13', 'Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on document level (BT-108).', 'BT-109', 'totals.taxExclusive'));
  }

  // BR-CO-14, context each document-level cac:TaxTotal: the one that has the breakdown (BT-110) must equal the
  // rounded sum of BT-117; a TaxTotal without breakdown (BT-111) passes.
  // CII: context BT-110 itself (each VAT total amount in BT-5), so BT-110 without any breakdown must be 0, and no
  // BT-110 passes; the sum and the rounding are xs:double.
  // A UBL breakdown without BT-110 sits in a cac:TaxTotal whose amount is in another currency: the model does not keep
  // that amount, so BR-CO-14 is not tested there (BR-CO-15 fires for the missing BT-110).
  const vatTotal = xsDecimal(totals.vatTotal);
  const breakdownWithoutVatTotal = totals.vatTotal === undefined && doc.vatBreakdown.length > 0;
  // The VAT total amounts in the document currency: BT-110, and BT-111 too when BT-6 is BT-5.
  const inCurrency: string[] = [];
  if (totals.vatTotal !== undefined) inCurrency.push(totals.vatTotal);
  if (totals.vatTotalInAccountingCurrency !== undefined && doc.vatAccountingCurrency === doc.currency) inCurrency.push(totals.vatTotalInAccountingCurrency);
  if (cii) {
    const breakdownSum = sumOfDoubles(doc.vatBreakdown, (entry) => entry.taxAmount);
    if (inCurrency.some((amount) => breakdownSum === undefined || xsDouble(amount) !== round2Double(breakdownSum))) {
      out.push(finding('BR-CO-14', 'Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117).', 'BT-110', 'totals.vatTotal'));
    }
  } else if (doc.vatBreakdown.length > 0 && !breakdownWithoutVatTotal) {
    const breakdownSum = sumOf(doc.vatBreakdown, (entry) => entry.taxAmount);
    if (breakdownSum === undefined || !same(vatTotal, round2(breakdownSum))) {
      out.push(finding('BR-CO-14', 'Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117).', 'BT-110', 'totals.vatTotal'));
    }
  }

  // BR-CO-15, context /ubl:Invoice, for the document currency when there is one: exactly one VAT total amount in it
  // (BT-110, and BT-111 too when BT-6 is BT-5), and BT-112 = round2(BT-109 + that amount).
  // CII: also passes when BT-112 = BT-109, whatever the VAT total.
  if (doc.currency !== undefined) {
    const vat = inCurrency.length === 1 ? xsDecimal(inCurrency[0]) : undefined;
    const withVat = vat !== undefined && taxExclusive !== undefined && same(taxInclusive, round2(taxExclusive.plus(vat)));
    if (!(withVat || (cii && same(taxInclusive, taxExclusive)))) {
      out.push(finding('BR-CO-15', 'Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110).', 'BT-112', 'totals.taxInclusive'));
    }
  }

  // BR-CO-16: which of BT-113 and BT-114 are present picks the formula; both sides are rounded to 2 decimals, except
  // BT-115 = BT-112 when neither is present.
  // CII: BT-115 = BT-112 - BT-113 + BT-114 exactly, no rounding.
  const prepaid = xsDecimal(totals.prepaid);
  const rounding = xsDecimal(totals.rounding);
  const amountDue = xsDecimal(totals.amountDue);
  const hasPrepaid = totals.prepaid !== undefined;
  const hasRounding = totals.rounding !== undefined;
  let dueAgrees: boolean;
  if (cii) {
    let expected = taxInclusive;
    if (hasPrepaid) expected = expected !== undefined && prepaid !== undefined ? expected.minus(prepaid) : undefined;
    if (hasRounding) expected = expected !== undefined && rounding !== undefined ? expected.plus(rounding) : undefined;
    dueAgrees = same(amountDue, expected);
  } else {
    const payable = !hasPrepaid ? taxInclusive : taxInclusive !== undefined && prepaid !== undefined ? round2(taxInclusive.minus(prepaid)) : undefined;
    const due = !hasRounding ? amountDue : amountDue !== undefined && rounding !== undefined ? round2(amountDue.minus(rounding)) : undefined;
    dueAgrees = same(due, payable);
  }
  if (summation && !dueAgrees) {
    out.push(finding('BR-CO-16', 'Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) - Paid amount (BT-113) + Rounding amount (BT-114).', 'BT-115', 'totals.amountDue'));
  }

  // BR-CO-17, context each VAT breakdown. With a rate that rounds to 0, or none, the tax amount must round to 0;
  // otherwise it must lie strictly within 1 of round2(|BT-116| × BT-119 / 100).
  // CII: the same with "within or at 1" (<=, >=).
  doc.vatBreakdown.forEach((entry, i) => {
    if (ciiShadowsEntry(options, entry.category)) return;
    const tax = xsDecimal(entry.taxAmount);
    // BT-119 ÷ 100, read as such; round(BT-119) = 0 is -0.005 <= BT-119 ÷ 100 < 0.005.
    const rate = xsDecimal(entry.rate, 'e-2');
    let agrees: boolean;
    if (tax === undefined || (entry.rate !== undefined && rate === undefined)) agrees = false;
    else if (rate === undefined || (rate.gte(MINUS_HALF_PERCENT) && rate.lt(HALF_PERCENT))) agrees = roundsToZero(tax);
    else {
      const taxable = xsDecimal(entry.taxableAmount);
      // |BT-117| - 1 < expected < |BT-117| + 1, that is ||BT-117| - expected| < 1.
      const distance = taxable === undefined ? undefined : tax.abs().minus(round2(taxable.abs().times(rate))).abs();
      agrees = distance !== undefined && (cii ? distance.lte(1) : distance.lt(1));
    }
    if (!agrees) {
      out.push(finding('BR-CO-17', 'VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category rate (BT-119) / 100), rounded to two decimals.', 'BT-117', `vatBreakdown[${i}].taxAmount`));
    }
  });

  // CII: tested on each line, so it fires once per line, and never without lines.
  if (doc.vatBreakdown.length === 0) {
    const CO_18 = 'An Invoice shall at least have one VAT breakdown group (BG-23).';
    if (!cii) out.push(finding('BR-CO-18', CO_18, 'BG-23'));
    else doc.lines.forEach((_, i) => out.push(finding('BR-CO-18', CO_18, 'BG-23', `lines[${i}]`)));
  }

  // BR-CO-19, context cac:InvoicePeriod, which in UBL also carries BT-8: a period holding only BT-8 passes.
  // CII: BT-8 is elsewhere, so a period without dates always fires.
  const period = doc.invoicePeriod;
  if (period !== undefined && period.start === undefined && period.end === undefined && (cii || doc.taxPointDateCode === undefined)) {
    out.push(finding('BR-CO-19', 'If Invoicing period (BG-14) is used, its start date (BT-73) or end date (BT-74) shall be filled, or both.', 'BG-14', 'invoicePeriod'));
  }

  doc.allowances.forEach((allowance, i) => {
    if (allowance.reason === undefined && allowance.reasonCode === undefined) {
      out.push(finding('BR-CO-21', 'Each Document level allowance (BG-20) shall contain a reason (BT-97) or a reason code (BT-98), or both.', 'BT-97', `allowances[${i}].reason`));
    }
  });
  doc.charges.forEach((charge, i) => {
    if (charge.reason === undefined && charge.reasonCode === undefined) {
      out.push(finding('BR-CO-22', 'Each Document level charge (BG-21) shall contain a reason (BT-104) or a reason code (BT-105), or both.', 'BT-104', `charges[${i}].reason`));
    }
  });

  // BR-CO-26, context cac:AccountingSupplierParty (required by the XSD). A SEPA creditor id (BT-90) is no seller id.
  // CII: BT-90 is not a party identifier there, so any identifier counts.
  const seller = doc.seller;
  if (seller.vatId === undefined && seller.legalRegistration === undefined && !seller.identifiers.some((id) => cii || id.scheme !== 'SEPA')) {
    out.push(finding('BR-CO-26', 'The Seller identifier (BT-29), legal registration identifier (BT-30) and/or VAT identifier (BT-31) shall be present.', 'BG-4', 'seller'));
  }

  return out;
};
