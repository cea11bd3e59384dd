import type { En16931 } from '@invoicing/invoice';
import { XmlWriter } from '../xml';
import { CII_NS } from './cii-path';

/**
 * The EN 16931 semantic model → UN/CEFACT CII D16B, in the element order of the CII schema, with the prefixes
 * `rsm`/`ram`/`udt`/`qdt`. A credit note is only its type code (BT-3). Absent terms are not written; what EN 16931
 * does not define is not invented, except the few elements CII requires around a term: the mandatory containers,
 * `ram:TypeCode` = `VAT` on a tax, `ram:ChargeIndicator`, the TypeCode (916, 50, 130) that says what a referenced
 * document is, and the name of a procuring project (BT-11), which the schema requires and EN 16931 has no term for.
 *
 * What CII D16B cannot hold is left out rather than made up:
 * - one preceding invoice reference (BG-3) only: the first is written;
 * - the tax point date and its code (BT-7, BT-8) go on the first VAT breakdown entry, so they need one; BT-8 in a UBL
 *   code (UNTDID 2005) is written as the CII code of the same meaning (UNTDID 2475);
 * - an item price discount (BT-147) lives in the gross price, so it needs the gross price (BT-148);
 * - without a number (BT-1) or an issue date (BT-2) the schema's mandatory `ram:ID`/`ram:IssueDateTime` are missing.
 */
export function writeCii(doc: En16931.En16931Document): Buffer {
  const w = new XmlWriter('rsm:CrossIndustryInvoice', CII_NS);

  w.open('rsm:ExchangedDocumentContext');
  parameter(w, 'ram:BusinessProcessSpecifiedDocumentContextParameter', doc.process.businessProcess);
  parameter(w, 'ram:GuidelineSpecifiedDocumentContextParameter', doc.process.specification);
  w.close();

  w.open('rsm:ExchangedDocument');
  w.leaf('ram:ID', doc.number);
  w.leaf('ram:TypeCode', doc.typeCode);
  dateTime(w, 'ram:IssueDateTime', doc.issueDate);
  for (const note of doc.notes) {
    w.open('ram:IncludedNote');
    w.leaf('ram:Content', note.text);
    w.leaf('ram:SubjectCode', note.subjectCode);
    w.close();
  }
  w.close();

  w.open('rsm:SupplyChainTradeTransaction');
  for (const line of doc.lines) lineItem(w, line);
  headerAgreement(w, doc);
  headerDelivery(w, doc);
  headerSettlement(w, doc);
  w.close();

  return w.toBuffer();
}

// ---- header ----

function headerAgreement(w: XmlWriter, doc: En16931.En16931Document): void {
  const { seller, buyer, taxRepresentative } = doc;
  w.open('ram:ApplicableHeaderTradeAgreement');
  w.leaf('ram:BuyerReference', doc.buyerReference);
  party(w, 'ram:SellerTradeParty', {
    ids: seller.identifiers,
    name: seller.name,
    description: seller.additionalLegalInformation,
    legalRegistration: seller.legalRegistration,
    tradingName: seller.tradingName,
    contact: seller.contact,
    address: seller.address,
    electronicAddress: seller.electronicAddress,
    vatId: seller.vatId,
    taxRegistrationId: seller.taxRegistrationId,
  });
  party(w, 'ram:BuyerTradeParty', {
    ids: buyer.identifier ? [buyer.identifier] : [],
    name: buyer.name,
    legalRegistration: buyer.legalRegistration,
    tradingName: buyer.tradingName,
    contact: buyer.contact,
    address: buyer.address,
    electronicAddress: buyer.electronicAddress,
    vatId: buyer.vatId,
  });
  if (taxRepresentative) {
    party(w, 'ram:SellerTaxRepresentativeTradeParty', { ids: [], name: taxRepresentative.name, address: taxRepresentative.address, vatId: taxRepresentative.vatId }, true);
  }
  referencedDocument(w, 'ram:SellerOrderReferencedDocument', doc.salesOrderReference);
  referencedDocument(w, 'ram:BuyerOrderReferencedDocument', doc.purchaseOrderReference);
  referencedDocument(w, 'ram:ContractReferencedDocument', doc.contractReference);
  for (const attachment of doc.attachments) additionalDocument(w, attachment);
  if (doc.tenderOrLotReference !== undefined) {
    w.open('ram:AdditionalReferencedDocument');
    w.leaf('ram:IssuerAssignedID', doc.tenderOrLotReference);
    w.leaf('ram:TypeCode', '50');
    w.close();
  }
  objectReference(w, doc.invoicedObjectIdentifier);
  if (doc.projectReference !== undefined) {
    w.open('ram:SpecifiedProcuringProject');
    w.leaf('ram:ID', doc.projectReference);
    // Mandatory in the schema, no EN 16931 term: the text EN 16931-3-3 and Factur-X write.
    w.leaf('ram:Name', 'Project reference');
    w.close();
  }
  w.close();
}

function headerDelivery(w: XmlWriter, doc: En16931.En16931Document): void {
  const delivery = doc.delivery;
  w.open('ram:ApplicableHeaderTradeDelivery');
  if (delivery && (delivery.partyName !== undefined || delivery.locationId || delivery.address)) {
    party(w, 'ram:ShipToTradeParty', { ids: delivery.locationId ? [delivery.locationId] : [], name: delivery.partyName, address: delivery.address });
  }
  if (delivery?.date !== undefined) {
    w.open('ram:ActualDeliverySupplyChainEvent');
    dateTime(w, 'ram:OccurrenceDateTime', delivery.date);
    w.close();
  }
  referencedDocument(w, 'ram:DespatchAdviceReferencedDocument', doc.despatchAdviceReference);
  referencedDocument(w, 'ram:ReceivingAdviceReferencedDocument', doc.receivingAdviceReference);
  w.close();
}

function headerSettlement(w: XmlWriter, doc: En16931.En16931Document): void {
  const payment = doc.paymentInstructions;
  const totals = doc.totals;
  w.open('ram:ApplicableHeaderTradeSettlement');
  w.leaf('ram:CreditorReferenceID', payment?.directDebit?.creditorId);
  w.leaf('ram:PaymentReference', payment?.remittanceInformation);
  w.leaf('ram:TaxCurrencyCode', doc.vatAccountingCurrency);
  w.leaf('ram:InvoiceCurrencyCode', doc.currency);
  if (doc.payee) {
    party(w, 'ram:PayeeTradeParty', { ids: doc.payee.identifier ? [doc.payee.identifier] : [], name: doc.payee.name, legalRegistration: doc.payee.legalRegistration }, true);
  }
  if (payment) paymentMeans(w, payment);
  doc.vatBreakdown.forEach((entry, i) => vatBreakdownEntry(w, entry, i === 0 ? doc : undefined));
  if (doc.invoicePeriod) period(w, doc.invoicePeriod);
  for (const allowance of doc.allowances) documentAllowanceCharge(w, allowance, false);
  for (const charge of doc.charges) documentAllowanceCharge(w, charge, true);
  const mandate = payment?.directDebit?.mandateReference;
  if (doc.paymentTerms !== undefined || doc.dueDate !== undefined || mandate !== undefined) {
    w.open('ram:SpecifiedTradePaymentTerms');
    w.leaf('ram:Description', doc.paymentTerms);
    dateTime(w, 'ram:DueDateDateTime', doc.dueDate);
    w.leaf('ram:DirectDebitMandateID', mandate);
    w.close();
  }
  if (hasAny(totals)) {
    w.open('ram:SpecifiedTradeSettlementHeaderMonetarySummation');
    w.leaf('ram:LineTotalAmount', totals.lineNetTotal);
    w.leaf('ram:ChargeTotalAmount', totals.chargeTotal);
    w.leaf('ram:AllowanceTotalAmount', totals.allowanceTotal);
    w.leaf('ram:TaxBasisTotalAmount', totals.taxExclusive);
    // The currency tells BT-110 from BT-111; the official rules sum BT-110 only where it equals BT-5.
    w.leaf('ram:TaxTotalAmount', totals.vatTotal, { currencyID: doc.currency });
    w.leaf('ram:TaxTotalAmount', totals.vatTotalInAccountingCurrency, { currencyID: doc.vatAccountingCurrency });
    w.leaf('ram:RoundingAmount', totals.rounding);
    w.leaf('ram:GrandTotalAmount', totals.taxInclusive);
    w.leaf('ram:TotalPrepaidAmount', totals.prepaid);
    w.leaf('ram:DuePayableAmount', totals.amountDue);
    w.close();
  }
  const preceding = doc.precedingInvoices[0];
  if (preceding) {
    w.open('ram:InvoiceReferencedDocument');
    w.leaf('ram:IssuerAssignedID', preceding.reference);
    dateTime(w, 'ram:FormattedIssueDateTime', preceding.issueDate, 'qdt:DateTimeString');
    w.close();
  }
  accountingAccount(w, doc.buyerAccountingReference);
  w.close();
}

/**
 * BG-16 → one `ram:SpecifiedTradeSettlementPaymentMeans` per credit transfer (BG-17), each repeating the means code and
 * text (CII-SR-467/468 want them equal), or a single one without an account. The card (BG-18) and the debited account
 * (BT-91) go on the first.
 */
function paymentMeans(w: XmlWriter, payment: NonNullable<En16931.En16931Document['paymentInstructions']>): void {
  const debitedAccountId = payment.directDebit?.debitedAccountId;
  const transfers: readonly (En16931.CreditTransfer | undefined)[] = payment.creditTransfers.length > 0 ? payment.creditTransfers : [undefined];
  if (payment.meansCode === undefined && payment.meansText === undefined && !payment.card && debitedAccountId === undefined && transfers[0] === undefined) return;
  transfers.forEach((transfer, i) => {
    w.open('ram:SpecifiedTradeSettlementPaymentMeans');
    w.leaf('ram:TypeCode', payment.meansCode);
    w.leaf('ram:Information', payment.meansText);
    if (i === 0 && payment.card) {
      w.open('ram:ApplicableTradeSettlementFinancialCard');
      w.leaf('ram:ID', payment.card.accountNumber);
      w.leaf('ram:CardholderName', payment.card.holderName);
      w.close();
    }
    if (i === 0 && debitedAccountId !== undefined) {
      w.open('ram:PayerPartyDebtorFinancialAccount');
      w.leaf('ram:IBANID', debitedAccountId);
      w.close();
    }
    if (transfer) {
      // The account is BG-17 itself: written even without its id (BT-84), for the rules to say so.
      w.open('ram:PayeePartyCreditorFinancialAccount');
      const iban = transfer.accountId !== undefined && looksLikeIban(transfer.accountId);
      w.leaf('ram:IBANID', iban ? transfer.accountId : undefined);
      w.leaf('ram:AccountName', transfer.accountName);
      w.leaf('ram:ProprietaryID', iban ? undefined : transfer.accountId);
      w.close();
      if (transfer.serviceProviderId !== undefined) {
        w.open('ram:PayeeSpecifiedCreditorFinancialInstitution');
        w.leaf('ram:BICID', transfer.serviceProviderId);
        w.close();
      }
    }
    w.close();
  });
}

/** BT-84 is an IBAN or another account number; the model does not say which, the text does (two letters, two digits). */
function looksLikeIban(accountId: string): boolean {
  return /^[A-Z]{2}[0-9]{2}[A-Z0-9 ]+$/i.test(accountId);
}

/** A BG-23 entry; the first also carries BT-7 and BT-8, which CII allows once per document (CII-SR-461/462). */
function vatBreakdownEntry(w: XmlWriter, entry: En16931.VatBreakdownEntry, document: En16931.En16931Document | undefined): void {
  w.open('ram:ApplicableTradeTax');
  w.leaf('ram:CalculatedAmount', entry.taxAmount);
  w.leaf('ram:TypeCode', 'VAT');
  w.leaf('ram:ExemptionReason', entry.exemptionReason);
  w.leaf('ram:BasisAmount', entry.taxableAmount);
  w.leaf('ram:CategoryCode', entry.category);
  w.leaf('ram:ExemptionReasonCode', entry.exemptionReasonCode);
  if (document?.taxPointDate !== undefined) {
    w.open('ram:TaxPointDate');
    dateValue(w, 'udt:DateString', document.taxPointDate);
    w.close();
  }
  w.leaf('ram:DueDateTypeCode', ciiTaxPointCode(document?.taxPointDateCode));
  w.leaf('ram:RateApplicablePercent', entry.rate);
  w.close();
}

/**
 * BT-8 as CII codes it: UNTDID 2475 (5 invoice date, 29 delivery date, 72 paid-to date). A code of UBL's UNTDID 2005
 * (3, 35, 432), the same three meanings, becomes its CII code; any other code is written as it is.
 */
const CII_TAX_POINT_CODES: ReadonlyMap<string, string> = new Map([
  ['3', '5'],
  ['35', '29'],
  ['432', '72'],
]);

function ciiTaxPointCode(code: string | undefined): string | undefined {
  return code === undefined ? undefined : (CII_TAX_POINT_CODES.get(code) ?? code);
}

function documentAllowanceCharge(w: XmlWriter, ac: En16931.DocumentAllowanceCharge, charge: boolean): void {
  allowanceCharge(w, ac, charge, () => {
    if (ac.vatCategory === undefined && ac.vatRate === undefined) return;
    w.open('ram:CategoryTradeTax');
    w.leaf('ram:TypeCode', 'VAT');
    w.leaf('ram:CategoryCode', ac.vatCategory);
    w.leaf('ram:RateApplicablePercent', ac.vatRate);
    w.close();
  });
}

function allowanceCharge(w: XmlWriter, ac: En16931.AllowanceCharge, charge: boolean, tax?: () => void): void {
  w.open('ram:SpecifiedTradeAllowanceCharge');
  indicator(w, charge);
  w.leaf('ram:CalculationPercent', ac.percentage);
  w.leaf('ram:BasisAmount', ac.baseAmount);
  w.leaf('ram:ActualAmount', ac.amount);
  w.leaf('ram:ReasonCode', ac.reasonCode);
  w.leaf('ram:Reason', ac.reason);
  tax?.();
  w.close();
}

// ---- lines ----

function lineItem(w: XmlWriter, line: En16931.Line): void {
  const { item, price } = line;
  w.open('ram:IncludedSupplyChainTradeLineItem');

  w.open('ram:AssociatedDocumentLineDocument');
  w.leaf('ram:LineID', line.id);
  if (line.note !== undefined) {
    w.open('ram:IncludedNote');
    w.leaf('ram:Content', line.note);
    w.close();
  }
  w.close();

  if (hasAny(item) || item.classifications.length > 0 || item.attributes.length > 0) {
    w.open('ram:SpecifiedTradeProduct');
    w.leaf('ram:GlobalID', item.standardId?.id, { schemeID: item.standardId?.scheme });
    w.leaf('ram:SellerAssignedID', item.sellerId);
    w.leaf('ram:BuyerAssignedID', item.buyerId);
    w.leaf('ram:Name', item.name);
    w.leaf('ram:Description', item.description);
    for (const attribute of item.attributes) {
      w.open('ram:ApplicableProductCharacteristic');
      w.leaf('ram:Description', attribute.name);
      w.leaf('ram:Value', attribute.value);
      w.close();
    }
    for (const classification of item.classifications) {
      w.open('ram:DesignatedProductClassification');
      w.leaf('ram:ClassCode', classification.id, { listID: classification.scheme, listVersionID: classification.schemeVersion });
      w.close();
    }
    if (item.originCountry !== undefined) {
      w.open('ram:OriginTradeCountry');
      w.leaf('ram:ID', item.originCountry);
      w.close();
    }
    w.close();
  }

  if (line.orderLineReference !== undefined || price.grossPrice !== undefined || price.netPrice !== undefined) {
    // BT-149/BT-150 hold for both prices, so both state them.
    const baseQuantity = { unitCode: price.baseQuantityUnitCode };
    w.open('ram:SpecifiedLineTradeAgreement');
    if (line.orderLineReference !== undefined) {
      w.open('ram:BuyerOrderReferencedDocument');
      w.leaf('ram:LineID', line.orderLineReference);
      w.close();
    }
    if (price.grossPrice !== undefined) {
      w.open('ram:GrossPriceProductTradePrice');
      w.leaf('ram:ChargeAmount', price.grossPrice);
      w.leaf('ram:BasisQuantity', price.baseQuantity, baseQuantity);
      if (price.discount !== undefined) {
        w.open('ram:AppliedTradeAllowanceCharge');
        indicator(w, false);
        w.leaf('ram:ActualAmount', price.discount);
        w.close();
      }
      w.close();
    }
    if (price.netPrice !== undefined) {
      w.open('ram:NetPriceProductTradePrice');
      w.leaf('ram:ChargeAmount', price.netPrice);
      w.leaf('ram:BasisQuantity', price.baseQuantity, baseQuantity);
      w.close();
    }
    w.close();
  }

  if (line.quantity !== undefined) {
    w.open('ram:SpecifiedLineTradeDelivery');
    w.leaf('ram:BilledQuantity', line.quantity, { unitCode: line.unitCode });
    w.close();
  }

  w.open('ram:SpecifiedLineTradeSettlement');
  if (line.vat.category !== undefined || line.vat.rate !== undefined) {
    w.open('ram:ApplicableTradeTax');
    w.leaf('ram:TypeCode', 'VAT');
    w.leaf('ram:CategoryCode', line.vat.category);
    w.leaf('ram:RateApplicablePercent', line.vat.rate);
    w.close();
  }
  if (line.period) period(w, line.period);
  for (const allowance of line.allowances) allowanceCharge(w, allowance, false);
  for (const charge of line.charges) allowanceCharge(w, charge, true);
  if (line.netAmount !== undefined) {
    w.open('ram:SpecifiedTradeSettlementLineMonetarySummation');
    w.leaf('ram:LineTotalAmount', line.netAmount);
    w.close();
  }
  objectReference(w, line.objectIdentifier);
  accountingAccount(w, line.buyerAccountingReference);
  w.close();

  w.close();
}

// ---- shared pieces ----

interface PartyTerms {
  readonly ids: readonly En16931.Identifier[];
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly legalRegistration?: En16931.Identifier | undefined;
  readonly tradingName?: string | undefined;
  readonly contact?: En16931.Contact | undefined;
  readonly address?: En16931.Address | undefined;
  readonly electronicAddress?: En16931.Identifier | undefined;
  readonly vatId?: string | undefined;
  readonly taxRegistrationId?: string | undefined;
}

/**
 * A `ram:TradeParty` in the schema's order. Identifiers without a scheme are `ram:ID`, those with one `ram:GlobalID`
 * (CII-SR-046 wants the scheme there). Written only when it holds a term, unless `always` (a group present in the model).
 */
function party(w: XmlWriter, element: string, p: PartyTerms, always = false): void {
  const { ids, legalRegistration, contact, address, electronicAddress } = p;
  const hasTerm =
    ids.length > 0 ||
    [p.name, p.description, p.tradingName, p.vatId, p.taxRegistrationId].some((v) => v !== undefined) ||
    legalRegistration !== undefined ||
    electronicAddress !== undefined ||
    hasAny(contact) ||
    address !== undefined;
  if (!hasTerm && !always) return;
  w.open(element);
  for (const id of ids) if (id.scheme === undefined) w.leaf('ram:ID', id.id);
  for (const id of ids) if (id.scheme !== undefined) w.leaf('ram:GlobalID', id.id, { schemeID: id.scheme });
  w.leaf('ram:Name', p.name);
  w.leaf('ram:Description', p.description);
  if (legalRegistration || p.tradingName !== undefined) {
    w.open('ram:SpecifiedLegalOrganization');
    w.leaf('ram:ID', legalRegistration?.id, { schemeID: legalRegistration?.scheme });
    w.leaf('ram:TradingBusinessName', p.tradingName);
    w.close();
  }
  if (contact && hasAny(contact)) {
    w.open('ram:DefinedTradeContact');
    w.leaf('ram:PersonName', contact.name);
    if (contact.phone !== undefined) {
      w.open('ram:TelephoneUniversalCommunication');
      w.leaf('ram:CompleteNumber', contact.phone);
      w.close();
    }
    if (contact.email !== undefined) {
      w.open('ram:EmailURIUniversalCommunication');
      w.leaf('ram:URIID', contact.email);
      w.close();
    }
    w.close();
  }
  // An address without any term is still written: BR-08 … BR-11 test that it is there.
  if (address) {
    w.open('ram:PostalTradeAddress');
    w.leaf('ram:PostcodeCode', address.postCode);
    w.leaf('ram:LineOne', address.line1);
    w.leaf('ram:LineTwo', address.line2);
    w.leaf('ram:LineThree', address.line3);
    w.leaf('ram:CityName', address.city);
    w.leaf('ram:CountryID', address.country);
    w.leaf('ram:CountrySubDivisionName', address.subdivision);
    w.close();
  }
  if (electronicAddress) {
    w.open('ram:URIUniversalCommunication');
    w.leaf('ram:URIID', electronicAddress.id, { schemeID: electronicAddress.scheme });
    w.close();
  }
  taxRegistration(w, p.vatId, 'VA');
  taxRegistration(w, p.taxRegistrationId, 'FC');
  w.close();
}

function taxRegistration(w: XmlWriter, id: string | undefined, scheme: 'VA' | 'FC'): void {
  if (id === undefined) return;
  w.open('ram:SpecifiedTaxRegistration');
  w.leaf('ram:ID', id, { schemeID: scheme });
  w.close();
}

function parameter(w: XmlWriter, element: string, id: string | undefined): void {
  if (id === undefined) return;
  w.open(element);
  w.leaf('ram:ID', id);
  w.close();
}

function referencedDocument(w: XmlWriter, element: string, id: string | undefined): void {
  if (id === undefined) return;
  w.open(element);
  w.leaf('ram:IssuerAssignedID', id);
  w.close();
}

/** BG-24 as a referenced document of TypeCode 916, its content (BT-125) in `ram:AttachmentBinaryObject`. */
function additionalDocument(w: XmlWriter, attachment: En16931.Attachment): void {
  w.open('ram:AdditionalReferencedDocument');
  w.leaf('ram:IssuerAssignedID', attachment.reference);
  w.leaf('ram:URIID', attachment.externalLocation);
  w.leaf('ram:TypeCode', '916');
  w.leaf('ram:Name', attachment.description);
  w.leaf('ram:AttachmentBinaryObject', attachment.content?.base64, {
    mimeCode: attachment.content?.mimeCode,
    filename: attachment.content?.filename,
  });
  w.close();
}

/** BT-18 (header) and BT-128 (line): TypeCode 130, the scheme in `ram:ReferenceTypeCode`. */
function objectReference(w: XmlWriter, id: En16931.Identifier | undefined): void {
  if (!id) return;
  w.open('ram:AdditionalReferencedDocument');
  w.leaf('ram:IssuerAssignedID', id.id);
  w.leaf('ram:TypeCode', '130');
  w.leaf('ram:ReferenceTypeCode', id.scheme);
  w.close();
}

function accountingAccount(w: XmlWriter, id: string | undefined): void {
  if (id === undefined) return;
  w.open('ram:ReceivableSpecifiedTradeAccountingAccount');
  w.leaf('ram:ID', id);
  w.close();
}

function period(w: XmlWriter, p: En16931.Period): void {
  w.open('ram:BillingSpecifiedPeriod');
  dateTime(w, 'ram:StartDateTime', p.start);
  dateTime(w, 'ram:EndDateTime', p.end);
  w.close();
}

function indicator(w: XmlWriter, value: boolean): void {
  w.open('ram:ChargeIndicator');
  w.leaf('udt:Indicator', String(value));
  w.close();
}

function dateTime(w: XmlWriter, element: string, date: string | undefined, valueElement = 'udt:DateTimeString'): void {
  if (date === undefined) return;
  w.open(element);
  dateValue(w, valueElement, date);
  w.close();
}

/**
 * An ISO date as format `102` (`YYYYMMDD`). Text that was not a `102` date when read is written back as it was,
 * without a format, so that reading it again gives the same text (CII-DT-097 would refuse it under `102`).
 */
function dateValue(w: XmlWriter, element: string, date: string): void {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (iso) w.leaf(element, `${iso[1]}${iso[2]}${iso[3]}`, { format: '102' });
  else w.leaf(element, date);
}

function hasAny(group: object | undefined): boolean {
  return group !== undefined && Object.values(group).some((v) => v !== undefined && !Array.isArray(v));
}
