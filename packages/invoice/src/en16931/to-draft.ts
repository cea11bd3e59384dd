import { decimal, definedFields } from '@invoicing/core';
import type { InvoiceState } from '../invoice/invoice';
import type { AllowanceChargeInput } from '../invoice/invoice-line';
import type { DraftInput, DraftLineInput } from '../invoice/invoice.use-cases';
import type { VatCategoryInput } from '../invoice/vat';
import type { AllowanceCharge, DocumentAllowanceCharge, En16931Document, Finding, Period } from './model';
import { isListed } from './rules/code-lists';

/** The rule id of a stated amount that differs from the domain's calculation of the same content. */
export const CALCULATION_RULE = 'INV-CALC';

/** A draft made from an e-invoice, and what the file states that a draft does not record. */
export interface DraftFromEn16931 {
  readonly draft: DraftInput;
  /** BT-1, kept as the draft's external reference: importing the same file twice finds the first draft. */
  readonly externalReference?: string;
  /** The business terms and groups the file states that an invoice does not record yet, e.g. `BG-13 delivery`. */
  readonly notRecorded: readonly string[];
}

/**
 * The content of a draft invoice from an EN 16931 document: lines, allowances and charges, dates, references, notes,
 * prepaid and rounding amounts. Amounts stay as stated; the draft computes its own totals, which
 * {@link calculationDisagreements} compares with the stated ones. The exemption reason EN 16931 states once per VAT
 * category (BG-23) is copied to each line and allowance or charge of that category, where the domain keeps it.
 */
export function draftFromEn16931(doc: En16931Document): DraftFromEn16931 {
  const exemptions = new Map(doc.vatBreakdown.map((entry) => [`${entry.category ?? ''}`, entry]));
  const vat = (category: string | undefined, rate: string | undefined): VatCategoryInput => {
    const exemption = exemptions.get(category ?? '');
    return definedFields({ code: category ?? '', rate, exemptionReason: exemption?.exemptionReason, exemptionReasonCode: exemption?.exemptionReasonCode }) as VatCategoryInput;
  };
  const lines = doc.lines.map(
    (line): DraftLineInput =>
      definedFields({
        id: line.id,
        name: line.item.name,
        description: line.item.description,
        sellerItemId: line.item.sellerId,
        period: periodOf(line.period),
        quantity: line.quantity ?? '',
        unitCode: line.unitCode,
        netPrice: line.price.netPrice,
        priceBaseQuantity: line.price.baseQuantity,
        allowances: line.allowances.map(allowanceCharge),
        charges: line.charges.map(allowanceCharge),
        vat: vat(line.vat.category, line.vat.rate),
      }) as DraftLineInput,
  );
  const documentLevel = (value: DocumentAllowanceCharge) => ({ ...allowanceCharge(value), vat: vat(value.vatCategory, value.vatRate) });
  const draft: DraftInput = {
    lines,
    allowances: doc.allowances.map(documentLevel),
    charges: doc.charges.map(documentLevel),
    notes: doc.notes.map((note) => note.text ?? ''),
    ...definedFields({
      issueDate: doc.issueDate,
      dueDate: doc.dueDate,
      purchaseOrderReference: doc.purchaseOrderReference,
      buyerReference: doc.buyerReference,
      invoicePeriod: periodOf(doc.invoicePeriod),
      prepaidAmount: doc.totals.prepaid,
      roundingAmount: doc.totals.rounding,
    }),
  };
  return { draft, ...(doc.number === undefined ? {} : { externalReference: doc.number }), notRecorded: notRecorded(doc) };
}

/**
 * Each stated amount of the document that differs from what the domain computed for the draft made of it: line net
 * amounts (BT-131), the totals (BG-22) and the VAT breakdown (BG-23). Never corrected: the caller refuses the file
 * with these findings, so that nobody's books silently differ from the document they received.
 */
export function calculationDisagreements(doc: En16931Document, computed: Pick<InvoiceState, 'lines' | 'vatBreakdown' | 'totals'>): Finding[] {
  const findings: Finding[] = [];
  const check = (stated: string | undefined, ours: { toString(): string }, term: string, pointer: string, what: string) => {
    // An amount the file leaves out claims nothing; the mandatory ones are already fatal findings (BR-12…15, BR-24).
    if (stated !== undefined && !decimal(stated).eq(decimal(ours.toString()))) {
      findings.push({ rule: CALCULATION_RULE, severity: 'fatal', term, pointer, message: `${what}: the file states ${stated ?? 'nothing'}, the content comes to ${ours.toString()}.` });
    }
  };
  computed.lines.forEach((line, i) => check(doc.lines[i]?.netAmount, line.netAmount, 'BT-131', `lines[${i}].netAmount`, `Line ${line.id} net amount (quantity × price ÷ base quantity + charges − allowances)`));
  const { totals } = computed;
  check(doc.totals.lineNetTotal, totals.lineTotal, 'BT-106', 'totals.lineNetTotal', 'Sum of line net amounts');
  check(doc.totals.allowanceTotal, totals.allowanceTotal, 'BT-107', 'totals.allowanceTotal', 'Sum of allowances');
  check(doc.totals.chargeTotal, totals.chargeTotal, 'BT-108', 'totals.chargeTotal', 'Sum of charges');
  check(doc.totals.taxExclusive, totals.taxExclusive, 'BT-109', 'totals.taxExclusive', 'Total without VAT');
  check(doc.totals.vatTotal, totals.taxTotal, 'BT-110', 'totals.vatTotal', 'Total VAT');
  check(doc.totals.taxInclusive, totals.taxInclusive, 'BT-112', 'totals.taxInclusive', 'Total with VAT');
  check(doc.totals.amountDue, totals.amountDue, 'BT-115', 'totals.amountDue', 'Amount due');
  computed.vatBreakdown.forEach((entry, i) => {
    const rate = entry.category.rate;
    const index = doc.vatBreakdown.findIndex(
      (stated) => stated.category === entry.category.code && (rate === null ? stated.rate === undefined || decimal(stated.rate).isZero() : stated.rate !== undefined && decimal(stated.rate).eq(rate)),
    );
    const stated = doc.vatBreakdown[index];
    const pointer = `vatBreakdown[${index < 0 ? i : index}]`;
    const label = `VAT ${entry.category.code}${rate === null ? '' : ` ${rate.toString()} %`}`;
    check(stated?.taxableAmount, entry.taxableAmount, 'BT-116', `${pointer}.taxableAmount`, `${label} taxable amount`);
    check(stated?.taxAmount, entry.taxAmount, 'BT-117', `${pointer}.taxAmount`, `${label} tax amount`);
  });
  return findings;
}

function allowanceCharge(value: AllowanceCharge): AllowanceChargeInput {
  return definedFields({ amount: value.amount, percent: value.percentage, baseAmount: value.baseAmount, reason: value.reason, reasonCode: value.reasonCode });
}

/** A period as a draft takes it; one with neither date (UBL's BG-14 may hold only BT-8, reported on its own) is none. */
function periodOf(period: Period | undefined): { start?: string; end?: string } | undefined {
  return period?.start === undefined && period?.end === undefined ? undefined : definedFields({ start: period.start, end: period.end });
}

const COMMERCIAL_INVOICE: ReadonlySet<string> = new Set(['380']);

/** What a draft cannot hold, named by business term, so that an import says so instead of dropping it. */
function notRecorded(doc: En16931Document): string[] {
  const present = (value: unknown) => value !== undefined && !(Array.isArray(value) && value.length === 0);
  const terms: [string, unknown][] = [
    // The draft is an invoice, which states 380: another type (a self-billed invoice, 389 …) is not kept.
    ['BT-3 invoice type code', doc.typeCode === undefined || isListed(COMMERCIAL_INVOICE, doc.typeCode) ? undefined : doc.typeCode],
    ['BT-6 VAT accounting currency', doc.vatAccountingCurrency],
    ['BT-7 tax point date', doc.taxPointDate],
    ['BT-8 tax point date code', doc.taxPointDateCode],
    ['BT-11 project reference', doc.projectReference],
    ['BT-12 contract reference', doc.contractReference],
    ['BT-14 sales order reference', doc.salesOrderReference],
    ['BT-15 receiving advice reference', doc.receivingAdviceReference],
    ['BT-16 despatch advice reference', doc.despatchAdviceReference],
    ['BT-17 tender or lot reference', doc.tenderOrLotReference],
    ['BT-18 invoiced object identifier', doc.invoicedObjectIdentifier],
    ['BT-19 buyer accounting reference', doc.buyerAccountingReference],
    ['BT-20 payment terms', doc.paymentTerms],
    // The draft keeps each note's text (BT-22), not its subject code.
    ['BT-21 invoice note subject code', doc.notes.filter((note) => note.subjectCode !== undefined)],
    ['BG-3 preceding invoice reference', doc.precedingInvoices],
    ['BG-10 payee', doc.payee],
    ['BG-11 seller tax representative', doc.taxRepresentative],
    ['BG-13 delivery', doc.delivery],
    ['BG-16 payment instructions', doc.paymentInstructions],
    ['BG-24 additional supporting documents', doc.attachments],
  ];
  const lineTerms: [string, (line: En16931Document['lines'][number]) => unknown][] = [
    ['BT-127 invoice line note', (l) => l.note],
    ['BT-128 invoice line object identifier', (l) => l.objectIdentifier],
    ['BT-132 referenced purchase order line', (l) => l.orderLineReference],
    ['BT-133 invoice line buyer accounting reference', (l) => l.buyerAccountingReference],
    ['BT-147 item price discount', (l) => l.price.discount],
    ['BT-148 item gross price', (l) => l.price.grossPrice],
    ['BT-150 base quantity unit code', (l) => l.price.baseQuantityUnitCode],
    ['BT-156 buyer item identifier', (l) => l.item.buyerId],
    ['BT-157 item standard identifier', (l) => l.item.standardId],
    ['BT-158 item classification', (l) => l.item.classifications],
    ['BT-159 item country of origin', (l) => l.item.originCountry],
    ['BG-32 item attributes', (l) => l.item.attributes],
  ];
  return [
    ...terms.filter(([, value]) => present(value)).map(([name]) => name),
    ...lineTerms.filter(([, read]) => doc.lines.some((line) => present(read(line)))).map(([name]) => name),
  ];
}
