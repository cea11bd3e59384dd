import { writeInvoice } from '@invoicing/integration/formats';
import { FILE, SIGNED_IN, VALIDATED, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { FILE_LIMITS, FILE_WORK } from '../files/files.examples';
import { DRAFT_VALUES } from '../invoices/invoices.examples';
import { toEInvoiceImportResponse } from './e-invoice.mapper';
import type { EInvoiceValidationDto } from './e-invoice.response.dto';

/** What each e-invoices operation may answer, by status: the file route, the reader (ADR 0016) and the import's use case. */
export const E_INVOICE_PROBLEM_CODES = {
  validateEInvoice: answers(SIGNED_IN, FILE, FILE_LIMITS, FILE_WORK),
  // The draft a file makes is checked as any draft, less the lookups: its lines name no marketable, it names no contact.
  importEInvoice: answers(SIGNED_IN, FILE, FILE_LIMITS, FILE_WORK, VALIDATED, DRAFT_VALUES, {
    404: ['partnership.not_found'],
    409: ['partnership.not_active', 'partner.archived', 'invoice.duplicate_external_reference'],
    422: ['e_invoice.invalid', 'e_invoice.credit_note_not_supported', 'e_invoice.type_not_supported', 'e_invoice.calculation_mismatch', 'e_invoice.partnership_mismatch'],
  }),
} satisfies Record<string, ProblemCodes>;

/**
 * The validate example: the seller's hosting provider bills a month of its cluster, 480.00 EUR + 19 % VAT, and the
 * total with VAT swaps two digits (517.20 for 571.20). e-invoices.spec sends it and gets exactly this answer.
 */
export const VALIDATION_EXAMPLE: { readonly request: string; readonly response: EInvoiceValidationDto } = {
  request: `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>EW-2026-1187</cbc:ID>
  <cbc:IssueDate>2026-11-30</cbc:IssueDate>
  <cbc:DueDate>2026-12-14</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>NL-IT-2026</cbc:BuyerReference>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cac:PostalAddress>
        <cbc:StreetName>Am Sandtorkai 50</cbc:StreetName>
        <cbc:CityName>Hamburg</cbc:CityName>
        <cbc:PostalZone>20457</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      <cac:PartyTaxScheme>
        <cbc:CompanyID>DE312456789</cbc:CompanyID>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:PartyTaxScheme>
      <cac:PartyLegalEntity><cbc:RegistrationName>Elbwolke Hosting GmbH</cbc:RegistrationName></cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cac:PostalAddress>
        <cbc:StreetName>Friedrichstraße 120</cbc:StreetName>
        <cbc:CityName>Berlin</cbc:CityName>
        <cbc:PostalZone>10117</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      <cac:PartyLegalEntity><cbc:RegistrationName>Nordlicht Software GmbH</cbc:RegistrationName></cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">91.20</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">480.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">91.20</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>19</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">480.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">480.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">517.20</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">517.20</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="MON">1</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">480.00</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>Managed Kubernetes cluster, November 2026</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>19</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">480.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
`,
  response: {
    syntax: 'ubl',
    number: 'EW-2026-1187',
    valid: false,
    findings: [
      {
        rule: 'BR-CO-15',
        severity: 'fatal',
        message: 'Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110).',
        term: 'BT-112',
        pointer: 'totals.taxInclusive',
        xpath: '/Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount',
        line: 51,
        column: 5,
      },
    ],
    omittedFindings: 0,
  },
};

/** Examples of the e-invoices operations, by operation id. */
export const eInvoiceExamples: ExamplesOf<keyof typeof E_INVOICE_PROBLEM_CODES> = ({ eInvoices }) => ({
  validateEInvoice: { ...VALIDATION_EXAMPLE, problems: ['format.malformed', 'format.doctype_refused', 'format.unknown_root', 'request.too_large', 'request.unsupported_media_type'] },
  importEInvoice: {
    // A valid file: it has no warning either.
    request: writeInvoice(eInvoices.importedFile, 'ubl').toString('utf8'),
    response: toEInvoiceImportResponse(eInvoices.imported, []),
    problems: ['format.malformed', 'partnership.not_found', 'invoice.duplicate_external_reference', 'e_invoice.calculation_mismatch', 'request.unsupported_media_type'],
  },
});
