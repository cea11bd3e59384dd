import { definedFields } from '@invoicing/core';
import type { En16931 } from '@invoicing/invoice';
import { attrOf, base64Of, nonEmpty, textOf, type XmlElement } from '../xml';
import { all, at, attr, text } from './ubl-path';

/**
 * UBL 2.1 Invoice or CreditNote → the EN 16931 semantic model, by the CEN binding (EN 16931-3-2) as the official
 * schematron 1.3.16 reads it. Nothing is checked or computed here: the rules do that on the result.
 */
export function readUbl(root: XmlElement): En16931.En16931Document {
  const creditNote = root.name === 'CreditNote';
  const documentCurrency = text(root, 'cbc:DocumentCurrencyCode');
  const taxCurrency = text(root, 'cbc:TaxCurrencyCode');
  const supplier = at(root, 'cac:AccountingSupplierParty', 'cac:Party');
  const payeeParty = at(root, 'cac:PayeeParty');
  const references = all(root, 'cac:AdditionalDocumentReference');
  const typed = (code: string) => references.find((ref) => text(ref, 'cbc:DocumentTypeCode') === code);
  const objectReference = typed('130');
  const period = at(root, 'cac:InvoicePeriod');
  const taxTotals = all(root, 'cac:TaxTotal');
  // BT-110 is the TaxTotal whose amount is in the document currency (BT-5), BT-111 another one in the VAT accounting
  // currency (BT-6): only `currencyID` tells them apart, as in the official rules (BR-CO-15, BR-53). A TaxTotal in
  // neither currency is neither term; without BT-5 there is no BT-110.
  const taxTotalIn = (currency: string | undefined, other?: XmlElement) =>
    currency === undefined ? undefined : taxTotals.find((t) => t !== other && attr(t, 'currencyID', 'cbc:TaxAmount') === currency);
  const vatTotal = taxTotalIn(documentCurrency);
  const accountingVatTotal = taxTotalIn(taxCurrency, vatTotal);
  const totals = at(root, 'cac:LegalMonetaryTotal');
  const paymentMeans = all(root, 'cac:PaymentMeans');
  const { subjectCodes, texts } = notes(all(root, 'cbc:Note'));

  return {
    ...definedFields({
      number: text(root, 'cbc:ID'),
      issueDate: text(root, 'cbc:IssueDate'),
      typeCode: text(root, creditNote ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode'),
      currency: documentCurrency,
      vatAccountingCurrency: taxCurrency,
      taxPointDate: text(root, 'cbc:TaxPointDate'),
      taxPointDateCode: text(period, 'cbc:DescriptionCode'),
      // A UBL credit note has no DueDate of its own: the binding puts BT-9 on the payment means.
      dueDate: creditNote ? text(root, 'cac:PaymentMeans', 'cbc:PaymentDueDate') : text(root, 'cbc:DueDate'),
      buyerReference: text(root, 'cbc:BuyerReference'),
      projectReference: creditNote ? text(typed('50'), 'cbc:ID') : text(root, 'cac:ProjectReference', 'cbc:ID'),
      contractReference: text(root, 'cac:ContractDocumentReference', 'cbc:ID'),
      purchaseOrderReference: text(root, 'cac:OrderReference', 'cbc:ID'),
      salesOrderReference: text(root, 'cac:OrderReference', 'cbc:SalesOrderID'),
      receivingAdviceReference: text(root, 'cac:ReceiptDocumentReference', 'cbc:ID'),
      despatchAdviceReference: text(root, 'cac:DespatchDocumentReference', 'cbc:ID'),
      tenderOrLotReference: text(root, 'cac:OriginatorDocumentReference', 'cbc:ID'),
      invoicedObjectIdentifier: objectReference ? identifier(at(objectReference, 'cbc:ID')) : undefined,
      buyerAccountingReference: text(root, 'cbc:AccountingCost'),
      paymentTerms: text(root, 'cac:PaymentTerms', 'cbc:Note'),
      payee: payeeParty ? payee(payeeParty) : undefined,
      taxRepresentative: taxRepresentative(at(root, 'cac:TaxRepresentativeParty')),
      delivery: delivery(at(root, 'cac:Delivery')),
      invoicePeriod: period ? periodOf(period) : undefined,
      paymentInstructions: paymentInstructions(paymentMeans, supplier, payeeParty),
    }),
    notes: texts.map((note, i) => definedFields({ subjectCode: subjectCodes[i], text: note })),
    process: definedFields({ businessProcess: text(root, 'cbc:ProfileID'), specification: text(root, 'cbc:CustomizationID') }),
    precedingInvoices: all(root, 'cac:BillingReference', 'cac:InvoiceDocumentReference').map((ref) =>
      definedFields({ reference: text(ref, 'cbc:ID'), issueDate: text(ref, 'cbc:IssueDate') }),
    ),
    seller: seller(supplier),
    buyer: buyer(at(root, 'cac:AccountingCustomerParty', 'cac:Party')),
    allowances: all(root, 'cac:AllowanceCharge').filter((ac) => !isCharge(ac)).map(documentAllowanceCharge),
    charges: all(root, 'cac:AllowanceCharge').filter(isCharge).map(documentAllowanceCharge),
    totals: definedFields({
      lineNetTotal: text(totals, 'cbc:LineExtensionAmount'),
      allowanceTotal: text(totals, 'cbc:AllowanceTotalAmount'),
      chargeTotal: text(totals, 'cbc:ChargeTotalAmount'),
      taxExclusive: text(totals, 'cbc:TaxExclusiveAmount'),
      vatTotal: text(vatTotal, 'cbc:TaxAmount'),
      vatTotalInAccountingCurrency: text(accountingVatTotal, 'cbc:TaxAmount'),
      taxInclusive: text(totals, 'cbc:TaxInclusiveAmount'),
      prepaid: text(totals, 'cbc:PrepaidAmount'),
      rounding: text(totals, 'cbc:PayableRoundingAmount'),
      amountDue: text(totals, 'cbc:PayableAmount'),
    }),
    // BG-23 is every cac:TaxTotal/cac:TaxSubtotal, whatever the currency, as the official rules select it.
    vatBreakdown: taxTotals.flatMap((t) => all(t, 'cac:TaxSubtotal')).map(vatBreakdownEntry),
    attachments: references.filter((ref) => ref !== objectReference && !(creditNote && ref === typed('50'))).map(attachment),
    lines: all(root, creditNote ? 'cac:CreditNoteLine' : 'cac:InvoiceLine').map((el) => line(el, creditNote)),
  };
}

/** BG-1: the CEN binding has no element for BT-21; a leading `#CODE#` carries it, as CII → UBL writers do. */
function notes(elements: XmlElement[]): { subjectCodes: (string | undefined)[]; texts: string[] } {
  const subjectCodes: (string | undefined)[] = [];
  const texts: string[] = [];
  for (const el of elements) {
    const match = /^#([A-Z]{3})#/.exec(textOf(el));
    subjectCodes.push(match?.[1]);
    texts.push(match ? textOf(el).slice(match[0].length) : textOf(el));
  }
  return { subjectCodes, texts };
}

function identifier(el: XmlElement | undefined): En16931.Identifier | undefined {
  return el ? definedFields({ id: textOf(el), scheme: attrOf(el, 'schemeID') }) : undefined;
}

/** A `cac:PostalAddress` that is there is an address, `{}` when it holds no term: BR-08 … BR-11 tell the two apart. */
function address(el: XmlElement | undefined): En16931.Address | undefined {
  if (!el) return undefined;
  return definedFields({
    line1: text(el, 'cbc:StreetName'),
    line2: text(el, 'cbc:AdditionalStreetName'),
    line3: text(el, 'cac:AddressLine', 'cbc:Line'),
    city: text(el, 'cbc:CityName'),
    postCode: text(el, 'cbc:PostalZone'),
    subdivision: text(el, 'cbc:CountrySubentity'),
    country: text(el, 'cac:Country', 'cbc:IdentificationCode'),
  });
}

function contact(el: XmlElement | undefined): En16931.Contact | undefined {
  if (!el) return undefined;
  return nonEmpty({ name: text(el, 'cbc:Name'), phone: text(el, 'cbc:Telephone'), email: text(el, 'cbc:ElectronicMail') });
}

function vatSchemes(party: XmlElement | undefined): { vat?: string; other?: string } {
  const schemes = all(party, 'cac:PartyTaxScheme');
  const vat = schemes.find((s) => text(s, 'cac:TaxScheme', 'cbc:ID') === 'VAT');
  const other = schemes.find((s) => text(s, 'cac:TaxScheme', 'cbc:ID') !== 'VAT');
  return definedFields({ vat: text(vat, 'cbc:CompanyID'), other: text(other, 'cbc:CompanyID') });
}

/** Party identifiers other than the SEPA creditor id, which is BT-90 (a term of the direct debit). */
function partyIdentifiers(party: XmlElement | undefined): En16931.Identifier[] {
  return all(party, 'cac:PartyIdentification', 'cbc:ID')
    .filter((id) => attrOf(id, 'schemeID') !== 'SEPA')
    .map((id) => identifier(id) as En16931.Identifier);
}

function sepaCreditorId(party: XmlElement | undefined): string | undefined {
  return textOf(all(party, 'cac:PartyIdentification', 'cbc:ID').find((id) => attrOf(id, 'schemeID') === 'SEPA'));
}

function seller(party: XmlElement | undefined): En16931.Seller {
  const { vat, other } = vatSchemes(party);
  return {
    ...definedFields({
      name: text(party, 'cac:PartyLegalEntity', 'cbc:RegistrationName'),
      tradingName: text(party, 'cac:PartyName', 'cbc:Name'),
      legalRegistration: identifier(at(party, 'cac:PartyLegalEntity', 'cbc:CompanyID')),
      vatId: vat,
      taxRegistrationId: other,
      additionalLegalInformation: text(party, 'cac:PartyLegalEntity', 'cbc:CompanyLegalForm'),
      electronicAddress: identifier(at(party, 'cbc:EndpointID')),
      address: address(at(party, 'cac:PostalAddress')),
      contact: contact(at(party, 'cac:Contact')),
    }),
    identifiers: partyIdentifiers(party),
  };
}

function buyer(party: XmlElement | undefined): En16931.Buyer {
  return definedFields({
    name: text(party, 'cac:PartyLegalEntity', 'cbc:RegistrationName'),
    tradingName: text(party, 'cac:PartyName', 'cbc:Name'),
    identifier: partyIdentifiers(party)[0],
    legalRegistration: identifier(at(party, 'cac:PartyLegalEntity', 'cbc:CompanyID')),
    vatId: vatSchemes(party).vat,
    electronicAddress: identifier(at(party, 'cbc:EndpointID')),
    address: address(at(party, 'cac:PostalAddress')),
    contact: contact(at(party, 'cac:Contact')),
  });
}

function payee(party: XmlElement): En16931.En16931Document['payee'] {
  return definedFields({
    name: text(party, 'cac:PartyName', 'cbc:Name'),
    identifier: partyIdentifiers(party)[0],
    legalRegistration: identifier(at(party, 'cac:PartyLegalEntity', 'cbc:CompanyID')),
  });
}

function taxRepresentative(party: XmlElement | undefined): En16931.En16931Document['taxRepresentative'] {
  if (!party) return undefined;
  return definedFields({
    name: text(party, 'cac:PartyName', 'cbc:Name'),
    vatId: vatSchemes(party).vat,
    address: address(at(party, 'cac:PostalAddress')),
  });
}

function delivery(el: XmlElement | undefined): En16931.En16931Document['delivery'] {
  if (!el) return undefined;
  return definedFields({
    partyName: text(el, 'cac:DeliveryParty', 'cac:PartyName', 'cbc:Name'),
    locationId: identifier(at(el, 'cac:DeliveryLocation', 'cbc:ID')),
    date: text(el, 'cbc:ActualDeliveryDate'),
    address: address(at(el, 'cac:DeliveryLocation', 'cac:Address')),
  });
}

function periodOf(el: XmlElement): En16931.Period {
  return definedFields({ start: text(el, 'cbc:StartDate'), end: text(el, 'cbc:EndDate') });
}

/**
 * BG-16 is one group in EN 16931 and repeated `cac:PaymentMeans` in UBL (one per account, say): the means code, text
 * and remittance information come from the first, the credit transfers (BG-17) from all of them.
 */
function paymentInstructions(means: XmlElement[], supplier: XmlElement | undefined, payeeParty: XmlElement | undefined): En16931.PaymentInstructions | undefined {
  const first = means[0];
  const creditorId = sepaCreditorId(payeeParty) ?? sepaCreditorId(supplier);
  const mandate = at(first, 'cac:PaymentMandate');
  if (!first && creditorId === undefined) return undefined;
  const card = at(first, 'cac:CardAccount');
  const creditTransfers: En16931.CreditTransfer[] = means.flatMap((m) =>
    all(m, 'cac:PayeeFinancialAccount').map((account) =>
      definedFields({
        accountId: text(account, 'cbc:ID'),
        accountName: text(account, 'cbc:Name'),
        serviceProviderId: text(account, 'cac:FinancialInstitutionBranch', 'cbc:ID'),
      }),
    ),
  );
  return {
    ...definedFields({
      meansCode: text(first, 'cbc:PaymentMeansCode'),
      meansText: attr(first, 'name', 'cbc:PaymentMeansCode'),
      remittanceInformation: text(first, 'cbc:PaymentID'),
      card: card ? definedFields({ accountNumber: text(card, 'cbc:PrimaryAccountNumberID'), holderName: text(card, 'cbc:HolderName') }) : undefined,
      directDebit: nonEmpty({
        mandateReference: text(mandate, 'cbc:ID'),
        creditorId,
        debitedAccountId: text(mandate, 'cac:PayerFinancialAccount', 'cbc:ID'),
      }),
    }),
    creditTransfers,
  };
}

/** `cbc:ChargeIndicator` is an `xs:boolean`: `1` is true as much as `true` is (white space collapsed). */
function isCharge(el: XmlElement): boolean {
  const indicator = text(el, 'cbc:ChargeIndicator')?.trim();
  return indicator === 'true' || indicator === '1';
}

function allowanceCharge(el: XmlElement): En16931.AllowanceCharge {
  return definedFields({
    amount: text(el, 'cbc:Amount'),
    baseAmount: text(el, 'cbc:BaseAmount'),
    percentage: text(el, 'cbc:MultiplierFactorNumeric'),
    reason: text(el, 'cbc:AllowanceChargeReason'),
    reasonCode: text(el, 'cbc:AllowanceChargeReasonCode'),
  });
}

function documentAllowanceCharge(el: XmlElement): En16931.DocumentAllowanceCharge {
  return definedFields({
    ...allowanceCharge(el),
    vatCategory: text(el, 'cac:TaxCategory', 'cbc:ID'),
    vatRate: text(el, 'cac:TaxCategory', 'cbc:Percent'),
  });
}

function vatBreakdownEntry(el: XmlElement): En16931.VatBreakdownEntry {
  return definedFields({
    taxableAmount: text(el, 'cbc:TaxableAmount'),
    taxAmount: text(el, 'cbc:TaxAmount'),
    category: text(el, 'cac:TaxCategory', 'cbc:ID'),
    rate: text(el, 'cac:TaxCategory', 'cbc:Percent'),
    exemptionReason: text(el, 'cac:TaxCategory', 'cbc:TaxExemptionReason'),
    exemptionReasonCode: text(el, 'cac:TaxCategory', 'cbc:TaxExemptionReasonCode'),
  });
}

function attachment(el: XmlElement): En16931.Attachment {
  const binary = at(el, 'cac:Attachment', 'cbc:EmbeddedDocumentBinaryObject');
  return definedFields({
    reference: text(el, 'cbc:ID'),
    description: text(el, 'cbc:DocumentDescription'),
    externalLocation: text(el, 'cac:Attachment', 'cac:ExternalReference', 'cbc:URI'),
    content: binary
      ? definedFields({ base64: base64Of(binary), mimeCode: attrOf(binary, 'mimeCode'), filename: attrOf(binary, 'filename') })
      : undefined,
  });
}

function line(el: XmlElement, creditNote: boolean): En16931.Line {
  const quantity = at(el, creditNote ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity');
  const item = at(el, 'cac:Item');
  const price = at(el, 'cac:Price');
  const period = at(el, 'cac:InvoicePeriod');
  const objectReference = all(el, 'cac:DocumentReference').find((ref) => text(ref, 'cbc:DocumentTypeCode') === '130');
  return {
    ...definedFields({
      id: text(el, 'cbc:ID'),
      note: text(el, 'cbc:Note'),
      objectIdentifier: identifier(at(objectReference, 'cbc:ID')),
      quantity: textOf(quantity),
      unitCode: attrOf(quantity, 'unitCode'),
      netAmount: text(el, 'cbc:LineExtensionAmount'),
      orderLineReference: text(el, 'cac:OrderLineReference', 'cbc:LineID'),
      buyerAccountingReference: text(el, 'cbc:AccountingCost'),
      period: period ? periodOf(period) : undefined,
    }),
    allowances: all(el, 'cac:AllowanceCharge').filter((ac) => !isCharge(ac)).map(allowanceCharge),
    charges: all(el, 'cac:AllowanceCharge').filter(isCharge).map(allowanceCharge),
    price: definedFields({
      netPrice: text(price, 'cbc:PriceAmount'),
      discount: text(price, 'cac:AllowanceCharge', 'cbc:Amount'),
      grossPrice: text(price, 'cac:AllowanceCharge', 'cbc:BaseAmount'),
      baseQuantity: text(price, 'cbc:BaseQuantity'),
      baseQuantityUnitCode: attr(price, 'unitCode', 'cbc:BaseQuantity'),
    }),
    vat: definedFields({ category: text(item, 'cac:ClassifiedTaxCategory', 'cbc:ID'), rate: text(item, 'cac:ClassifiedTaxCategory', 'cbc:Percent') }),
    item: {
      ...definedFields({
        name: text(item, 'cbc:Name'),
        description: text(item, 'cbc:Description'),
        sellerId: text(item, 'cac:SellersItemIdentification', 'cbc:ID'),
        buyerId: text(item, 'cac:BuyersItemIdentification', 'cbc:ID'),
        standardId: identifier(at(item, 'cac:StandardItemIdentification', 'cbc:ID')),
        originCountry: text(item, 'cac:OriginCountry', 'cbc:IdentificationCode'),
      }),
      classifications: all(item, 'cac:CommodityClassification', 'cbc:ItemClassificationCode').map((code) =>
        definedFields({ id: textOf(code), scheme: attrOf(code, 'listID'), schemeVersion: attrOf(code, 'listVersionID') }),
      ),
      attributes: all(item, 'cac:AdditionalItemProperty').map((p) => definedFields({ name: text(p, 'cbc:Name'), value: text(p, 'cbc:Value') })),
    },
  };
}
