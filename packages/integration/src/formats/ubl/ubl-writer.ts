import { En16931 } from '@invoicing/invoice';
import { XmlWriter } from '../xml';
import { UBL_NS } from './ubl-path';

/**
 * The EN 16931 semantic model → UBL 2.1, in the element order of the UBL schemas. A type code (BT-3) of the official
 * `CreditNote` list makes a `CreditNote`, but one the `Invoice` list also has (81), which stays an `Invoice`. Absent
 * terms are not written; what EN 16931 does not define is not invented, except the few elements UBL requires around a
 * term (`cac:TaxScheme/cbc:ID` = `VAT`, `cbc:ChargeIndicator`).
 */
export function writeUbl(doc: En16931.En16931Document): Buffer {
  const creditNote = isUblCreditNote(doc.typeCode);
  const w = new XmlWriter(creditNote ? 'CreditNote' : 'Invoice', {
    '': creditNote ? UBL_NS.creditNote : UBL_NS.invoice,
    cac: UBL_NS.cac,
    cbc: UBL_NS.cbc,
  });
  const amount = (name: string, value: string | undefined, currency = doc.currency) => w.leaf(name, value, { currencyID: currency });
  const id = (name: string, value: En16931.Identifier | undefined) => w.leaf(name, value?.id, { schemeID: value?.scheme });
  const paymentMeansDueDate = creditNote ? doc.dueDate : undefined;

  w.leaf('cbc:CustomizationID', doc.process.specification);
  w.leaf('cbc:ProfileID', doc.process.businessProcess);
  w.leaf('cbc:ID', doc.number);
  w.leaf('cbc:IssueDate', doc.issueDate);
  if (creditNote) {
    w.leaf('cbc:TaxPointDate', doc.taxPointDate);
    w.leaf('cbc:CreditNoteTypeCode', doc.typeCode);
  } else {
    w.leaf('cbc:DueDate', doc.dueDate);
    w.leaf('cbc:InvoiceTypeCode', doc.typeCode);
  }
  for (const note of doc.notes) w.leaf('cbc:Note', note.subjectCode === undefined ? note.text : `#${note.subjectCode}#${note.text}`);
  if (!creditNote) w.leaf('cbc:TaxPointDate', doc.taxPointDate);
  w.leaf('cbc:DocumentCurrencyCode', doc.currency);
  w.leaf('cbc:TaxCurrencyCode', doc.vatAccountingCurrency);
  w.leaf('cbc:AccountingCost', doc.buyerAccountingReference);
  w.leaf('cbc:BuyerReference', doc.buyerReference);
  if (doc.invoicePeriod || doc.taxPointDateCode !== undefined) {
    w.open('cac:InvoicePeriod');
    period(w, doc.invoicePeriod);
    w.leaf('cbc:DescriptionCode', ublTaxPointCode(doc.taxPointDateCode));
    w.close();
  }
  if (doc.purchaseOrderReference !== undefined || doc.salesOrderReference !== undefined) {
    w.open('cac:OrderReference');
    // UBL requires the order id; EN 16931-3-2 writes `NA` when only the sales order reference (BT-14) is known.
    w.leaf('cbc:ID', doc.purchaseOrderReference ?? 'NA');
    w.leaf('cbc:SalesOrderID', doc.salesOrderReference);
    w.close();
  }
  for (const preceding of doc.precedingInvoices) {
    w.open('cac:BillingReference');
    w.open('cac:InvoiceDocumentReference');
    w.leaf('cbc:ID', preceding.reference);
    w.leaf('cbc:IssueDate', preceding.issueDate);
    w.close();
    w.close();
  }
  referenceId(w, 'cac:DespatchDocumentReference', doc.despatchAdviceReference);
  referenceId(w, 'cac:ReceiptDocumentReference', doc.receivingAdviceReference);
  if (!creditNote) referenceId(w, 'cac:OriginatorDocumentReference', doc.tenderOrLotReference);
  referenceId(w, 'cac:ContractDocumentReference', doc.contractReference);
  if (doc.invoicedObjectIdentifier) {
    w.open('cac:AdditionalDocumentReference');
    id('cbc:ID', doc.invoicedObjectIdentifier);
    w.leaf('cbc:DocumentTypeCode', '130');
    w.close();
  }
  if (creditNote && doc.projectReference !== undefined) {
    w.open('cac:AdditionalDocumentReference');
    w.leaf('cbc:ID', doc.projectReference);
    w.leaf('cbc:DocumentTypeCode', '50');
    w.close();
  }
  for (const attachment of doc.attachments) {
    w.open('cac:AdditionalDocumentReference');
    w.leaf('cbc:ID', attachment.reference);
    w.leaf('cbc:DocumentDescription', attachment.description);
    if (attachment.content || attachment.externalLocation !== undefined) {
      w.open('cac:Attachment');
      w.leaf('cbc:EmbeddedDocumentBinaryObject', attachment.content?.base64, {
        mimeCode: attachment.content?.mimeCode,
        filename: attachment.content?.filename,
      });
      if (attachment.externalLocation !== undefined) {
        w.open('cac:ExternalReference');
        w.leaf('cbc:URI', attachment.externalLocation);
        w.close();
      }
      w.close();
    }
    w.close();
  }
  if (creditNote) referenceId(w, 'cac:OriginatorDocumentReference', doc.tenderOrLotReference);
  else referenceId(w, 'cac:ProjectReference', doc.projectReference);

  const creditorId = doc.paymentInstructions?.directDebit?.creditorId;
  w.open('cac:AccountingSupplierParty');
  w.open('cac:Party');
  id('cbc:EndpointID', doc.seller.electronicAddress);
  for (const identifier of doc.seller.identifiers) partyIdentification(w, identifier);
  if (!doc.payee && creditorId !== undefined) partyIdentification(w, { id: creditorId, scheme: 'SEPA' });
  partyName(w, doc.seller.tradingName);
  address(w, 'cac:PostalAddress', doc.seller.address);
  partyTaxScheme(w, doc.seller.vatId, 'VAT');
  partyTaxScheme(w, doc.seller.taxRegistrationId, 'TAX');
  legalEntity(w, doc.seller.name, doc.seller.legalRegistration, doc.seller.additionalLegalInformation);
  contact(w, doc.seller.contact);
  w.close();
  w.close();

  w.open('cac:AccountingCustomerParty');
  w.open('cac:Party');
  id('cbc:EndpointID', doc.buyer.electronicAddress);
  if (doc.buyer.identifier) partyIdentification(w, doc.buyer.identifier);
  partyName(w, doc.buyer.tradingName);
  address(w, 'cac:PostalAddress', doc.buyer.address);
  partyTaxScheme(w, doc.buyer.vatId, 'VAT');
  legalEntity(w, doc.buyer.name, doc.buyer.legalRegistration, undefined);
  contact(w, doc.buyer.contact);
  w.close();
  w.close();

  if (doc.payee) {
    w.open('cac:PayeeParty');
    if (doc.payee.identifier) partyIdentification(w, doc.payee.identifier);
    if (creditorId !== undefined) partyIdentification(w, { id: creditorId, scheme: 'SEPA' });
    partyName(w, doc.payee.name);
    if (doc.payee.legalRegistration) {
      w.open('cac:PartyLegalEntity');
      id('cbc:CompanyID', doc.payee.legalRegistration);
      w.close();
    }
    w.close();
  }
  if (doc.taxRepresentative) {
    w.open('cac:TaxRepresentativeParty');
    partyName(w, doc.taxRepresentative.name);
    address(w, 'cac:PostalAddress', doc.taxRepresentative.address);
    partyTaxScheme(w, doc.taxRepresentative.vatId, 'VAT');
    w.close();
  }
  if (doc.delivery) {
    const { delivery } = doc;
    w.open('cac:Delivery');
    w.leaf('cbc:ActualDeliveryDate', delivery.date);
    if (delivery.locationId || delivery.address) {
      w.open('cac:DeliveryLocation');
      id('cbc:ID', delivery.locationId);
      address(w, 'cac:Address', delivery.address);
      w.close();
    }
    if (delivery.partyName !== undefined) {
      w.open('cac:DeliveryParty');
      partyName(w, delivery.partyName);
      w.close();
    }
    w.close();
  }
  paymentMeans(w, doc, paymentMeansDueDate);
  if (doc.paymentTerms !== undefined) {
    w.open('cac:PaymentTerms');
    w.leaf('cbc:Note', doc.paymentTerms);
    w.close();
  }
  for (const allowance of doc.allowances) documentAllowanceCharge(w, false, allowance, amount);
  for (const charge of doc.charges) documentAllowanceCharge(w, true, charge, amount);

  if (doc.totals.vatTotal !== undefined || doc.vatBreakdown.length > 0) {
    w.open('cac:TaxTotal');
    amount('cbc:TaxAmount', doc.totals.vatTotal);
    for (const entry of doc.vatBreakdown) {
      w.open('cac:TaxSubtotal');
      amount('cbc:TaxableAmount', entry.taxableAmount);
      amount('cbc:TaxAmount', entry.taxAmount);
      taxCategory(w, 'cac:TaxCategory', entry.category, entry.rate, entry.exemptionReasonCode, entry.exemptionReason);
      w.close();
    }
    w.close();
  }
  if (doc.totals.vatTotalInAccountingCurrency !== undefined) {
    w.open('cac:TaxTotal');
    amount('cbc:TaxAmount', doc.totals.vatTotalInAccountingCurrency, doc.vatAccountingCurrency);
    w.close();
  }
  const { totals } = doc;
  w.open('cac:LegalMonetaryTotal');
  amount('cbc:LineExtensionAmount', totals.lineNetTotal);
  amount('cbc:TaxExclusiveAmount', totals.taxExclusive);
  amount('cbc:TaxInclusiveAmount', totals.taxInclusive);
  amount('cbc:AllowanceTotalAmount', totals.allowanceTotal);
  amount('cbc:ChargeTotalAmount', totals.chargeTotal);
  amount('cbc:PrepaidAmount', totals.prepaid);
  amount('cbc:PayableRoundingAmount', totals.rounding);
  amount('cbc:PayableAmount', totals.amountDue);
  w.close();

  for (const line of doc.lines) writeLine(w, line, creditNote, amount, id);
  return w.toBuffer();
}

/**
 * BT-8 as UBL codes it: UNTDID 2005 (3 invoice date, 35 delivery date, 432 paid-to date). A code of CII's UNTDID 2475
 * (5, 29, 72), the same three meanings, becomes its UBL code; any other code is written as it is.
 */
const UBL_TAX_POINT_CODES: ReadonlyMap<string, string> = new Map([
  ['5', '3'],
  ['29', '35'],
  ['72', '432'],
]);

function ublTaxPointCode(code: string | undefined): string | undefined {
  return code === undefined ? undefined : (UBL_TAX_POINT_CODES.get(code) ?? code);
}

type AmountWriter = (name: string, value: string | undefined, currency?: string) => void;
type IdWriter = (name: string, value: En16931.Identifier | undefined) => void;

function referenceId(w: XmlWriter, name: string, value: string | undefined): void {
  if (value === undefined) return;
  w.open(name);
  w.leaf('cbc:ID', value);
  w.close();
}

function period(w: XmlWriter, value: En16931.Period | undefined): void {
  w.leaf('cbc:StartDate', value?.start);
  w.leaf('cbc:EndDate', value?.end);
}

function partyIdentification(w: XmlWriter, identifier: En16931.Identifier): void {
  w.open('cac:PartyIdentification');
  w.leaf('cbc:ID', identifier.id, { schemeID: identifier.scheme });
  w.close();
}

function partyName(w: XmlWriter, name: string | undefined): void {
  if (name === undefined) return;
  w.open('cac:PartyName');
  w.leaf('cbc:Name', name);
  w.close();
}

function address(w: XmlWriter, name: string, value: En16931.Address | undefined): void {
  if (!value) return;
  w.open(name);
  w.leaf('cbc:StreetName', value.line1);
  w.leaf('cbc:AdditionalStreetName', value.line2);
  w.leaf('cbc:CityName', value.city);
  w.leaf('cbc:PostalZone', value.postCode);
  w.leaf('cbc:CountrySubentity', value.subdivision);
  if (value.line3 !== undefined) {
    w.open('cac:AddressLine');
    w.leaf('cbc:Line', value.line3);
    w.close();
  }
  // UBL requires the country in an address; an absent BT-40 stays absent for the rules (BR-09) to report.
  if (value.country !== undefined) {
    w.open('cac:Country');
    w.leaf('cbc:IdentificationCode', value.country);
    w.close();
  }
  w.close();
}

function partyTaxScheme(w: XmlWriter, companyId: string | undefined, scheme: string): void {
  if (companyId === undefined) return;
  w.open('cac:PartyTaxScheme');
  w.leaf('cbc:CompanyID', companyId);
  w.open('cac:TaxScheme');
  w.leaf('cbc:ID', scheme);
  w.close();
  w.close();
}

function legalEntity(w: XmlWriter, name: string | undefined, registration: En16931.Identifier | undefined, legalForm: string | undefined): void {
  if (name === undefined && registration === undefined && legalForm === undefined) return;
  w.open('cac:PartyLegalEntity');
  w.leaf('cbc:RegistrationName', name);
  w.leaf('cbc:CompanyID', registration?.id, { schemeID: registration?.scheme });
  w.leaf('cbc:CompanyLegalForm', legalForm);
  w.close();
}

function contact(w: XmlWriter, value: En16931.Contact | undefined): void {
  if (!value) return;
  w.open('cac:Contact');
  w.leaf('cbc:Name', value.name);
  w.leaf('cbc:Telephone', value.phone);
  w.leaf('cbc:ElectronicMail', value.email);
  w.close();
}

/** One `cac:PaymentMeans` per credit transfer account (as Peppol writes several accounts), or one for the rest. */
function paymentMeans(w: XmlWriter, doc: En16931.En16931Document, dueDate: string | undefined): void {
  const instructions = doc.paymentInstructions;
  if (!instructions || instructions.meansCode === undefined) return;
  const accounts = instructions.creditTransfers.length > 0 ? instructions.creditTransfers : [undefined];
  accounts.forEach((account, i) => {
    w.open('cac:PaymentMeans');
    w.leaf('cbc:PaymentMeansCode', instructions.meansCode, { name: instructions.meansText });
    w.leaf('cbc:PaymentDueDate', dueDate);
    w.leaf('cbc:PaymentID', instructions.remittanceInformation);
    if (i === 0 && instructions.card) {
      w.open('cac:CardAccount');
      w.leaf('cbc:PrimaryAccountNumberID', instructions.card.accountNumber);
      // UBL requires the card network; EN 16931 has no term for it.
      w.leaf('cbc:NetworkID', 'NA');
      w.leaf('cbc:HolderName', instructions.card.holderName);
      w.close();
    }
    if (account) {
      w.open('cac:PayeeFinancialAccount');
      w.leaf('cbc:ID', account.accountId);
      w.leaf('cbc:Name', account.accountName);
      if (account.serviceProviderId !== undefined) {
        w.open('cac:FinancialInstitutionBranch');
        w.leaf('cbc:ID', account.serviceProviderId);
        w.close();
      }
      w.close();
    }
    const debit = instructions.directDebit;
    if (i === 0 && debit && (debit.mandateReference !== undefined || debit.debitedAccountId !== undefined)) {
      w.open('cac:PaymentMandate');
      w.leaf('cbc:ID', debit.mandateReference);
      if (debit.debitedAccountId !== undefined) {
        w.open('cac:PayerFinancialAccount');
        w.leaf('cbc:ID', debit.debitedAccountId);
        w.close();
      }
      w.close();
    }
    w.close();
  });
}

function taxCategory(w: XmlWriter, name: string, category: string | undefined, rate: string | undefined, reasonCode?: string, reason?: string): void {
  w.open(name);
  w.leaf('cbc:ID', category);
  w.leaf('cbc:Percent', rate);
  w.leaf('cbc:TaxExemptionReasonCode', reasonCode);
  w.leaf('cbc:TaxExemptionReason', reason);
  w.open('cac:TaxScheme');
  w.leaf('cbc:ID', 'VAT');
  w.close();
  w.close();
}

function allowanceChargeBody(w: XmlWriter, charge: boolean, value: En16931.AllowanceCharge, amount: AmountWriter): void {
  w.leaf('cbc:ChargeIndicator', String(charge));
  w.leaf('cbc:AllowanceChargeReasonCode', value.reasonCode);
  w.leaf('cbc:AllowanceChargeReason', value.reason);
  w.leaf('cbc:MultiplierFactorNumeric', value.percentage);
  amount('cbc:Amount', value.amount);
  amount('cbc:BaseAmount', value.baseAmount);
}

function documentAllowanceCharge(w: XmlWriter, charge: boolean, value: En16931.DocumentAllowanceCharge, amount: AmountWriter): void {
  w.open('cac:AllowanceCharge');
  allowanceChargeBody(w, charge, value, amount);
  if (value.vatCategory !== undefined || value.vatRate !== undefined) taxCategory(w, 'cac:TaxCategory', value.vatCategory, value.vatRate);
  w.close();
}

function writeLine(w: XmlWriter, line: En16931.Line, creditNote: boolean, amount: AmountWriter, id: IdWriter): void {
  w.open(creditNote ? 'cac:CreditNoteLine' : 'cac:InvoiceLine');
  w.leaf('cbc:ID', line.id);
  w.leaf('cbc:Note', line.note);
  w.leaf(creditNote ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity', line.quantity, { unitCode: line.unitCode });
  amount('cbc:LineExtensionAmount', line.netAmount);
  w.leaf('cbc:AccountingCost', line.buyerAccountingReference);
  if (line.period) {
    w.open('cac:InvoicePeriod');
    period(w, line.period);
    w.close();
  }
  if (line.orderLineReference !== undefined) {
    w.open('cac:OrderLineReference');
    w.leaf('cbc:LineID', line.orderLineReference);
    w.close();
  }
  if (line.objectIdentifier) {
    w.open('cac:DocumentReference');
    id('cbc:ID', line.objectIdentifier);
    w.leaf('cbc:DocumentTypeCode', '130');
    w.close();
  }
  for (const allowance of line.allowances) lineAllowanceCharge(w, false, allowance, amount);
  for (const charge of line.charges) lineAllowanceCharge(w, true, charge, amount);

  const { item } = line;
  w.open('cac:Item');
  w.leaf('cbc:Description', item.description);
  w.leaf('cbc:Name', item.name);
  itemIdentification(w, 'cac:BuyersItemIdentification', item.buyerId === undefined ? undefined : { id: item.buyerId });
  itemIdentification(w, 'cac:SellersItemIdentification', item.sellerId === undefined ? undefined : { id: item.sellerId });
  itemIdentification(w, 'cac:StandardItemIdentification', item.standardId);
  if (item.originCountry !== undefined) {
    w.open('cac:OriginCountry');
    w.leaf('cbc:IdentificationCode', item.originCountry);
    w.close();
  }
  for (const classification of item.classifications) {
    w.open('cac:CommodityClassification');
    w.leaf('cbc:ItemClassificationCode', classification.id, { listID: classification.scheme, listVersionID: classification.schemeVersion });
    w.close();
  }
  if (line.vat.category !== undefined || line.vat.rate !== undefined) taxCategory(w, 'cac:ClassifiedTaxCategory', line.vat.category, line.vat.rate);
  for (const attribute of item.attributes) {
    w.open('cac:AdditionalItemProperty');
    w.leaf('cbc:Name', attribute.name);
    w.leaf('cbc:Value', attribute.value);
    w.close();
  }
  w.close();

  const { price } = line;
  if (Object.keys(price).length > 0) {
  w.open('cac:Price');
  amount('cbc:PriceAmount', price.netPrice);
  w.leaf('cbc:BaseQuantity', price.baseQuantity, { unitCode: price.baseQuantityUnitCode });
  if (price.discount !== undefined || price.grossPrice !== undefined) {
    w.open('cac:AllowanceCharge');
    w.leaf('cbc:ChargeIndicator', 'false');
    amount('cbc:Amount', price.discount);
    amount('cbc:BaseAmount', price.grossPrice);
    w.close();
  }
  w.close();
  }
  w.close();
}

function lineAllowanceCharge(w: XmlWriter, charge: boolean, value: En16931.AllowanceCharge, amount: AmountWriter): void {
  w.open('cac:AllowanceCharge');
  allowanceChargeBody(w, charge, value, amount);
  w.close();
}

function itemIdentification(w: XmlWriter, name: string, value: En16931.Identifier | undefined): void {
  if (!value) return;
  w.open(name);
  w.leaf('cbc:ID', value.id, { schemeID: value.scheme });
  w.close();
}

/**
 * Whether a type code is written as a UBL `CreditNote`: the root whose BR-CL-01 list holds it. The model does not keep
 * the root a file had, so a code on both lists (81) is an `Invoice`, which keeps its own due date (BT-9).
 */
function isUblCreditNote(typeCode: string | undefined): boolean {
  return typeCode !== undefined && En16931.isListed(En16931.UNTDID_1001_UBL_CREDIT_NOTE, typeCode) && !En16931.isListed(En16931.UNTDID_1001_UBL_INVOICE, typeCode);
}
