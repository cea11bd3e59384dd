import { attrOf, textOf, xpathOf, type XmlElement } from '../xml';
import { CII_NS } from './cii-path';

/** One location step: an element, optionally narrowed by a predicate (rendered, and tested on a tree) and a position. */
interface Step {
  readonly prefix: keyof typeof CII_NS;
  readonly name: string;
  readonly predicate?: string;
  readonly test?: (el: XmlElement) => boolean;
  readonly position?: number;
}

/**
 * Where a term or group of the semantic model sits in CII: the element paths from the enclosing place (the first is
 * the one EN 16931-3-3 names; others are the alternative places a reader also accepts), and its members.
 */
interface Place {
  readonly paths: readonly (readonly Step[])[];
  readonly fields?: Readonly<Record<string, Place>>;
  /** For a list: where each entry is, relative to this place; the entry's position goes on its path's last step. */
  readonly entry?: Place;
}

function step(qname: string, predicate?: string, test?: (el: XmlElement) => boolean): Step {
  const [prefix, name] = qname.split(':') as [keyof typeof CII_NS, string];
  return { prefix, name, ...(predicate === undefined ? {} : { predicate }), ...(test === undefined ? {} : { test }) };
}

function path(...steps: (string | Step)[]): Step[] {
  return steps.map((s) => (typeof s === 'string' ? step(s) : s));
}

function place(steps: (string | Step)[], fields?: Record<string, Place>): Place {
  return { paths: [path(...steps)], ...(fields ? { fields } : {}) };
}

function oneOf(...alternatives: (string | Step)[][]): Place {
  return { paths: alternatives.map((steps) => path(...steps)) };
}

function list(steps: (string | Step)[], entry: (string | Step)[], fields: Record<string, Place>): Place {
  return { paths: [path(...steps)], entry: place(entry, fields) };
}

const childText = (el: XmlElement, name: string) => textOf(el.children.find((c) => c.ns === CII_NS.ram && c.name === name));
const indicatorOf = (el: XmlElement) => {
  const indicator = textOf(el.children.find((c) => c.ns === CII_NS.ram && c.name === 'ChargeIndicator')?.children[0]);
  return indicator === 'true' || indicator === '1';
};
const allowance = step('ram:SpecifiedTradeAllowanceCharge', "[ram:ChargeIndicator/udt:Indicator='false']", (el) => !indicatorOf(el));
const charge = step('ram:SpecifiedTradeAllowanceCharge', "[ram:ChargeIndicator/udt:Indicator='true']", indicatorOf);
const referenced = (code: string) =>
  step('ram:AdditionalReferencedDocument', `[ram:TypeCode='${code}']`, (el) => {
    const found = childText(el, 'TypeCode');
    // As the reader does: an untyped reference is an attachment in the header, an object identifier on a line.
    return found === code || (found === undefined && code !== '50');
  });
const registration = (scheme: string) =>
  step('ram:SpecifiedTaxRegistration', `[ram:ID/@schemeID='${scheme}']`, (el) =>
    el.children.some((c) => c.name === 'ID' && attrOf(c, 'schemeID') === scheme),
  );
const settlementText = (el: XmlElement, name: string) => (el.parent?.parent ? childText(el.parent.parent, name) : undefined);
const inDocumentCurrency = step('ram:TaxTotalAmount', '[@currencyID=../../ram:InvoiceCurrencyCode]', (el) => {
  const tax = settlementText(el, 'TaxCurrencyCode');
  return tax === undefined || tax === settlementText(el, 'InvoiceCurrencyCode') || attrOf(el, 'currencyID') !== tax;
});
const inVatAccountingCurrency = step('ram:TaxTotalAmount', '[@currencyID=../../ram:TaxCurrencyCode]', (el) => {
  const tax = settlementText(el, 'TaxCurrencyCode');
  return tax !== undefined && tax !== settlementText(el, 'InvoiceCurrencyCode') && attrOf(el, 'currencyID') === tax;
});

const TRANSACTION = 'rsm:SupplyChainTradeTransaction';
const AGREEMENT = [TRANSACTION, 'ram:ApplicableHeaderTradeAgreement'];
const DELIVERY = [TRANSACTION, 'ram:ApplicableHeaderTradeDelivery'];
const SETTLEMENT = [TRANSACTION, 'ram:ApplicableHeaderTradeSettlement'];
const DATE_TIME = 'udt:DateTimeString';

const ADDRESS: Record<string, Place> = {
  line1: place(['ram:LineOne']),
  line2: place(['ram:LineTwo']),
  line3: place(['ram:LineThree']),
  city: place(['ram:CityName']),
  postCode: place(['ram:PostcodeCode']),
  subdivision: place(['ram:CountrySubDivisionName']),
  country: place(['ram:CountryID']),
};
const PERIOD: Record<string, Place> = {
  start: place(['ram:StartDateTime', DATE_TIME]),
  end: place(['ram:EndDateTime', DATE_TIME]),
};
const ALLOWANCE_CHARGE: Record<string, Place> = {
  amount: place(['ram:ActualAmount']),
  baseAmount: place(['ram:BasisAmount']),
  percentage: place(['ram:CalculationPercent']),
  reason: place(['ram:Reason']),
  reasonCode: place(['ram:ReasonCode']),
};
const DOCUMENT_ALLOWANCE_CHARGE: Record<string, Place> = {
  ...ALLOWANCE_CHARGE,
  vatCategory: place(['ram:CategoryTradeTax', 'ram:CategoryCode']),
  vatRate: place(['ram:CategoryTradeTax', 'ram:RateApplicablePercent']),
};
/** A party identifier (BT-46, BT-60, BT-71) is a `ram:ID`, or a `ram:GlobalID` when it has a scheme. */
const PARTY_ID = oneOf(['ram:ID'], ['ram:GlobalID']);
const PARTY: Record<string, Place> = {
  name: place(['ram:Name']),
  tradingName: place(['ram:SpecifiedLegalOrganization', 'ram:TradingBusinessName']),
  identifier: PARTY_ID,
  legalRegistration: place(['ram:SpecifiedLegalOrganization', 'ram:ID']),
  vatId: place([registration('VA'), 'ram:ID']),
  taxRegistrationId: place([registration('FC'), 'ram:ID']),
  additionalLegalInformation: place(['ram:Description']),
  electronicAddress: place(['ram:URIUniversalCommunication', 'ram:URIID']),
  address: place(['ram:PostalTradeAddress'], ADDRESS),
  contact: place(['ram:DefinedTradeContact'], {
    name: oneOf(['ram:PersonName'], ['ram:DepartmentName']),
    phone: place(['ram:TelephoneUniversalCommunication', 'ram:CompleteNumber']),
    email: place(['ram:EmailURIUniversalCommunication', 'ram:URIID']),
  }),
};
const PAYMENT_MEANS = 'ram:SpecifiedTradeSettlementPaymentMeans';

/** The semantic model's shape laid over CII D16B (EN 16931-3-3), from `rsm:CrossIndustryInvoice`. */
const DOCUMENT: Place = place([], {
  number: place(['rsm:ExchangedDocument', 'ram:ID']),
  issueDate: place(['rsm:ExchangedDocument', 'ram:IssueDateTime', DATE_TIME]),
  typeCode: place(['rsm:ExchangedDocument', 'ram:TypeCode']),
  currency: place([...SETTLEMENT, 'ram:InvoiceCurrencyCode']),
  vatAccountingCurrency: place([...SETTLEMENT, 'ram:TaxCurrencyCode']),
  taxPointDate: place([...SETTLEMENT, 'ram:ApplicableTradeTax', 'ram:TaxPointDate', 'udt:DateString']),
  taxPointDateCode: place([...SETTLEMENT, 'ram:ApplicableTradeTax', 'ram:DueDateTypeCode']),
  dueDate: place([...SETTLEMENT, 'ram:SpecifiedTradePaymentTerms', 'ram:DueDateDateTime', DATE_TIME]),
  buyerReference: place([...AGREEMENT, 'ram:BuyerReference']),
  projectReference: place([...AGREEMENT, 'ram:SpecifiedProcuringProject', 'ram:ID']),
  contractReference: place([...AGREEMENT, 'ram:ContractReferencedDocument', 'ram:IssuerAssignedID']),
  purchaseOrderReference: place([...AGREEMENT, 'ram:BuyerOrderReferencedDocument', 'ram:IssuerAssignedID']),
  salesOrderReference: place([...AGREEMENT, 'ram:SellerOrderReferencedDocument', 'ram:IssuerAssignedID']),
  receivingAdviceReference: place([...DELIVERY, 'ram:ReceivingAdviceReferencedDocument', 'ram:IssuerAssignedID']),
  despatchAdviceReference: place([...DELIVERY, 'ram:DespatchAdviceReferencedDocument', 'ram:IssuerAssignedID']),
  tenderOrLotReference: place([...AGREEMENT, referenced('50'), 'ram:IssuerAssignedID']),
  invoicedObjectIdentifier: place([...AGREEMENT, referenced('130'), 'ram:IssuerAssignedID']),
  buyerAccountingReference: place([...SETTLEMENT, 'ram:ReceivableSpecifiedTradeAccountingAccount', 'ram:ID']),
  paymentTerms: place([...SETTLEMENT, 'ram:SpecifiedTradePaymentTerms', 'ram:Description']),
  notes: list(['rsm:ExchangedDocument'], ['ram:IncludedNote'], {
    text: place(['ram:Content']),
    subjectCode: place(['ram:SubjectCode']),
  }),
  process: place(['rsm:ExchangedDocumentContext'], {
    businessProcess: place(['ram:BusinessProcessSpecifiedDocumentContextParameter', 'ram:ID']),
    specification: place(['ram:GuidelineSpecifiedDocumentContextParameter', 'ram:ID']),
  }),
  precedingInvoices: list(SETTLEMENT, ['ram:InvoiceReferencedDocument'], {
    reference: place(['ram:IssuerAssignedID']),
    issueDate: place(['ram:FormattedIssueDateTime', 'qdt:DateTimeString']),
  }),
  seller: place([...AGREEMENT, 'ram:SellerTradeParty'], PARTY),
  buyer: place([...AGREEMENT, 'ram:BuyerTradeParty'], PARTY),
  payee: place([...SETTLEMENT, 'ram:PayeeTradeParty'], PARTY),
  taxRepresentative: place([...AGREEMENT, 'ram:SellerTaxRepresentativeTradeParty'], PARTY),
  delivery: place(DELIVERY, {
    partyName: place(['ram:ShipToTradeParty', 'ram:Name']),
    locationId: place(['ram:ShipToTradeParty'], { id: PARTY_ID, scheme: PARTY_ID }),
    date: place(['ram:ActualDeliverySupplyChainEvent', 'ram:OccurrenceDateTime', DATE_TIME]),
    address: place(['ram:ShipToTradeParty', 'ram:PostalTradeAddress'], ADDRESS),
  }),
  invoicePeriod: place([...SETTLEMENT, 'ram:BillingSpecifiedPeriod'], PERIOD),
  paymentInstructions: place(SETTLEMENT, {
    meansCode: place([PAYMENT_MEANS, 'ram:TypeCode']),
    meansText: place([PAYMENT_MEANS, 'ram:Information']),
    remittanceInformation: place(['ram:PaymentReference']),
    creditTransfers: list(
      [],
      [
        step(PAYMENT_MEANS, undefined, (el) =>
          el.children.some((c) => c.name === 'PayeePartyCreditorFinancialAccount' || c.name === 'PayeeSpecifiedCreditorFinancialInstitution'),
        ),
      ],
      {
        accountId: oneOf(['ram:PayeePartyCreditorFinancialAccount', 'ram:IBANID'], ['ram:PayeePartyCreditorFinancialAccount', 'ram:ProprietaryID']),
        accountName: place(['ram:PayeePartyCreditorFinancialAccount', 'ram:AccountName']),
        serviceProviderId: place(['ram:PayeeSpecifiedCreditorFinancialInstitution', 'ram:BICID']),
      },
    ),
    card: place([PAYMENT_MEANS, 'ram:ApplicableTradeSettlementFinancialCard'], {
      accountNumber: place(['ram:ID']),
      holderName: place(['ram:CardholderName']),
    }),
    directDebit: place([], {
      mandateReference: place(['ram:SpecifiedTradePaymentTerms', 'ram:DirectDebitMandateID']),
      creditorId: place(['ram:CreditorReferenceID']),
      debitedAccountId: oneOf(
        [PAYMENT_MEANS, 'ram:PayerPartyDebtorFinancialAccount', 'ram:IBANID'],
        [PAYMENT_MEANS, 'ram:PayerPartyDebtorFinancialAccount', 'ram:ProprietaryID'],
      ),
    }),
  }),
  allowances: list(SETTLEMENT, [allowance], DOCUMENT_ALLOWANCE_CHARGE),
  charges: list(SETTLEMENT, [charge], DOCUMENT_ALLOWANCE_CHARGE),
  totals: place([...SETTLEMENT, 'ram:SpecifiedTradeSettlementHeaderMonetarySummation'], {
    lineNetTotal: place(['ram:LineTotalAmount']),
    allowanceTotal: place(['ram:AllowanceTotalAmount']),
    chargeTotal: place(['ram:ChargeTotalAmount']),
    taxExclusive: place(['ram:TaxBasisTotalAmount']),
    vatTotal: place([inDocumentCurrency]),
    vatTotalInAccountingCurrency: place([inVatAccountingCurrency]),
    taxInclusive: place(['ram:GrandTotalAmount']),
    prepaid: place(['ram:TotalPrepaidAmount']),
    rounding: place(['ram:RoundingAmount']),
    amountDue: place(['ram:DuePayableAmount']),
  }),
  vatBreakdown: list(SETTLEMENT, ['ram:ApplicableTradeTax'], {
    taxableAmount: place(['ram:BasisAmount']),
    taxAmount: place(['ram:CalculatedAmount']),
    category: place(['ram:CategoryCode']),
    rate: place(['ram:RateApplicablePercent']),
    exemptionReason: place(['ram:ExemptionReason']),
    exemptionReasonCode: place(['ram:ExemptionReasonCode']),
  }),
  attachments: list(AGREEMENT, [referenced('916')], {
    reference: place(['ram:IssuerAssignedID']),
    description: place(['ram:Name']),
    externalLocation: place(['ram:URIID']),
    content: place(['ram:AttachmentBinaryObject']),
  }),
  lines: list([TRANSACTION], ['ram:IncludedSupplyChainTradeLineItem'], {
    id: place(['ram:AssociatedDocumentLineDocument', 'ram:LineID']),
    note: place(['ram:AssociatedDocumentLineDocument', 'ram:IncludedNote', 'ram:Content']),
    objectIdentifier: place(['ram:SpecifiedLineTradeSettlement', referenced('130'), 'ram:IssuerAssignedID']),
    quantity: place(['ram:SpecifiedLineTradeDelivery', 'ram:BilledQuantity']),
    unitCode: place(['ram:SpecifiedLineTradeDelivery', 'ram:BilledQuantity']),
    netAmount: place(['ram:SpecifiedLineTradeSettlement', 'ram:SpecifiedTradeSettlementLineMonetarySummation', 'ram:LineTotalAmount']),
    orderLineReference: place(['ram:SpecifiedLineTradeAgreement', 'ram:BuyerOrderReferencedDocument', 'ram:LineID']),
    buyerAccountingReference: place(['ram:SpecifiedLineTradeSettlement', 'ram:ReceivableSpecifiedTradeAccountingAccount', 'ram:ID']),
    period: place(['ram:SpecifiedLineTradeSettlement', 'ram:BillingSpecifiedPeriod'], PERIOD),
    allowances: list(['ram:SpecifiedLineTradeSettlement'], [allowance], ALLOWANCE_CHARGE),
    charges: list(['ram:SpecifiedLineTradeSettlement'], [charge], ALLOWANCE_CHARGE),
    price: place(['ram:SpecifiedLineTradeAgreement'], {
      netPrice: place(['ram:NetPriceProductTradePrice', 'ram:ChargeAmount']),
      discount: place(['ram:GrossPriceProductTradePrice', 'ram:AppliedTradeAllowanceCharge', 'ram:ActualAmount']),
      grossPrice: place(['ram:GrossPriceProductTradePrice', 'ram:ChargeAmount']),
      baseQuantity: oneOf(['ram:NetPriceProductTradePrice', 'ram:BasisQuantity'], ['ram:GrossPriceProductTradePrice', 'ram:BasisQuantity']),
      baseQuantityUnitCode: oneOf(['ram:NetPriceProductTradePrice', 'ram:BasisQuantity'], ['ram:GrossPriceProductTradePrice', 'ram:BasisQuantity']),
    }),
    vat: place(['ram:SpecifiedLineTradeSettlement', 'ram:ApplicableTradeTax'], {
      category: place(['ram:CategoryCode']),
      rate: place(['ram:RateApplicablePercent']),
    }),
    item: place(['ram:SpecifiedTradeProduct'], {
      name: place(['ram:Name']),
      description: place(['ram:Description']),
      sellerId: place(['ram:SellerAssignedID']),
      buyerId: place(['ram:BuyerAssignedID']),
      standardId: place(['ram:GlobalID']),
      originCountry: place(['ram:OriginTradeCountry', 'ram:ID']),
      classifications: list([], ['ram:DesignatedProductClassification'], {
        id: place(['ram:ClassCode']),
        scheme: place(['ram:ClassCode']),
        schemeVersion: place(['ram:ClassCode']),
      }),
      attributes: list([], ['ram:ApplicableProductCharacteristic'], {
        name: place(['ram:Description']),
        value: place(['ram:Value']),
      }),
    }),
  }),
});

/**
 * The step sequences a semantic pointer leads to (one per combination of alternative places, the binding's first),
 * stopping at the nearest known group when a member, an index or a whole segment is not in the model.
 */
function locations(pointer: string): Step[][] {
  let sequences: Step[][] = [[]];
  let current = DOCUMENT;
  const extend = (paths: readonly (readonly Step[])[], position?: number) => {
    const withPosition = paths.map((steps) =>
      position === undefined || steps.length === 0 ? steps : [...steps.slice(0, -1), { ...(steps[steps.length - 1] as Step), position }],
    );
    sequences = sequences.flatMap((sequence) => withPosition.map((steps) => [...sequence, ...steps]));
  };
  for (const segment of pointer === '' ? [] : pointer.split('.')) {
    const match = /^([A-Za-z]\w*)(?:\[(\d+)\])?$/.exec(segment);
    const member = match?.[1] === undefined ? undefined : current.fields?.[match[1]];
    if (match === null || member === undefined) break;
    const index = match[2];
    if (index !== undefined && member.entry === undefined) break; // an index on a term that is not a list
    extend(member.paths);
    current = member;
    if (index !== undefined && member.entry !== undefined) {
      extend(member.entry.paths, Number(index) + 1);
      current = member.entry;
    } else if (member.entry !== undefined) {
      break; // a list without an index: members below it cannot be placed
    }
  }
  return sequences;
}

function render(steps: readonly Step[]): string {
  return ['/rsm:CrossIndustryInvoice', ...steps.map((s) => `${s.prefix}:${s.name}${s.predicate ?? ''}${s.position === undefined ? '' : `[${s.position}]`}`)].join('/');
}

/**
 * The children of `el` a step (without its position) selects, found once per tree: a file with a finding on each of its
 * 10 000 lines would otherwise go over the 10 000 lines again for each finding. Weak, so they go with their tree; by
 * name, then by the step's test (a step given a position is a copy of its place's, with the same test).
 */
const selected = new WeakMap<XmlElement, Map<string, Map<Step['test'], readonly XmlElement[]>>>();

function childrenAt(el: XmlElement, s: Step): readonly XmlElement[] {
  let byName = selected.get(el);
  if (byName === undefined) selected.set(el, (byName = new Map()));
  const key = `${s.prefix}:${s.name}`;
  let byTest = byName.get(key);
  if (byTest === undefined) byName.set(key, (byTest = new Map()));
  let found = byTest.get(s.test);
  if (found === undefined) {
    const ns = CII_NS[s.prefix];
    found = el.children.filter((c) => c.ns === ns && c.name === s.name && (s.test === undefined || s.test(c)));
    byTest.set(s.test, found);
  }
  return found;
}

/** The deepest element `steps` reach below `el`, trying every matching child where no position is given. */
function deepest(el: XmlElement, steps: readonly Step[], depth = 0): { el: XmlElement; depth: number } {
  const s = steps[depth];
  if (s === undefined) return { el, depth };
  const matching = childrenAt(el, s);
  const candidates = s.position === undefined ? matching : matching.slice(s.position - 1, s.position);
  let best = { el, depth };
  for (const candidate of candidates) {
    const found = deepest(candidate, steps, depth + 1);
    if (found.depth > best.depth) best = found;
    if (best.depth === steps.length) break;
  }
  return best;
}

/**
 * The element of a CII document a semantic pointer (`lines[2].netAmount`, `seller.address.country`) designates, or,
 * when that element is absent, its nearest present ancestor on the binding's path: the place to report a finding
 * about a missing term.
 */
export function locateCii(pointer: string | undefined, root: XmlElement): XmlElement {
  let best = { el: root, depth: -1 };
  for (const steps of locations(pointer ?? '')) {
    const found = deepest(root, steps);
    if (found.depth > best.depth) best = found;
  }
  return best.el;
}

/**
 * The CII XPath of a semantic pointer, by the EN 16931-3-3 binding:
 * `lines[2].netAmount` → `/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem[3]/
 * ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount`. An unknown
 * member falls back to the nearest group the pointer names. Given the document's `root`, the XPath is that of the
 * element {@link locateCii} finds (the nearest present ancestor when the term is absent), with positions as in the file.
 */
export function ciiXpath(pointer: string, root?: XmlElement): string {
  if (root !== undefined) return xpathOf(locateCii(pointer, root));
  return render(locations(pointer)[0] ?? []);
}
