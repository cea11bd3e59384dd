import type { AllowanceCharge, En16931Document, Finding } from '../model';
import { MODEL_RULE_OPTIONS, ciiShadowsEntry, finding, type RuleSet } from './rule';

/*
 * The BR-DEC-* rules of the CEN schematron 1.3.16, as its UBL binding tests them (EN16931-UBL-validation.xslt):
 * `string-length(substring-after(amount, '.')) <= 2`, on the text as written, so `1.500` breaks them and an absent
 * amount does not. BR-DEC-03, -04, -07, -08, -21, -22 and -26 are not in 1.3.16.
 *
 * BR-DEC-13 (BT-110) and BR-DEC-15 (BT-111) never fire in UBL: their test selects
 * `//cac:TaxTotal/cbc:TaxAmount[@currencyID = cbc:DocumentCurrencyCode]`, where `cbc:DocumentCurrencyCode` is read
 * as a child of the TaxAmount, which has none, so the selection is always empty and the test true (checked with the
 * official validator: a BT-110 of `20.730` breaks no BR-DEC rule). So nothing here tests them.
 * CII: both work there (when the document was read from CII), on the value rather than the text
 * (`. = round(. * 100) div 100`, in xs:double), so `20.730` passes and `20.735` fails BR-DEC-13; see `ciiVatTotals`.
 * CII also leaves BR-DEC-19 and BR-DEC-20 untested on a breakdown entry of category O, L or M (`ciiShadowsEntry`).
 */

const XSD_DOUBLE = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** `. = round(. * 100) div 100` on an untyped value, in xs:double: the value has at most 2 decimals, as a double. */
function roundToCents(text: string): boolean {
  if (!XSD_DOUBLE.test(text)) return false;
  const value = Number(text);
  return value === Math.round(value * 100) / 100;
}

/**
 * CII's BR-DEC-13 and BR-DEC-15, context the monetary summation, on its VAT total amounts (BT-110 in BT-5, BT-111 in
 * BT-6): `not(ram:TaxTotalAmount) or ram:TaxTotalAmount[…]`, true when any amount passes the predicate.
 * - BR-DEC-13's predicate: in BT-5 and round to cents, or not in BT-5;
 * - BR-DEC-15's predicate: in BT-6 and round to cents, or there is no BT-6.
 */
function ciiVatTotals(doc: En16931Document, out: Finding[]): void {
  const { currency, vatAccountingCurrency: accounting, totals } = doc;
  const amounts: { readonly text: string; readonly currency: string | undefined }[] = [];
  if (totals.vatTotal !== undefined) amounts.push({ text: totals.vatTotal, currency });
  if (totals.vatTotalInAccountingCurrency !== undefined) amounts.push({ text: totals.vatTotalInAccountingCurrency, currency: accounting });
  if (amounts.length === 0) return;
  if (!amounts.some((a) => (a.currency === currency && roundToCents(a.text)) || a.currency !== currency)) {
    out.push(finding('BR-DEC-13', 'The allowed maximum number of decimals for the Invoice total VAT amount (BT-110) is 2.', 'BT-110', 'totals.vatTotal'));
  }
  if (accounting !== undefined && !amounts.some((a) => a.currency === accounting && roundToCents(a.text))) {
    out.push(finding('BR-DEC-15', 'The allowed maximum number of decimals for the Invoice total VAT amount in accounting currency (BT-111) is 2.', 'BT-111', 'totals.vatTotalInAccountingCurrency'));
  }
}

/** `string-length(substring-after(text, '.')) > 2`, counting characters (code points) as XPath does. */
function tooManyDecimals(text: string | undefined): boolean {
  if (text === undefined) return false;
  const point = text.indexOf('.');
  if (point < 0 || text.length - point - 1 <= 2) return false;
  let characters = 0;
  for (let i = point + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // The low half of a surrogate pair is the same character as its high half.
    if (code < 0xdc00 || code > 0xdfff) characters++;
  }
  return characters > 2;
}

/** BR-DEC-01 … BR-DEC-28: each amount of BG-20 … BG-28 has at most 2 decimals. */
export const decimalRules: RuleSet = (doc: En16931Document, options = MODEL_RULE_OPTIONS): Finding[] => {
  const out: Finding[] = [];
  const check = (text: string | undefined, rule: string, name: string, term: string, pointer: string): void => {
    if (tooManyDecimals(text)) out.push(finding(rule, `The allowed maximum number of decimals for the ${name} (${term}) is 2.`, term, pointer));
  };
  const allowancesAndCharges = (
    list: readonly AllowanceCharge[],
    at: string,
    [amountRule, amountName, amountTerm]: readonly [string, string, string],
    [baseRule, baseName, baseTerm]: readonly [string, string, string],
  ): void => {
    list.forEach((item, i) => {
      check(item.amount, amountRule, amountName, amountTerm, `${at}[${i}].amount`);
      check(item.baseAmount, baseRule, baseName, baseTerm, `${at}[${i}].baseAmount`);
    });
  };

  allowancesAndCharges(doc.allowances, 'allowances', ['BR-DEC-01', 'Document level allowance amount', 'BT-92'], ['BR-DEC-02', 'Document level allowance base amount', 'BT-93']);
  allowancesAndCharges(doc.charges, 'charges', ['BR-DEC-05', 'Document level charge amount', 'BT-99'], ['BR-DEC-06', 'Document level charge base amount', 'BT-100']);

  const totals = doc.totals;
  check(totals.lineNetTotal, 'BR-DEC-09', 'Sum of Invoice line net amount', 'BT-106', 'totals.lineNetTotal');
  check(totals.allowanceTotal, 'BR-DEC-10', 'Sum of allowances on document level', 'BT-107', 'totals.allowanceTotal');
  check(totals.chargeTotal, 'BR-DEC-11', 'Sum of charges on document level', 'BT-108', 'totals.chargeTotal');
  check(totals.taxExclusive, 'BR-DEC-12', 'Invoice total amount without VAT', 'BT-109', 'totals.taxExclusive');
  check(totals.taxInclusive, 'BR-DEC-14', 'Invoice total amount with VAT', 'BT-112', 'totals.taxInclusive');
  check(totals.prepaid, 'BR-DEC-16', 'Paid amount', 'BT-113', 'totals.prepaid');
  check(totals.rounding, 'BR-DEC-17', 'Rounding amount', 'BT-114', 'totals.rounding');
  check(totals.amountDue, 'BR-DEC-18', 'Amount due for payment', 'BT-115', 'totals.amountDue');
  if (options.syntax === 'cii') ciiVatTotals(doc, out);

  doc.vatBreakdown.forEach((entry, i) => {
    if (ciiShadowsEntry(options, entry.category)) return;
    check(entry.taxableAmount, 'BR-DEC-19', 'VAT category taxable amount', 'BT-116', `vatBreakdown[${i}].taxableAmount`);
    check(entry.taxAmount, 'BR-DEC-20', 'VAT category tax amount', 'BT-117', `vatBreakdown[${i}].taxAmount`);
  });

  doc.lines.forEach((line, i) => {
    const at = `lines[${i}]`;
    check(line.netAmount, 'BR-DEC-23', 'Invoice line net amount', 'BT-131', `${at}.netAmount`);
    allowancesAndCharges(line.allowances, `${at}.allowances`, ['BR-DEC-24', 'Invoice line allowance amount', 'BT-136'], ['BR-DEC-25', 'Invoice line allowance base amount', 'BT-137']);
    allowancesAndCharges(line.charges, `${at}.charges`, ['BR-DEC-27', 'Invoice line charge amount', 'BT-141'], ['BR-DEC-28', 'Invoice line charge base amount', 'BT-142']);
  });

  return out;
};
