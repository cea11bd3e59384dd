import { En16931 } from '@invoicing/invoice';
import { NS, child, children, trimXmlSpace, type XmlElement } from '../xml';
import { fail, hasAttribute, isName, stringLength, stringValue } from '../syntax-rules';

/*
 * The UBL syntax-binding rules of the CEN EN 16931 schematron 1.3.16 (EN16931-UBL-validation.xslt, mode M12), checked
 * on the XML tree: what they test (cardinalities of the syntax, attributes, decimals as written) is not in the
 * semantic model. All 59 fatal assertions are here, with the stylesheet's contexts and tests:
 *   UBL-SR-01 … UBL-SR-56 (54 of them; the numbers 38 and 41 do not exist), UBL-DT-01, UBL-DT-06, UBL-DT-07,
 *   UBL-CR-666, UBL-CR-673.
 * The 697 warnings of that mode are left out (UBL-CR-001 … UBL-CR-682 but 666 and 673: elements EN 16931 does not
 * use; UBL-DT-08 … UBL-DT-28: attributes it does not use). They never make a document invalid.
 *
 * Code lists (mode M13): only BR-CL-03, the `currencyID` of the 13 amount elements the stylesheet names, which the
 * model does not keep. The other code lists are decided elsewhere: BR-CL-01, BR-CL-06 and BR-CL-16, whose answer
 * depends on how the file writes the code, on every element by ubl-code-lists.ts; the rest by the model
 * (validateEn16931, told the document was read from UBL) on the values it keeps.
 *
 * How the stylesheet is read. Within a mode an element fires the first rule whose context it matches; in mode M12 only
 * an allowance with both a `false` and a `true` charge indicator matches two (it is an allowance), so each rule below
 * sees every element of its context. XPath's general comparisons (`cbc:DocumentTypeCode = '130'`) hold when any
 * node's string value equals, without trimming; `normalize-space` and `upper-case` are applied where the test applies
 * them; `string-length` counts characters, not UTF-16 units.
 */

type Finding = En16931.Finding;

// The namespaces, read once: `NS` is a re-exported binding, and the walk compares them on every element.
const CAC: string = NS.cac;
const CBC: string = NS.cbc;
const UBL_INVOICE: string = NS.ublInvoice;
const UBL_CREDIT_NOTE: string = NS.ublCreditNote;

type Name = readonly [ns: string, local: string];

const cac = (local: string): Name => [CAC, local];
const cbc = (local: string): Name => [CBC, local];

/** The elements BR-CL-03 names; other amounts (`cbc:PerUnitAmount` …) are not checked by it. */
export const CURRENCY_AMOUNTS: ReadonlySet<string> = new Set([
  'Amount',
  'BaseAmount',
  'PriceAmount',
  'TaxAmount',
  'TaxableAmount',
  'LineExtensionAmount',
  'TaxExclusiveAmount',
  'TaxInclusiveAmount',
  'AllowanceTotalAmount',
  'ChargeTotalAmount',
  'PrepaidAmount',
  'PayableRoundingAmount',
  'PayableAmount',
]);

/** The root's `count(path) <= 1` rules (context `/ubl:Invoice | /cn:CreditNote`) that need no predicate. */
const ROOT_AT_MOST_ONCE: readonly (readonly [rule: string, message: string, path: readonly Name[]])[] = [
  ['UBL-SR-01', 'Contract identifier shall occur maximum once.', [cac('ContractDocumentReference'), cbc('ID')]],
  ['UBL-SR-02', 'Receive advice identifier shall occur maximum once', [cac('ReceiptDocumentReference'), cbc('ID')]],
  ['UBL-SR-03', 'Despatch advice identifier shall occur maximum once', [cac('DespatchDocumentReference'), cbc('ID')]],
  ['UBL-SR-05', 'Payment terms shall occur maximum once', [cac('PaymentTerms'), cbc('Note')]],
  ['UBL-SR-08', 'Invoice period shall occur maximum once', [cac('InvoicePeriod')]],
  ['UBL-SR-09', 'Seller name shall occur maximum once', [...supplier(), cac('PartyLegalEntity'), cbc('RegistrationName')]],
  ['UBL-SR-10', 'Seller trader name shall occur maximum once', [...supplier(), cac('PartyName'), cbc('Name')]],
  ['UBL-SR-11', 'Seller legal registration identifier shall occur maximum once', [...supplier(), cac('PartyLegalEntity'), cbc('CompanyID')]],
  ['UBL-SR-14', 'Seller additional legal information shall occur maximum once', [...supplier(), cac('PartyLegalEntity'), cbc('CompanyLegalForm')]],
  ['UBL-SR-15', 'Buyer name shall occur maximum once', [...customer(), cac('PartyLegalEntity'), cbc('RegistrationName')]],
  ['UBL-SR-16', 'Buyer identifier shall occur maximum once', [...customer(), cac('PartyIdentification'), cbc('ID')]],
  ['UBL-SR-17', 'Buyer legal registration identifier shall occur maximum once', [...customer(), cac('PartyLegalEntity'), cbc('CompanyID')]],
  ['UBL-SR-24', 'Deliver to information shall occur maximum once', [cac('Delivery')]],
  ['UBL-SR-39', 'Project reference shall occur maximum once.', [cac('ProjectReference'), cbc('ID')]],
  ['UBL-SR-40', 'Buyer trade name shall occur maximum once', [...customer(), cac('PartyName'), cbc('Name')]],
  ['UBL-SR-45', 'Due Date shall occur maximum once', [cac('PaymentMeans'), cbc('PaymentDueDate')]],
  ['UBL-SR-49', 'Value tax point date shall occur maximum once', [cac('InvoicePeriod'), cbc('DescriptionCode')]],
  ['UBL-SR-54', 'An Invoice shall contain maximum one Payment Card account (BG-18).', [cac('PaymentMeans'), cac('CardAccount')]],
  ['UBL-SR-55', 'An Invoice shall contain maximum one Payment Mandate (BG-19).', [cac('PaymentMeans'), cac('PaymentMandate')]],
  ['UBL-SR-56', 'An Invoice shall contain maximum one Originator document reference identifier (BT-17).', [cac('OriginatorDocumentReference'), cbc('ID')]],
];

/** The line's `count(path) <= 1` rules (context `cac:InvoiceLine | cac:CreditNoteLine`). */
const LINE_AT_MOST_ONCE: readonly (readonly [rule: string, message: string, path: readonly Name[]])[] = [
  ['UBL-SR-34', 'Invoice line note shall occur maximum once', [cbc('Note')]],
  ['UBL-SR-35', 'Referenced purchase order line identifier shall occur maximum once', [cac('OrderLineReference'), cbc('LineID')]],
  ['UBL-SR-36', 'Invoice line period shall occur maximum once', [cac('InvoicePeriod')]],
  ['UBL-SR-37', 'Item price discount shall occur maximum once', [cac('Price'), cac('AllowanceCharge'), cbc('Amount')]],
  ['UBL-SR-50', 'Item description shall occur maximum once', [cac('Item'), cbc('Description')]],
  ['UBL-SR-52', 'Document reference shall occur maximum once', [cac('DocumentReference')]],
];

function supplier(): Name[] {
  return [cac('AccountingSupplierParty'), cac('Party')];
}

function customer(): Name[] {
  return [cac('AccountingCustomerParty'), cac('Party')];
}

/** The local names of the `cac:` elements `aggregateRules` looks at. */
const AGGREGATE_CONTEXTS: ReadonlySet<string> = new Set([
  'PostalAddress',
  'Address',
  'Party',
  'AdditionalDocumentReference',
  'Delivery',
  'AllowanceCharge',
  'PartyTaxScheme',
  'InvoiceLine',
  'CreditNoteLine',
  'PayeeParty',
  'PaymentMeans',
  'BillingReference',
  'TaxRepresentativeParty',
  'TaxSubtotal',
  'PartyIdentification',
]);

/** The local names of the `cbc:` elements `basicRules` looks at. */
const BASIC_CONTEXTS: ReadonlySet<string> = new Set([...CURRENCY_AMOUNTS, 'PaymentMeansCode', 'PaymentID']);

/** What the walk gathers for the root's rules on the whole document (`//…`). */
interface Gathered {
  sepaIds: number;
  readonly paymentIds: Set<string>;
  readonly paymentMeansCodes: Set<string>;
  objectWithAttachment: boolean;
  objectWithDescription: boolean;
}

/**
 * The fatal UBL syntax-binding rules (UBL-SR-*, UBL-DT-01/06/07, UBL-CR-666/673) and BR-CL-03 of a UBL Invoice or
 * CreditNote, in one walk over its tree. Each finding is placed on the rule's context element.
 */
export function ublBindingRules(root: XmlElement): Finding[] {
  const out: Finding[] = [];
  const gathered: Gathered = { sepaIds: 0, paymentIds: new Set(), paymentMeansCodes: new Set(), objectWithAttachment: false, objectWithDescription: false };
  visit(root, false, root, gathered, out);
  const isDocument = (root.ns === UBL_INVOICE && root.name === 'Invoice') || (root.ns === UBL_CREDIT_NOTE && root.name === 'CreditNote');
  if (isDocument) documentRules(root, gathered, out);
  return out;
}

function visit(el: XmlElement, inDiscountedPrice: boolean, root: XmlElement, gathered: Gathered, out: Finding[]): void {
  const { ns, name } = el;
  // UBL-DT-01 and -06/07 match any element by the end of its name, whatever its namespace (extensions included);
  // both names end with a `t`, which spares most elements the two string tests.
  const endsWithT = name.charCodeAt(name.length - 1) === 0x74;
  if (endsWithT && name.endsWith('Amount') && !name.endsWith('PriceAmount') && !inDiscountedPrice) {
    // `string-length(substring-after(., '.')) <= 2`, on the value as written (a trailing space counts).
    const value = stringValue(el);
    const dot = value.indexOf('.');
    if (dot >= 0 && stringLength(value.slice(dot + 1)) > 2) fail(out, 'UBL-DT-01', 'Amounts shall be decimal up to two fraction digits', el);
  } else if (endsWithT && name.endsWith('BinaryObject')) {
    if (!hasAttribute(el, 'mimeCode')) fail(out, 'UBL-DT-06', 'Binary object elements shall contain the mime code attribute', el);
    if (!hasAttribute(el, 'filename')) fail(out, 'UBL-DT-07', 'Binary object elements shall contain the file name attribute', el);
  }
  // By name first, then by namespace: a namespace URI is a long string, compared in full when it matches.
  if (AGGREGATE_CONTEXTS.has(name)) {
    if (ns === CAC) aggregateRules(el, root, gathered, out);
  } else if (BASIC_CONTEXTS.has(name) && ns === CBC) {
    basicRules(el, gathered, out);
  }

  // `ancestor::cac:Price/cac:AllowanceCharge`: below a price that has an allowance, no amount is checked by UBL-DT-01.
  const discounted = inDiscountedPrice || (name === 'Price' && ns === CAC && child(el, CAC, 'AllowanceCharge') !== undefined);
  for (const c of el.children) visit(c, discounted, root, gathered, out);
}

/** The M12 rules whose context is a `cac:` element. */
function aggregateRules(el: XmlElement, root: XmlElement, gathered: Gathered, out: Finding[]): void {
  switch (el.name) {
    case 'PostalAddress':
    case 'Address':
      if (count(el, [cac('AddressLine')]) > 1) fail(out, 'UBL-SR-51', 'An address can only have one third line.', el);
      return;
    case 'Party':
      if (isName(el.parent, CAC, 'AccountingSupplierParty') && count(el, [cac('PartyTaxScheme')]) > 2) {
        fail(out, 'UBL-SR-42', 'Party tax scheme shall occur maximum twice in accounting supplier party', el);
      }
      return;
    case 'AdditionalDocumentReference':
      return additionalDocumentReference(el, root, gathered, out);
    case 'Delivery':
      if (count(el, [cac('DeliveryParty'), cac('PartyName'), cbc('Name')]) > 1) fail(out, 'UBL-SR-25', 'Deliver to party name shall occur maximum once', el);
      return;
    case 'AllowanceCharge': {
      // `cbc:ChargeIndicator = false()` casts the text to a boolean; the allowance context comes first.
      const reasons = count(el, [cbc('AllowanceChargeReason')]);
      if (indicates(el, false)) {
        if (reasons > 1) fail(out, 'UBL-SR-30', 'Document level allowance reason shall occur maximum once', el);
      } else if (indicates(el, true)) {
        if (reasons > 1) fail(out, 'UBL-SR-31', 'Document level charge reason shall occur maximum once', el);
      }
      return;
    }
    case 'PartyTaxScheme':
      if (count(el, [cac('TaxScheme'), cbc('ID')]) === 0 || count(el, [cbc('CompanyID')]) === 0) {
        fail(out, 'UBL-SR-53', 'CompanyID (VAT Identifier) must be stated when providing the PartyTaxScheme/TaxScheme/ID.', el);
      }
      return;
    case 'InvoiceLine':
    case 'CreditNoteLine':
      for (const [rule, message, path] of LINE_AT_MOST_ONCE) if (count(el, path) > 1) fail(out, rule, message, el);
      if (count(el, [cac('Item'), cac('ClassifiedTaxCategory')]) !== 1) fail(out, 'UBL-SR-48', 'Invoice lines shall have one and only one classified tax category.', el);
      return;
    case 'PayeeParty':
      return payeeParty(el, out);
    case 'PaymentMeans':
      if (count(el, [cbc('PaymentID')]) > 1) fail(out, 'UBL-SR-26', 'Payment reference shall occur maximum once', el);
      if (count(el, [cbc('PaymentMeansCode')]) > 1) fail(out, 'UBL-SR-27', 'Payment means text shall occur maximum once', el);
      if (count(el, [cac('PaymentMandate'), cbc('ID')]) > 1) fail(out, 'UBL-SR-28', 'Mandate reference identifier shall occur maximum once', el);
      return;
    case 'BillingReference': {
      const references = count(el, [cac('InvoiceDocumentReference')]);
      if (references > 1) fail(out, 'UBL-SR-06', 'Preceding invoice reference shall occur maximum once', el);
      if (count(el, [cac('InvoiceDocumentReference'), cbc('ID')]) === 0) {
        fail(out, 'UBL-SR-07', 'If there is a preceding invoice reference, the preceding invoice number shall be present', el);
      }
      return;
    }
    case 'TaxRepresentativeParty':
      if (count(el, [cac('PartyName'), cbc('Name')]) > 1) {
        fail(out, 'UBL-SR-22', 'Seller tax representative name shall occur maximum once, if the Seller has a tax representative', el);
      }
      if (count(el, [cac('PartyTaxScheme'), cbc('CompanyID')]) > 1) {
        fail(out, 'UBL-SR-23', 'Seller tax representative VAT identifier shall occur maximum once, if the Seller has a tax representative', el);
      }
      return;
    case 'TaxSubtotal':
      if (count(el, [cac('TaxCategory'), cbc('TaxExemptionReason')]) > 1) fail(out, 'UBL-SR-32', 'VAT exemption reason text shall occur maximum once', el);
      return;
    case 'PartyIdentification':
      // UBL-SR-29 counts `//cac:PartyIdentification/cbc:ID[upper-case(@schemeID) = 'SEPA']`.
      for (const id of el.children) if (isName(id, CBC, 'ID') && (id.attributes['schemeID'] ?? '').toUpperCase() === 'SEPA') gathered.sepaIds++;
      return;
  }
}

function additionalDocumentReference(el: XmlElement, root: XmlElement, gathered: Gathered, out: Finding[]): void {
  if (count(el, [cbc('DocumentDescription')]) > 1) fail(out, 'UBL-SR-33', 'Supporting document description shall occur maximum once', el);
  const typeCodes = children(el, CBC, 'DocumentTypeCode');
  const object = typeCodes.some((c) => stringValue(c) === '130');
  const tender = root.name === 'CreditNote' && typeCodes.some((c) => stringValue(c) === '50');
  const schemed = children(el, CBC, 'ID').some((id) => hasAttribute(id, 'schemeID'));
  if (!object && !tender && (schemed || typeCodes.length > 0)) {
    fail(out, 'UBL-SR-43', 'Scheme identifier shall only be used for invoiced object (document type code with value 130 or 50)', el);
  }
  if (object) {
    gathered.objectWithAttachment ||= child(el, CAC, 'Attachment') !== undefined;
    gathered.objectWithDescription ||= child(el, CBC, 'DocumentDescription') !== undefined;
  }
}

/**
 * UBL-SR-19/20/21 hold only when the payee's name differs from the seller's: `(cac:PartyName/cbc:Name) !=
 * (../cac:AccountingSupplierParty/…/cbc:RegistrationName)` is false when either side is absent, so a payee without a
 * name, or a seller without one, breaks all three.
 */
function payeeParty(el: XmlElement, out: Finding[]): void {
  const names = path(el, [cac('PartyName'), cbc('Name')]).map(stringValue);
  const sellerNames = path(el.parent, [...supplier(), cac('PartyLegalEntity'), cbc('RegistrationName')]).map(stringValue);
  const differs = names.some((a) => sellerNames.some((b) => a !== b));
  const ids = path(el, [cac('PartyIdentification'), cbc('ID')]).filter((id) => (id.attributes['schemeID'] ?? '').toUpperCase() !== 'SEPA');
  if (!(names.length <= 1 && differs)) fail(out, 'UBL-SR-19', 'Payee name shall occur maximum once, if the Payee is different from the Seller', el);
  if (!(ids.length <= 1 && differs)) fail(out, 'UBL-SR-20', 'Payee identifier shall occur maximum once, if the Payee is different from the Seller', el);
  if (!(count(el, [cac('PartyLegalEntity'), cbc('CompanyID')]) <= 1 && differs)) {
    fail(out, 'UBL-SR-21', 'Payee legal registration identifier shall occur maximum once, if the Payee is different from the Seller', el);
  }
}

/** The `cbc:` contexts: BR-CL-03, and what the root's `//` rules count. */
function basicRules(el: XmlElement, gathered: Gathered, out: Finding[]): void {
  switch (el.name) {
    case 'PaymentMeansCode':
      gathered.paymentMeansCodes.add(stringValue(el));
      return;
    case 'PaymentID':
      gathered.paymentIds.add(stringValue(el));
      return;
    default:
      // One of CURRENCY_AMOUNTS.
      if (!En16931.ISO_4217.has(trimXmlSpace(el.attributes['currencyID'] ?? ''))) fail(out, 'BR-CL-03', 'currencyID MUST be coded using ISO code list 4217 alpha-3', el);
  }
}

/** The rules of the context `/ubl:Invoice | /cn:CreditNote`. */
function documentRules(root: XmlElement, gathered: Gathered, out: Finding[]): void {
  if (gathered.objectWithAttachment) {
    fail(out, 'UBL-CR-666', 'A UBL invoice shall not include an AdditionalDocumentReference simultaneously referring an Invoice Object Identifier and an Attachment', root);
  }
  if (gathered.objectWithDescription) {
    fail(out, 'UBL-CR-673', 'A UBL invoice shall not include an AdditionalDocumentReference simultaneously referring an Invoice Object Identifier and an Document Description', root);
  }
  const top = childrenByName(root);
  for (const [rule, message, steps] of ROOT_AT_MOST_ONCE) if (countFrom(top, steps) > 1) fail(out, rule, message, root);

  const objectIds = children(root, CAC, 'AdditionalDocumentReference')
    .filter((ref) => children(ref, CBC, 'DocumentTypeCode').some((c) => stringValue(c) === '130'))
    .reduce((n, ref) => n + children(ref, CBC, 'ID').length, 0);
  if (objectIds > 1) fail(out, 'UBL-SR-04', 'Invoice object identifier shall occur maximum once', root);

  const sellerSchemes = path(root, [...supplier(), cac('PartyTaxScheme')]);
  if (taxSchemeIds(sellerSchemes, (id) => id === 'VAT') > 1) fail(out, 'UBL-SR-12', 'Seller VAT identifier shall occur maximum once', root);
  if (taxSchemeIds(sellerSchemes, (id) => id !== 'VAT') > 1) fail(out, 'UBL-SR-13', 'Seller tax registration shall occur maximum once', root);
  if (taxSchemeIds(path(root, [...customer(), cac('PartyTaxScheme')]), (id) => id === 'VAT') > 1) {
    fail(out, 'UBL-SR-18', 'Buyer VAT identifier shall occur maximum once', root);
  }
  if (gathered.sepaIds > 1) fail(out, 'UBL-SR-29', 'Bank creditor reference shall occur maximum once', root);
  // `count(//cbc:PaymentID[not(preceding::cbc:PaymentID/. = .)]) <= 1`: one distinct value, however often written.
  if (gathered.paymentIds.size > 1) {
    fail(out, 'UBL-SR-44', 'An Invoice may only have one unique PaymentID, but the PaymentID may be used for multiple PaymentMeans', root);
  }
  const meansTexts = path(root, [cac('PaymentMeans'), cbc('PaymentMeansCode')]).filter((code) => hasAttribute(code, 'name')).length;
  if (meansTexts > 1) fail(out, 'UBL-SR-46', 'Payment means text shall occur maximum once', root);
  if (gathered.paymentMeansCodes.size > 1) fail(out, 'UBL-SR-47', 'When there are more than one payment means code, they shall be equal', root);
}

/**
 * `count(cac:PartyTaxScheme[cac:TaxScheme/upper-case(cbc:ID) = 'VAT']/cbc:CompanyID)` and its `!=` twin: the
 * CompanyIDs of the schemes with a tax scheme whose upper-cased id (`''` when absent) passes `test`.
 */
function taxSchemeIds(schemes: readonly XmlElement[], test: (upperCasedId: string) => boolean): number {
  let n = 0;
  for (const scheme of schemes) {
    const taxSchemes = children(scheme, CAC, 'TaxScheme');
    const id = (taxScheme: XmlElement) => {
      const el = child(taxScheme, CBC, 'ID');
      return el === undefined ? '' : stringValue(el).toUpperCase();
    };
    if (taxSchemes.some((t) => test(id(t)))) n += children(scheme, CBC, 'CompanyID').length;
  }
  return n;
}

// ---- the tree ----

/** The elements an XPath of child steps selects from `el`, in document order. */
function path(el: XmlElement | undefined, steps: readonly Name[]): XmlElement[] {
  let level: XmlElement[] = el === undefined ? [] : [el];
  for (const [ns, local] of steps) {
    const next: XmlElement[] = [];
    for (const at of level) for (const c of at.children) if (c.name === local && c.ns === ns) next.push(c);
    level = next;
  }
  return level;
}

/** The children of `el` by local name: the root's twenty counting rules start there. */
function childrenByName(el: XmlElement): ReadonlyMap<string, XmlElement[]> {
  const map = new Map<string, XmlElement[]>();
  for (const c of el.children) {
    const list = map.get(c.name);
    if (list === undefined) map.set(c.name, [c]);
    else list.push(c);
  }
  return map;
}

/** `count(path)` from the element whose children are grouped in `top`. */
function countFrom(top: ReadonlyMap<string, XmlElement[]>, steps: readonly Name[]): number {
  const [first] = steps;
  if (first === undefined) return 1;
  let n = 0;
  for (const c of top.get(first[1]) ?? []) if (c.ns === first[0]) n += count(c, steps, 1);
  return n;
}

/** `count(path)` without building the node lists. */
function count(el: XmlElement, steps: readonly Name[], from = 0): number {
  const step = steps[from];
  if (step === undefined) return 1;
  let n = 0;
  for (const c of el.children) if (c.name === step[1] && c.ns === step[0]) n += count(c, steps, from + 1);
  return n;
}

/** Whether a `cbc:ChargeIndicator` child equals `value` as `xs:boolean` (`true`/`1`, `false`/`0`, white space collapsed). */
function indicates(el: XmlElement, value: boolean): boolean {
  const lexical = value ? TRUE : FALSE;
  for (const c of el.children) if (isName(c, CBC, 'ChargeIndicator') && lexical.includes(trimXmlSpace(stringValue(c)))) return true;
  return false;
}

const TRUE: readonly string[] = ['true', '1'];
const FALSE: readonly string[] = ['false', '0'];
