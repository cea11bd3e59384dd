import { definedFields } from '@invoicing/core';
import type { En16931 } from '@invoicing/invoice';
import { base64Of, nonEmpty, textOf, type XmlElement } from '../xml';
import { all, at, attr, text } from './cii-path';

/**
 * UN/CEFACT CII D16B (`rsm:CrossIndustryInvoice`: Factur-X/ZUGFeRD EN 16931, XRechnung CII) → the EN 16931 semantic
 * model, by the CEN binding (EN 16931-3-3) as the official schematron 1.3.16 reads it. Where one term has several CII
 * places (`ram:ID` and `ram:GlobalID`, net and gross price base quantity, IBAN and proprietary account id …), all of
 * them are read. Nothing is checked or computed here: the rules do that on the result.
 */
export function readCii(root: XmlElement): En16931.En16931Document {
  const context = at(root, 'rsm:ExchangedDocumentContext');
  const header = at(root, 'rsm:ExchangedDocument');
  const transaction = at(root, 'rsm:SupplyChainTradeTransaction');
  const agreement = at(transaction, 'ram:ApplicableHeaderTradeAgreement');
  const delivery = at(transaction, 'ram:ApplicableHeaderTradeDelivery');
  const settlement = at(transaction, 'ram:ApplicableHeaderTradeSettlement');
  const currency = text(settlement, 'ram:InvoiceCurrencyCode');
  const taxCurrency = text(settlement, 'ram:TaxCurrencyCode');
  const taxes = all(settlement, 'ram:ApplicableTradeTax');
  const terms = all(settlement, 'ram:SpecifiedTradePaymentTerms');
  const references = all(agreement, 'ram:AdditionalReferencedDocument');
  const typed = (code: string) => references.find((ref) => text(ref, 'ram:TypeCode') === code);
  const tenderOrLot = typed('50');
  const invoicedObject = typed('130');
  const summation = at(settlement, 'ram:SpecifiedTradeSettlementHeaderMonetarySummation');
  const period = at(settlement, 'ram:BillingSpecifiedPeriod');
  const allowancesCharges = all(settlement, 'ram:SpecifiedTradeAllowanceCharge');

  return {
    ...definedFields({
      number: text(header, 'ram:ID'),
      issueDate: dateOf(at(header, 'ram:IssueDateTime')),
      typeCode: text(header, 'ram:TypeCode'),
      currency,
      vatAccountingCurrency: taxCurrency,
      // BT-7 and BT-8 belong to the whole document; CII states them on a VAT breakdown entry (CII-SR-461/462: once).
      taxPointDate: dateOf(taxes.map((tax) => at(tax, 'ram:TaxPointDate')).find((el) => el !== undefined)),
      taxPointDateCode: taxes.map((tax) => text(tax, 'ram:DueDateTypeCode')).find((code) => code !== undefined),
      dueDate: dateOf(terms.map((t) => at(t, 'ram:DueDateDateTime')).find((el) => el !== undefined)),
      buyerReference: text(agreement, 'ram:BuyerReference'),
      projectReference: text(agreement, 'ram:SpecifiedProcuringProject', 'ram:ID'),
      contractReference: text(agreement, 'ram:ContractReferencedDocument', 'ram:IssuerAssignedID'),
      purchaseOrderReference: text(agreement, 'ram:BuyerOrderReferencedDocument', 'ram:IssuerAssignedID'),
      salesOrderReference: text(agreement, 'ram:SellerOrderReferencedDocument', 'ram:IssuerAssignedID'),
      receivingAdviceReference: text(delivery, 'ram:ReceivingAdviceReferencedDocument', 'ram:IssuerAssignedID'),
      despatchAdviceReference: text(delivery, 'ram:DespatchAdviceReferencedDocument', 'ram:IssuerAssignedID'),
      tenderOrLotReference: text(tenderOrLot, 'ram:IssuerAssignedID'),
      invoicedObjectIdentifier: objectIdentifier(invoicedObject),
      buyerAccountingReference: text(settlement, 'ram:ReceivableSpecifiedTradeAccountingAccount', 'ram:ID'),
      paymentTerms: joined(all(settlement, 'ram:SpecifiedTradePaymentTerms', 'ram:Description')),
      payee: payee(at(settlement, 'ram:PayeeTradeParty')),
      taxRepresentative: taxRepresentative(at(agreement, 'ram:SellerTaxRepresentativeTradeParty')),
      delivery: deliveryOf(delivery),
      invoicePeriod: period ? periodOf(period) : undefined,
      paymentInstructions: paymentInstructions(settlement, terms),
    }),
    notes: all(header, 'ram:IncludedNote').map((note) =>
      definedFields({ subjectCode: text(note, 'ram:SubjectCode'), text: joined(all(note, 'ram:Content')) ?? '' }),
    ),
    process: definedFields({
      businessProcess: text(context, 'ram:BusinessProcessSpecifiedDocumentContextParameter', 'ram:ID'),
      specification: text(context, 'ram:GuidelineSpecifiedDocumentContextParameter', 'ram:ID'),
    }),
    precedingInvoices: all(settlement, 'ram:InvoiceReferencedDocument').map((ref) =>
      definedFields({ reference: text(ref, 'ram:IssuerAssignedID'), issueDate: dateOf(at(ref, 'ram:FormattedIssueDateTime')) }),
    ),
    seller: seller(at(agreement, 'ram:SellerTradeParty')),
    buyer: buyer(at(agreement, 'ram:BuyerTradeParty')),
    allowances: allowancesCharges.filter((ac) => !isCharge(ac)).map(documentAllowanceCharge),
    charges: allowancesCharges.filter(isCharge).map(documentAllowanceCharge),
    totals: totals(summation, currency, taxCurrency),
    vatBreakdown: taxes.map(vatBreakdownEntry),
    // BG-24 is TypeCode 916; an untyped reference is read as a supporting document too rather than dropped.
    attachments: references.filter((ref) => ref !== tenderOrLot && ref !== invoicedObject && isAttachment(ref)).map(attachment),
    lines: all(transaction, 'ram:IncludedSupplyChainTradeLineItem').map(line),
  };
}

/**
 * A CII date: the text of the container's one child (`udt:DateTimeString`, `udt:DateString`, `qdt:DateTimeString`, or
 * the rarely used `udt:DateTime`/`udt:Date`). Format `102` (`YYYYMMDD`) becomes ISO `YYYY-MM-DD`; any other text is
 * kept as written, for the rules to report.
 */
function dateOf(container: XmlElement | undefined): En16931.IsoDate | undefined {
  const value = container?.children[0];
  if (value === undefined) return undefined;
  const written = textOf(value);
  const ymd = /^(\d{4})(\d{2})(\d{2})$/.exec(written);
  return ymd && attr(value, 'format') === '102' ? `${ymd[1]}-${ymd[2]}-${ymd[3]}` : written;
}

/** Several CII elements holding one EN 16931 text (`ram:Content` 0..n, payment terms in several groups): one text. */
function joined(elements: XmlElement[]): string | undefined {
  return elements.length === 0 ? undefined : elements.map((el) => textOf(el)).join('\n');
}

function identifier(el: XmlElement | undefined): En16931.Identifier | undefined {
  return el ? definedFields({ id: textOf(el), scheme: attr(el, 'schemeID') }) : undefined;
}

/** BT-29, BT-46, BT-60, BT-71: `ram:ID` (no scheme) and `ram:GlobalID` (with its ISO 6523 scheme), in that order. */
function partyIdentifiers(party: XmlElement | undefined): En16931.Identifier[] {
  return [...all(party, 'ram:ID'), ...all(party, 'ram:GlobalID')].map((el) => identifier(el) as En16931.Identifier);
}

/** BT-31/BT-48/BT-63 are the registration with scheme `VA`, BT-32 the one with `FC`. */
function taxRegistration(party: XmlElement | undefined, scheme: 'VA' | 'FC'): string | undefined {
  return textOf(all(party, 'ram:SpecifiedTaxRegistration', 'ram:ID').find((id) => attr(id, 'schemeID') === scheme));
}

/** A `ram:PostalTradeAddress` that is there is an address, `{}` when it holds no term: BR-08 … BR-11 tell the two apart. */
function address(el: XmlElement | undefined): En16931.Address | undefined {
  if (!el) return undefined;
  return definedFields({
    line1: text(el, 'ram:LineOne'),
    line2: text(el, 'ram:LineTwo'),
    line3: text(el, 'ram:LineThree'),
    city: text(el, 'ram:CityName'),
    postCode: text(el, 'ram:PostcodeCode'),
    subdivision: text(el, 'ram:CountrySubDivisionName'),
    country: text(el, 'ram:CountryID'),
  });
}

/** BG-6/BG-9; the contact point (BT-41/BT-56) is a person's name or, in its stead, a department's. */
function contact(el: XmlElement | undefined): En16931.Contact | undefined {
  if (!el) return undefined;
  return nonEmpty({
    name: text(el, 'ram:PersonName') ?? text(el, 'ram:DepartmentName'),
    phone: text(el, 'ram:TelephoneUniversalCommunication', 'ram:CompleteNumber'),
    email: text(el, 'ram:EmailURIUniversalCommunication', 'ram:URIID'),
  });
}

function seller(party: XmlElement | undefined): En16931.Seller {
  return {
    ...definedFields({
      name: text(party, 'ram:Name'),
      tradingName: text(party, 'ram:SpecifiedLegalOrganization', 'ram:TradingBusinessName'),
      legalRegistration: identifier(at(party, 'ram:SpecifiedLegalOrganization', 'ram:ID')),
      vatId: taxRegistration(party, 'VA'),
      taxRegistrationId: taxRegistration(party, 'FC'),
      additionalLegalInformation: text(party, 'ram:Description'),
      electronicAddress: identifier(at(party, 'ram:URIUniversalCommunication', 'ram:URIID')),
      address: address(at(party, 'ram:PostalTradeAddress')),
      contact: contact(at(party, 'ram:DefinedTradeContact')),
    }),
    identifiers: partyIdentifiers(party),
  };
}

function buyer(party: XmlElement | undefined): En16931.Buyer {
  return definedFields({
    name: text(party, 'ram:Name'),
    tradingName: text(party, 'ram:SpecifiedLegalOrganization', 'ram:TradingBusinessName'),
    identifier: partyIdentifiers(party)[0],
    legalRegistration: identifier(at(party, 'ram:SpecifiedLegalOrganization', 'ram:ID')),
    vatId: taxRegistration(party, 'VA'),
    electronicAddress: identifier(at(party, 'ram:URIUniversalCommunication', 'ram:URIID')),
    address: address(at(party, 'ram:PostalTradeAddress')),
    contact: contact(at(party, 'ram:DefinedTradeContact')),
  });
}

function payee(party: XmlElement | undefined): En16931.En16931Document['payee'] {
  if (!party) return undefined;
  return definedFields({
    name: text(party, 'ram:Name'),
    identifier: partyIdentifiers(party)[0],
    legalRegistration: identifier(at(party, 'ram:SpecifiedLegalOrganization', 'ram:ID')),
  });
}

function taxRepresentative(party: XmlElement | undefined): En16931.En16931Document['taxRepresentative'] {
  if (!party) return undefined;
  return definedFields({
    name: text(party, 'ram:Name'),
    vatId: taxRegistration(party, 'VA'),
    address: address(at(party, 'ram:PostalTradeAddress')),
  });
}

/** BG-13: the ship-to party and the actual delivery date; `ram:ApplicableHeaderTradeDelivery` itself is mandatory. */
function deliveryOf(el: XmlElement | undefined): En16931.En16931Document['delivery'] {
  const shipTo = at(el, 'ram:ShipToTradeParty');
  return nonEmpty({
    partyName: text(shipTo, 'ram:Name'),
    locationId: partyIdentifiers(shipTo)[0],
    date: dateOf(at(el, 'ram:ActualDeliverySupplyChainEvent', 'ram:OccurrenceDateTime')),
    address: address(at(shipTo, 'ram:PostalTradeAddress')),
  });
}

function periodOf(el: XmlElement): En16931.Period {
  return definedFields({ start: dateOf(at(el, 'ram:StartDateTime')), end: dateOf(at(el, 'ram:EndDateTime')) });
}

/**
 * BG-16 is one group in EN 16931 and spread over CII: repeated `ram:SpecifiedTradeSettlementPaymentMeans` (one per
 * account), the payment reference (BT-83) and creditor id (BT-90) on the settlement, the mandate (BT-89) in the
 * payment terms. The means code and text come from the first payment means, the credit transfers (BG-17) from all.
 */
function paymentInstructions(settlement: XmlElement | undefined, terms: XmlElement[]): En16931.PaymentInstructions | undefined {
  const means = all(settlement, 'ram:SpecifiedTradeSettlementPaymentMeans');
  const first = means[0];
  const remittanceInformation = text(settlement, 'ram:PaymentReference');
  const card = means.map((m) => at(m, 'ram:ApplicableTradeSettlementFinancialCard')).find((el) => el !== undefined);
  const debtorAccount = means.map((m) => at(m, 'ram:PayerPartyDebtorFinancialAccount')).find((el) => el !== undefined);
  const directDebit = nonEmpty({
    mandateReference: terms.map((t) => text(t, 'ram:DirectDebitMandateID')).find((id) => id !== undefined),
    creditorId: text(settlement, 'ram:CreditorReferenceID'),
    debitedAccountId: text(debtorAccount, 'ram:IBANID') ?? text(debtorAccount, 'ram:ProprietaryID'),
  });
  if (!first && remittanceInformation === undefined && !directDebit) return undefined;
  const creditTransfers: En16931.CreditTransfer[] = means
    .filter((m) => at(m, 'ram:PayeePartyCreditorFinancialAccount') || at(m, 'ram:PayeeSpecifiedCreditorFinancialInstitution'))
    .map((m) => {
      const account = at(m, 'ram:PayeePartyCreditorFinancialAccount');
      return definedFields({
        accountId: text(account, 'ram:IBANID') ?? text(account, 'ram:ProprietaryID'),
        accountName: text(account, 'ram:AccountName'),
        serviceProviderId: text(m, 'ram:PayeeSpecifiedCreditorFinancialInstitution', 'ram:BICID'),
      });
    });
  return {
    ...definedFields({
      meansCode: text(first, 'ram:TypeCode'),
      meansText: text(first, 'ram:Information'),
      remittanceInformation,
      card: card ? definedFields({ accountNumber: text(card, 'ram:ID'), holderName: text(card, 'ram:CardholderName') }) : undefined,
      directDebit,
    }),
    creditTransfers,
  };
}

function isCharge(el: XmlElement): boolean {
  const indicator = text(el, 'ram:ChargeIndicator', 'udt:Indicator') ?? text(el, 'ram:ChargeIndicator', 'udt:IndicatorString');
  return indicator === 'true' || indicator === '1';
}

function allowanceCharge(el: XmlElement): En16931.AllowanceCharge {
  return definedFields({
    amount: text(el, 'ram:ActualAmount'),
    baseAmount: text(el, 'ram:BasisAmount'),
    percentage: text(el, 'ram:CalculationPercent'),
    reason: text(el, 'ram:Reason'),
    reasonCode: text(el, 'ram:ReasonCode'),
  });
}

function documentAllowanceCharge(el: XmlElement): En16931.DocumentAllowanceCharge {
  return definedFields({
    ...allowanceCharge(el),
    vatCategory: text(el, 'ram:CategoryTradeTax', 'ram:CategoryCode'),
    vatRate: text(el, 'ram:CategoryTradeTax', 'ram:RateApplicablePercent'),
  });
}

/**
 * BG-22. `ram:TaxTotalAmount` appears twice when the VAT is also accounted in another currency: BT-110 is the one in
 * the document currency (BT-5), BT-111 another one in the VAT accounting currency (BT-6). Only `@currencyID` tells
 * them apart, as in the official rules (BR-CO-14, BR-CO-15, BR-53): an amount in neither currency, or without one,
 * is neither term.
 */
function totals(summation: XmlElement | undefined, currency: string | undefined, taxCurrency: string | undefined): En16931.En16931Document['totals'] {
  const taxTotals = all(summation, 'ram:TaxTotalAmount');
  const taxTotalIn = (code: string | undefined, other?: XmlElement) => (code === undefined ? undefined : taxTotals.find((t) => t !== other && attr(t, 'currencyID') === code));
  const vatTotal = taxTotalIn(currency);
  const accountingVatTotal = taxTotalIn(taxCurrency, vatTotal);
  return definedFields({
    lineNetTotal: text(summation, 'ram:LineTotalAmount'),
    allowanceTotal: text(summation, 'ram:AllowanceTotalAmount'),
    chargeTotal: text(summation, 'ram:ChargeTotalAmount'),
    taxExclusive: text(summation, 'ram:TaxBasisTotalAmount'),
    vatTotal: textOf(vatTotal),
    vatTotalInAccountingCurrency: textOf(accountingVatTotal),
    taxInclusive: text(summation, 'ram:GrandTotalAmount'),
    prepaid: text(summation, 'ram:TotalPrepaidAmount'),
    rounding: text(summation, 'ram:RoundingAmount'),
    amountDue: text(summation, 'ram:DuePayableAmount'),
  });
}

function vatBreakdownEntry(el: XmlElement): En16931.VatBreakdownEntry {
  return definedFields({
    taxableAmount: text(el, 'ram:BasisAmount'),
    taxAmount: text(el, 'ram:CalculatedAmount'),
    category: text(el, 'ram:CategoryCode'),
    rate: text(el, 'ram:RateApplicablePercent'),
    exemptionReason: text(el, 'ram:ExemptionReason'),
    exemptionReasonCode: text(el, 'ram:ExemptionReasonCode'),
  });
}

function isAttachment(el: XmlElement): boolean {
  const code = text(el, 'ram:TypeCode');
  return code === undefined || code === '916';
}

function attachment(el: XmlElement): En16931.Attachment {
  const binary = at(el, 'ram:AttachmentBinaryObject');
  return definedFields({
    reference: text(el, 'ram:IssuerAssignedID'),
    description: text(el, 'ram:Name'),
    externalLocation: text(el, 'ram:URIID'),
    content: binary
      ? definedFields({ base64: base64Of(binary), mimeCode: attr(binary, 'mimeCode'), filename: attr(binary, 'filename') })
      : undefined,
  });
}

/** BT-18 and BT-128: a referenced document of TypeCode 130, its scheme (BT-18-1, BT-128-1) in `ram:ReferenceTypeCode`. */
function objectIdentifier(ref: XmlElement | undefined): En16931.Identifier | undefined {
  const id = at(ref, 'ram:IssuerAssignedID');
  return id ? definedFields({ id: textOf(id), scheme: text(ref, 'ram:ReferenceTypeCode') }) : undefined;
}

function line(el: XmlElement): En16931.Line {
  const document = at(el, 'ram:AssociatedDocumentLineDocument');
  const product = at(el, 'ram:SpecifiedTradeProduct');
  const agreement = at(el, 'ram:SpecifiedLineTradeAgreement');
  const gross = at(agreement, 'ram:GrossPriceProductTradePrice');
  const net = at(agreement, 'ram:NetPriceProductTradePrice');
  // BT-149/BT-150 apply to both prices; a sender may state them on either.
  const baseQuantity = at(net, 'ram:BasisQuantity') ?? at(gross, 'ram:BasisQuantity');
  const quantity = at(el, 'ram:SpecifiedLineTradeDelivery', 'ram:BilledQuantity');
  const settlement = at(el, 'ram:SpecifiedLineTradeSettlement');
  const tax = at(settlement, 'ram:ApplicableTradeTax');
  const period = at(settlement, 'ram:BillingSpecifiedPeriod');
  const allowancesCharges = all(settlement, 'ram:SpecifiedTradeAllowanceCharge');
  // On a line the only referenced document EN 16931 knows is BT-128, so an untyped one is read as that.
  const objectReference = all(settlement, 'ram:AdditionalReferencedDocument').find((ref) => {
    const code = text(ref, 'ram:TypeCode');
    return code === undefined || code === '130';
  });
  return {
    ...definedFields({
      id: text(document, 'ram:LineID'),
      note: joined(all(document, 'ram:IncludedNote', 'ram:Content')),
      objectIdentifier: objectIdentifier(objectReference),
      quantity: textOf(quantity),
      unitCode: attr(quantity, 'unitCode'),
      netAmount: text(settlement, 'ram:SpecifiedTradeSettlementLineMonetarySummation', 'ram:LineTotalAmount'),
      orderLineReference: text(agreement, 'ram:BuyerOrderReferencedDocument', 'ram:LineID'),
      buyerAccountingReference: text(settlement, 'ram:ReceivableSpecifiedTradeAccountingAccount', 'ram:ID'),
      period: period ? periodOf(period) : undefined,
    }),
    allowances: allowancesCharges.filter((ac) => !isCharge(ac)).map(allowanceCharge),
    charges: allowancesCharges.filter(isCharge).map(allowanceCharge),
    price: definedFields({
      netPrice: text(net, 'ram:ChargeAmount'),
      discount: text(gross, 'ram:AppliedTradeAllowanceCharge', 'ram:ActualAmount'),
      grossPrice: text(gross, 'ram:ChargeAmount'),
      baseQuantity: textOf(baseQuantity),
      baseQuantityUnitCode: attr(baseQuantity, 'unitCode'),
    }),
    vat: definedFields({ category: text(tax, 'ram:CategoryCode'), rate: text(tax, 'ram:RateApplicablePercent') }),
    item: {
      ...definedFields({
        name: text(product, 'ram:Name'),
        description: text(product, 'ram:Description'),
        sellerId: text(product, 'ram:SellerAssignedID'),
        buyerId: text(product, 'ram:BuyerAssignedID'),
        standardId: identifier(at(product, 'ram:GlobalID')),
        originCountry: text(product, 'ram:OriginTradeCountry', 'ram:ID'),
      }),
      classifications: all(product, 'ram:DesignatedProductClassification', 'ram:ClassCode').map((code) =>
        definedFields({ id: textOf(code), scheme: attr(code, 'listID'), schemeVersion: attr(code, 'listVersionID') }),
      ),
      attributes: all(product, 'ram:ApplicableProductCharacteristic').map((p) => definedFields({ name: text(p, 'ram:Description'), value: text(p, 'ram:Value') })),
    },
  };
}
