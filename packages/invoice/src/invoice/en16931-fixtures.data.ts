/**
 * Official EN 16931 example invoices (CEN validation artefacts 1.3.16, EUPL 1.2; copies in /work/shared/fixtures/en16931/),
 * typed in by hand as domain input, with the figures each document states about itself. Nothing here is parsed from XML:
 * en16931-fixtures.spec.ts builds each document with `Invoice.draft` and checks that our calculations give the same figures.
 *
 * Where each figure comes from (UBL 2.1 element / UN/CEFACT CII D16B element):
 * - input: quantity        BT-129 cbc:InvoicedQuantity (cbc:CreditedQuantity) / ram:BilledQuantity, and its unitCode (BT-130)
 *          netPrice        BT-146 cac:Price/cbc:PriceAmount / ram:NetPriceProductTradePrice/ram:ChargeAmount
 *          priceBaseQuantity BT-149 cac:Price/cbc:BaseQuantity / ram:NetPriceProductTradePrice/ram:BasisQuantity
 *          line allowances/charges BG-27/BG-28 cac:InvoiceLine/cac:AllowanceCharge / ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge
 *          vat             BT-151, BT-152 cac:ClassifiedTaxCategory / ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax
 *          document allowances/charges BG-20/BG-21 cac:AllowanceCharge / ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge
 *          prepaidAmount   BT-113 cbc:PrepaidAmount / ram:TotalPrepaidAmount
 *          roundingAmount  BT-114 cbc:PayableRoundingAmount / ram:RoundingAmount
 * - stated: lines[].netAmount        BT-131 cac:InvoiceLine/cbc:LineExtensionAmount / ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount
 *           lines[].allowances, charges BT-136 / BT-141 cbc:Amount / ram:ActualAmount of each line allowance/charge
 *           allowances, charges      BT-92 / BT-99 cbc:Amount / ram:ActualAmount of each document allowance/charge
 *           vatBreakdown             BG-23 cac:TaxTotal/cac:TaxSubtotal (cbc:TaxableAmount, cbc:TaxAmount, cac:TaxCategory)
 *                                    / ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax (ram:BasisAmount, ram:CalculatedAmount)
 *           lineTotal      BT-106 cac:LegalMonetaryTotal/cbc:LineExtensionAmount / ram:LineTotalAmount
 *           allowanceTotal BT-107 cbc:AllowanceTotalAmount / ram:AllowanceTotalAmount
 *           chargeTotal    BT-108 cbc:ChargeTotalAmount / ram:ChargeTotalAmount
 *           taxExclusive   BT-109 cbc:TaxExclusiveAmount / ram:TaxBasisTotalAmount
 *           taxTotal       BT-110 cac:TaxTotal/cbc:TaxAmount / ram:TaxTotalAmount (the one in the document currency)
 *           taxInclusive   BT-112 cbc:TaxInclusiveAmount / ram:GrandTotalAmount
 *           prepaid        BT-113 cbc:PrepaidAmount / ram:TotalPrepaidAmount
 *           rounding       BT-114 cbc:PayableRoundingAmount / ram:RoundingAmount
 *           amountDue      BT-115 cbc:PayableAmount / ram:DuePayableAmount
 *   A figure the document leaves out is left out here too (`undefined`); the spec then expects zero.
 *   Amounts are written as the document writes them ("1436.5" in CII, "1436.50" in UBL).
 *
 * The data follows the documents with three adaptations, none of which touches an amount:
 * - Line names are BT-153 of the document; line ids (BT-126) are given only where they are unique (see CII-BR-CO-10-RoundingIssue).
 * - Our domain wants the exemption reason (BT-120/121) on each line or allowance/charge of an exempt category, where EN 16931 has it
 *   only on the VAT breakdown; it is copied down from the document's breakdown entry of that category.
 * - The price discount and gross price (BT-147, BT-148) that two documents carry are informative only and not modelled.
 *
 * Documents skipped, because their own figures break the EN 16931 calculation rules (we do not bend the domain to them):
 * - ubl-tc434-example1.xml, ubl-tc434-example10.xml, guide-example1.xml, CII_example1.xml: line 20 has quantity 6 × price 18.33,
 *   so BT-131 is +109.98, but the document states −109.98 (a return written with a positive quantity); every total follows from it.
 * - ubl-tc434-example2.xml, guide-example2.xml: line 1 has quantity 2 × 1273.00 (base quantity 1) − 12.00 + 12.00 = 2546.00, stated 1273.00.
 * - CII_example2.xml, CII_business_example_01.xml, CII_example8.xml: every NetPriceProductTradePrice/BasisQuantity repeats the price
 *   (e.g. 1273 for a price of 1273), so quantity × price ÷ base quantity is the quantity, not the stated LineTotalAmount.
 * - ubl-tc434-example3.xml, guide-example3.xml: 2 × 800.00 = 1600.00 per line, stated 800.00 and 400.00.
 * - CII_business_example_Z.xml: line 16 is 1.000 × 1.5000 = 1.50, stated 177.41.
 * - XRechnung-O.xml: line 1 is 1.0000 × 99548.42 = 99548.42 plus a charge of 15894.27, stated 83654.15; 19 % of 83654.15 is 15894.29,
 *   stated 15894.27; and the same charges appear again at document level.
 * - huf_example_cii.xml: the document rounds every line and the VAT to whole forints (64 × 36109.00 ÷ 100 = 23109.76 → 23110, + 330.00
 *   = 23440.00; VAT 69180.00 × 27 % = 18678.60, stated 18679.00), while ISO 4217 gives HUF two decimals, which our Money keeps:
 *   we get 23439.76 and 18678.60. Also its quantities are written "64." (a trailing point), which is not a plain decimal.
 * - FT_G2G_TD01…xml (3.3 MB, Italian split payment), ubl-tc434-example4/6/9.xml, CII_example4/6/7/9.xml, BIS3_Invoice_positive.XML:
 *   consistent, but they repeat features of documents below (CII_example7.xml is ubl-tc434-example7.xml in CII, without BT-110).
 */
import type { CurrencyCode } from '@invoicing/core';
import type { DocumentKind } from './invoice';
import type { DocumentAllowanceChargeInput, InvoiceLineInput } from './invoice-line';

/** A VAT breakdown entry (BG-23) as the document states it. */
interface StatedVatBreakdown {
  /** BT-118 */
  readonly code: string;
  /** BT-119; null when the document has none (category O). */
  readonly rate: string | null;
  /** BT-116 */
  readonly taxable: string;
  /** BT-117 */
  readonly tax: string;
}

/** The figures a document states about itself. */
interface StatedFigures {
  readonly lines: readonly { readonly netAmount: string; readonly allowances?: readonly string[]; readonly charges?: readonly string[] }[];
  readonly allowances?: readonly string[];
  readonly charges?: readonly string[];
  readonly vatBreakdown: readonly StatedVatBreakdown[];
  readonly lineTotal: string;
  readonly allowanceTotal?: string;
  readonly chargeTotal?: string;
  readonly taxExclusive: string;
  readonly taxTotal?: string;
  readonly taxInclusive: string;
  readonly prepaid?: string;
  readonly rounding?: string;
  readonly amountDue: string;
}

/** One example document: its input as our domain takes it, and its own results. */
export interface En16931Document {
  /** Path under /work/shared/fixtures/en16931/. */
  readonly file: string;
  readonly syntax: 'UBL' | 'CII';
  /** The EN 16931 features the document exercises. */
  readonly features: readonly string[];
  readonly kind: DocumentKind;
  readonly currency: CurrencyCode;
  readonly lines: readonly InvoiceLineInput[];
  readonly allowances?: readonly DocumentAllowanceChargeInput[];
  readonly charges?: readonly DocumentAllowanceChargeInput[];
  readonly prepaidAmount?: string;
  readonly roundingAmount?: string;
  readonly stated: StatedFigures;
}

const S25 = { code: 'S', rate: '25' } as const;

export const EN16931_DOCUMENTS: readonly En16931Document[] = [
  {
    file: 'cii/CII_example5.xml',
    syntax: 'CII',
    features: [
      'line allowance and line charge as a percent of a base amount (BT-138/137, BT-143/142)',
      'document allowance and charge as a percent of a base amount, with VAT (BT-94/93, BT-101/100)',
      'explicit price base quantity 1 (BT-149)',
      'prepaid amount (BT-113): half of the total',
      'two standard rates',
      'DKK',
    ],
    kind: 'invoice',
    currency: 'DKK',
    lines: [
      {
        id: '1',
        name: 'Printing paper',
        quantity: '1000',
        unitCode: 'C62',
        netPrice: '1',
        priceBaseQuantity: '1',
        // The document also states the amounts (100 each); the percent and base are given so that our domain computes them.
        allowances: [{ percent: '10', baseAmount: '1000', reason: 'Loyal customer', reasonCode: '95' }],
        charges: [{ percent: '10', baseAmount: '1000', reason: 'Packaging', reasonCode: 'ABL' }],
        vat: S25,
      },
      { id: '2', name: 'Parker Pen', quantity: '100', unitCode: 'C62', netPrice: '5', vat: S25 },
      { id: '3', name: 'American Cookies', quantity: '500', unitCode: 'C62', netPrice: '5', vat: { code: 'S', rate: '12' } },
    ],
    allowances: [{ percent: '10', baseAmount: '1500', reason: 'Loyal customer', reasonCode: '95', vat: S25 }],
    charges: [{ percent: '10', baseAmount: '1500', reason: 'Packaging', reasonCode: 'ABL', vat: S25 }],
    prepaidAmount: '2337.5',
    stated: {
      lines: [{ netAmount: '1000', allowances: ['100'], charges: ['100'] }, { netAmount: '500' }, { netAmount: '2500' }],
      allowances: ['150'],
      charges: ['150'],
      vatBreakdown: [
        { code: 'S', rate: '25', taxable: '1500', tax: '375' },
        { code: 'S', rate: '12', taxable: '2500', tax: '300' },
      ],
      lineTotal: '4000.00',
      allowanceTotal: '150',
      chargeTotal: '150',
      taxExclusive: '4000',
      // The second ram:TaxTotalAmount, 628.62 EUR, is BT-111 in the tax currency, which our domain does not model.
      taxTotal: '675.00',
      taxInclusive: '4675',
      prepaid: '2337.5',
      amountDue: '2337.5',
    },
  },
  {
    file: 'ubl/ubl-tc434-example8.xml',
    syntax: 'UBL',
    features: [
      'price base quantity 12 (BT-149): a yearly price billed per month',
      'net prices with 5 decimals (0.00880, 0.00101)',
      'ten lines in one S 21 % entry',
      'EUR',
    ],
    kind: 'invoice',
    currency: 'EUR',
    lines: [
      { id: '1', name: 'Getransporteerde kWh’s', quantity: '16000', unitCode: 'KWH', netPrice: '0.00880', priceBaseQuantity: '1', vat: { code: 'S', rate: '21' } },
      { id: '2', name: 'Systeemdiensten', quantity: '16000', unitCode: 'KWH', netPrice: '0.00101', priceBaseQuantity: '1', vat: { code: 'S', rate: '21' } },
      { id: '3', name: 'Contract transportvermogen', quantity: '132', unitCode: 'KW', netPrice: '15.24', priceBaseQuantity: '12', vat: { code: 'S', rate: '21' } },
      { id: '4', name: 'Maximaal afgenomen vermogen', quantity: '58', unitCode: 'KW', netPrice: '1.53', priceBaseQuantity: '1', vat: { code: 'S', rate: '21' } },
      { id: '5', name: 'Vastrecht Transportdienst', quantity: '1', unitCode: 'MON', netPrice: '441.00', priceBaseQuantity: '12', vat: { code: 'S', rate: '21' } },
      { id: '6', name: 'Vastrecht Aansluitdienst', quantity: '1', unitCode: 'MON', netPrice: '678.00', priceBaseQuantity: '12', vat: { code: 'S', rate: '21' } },
      { id: '7', name: 'Huur Transformatoren', quantity: '1', unitCode: 'MON', netPrice: '83.34', priceBaseQuantity: '1', vat: { code: 'S', rate: '21' } },
      { id: '8', name: 'Huur Schakelinstallaties', quantity: '1', unitCode: 'MON', netPrice: '190.31', priceBaseQuantity: '1', vat: { code: 'S', rate: '21' } },
      { id: '9', name: 'Huur Overige Apparaten', quantity: '1', unitCode: 'MON', netPrice: '64.21', priceBaseQuantity: '1', vat: { code: 'S', rate: '21' } },
      { id: '10', name: 'Huur Meterdiensten', quantity: '1', unitCode: 'MON', netPrice: '64.46', priceBaseQuantity: '1', vat: { code: 'S', rate: '21' } },
    ],
    stated: {
      lines: [
        { netAmount: '140.80' },
        { netAmount: '16.16' },
        { netAmount: '167.64' },
        { netAmount: '88.74' },
        { netAmount: '36.75' },
        { netAmount: '56.50' },
        { netAmount: '83.34' },
        { netAmount: '190.31' },
        { netAmount: '64.21' },
        { netAmount: '64.46' },
      ],
      vatBreakdown: [{ code: 'S', rate: '21', taxable: '908.91', tax: '190.87' }],
      lineTotal: '908.91',
      taxExclusive: '908.91',
      taxTotal: '190.87',
      taxInclusive: '1099.78',
      amountDue: '1099.78',
    },
  },
  {
    file: 'ubl/BIS3_Invoice_negativ.XML',
    syntax: 'UBL',
    features: ['negative quantity (BT-129) on an invoice', 'negative totals and amount due', 'a negative VAT tie, −156435.885, rounded away from zero', 'DKK'],
    kind: 'invoice',
    currency: 'DKK',
    lines: [{ id: '1', name: 'text', quantity: '-1', unitCode: 'KWH', netPrice: '625743.54', vat: S25 }],
    stated: {
      lines: [{ netAmount: '-625743.54' }],
      vatBreakdown: [{ code: 'S', rate: '25', taxable: '-625743.54', tax: '-156435.89' }],
      lineTotal: '-625743.54',
      taxExclusive: '-625743.54',
      taxTotal: '-156435.89',
      taxInclusive: '-782179.43',
      amountDue: '-782179.43',
    },
  },
  {
    file: 'cii/CII-BR-CO-10-RoundingIssue.xml',
    syntax: 'CII',
    features: [
      'lines that cancel out (BR-CO-10 with a sum of zero)',
      'zero-rated category Z beside S 19 %, each with a zero breakdown entry',
      'negative quantities',
      'repeated line ids (1, 1, 2, 2)',
      'EUR',
    ],
    kind: 'invoice',
    currency: 'EUR',
    // The document numbers its lines 1, 1, 2, 2; our domain wants unique line ids, so they are left to it (1 to 4).
    lines: [
      { name: 'Flugschein', sellerItemId: '1111', quantity: '1', unitCode: 'IE', netPrice: '720.81', vat: { code: 'S', rate: '19.00' } },
      { name: 'Flugschein', sellerItemId: '1111', quantity: '1', unitCode: 'IE', netPrice: '0.01', vat: { code: 'Z', rate: '0' } },
      { name: 'Flug Storno Inland', sellerItemId: '2222', quantity: '-1', unitCode: 'IE', netPrice: '720.81', vat: { code: 'S', rate: '19.00' } },
      { name: 'Flug Storno Inland', sellerItemId: '2222', quantity: '-1', unitCode: 'IE', netPrice: '0.01', vat: { code: 'Z', rate: '0' } },
    ],
    stated: {
      lines: [{ netAmount: '720.81' }, { netAmount: '0.01' }, { netAmount: '-720.81' }, { netAmount: '-0.01' }],
      vatBreakdown: [
        { code: 'Z', rate: '0', taxable: '0.00', tax: '0.00' },
        { code: 'S', rate: '19.00', taxable: '0.00', tax: '0.00' },
      ],
      lineTotal: '0.00',
      allowanceTotal: '0',
      chargeTotal: '0',
      taxExclusive: '0.00',
      taxTotal: '0.00',
      taxInclusive: '0.00',
      prepaid: '0',
      amountDue: '0.00',
    },
  },
  {
    file: 'ubl/ubl-tc434-example7.xml',
    syntax: 'UBL',
    features: ['category O, not subject to VAT: no rate, a reason, no tax', 'SEK'],
    kind: 'invoice',
    currency: 'SEK',
    lines: [
      { id: '1', name: 'Road tax', sellerItemId: 'RT3000', quantity: '1', unitCode: 'EA', netPrice: '2500.00', vat: { code: 'O', exemptionReason: 'Tax' } },
      { id: '2', name: 'Road Register fee', sellerItemId: 'REG', quantity: '1', unitCode: 'EA', netPrice: '700.00', vat: { code: 'O', exemptionReason: 'Tax' } },
    ],
    stated: {
      lines: [{ netAmount: '2500.00' }, { netAmount: '700.00' }],
      vatBreakdown: [{ code: 'O', rate: null, taxable: '3200.00', tax: '0.00' }],
      lineTotal: '3200.00',
      taxExclusive: '3200.00',
      taxTotal: '0.00',
      taxInclusive: '3200.00',
      amountDue: '3200.00',
    },
  },
  {
    file: 'ubl/issue116.xml',
    syntax: 'UBL',
    features: [
      'document allowance and charges in an exempt category (E) that has no line: a breakdown entry of 0',
      'zero document allowance and charge amounts',
      'four breakdown entries: S 6 %, S 12 %, S 25 %, E',
      'explicit zero prepaid (BT-113) and rounding (BT-114) amounts',
      'whole amounts written without decimals',
      'SEK',
    ],
    kind: 'invoice',
    currency: 'SEK',
    lines: [
      { id: '1', name: 'Newspaper (VAT 6%)', quantity: '1', unitCode: 'EA', netPrice: '100', vat: { code: 'S', rate: '6' } },
      { id: '2', name: 'Food (VAT 12%)', quantity: '1', unitCode: 'EA', netPrice: '50', vat: { code: 'S', rate: '12' } },
      { id: '3', name: 'Food (VAT 12%)', quantity: '1', unitCode: 'EA', netPrice: '150', vat: { code: 'S', rate: '12' } },
      { id: '4', name: 'Petrol (VAT 25%)', quantity: '1', unitCode: 'EA', netPrice: '400', vat: S25 },
    ],
    allowances: [
      { amount: '0', reason: 'Discount2', vat: { code: 'S', rate: '6' } },
      { amount: '1', reason: 'Discount1', vat: { code: 'E', rate: '0', exemptionReason: 'Skatteundantag' } },
    ],
    charges: [
      { amount: '1', reason: 'Standard charge', vat: { code: 'E', rate: '0', exemptionReason: 'Skatteundantag' } },
      { amount: '0', reason: 'Extra charge', vat: { code: 'E', rate: '0', exemptionReason: 'Skatteundantag' } },
    ],
    prepaidAmount: '0',
    roundingAmount: '0',
    stated: {
      lines: [{ netAmount: '100' }, { netAmount: '50' }, { netAmount: '150' }, { netAmount: '400' }],
      allowances: ['0', '1'],
      charges: ['1', '0'],
      vatBreakdown: [
        { code: 'S', rate: '6', taxable: '100', tax: '6' },
        { code: 'S', rate: '25', taxable: '400', tax: '100' },
        { code: 'S', rate: '12', taxable: '200', tax: '24' },
        { code: 'E', rate: '0', taxable: '0', tax: '0' },
      ],
      lineTotal: '700',
      allowanceTotal: '1',
      chargeTotal: '1',
      taxExclusive: '700',
      taxTotal: '130',
      taxInclusive: '830',
      prepaid: '0',
      rounding: '0',
      amountDue: '830',
    },
  },
  {
    file: 'cii/CII_business_example_02.xml',
    syntax: 'CII',
    features: ['net prices with 4 decimals, each line rounded to cents (1.2605 → 1.26, 7.4790 → 7.48)', 'quantities with 4 decimals', 'a zero document allowance', 'EUR'],
    kind: 'invoice',
    currency: 'EUR',
    lines: [
      { id: '1', name: 'BPW21', quantity: '1.0000', unitCode: 'C62', netPrice: '1.2605', vat: { code: 'S', rate: '19.00' } },
      { id: '2', name: 'Poti 100k', quantity: '1.0000', unitCode: 'C62', netPrice: '1.2605', vat: { code: 'S', rate: '19.00' } },
      { id: '3', name: 'LCD Display 3.5', quantity: '1.0000', unitCode: 'C62', netPrice: '7.4790', vat: { code: 'S', rate: '19.00' } },
    ],
    allowances: [{ amount: '0.00', reason: 'Rabatt', vat: { code: 'S', rate: '19.00' } }],
    stated: {
      lines: [{ netAmount: '1.26' }, { netAmount: '1.26' }, { netAmount: '7.48' }],
      allowances: ['0.00'],
      vatBreakdown: [{ code: 'S', rate: '19.00', taxable: '10.00', tax: '1.90' }],
      lineTotal: '10.00',
      allowanceTotal: '0.00',
      chargeTotal: '0.00',
      taxExclusive: '10.00',
      taxTotal: '1.90',
      taxInclusive: '11.90',
      amountDue: '11.90',
    },
  },
  {
    file: 'cii/CII_example3.xml',
    syntax: 'CII',
    features: ['document charge with a reason code (FC, freight) in the line’s VAT entry', 'DKK'],
    kind: 'invoice',
    currency: 'DKK',
    lines: [{ id: '1', name: 'Paper subscription', quantity: '1', unitCode: 'C62', netPrice: '800', vat: S25 }],
    charges: [{ amount: '100', reason: 'Freight charge', reasonCode: 'FC', vat: S25 }],
    stated: {
      lines: [{ netAmount: '800' }],
      charges: ['100'],
      vatBreakdown: [{ code: 'S', rate: '25', taxable: '900', tax: '225' }],
      lineTotal: '800',
      chargeTotal: '100',
      taxExclusive: '900',
      taxTotal: '225',
      taxInclusive: '1125',
      amountDue: '1125',
    },
  },
  {
    file: 'ubl/sample-discount-price.xml',
    syntax: 'UBL',
    features: ['quantity with 3 decimals (100.000) and a 4-decimal net price (0.1212) after a price discount (BT-147, informative)', 'EUR'],
    kind: 'invoice',
    currency: 'EUR',
    // Gross price 0.1234 − price discount 0.0022 = net price 0.1212 (BT-148, BT-147 → BT-146).
    lines: [{ id: '1', name: 'stavka 1', quantity: '100.000', unitCode: 'EA', netPrice: '0.1212', priceBaseQuantity: '1', vat: S25 }],
    stated: {
      lines: [{ netAmount: '12.12' }],
      vatBreakdown: [{ code: 'S', rate: '25', taxable: '12.12', tax: '3.03' }],
      lineTotal: '12.12',
      taxExclusive: '12.12',
      taxTotal: '3.03',
      taxInclusive: '15.15',
      amountDue: '15.15',
    },
  },
  {
    file: 'ubl/ubl-tc434-creditnote1.xml',
    syntax: 'UBL',
    features: ['credit note (type code 381)', 'exempt category E with rate 0.00 and a reason text (BT-120)', 'EUR'],
    kind: 'credit_note',
    currency: 'EUR',
    lines: [
      {
        id: '1',
        name: 'Exonération du versement du PP',
        sellerItemId: 'V55',
        quantity: '1.00',
        unitCode: 'C62',
        netPrice: '100.11',
        vat: { code: 'E', rate: '0.00', exemptionReason: 'Taxes are not applicable' },
      },
    ],
    stated: {
      lines: [{ netAmount: '100.11' }],
      vatBreakdown: [{ code: 'E', rate: '0.00', taxable: '100.11', tax: '0.00' }],
      lineTotal: '100.11',
      taxExclusive: '100.11',
      taxTotal: '0.00',
      taxInclusive: '100.11',
      amountDue: '100.11',
    },
  },
];
