import { En16931 } from '@invoicing/invoice';
import { NS, type XmlElement } from '../xml';
import { codeListFindings, typeCodeList, type FileCodeList } from '../syntax-rules';

/*
 * The code-list rules whose answer depends on how a CII file writes the code, checked on the file (the model keeps one
 * type code, one VAT point date code and one payment means code; validateEn16931 leaves these to this check when told
 * the document was read from CII):
 * - BR-CL-01 on `rsm:ExchangedDocument/ram:TypeCode`: UNTDID 1001, the invoice and credit note codes together;
 * - BR-CL-06 on every `ram:DueDateTypeCode`: UNTDID 2475's 5, 29, 72 (UBL's 3, 35, 432 are not CII codes);
 * - BR-CL-16 on every `ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode`, not only the first, which the model reads.
 * The tests are the stylesheet's (EN16931-CII-validation.xslt, mode M12): `normalize-space(.)` is one of the codes.
 */

// The namespaces, read once: the walk compares them on every element.
const RAM: string = NS.ram;
const RSM: string = NS.rsm;

const TYPE = typeCodeList(En16931.UNTDID_1001);
const TAX_POINT: FileCodeList = { rule: 'BR-CL-06', term: 'BT-8', message: 'Value added tax point date code MUST be coded using a restriction of UNTDID 2475', codes: En16931.UNTDID_2475_TAX_POINT };
const PAYMENT_MEANS: FileCodeList = { rule: 'BR-CL-16', term: 'BT-81', message: 'Payment means in an invoice MUST be coded using UNTDID 4461 code list', codes: En16931.UNTDID_4461 };

/** The code list an element is checked against, by its name and its parent's. */
function codeListOf(el: XmlElement): FileCodeList | undefined {
  if (el.ns !== RAM) return undefined;
  const parent = el.parent;
  switch (el.name) {
    case 'TypeCode':
      if (parent?.ns === RSM && parent.name === 'ExchangedDocument') return TYPE;
      return parent?.ns === RAM && parent.name === 'SpecifiedTradeSettlementPaymentMeans' ? PAYMENT_MEANS : undefined;
    case 'DueDateTypeCode':
      return TAX_POINT;
    default:
      return undefined;
  }
}

/** BR-CL-01, BR-CL-06 and BR-CL-16 on every code of a CII CrossIndustryInvoice, each placed on its element. */
export function ciiCodeLists(root: XmlElement): En16931.Finding[] {
  return codeListFindings(root, codeListOf);
}
