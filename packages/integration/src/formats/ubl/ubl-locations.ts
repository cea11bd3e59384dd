import type { XmlElement } from '../xml';
import { all, text } from './ubl-path';

/**
 * How one field of the semantic model is found below its parent's element: a path (each step a list of alternative
 * elements), and the table of its own fields.
 */
interface Place {
  readonly steps: readonly (readonly string[])[];
  readonly fields?: string;
  /** For list fields: which of the elements the path reaches belong to the list (allowances vs charges …). */
  readonly filter?: (el: XmlElement) => boolean;
}

// `cbc:ChargeIndicator` is an `xs:boolean`: `1` is true as much as `true` is.
const isCharge = (el: XmlElement) => ['true', '1'].includes(text(el, 'cbc:ChargeIndicator')?.trim() ?? '');
const place = (steps: string, fields?: string, filter?: (el: XmlElement) => boolean): Place => ({ steps: steps.split('/').map((step) => step.split('|')), fields, filter });

const ADDRESS: Record<string, Place> = {
  line1: place('cbc:StreetName'),
  line2: place('cbc:AdditionalStreetName'),
  line3: place('cac:AddressLine/cbc:Line'),
  city: place('cbc:CityName'),
  postCode: place('cbc:PostalZone'),
  subdivision: place('cbc:CountrySubentity'),
  country: place('cac:Country/cbc:IdentificationCode'),
};
const PARTY: Record<string, Place> = {
  name: place('cac:PartyLegalEntity/cbc:RegistrationName'),
  tradingName: place('cac:PartyName/cbc:Name'),
  identifiers: place('cac:PartyIdentification/cbc:ID'),
  identifier: place('cac:PartyIdentification/cbc:ID'),
  legalRegistration: place('cac:PartyLegalEntity/cbc:CompanyID'),
  vatId: place('cac:PartyTaxScheme/cbc:CompanyID'),
  electronicAddress: place('cbc:EndpointID'),
  address: place('cac:PostalAddress', 'address'),
  contact: place('cac:Contact'),
};
const ALLOWANCE: Record<string, Place> = {
  amount: place('cbc:Amount'),
  baseAmount: place('cbc:BaseAmount'),
  percentage: place('cbc:MultiplierFactorNumeric'),
  reason: place('cbc:AllowanceChargeReason'),
  reasonCode: place('cbc:AllowanceChargeReasonCode'),
  vatCategory: place('cac:TaxCategory/cbc:ID'),
  vatRate: place('cac:TaxCategory/cbc:Percent'),
};

const TABLES: Record<string, Record<string, Place>> = {
  address: ADDRESS,
  party: PARTY,
  allowance: ALLOWANCE,
  document: {
    number: place('cbc:ID'),
    issueDate: place('cbc:IssueDate'),
    typeCode: place('cbc:InvoiceTypeCode|cbc:CreditNoteTypeCode'),
    currency: place('cbc:DocumentCurrencyCode'),
    vatAccountingCurrency: place('cbc:TaxCurrencyCode'),
    taxPointDate: place('cbc:TaxPointDate'),
    dueDate: place('cbc:DueDate'),
    buyerReference: place('cbc:BuyerReference'),
    paymentTerms: place('cac:PaymentTerms'),
    notes: place('cbc:Note'),
    precedingInvoices: place('cac:BillingReference/cac:InvoiceDocumentReference'),
    seller: place('cac:AccountingSupplierParty/cac:Party', 'party'),
    buyer: place('cac:AccountingCustomerParty/cac:Party', 'party'),
    payee: place('cac:PayeeParty', 'party'),
    taxRepresentative: place('cac:TaxRepresentativeParty', 'party'),
    delivery: place('cac:Delivery'),
    invoicePeriod: place('cac:InvoicePeriod'),
    paymentInstructions: place('cac:PaymentMeans'),
    allowances: place('cac:AllowanceCharge', 'allowance', (el) => !isCharge(el)),
    charges: place('cac:AllowanceCharge', 'allowance', isCharge),
    totals: place('cac:LegalMonetaryTotal', 'totals'),
    vatBreakdown: place('cac:TaxTotal/cac:TaxSubtotal', 'vat'),
    attachments: place('cac:AdditionalDocumentReference'),
    lines: place('cac:InvoiceLine|cac:CreditNoteLine', 'line'),
  },
  totals: {
    lineNetTotal: place('cbc:LineExtensionAmount'),
    allowanceTotal: place('cbc:AllowanceTotalAmount'),
    chargeTotal: place('cbc:ChargeTotalAmount'),
    taxExclusive: place('cbc:TaxExclusiveAmount'),
    taxInclusive: place('cbc:TaxInclusiveAmount'),
    prepaid: place('cbc:PrepaidAmount'),
    rounding: place('cbc:PayableRoundingAmount'),
    amountDue: place('cbc:PayableAmount'),
  },
  vat: {
    taxableAmount: place('cbc:TaxableAmount'),
    taxAmount: place('cbc:TaxAmount'),
    category: place('cac:TaxCategory/cbc:ID'),
    rate: place('cac:TaxCategory/cbc:Percent'),
    exemptionReason: place('cac:TaxCategory/cbc:TaxExemptionReason'),
    exemptionReasonCode: place('cac:TaxCategory/cbc:TaxExemptionReasonCode'),
  },
  line: {
    id: place('cbc:ID'),
    note: place('cbc:Note'),
    quantity: place('cbc:InvoicedQuantity|cbc:CreditedQuantity'),
    unitCode: place('cbc:InvoicedQuantity|cbc:CreditedQuantity'),
    netAmount: place('cbc:LineExtensionAmount'),
    period: place('cac:InvoicePeriod'),
    allowances: place('cac:AllowanceCharge', 'allowance', (el) => !isCharge(el)),
    charges: place('cac:AllowanceCharge', 'allowance', isCharge),
    price: place('cac:Price', 'price'),
    vat: place('cac:Item/cac:ClassifiedTaxCategory', 'lineVat'),
    item: place('cac:Item', 'item'),
  },
  price: { netPrice: place('cbc:PriceAmount'), baseQuantity: place('cbc:BaseQuantity'), discount: place('cac:AllowanceCharge/cbc:Amount'), grossPrice: place('cac:AllowanceCharge/cbc:BaseAmount') },
  lineVat: { category: place('cbc:ID'), rate: place('cbc:Percent') },
  item: {
    name: place('cbc:Name'),
    description: place('cbc:Description'),
    standardId: place('cac:StandardItemIdentification/cbc:ID'),
    classifications: place('cac:CommodityClassification/cbc:ItemClassificationCode'),
    originCountry: place('cac:OriginCountry/cbc:IdentificationCode'),
    attributes: place('cac:AdditionalItemProperty'),
  },
};

/** `lines[2].item.name` → `[['lines', 2], ['item'], ['name']]`. */
function segments(pointer: string): [string, number | undefined][] {
  return pointer.split('.').map((part) => {
    const match = /^(\w+)(?:\[(\d+)\])?$/.exec(part);
    return [match?.[1] ?? part, match?.[2] === undefined ? undefined : Number(match[2])];
  });
}

function reach(from: XmlElement, steps: Place['steps']): XmlElement[] {
  return steps.reduce<XmlElement[]>((level, alternatives) => level.flatMap((el) => alternatives.flatMap((alt) => all(el, alt))), [from]);
}

/**
 * The elements a place reaches below an element, found once per tree: a file with a finding on each of its 10 000
 * lines would otherwise go over the 10 000 lines again for each finding. Weak, so they go with their tree.
 */
const reached = new WeakMap<XmlElement, Map<Place, readonly XmlElement[]>>();

function below(from: XmlElement, where: Place): readonly XmlElement[] {
  let byPlace = reached.get(from);
  if (byPlace === undefined) reached.set(from, (byPlace = new Map()));
  let found = byPlace.get(where);
  if (found === undefined) {
    found = where.filter === undefined ? reach(from, where.steps) : reach(from, where.steps).filter(where.filter);
    byPlace.set(where, found);
  }
  return found;
}

/**
 * The element of a UBL document a semantic pointer is about, or the nearest one that exists: a finding about an
 * absent term is placed on the element that should have held it.
 */
export function locateUbl(pointer: string | undefined, root: XmlElement): XmlElement {
  let current = root;
  let table = TABLES['document'];
  for (const [name, index] of pointer ? segments(pointer) : []) {
    const where = table?.[name];
    if (!where) break;
    const next = below(current, where)[index ?? 0];
    if (!next) break;
    current = next;
    table = where.fields ? TABLES[where.fields] : undefined;
  }
  return current;
}

