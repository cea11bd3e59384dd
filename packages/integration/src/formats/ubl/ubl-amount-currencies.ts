import type { En16931 } from '@invoicing/invoice';
import { NS, child, trimXmlSpace, type XmlElement } from '../xml';
import { fail, stringValue } from '../syntax-rules';
import { CURRENCY_AMOUNTS } from './ubl-binding-rules';

/*
 * Peppol BIS Billing 3.0's PEPPOL-EN16931-R051: every amount is in the document currency (BT-5), but the VAT total in
 * the VAT accounting currency (BT-111). The CEN rules only ask that each `currencyID` be an ISO 4217 code (BR-CL-03),
 * and the semantic model keeps one currency for every amount: an amount the file states in a third currency would be
 * read, converted and imported as if it were in BT-5. So the platform applies this rule to every UBL file, with
 * Peppol's context (the 13 amount elements BR-CL-03 names, BT-111 excepted as the TaxAmount of a TaxTotal without
 * subtotals) and the VAT category tax amounts (BT-117) as well, which Peppol's context leaves out.
 * CII needs no such rule: CII-DT-031 (a CEN rule) allows `currencyID` on no amount but the VAT totals, which the
 * reader tells apart by it.
 */

export const AMOUNT_CURRENCY_RULE = 'PEPPOL-EN16931-R051';

const MESSAGE = 'All currencyID attributes must have the same value as the invoice currency code (BT-5), except for the invoice total VAT amount in accounting currency (BT-111)';

/** The findings of PEPPOL-EN16931-R051 on a UBL invoice or credit note; none when the file states no BT-5. */
export function ublAmountCurrencies(root: XmlElement): En16931.Finding[] {
  const code = child(root, NS.cbc, 'DocumentCurrencyCode');
  if (code === undefined) return [];
  const currency = trimXmlSpace(stringValue(code));
  const out: En16931.Finding[] = [];
  // Per cac:TaxTotal, whether it has a breakdown: asked once, however many amounts it holds.
  const withBreakdown = new Map<XmlElement, boolean>();
  const visit = (el: XmlElement): void => {
    if (el.ns === NS.cbc && CURRENCY_AMOUNTS.has(el.name)) {
      const stated = el.attributes['currencyID'];
      // A missing or unknown code is BR-CL-03's (and the XSD's) to report.
      if (stated !== undefined && trimXmlSpace(stated) !== currency && !isVatTotalInAccountingCurrency(el, withBreakdown)) fail(out, AMOUNT_CURRENCY_RULE, MESSAGE, el);
      return;
    }
    for (const c of el.children) visit(c);
  };
  visit(root);
  return out;
}

/** BT-111's element: the TaxAmount of a TaxTotal that has no TaxSubtotal. */
function isVatTotalInAccountingCurrency(el: XmlElement, withBreakdown: Map<XmlElement, boolean>): boolean {
  const parent = el.parent;
  if (el.name !== 'TaxAmount' || parent === undefined || parent.ns !== NS.cac || parent.name !== 'TaxTotal') return false;
  let breakdown = withBreakdown.get(parent);
  if (breakdown === undefined) withBreakdown.set(parent, (breakdown = child(parent, NS.cac, 'TaxSubtotal') !== undefined));
  return !breakdown;
}
