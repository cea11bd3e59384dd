import { En16931 } from '@invoicing/invoice';
import { NS, type XmlElement } from '../xml';
import { codeListFindings, typeCodeList, type FileCodeList } from '../syntax-rules';

/*
 * The code-list rules whose answer depends on how a UBL file writes the code, checked on the file (the model keeps one
 * type code, one VAT point date code and one payment means code; validateEn16931 leaves these to this check when told
 * the document was read from UBL):
 * - BR-CL-01 on every `cbc:InvoiceTypeCode` (UNTDID 1001, the invoice list) and `cbc:CreditNoteTypeCode` (the credit
 *   note list): the list is the element's, so a credit note code in an `Invoice` breaks it;
 * - BR-CL-06 on every `cac:InvoicePeriod/cbc:DescriptionCode` (the document's and the lines'): UNTDID 2005's 3, 35, 432;
 * - BR-CL-16 on every `cac:PaymentMeans/cbc:PaymentMeansCode`, not only the first, which the model reads.
 * The tests are the stylesheet's (EN16931-UBL-validation.xslt, mode M13): `normalize-space(.)` is one of the codes.
 */

// The namespaces, read once: the walk compares them on every element.
const CAC: string = NS.cac;
const CBC: string = NS.cbc;

const INVOICE_TYPE = typeCodeList(En16931.UNTDID_1001_UBL_INVOICE);
const CREDIT_NOTE_TYPE = typeCodeList(En16931.UNTDID_1001_UBL_CREDIT_NOTE);
const TAX_POINT: FileCodeList = { rule: 'BR-CL-06', term: 'BT-8', message: 'Value added tax point date code MUST be coded using a restriction of UNTDID 2005', codes: En16931.UNTDID_2005_TAX_POINT };
const PAYMENT_MEANS: FileCodeList = { rule: 'BR-CL-16', term: 'BT-81', message: 'Payment means in an invoice MUST be coded using UNCL4461 code list', codes: En16931.UNTDID_4461 };

/** The code list an element is checked against, by its name and its parent's. */
function codeListOf(el: XmlElement): FileCodeList | undefined {
  if (el.ns !== CBC) return undefined;
  const parent = el.parent;
  switch (el.name) {
    case 'InvoiceTypeCode':
      return INVOICE_TYPE;
    case 'CreditNoteTypeCode':
      return CREDIT_NOTE_TYPE;
    case 'DescriptionCode':
      return parent?.ns === CAC && parent.name === 'InvoicePeriod' ? TAX_POINT : undefined;
    case 'PaymentMeansCode':
      return parent?.ns === CAC && parent.name === 'PaymentMeans' ? PAYMENT_MEANS : undefined;
    default:
      return undefined;
  }
}

/** BR-CL-01, BR-CL-06 and BR-CL-16 on every code of a UBL Invoice or CreditNote, each placed on its element. */
export function ublCodeLists(root: XmlElement): En16931.Finding[] {
  return codeListFindings(root, codeListOf);
}
