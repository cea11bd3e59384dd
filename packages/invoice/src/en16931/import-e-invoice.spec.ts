import 'reflect-metadata';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { Money } from '@invoicing/core';
import { CreateInvoiceDraft, GetInvoice, IssueInvoice } from '../invoice/invoice.use-cases';
import { GetPartner, UpdatePartner } from '../partner/partner.use-cases';
import { createScenario, type Scenario } from '../testing/scenario';
import { invoiceToEn16931 } from './from-invoice';
import { ImportEInvoice } from './import-e-invoice.use-case';
import type { En16931Document, Finding } from './model';
import type { InvoiceId } from '../shared/ids';

let s: Scenario;
let issued: En16931Document;

beforeEach(async () => {
  s = await createScenario();
  const draft = await s.use(CreateInvoiceDraft).execute({
    tenantId: s.tenantId,
    partnershipId: s.partnership.id,
    issueDate: '2026-03-02',
    lines: [
      { name: 'Consulting', quantity: '3', unitCode: 'HUR', netPrice: '100.00', vat: { code: 'S', rate: '20' }, allowances: [{ amount: '10.00', reason: 'Loyalty' }] },
      { name: 'Books', quantity: '2', unitCode: 'C62', netPrice: '12.50', vat: { code: 'S', rate: '5.5' } },
      { name: 'Training', quantity: '1', unitCode: 'DAY', netPrice: '400.00', vat: { code: 'E', rate: '0', exemptionReason: 'Vocational training' } },
    ],
    charges: [{ amount: '25.00', reason: 'Travel', vat: { code: 'S', rate: '20' } }],
    buyerReference: 'PO-77',
    notes: ['Thank you'],
  });
  issued = invoiceToEn16931(await s.use(IssueInvoice).execute({ tenantId: s.tenantId, invoiceId: draft.id }));
});

const add = (amount: string | undefined, other: string): string => Money.of(amount ?? '', 'EUR').add(Money.of(other, 'EUR')).toString();

const importing = (document: En16931Document, findings: readonly Finding[] = []) => s.use(ImportEInvoice).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, document, findings });

describe('ImportEInvoice', () => {
  it('makes a draft whose amounts are the ones the file states, with the file number as external reference', async () => {
    const { invoice, notRecorded } = await importing({ ...issued, number: 'SUP-2026-0042' });
    expect(invoice.status).toBe('draft');
    expect(invoice.externalReference).toBe('SUP-2026-0042');
    expect(invoice.lines.map((l) => [l.name, l.netAmount.toString(), l.vat.code, l.vat.exemptionReason])).toEqual([
      ['Consulting', '290.00', 'S', undefined],
      ['Books', '25.00', 'S', undefined],
      ['Training', '400.00', 'E', 'Vocational training'],
    ]);
    expect([invoice.totals.taxExclusive.toString(), invoice.totals.amountDue.toString()]).toEqual([issued.totals.taxExclusive, issued.totals.amountDue]);
    expect(notRecorded).toEqual(['BT-20 payment terms']);
    expect((await s.use(GetInvoice).execute({ tenantId: s.tenantId, invoiceId: invoice.id })).version).toBe(invoice.version);
  });

  it('refuses a file whose stated amounts are not what its content comes to, listing every difference, and stores nothing', async () => {
    const lines = issued.lines.map((line, i) => (i === 1 ? { ...line, netAmount: '26.00' } : line));
    const refused = importing({ ...issued, number: 'SUP-1', lines, totals: { ...issued.totals, lineNetTotal: '716.00' } });
    await expect(refused).rejects.toMatchObject({
      code: 'e_invoice.calculation_mismatch',
      details: {
        findings: [
          expect.objectContaining({ rule: 'INV-CALC', term: 'BT-131', pointer: 'lines[1].netAmount' }),
          expect.objectContaining({ rule: 'INV-CALC', term: 'BT-106', pointer: 'totals.lineNetTotal' }),
        ],
      },
    });
    expect(await s.adapters.invoices.findByExternalReference(s.tenantId, s.seller.id, s.buyer.id, 'SUP-1')).toBeUndefined();
  });

  it('refuses a file in another currency, or naming another seller by VAT id', async () => {
    await expect(importing({ ...issued, number: 'SUP-2', currency: 'USD' })).rejects.toMatchObject({
      code: 'e_invoice.partnership_mismatch',
      details: { findings: [expect.objectContaining({ term: 'BT-5', pointer: 'currency' })] },
    });
    await expect(importing({ ...issued, number: 'SUP-3', seller: { ...issued.seller, vatId: 'FR99999999999' } })).rejects.toMatchObject({
      code: 'e_invoice.partnership_mismatch',
      details: { findings: [expect.objectContaining({ term: 'BT-31', pointer: 'seller.vatId' })] },
    });
  });

  it('refuses a credit note, which would become an invoice owed by the buyer, and stores nothing', async () => {
    // Every code of the official credit-note list (UNTDID 1001 as a UBL CreditNote takes it), not only the usual ones:
    // before, a self credit note (261) or a reversal of debit (458) became a draft the buyer owed.
    for (const typeCode of ['81', '83', '261', '262', '296', '308', '381', '396', '420', '458', '502', '503', '532']) {
      await expect(importing({ ...issued, number: `CN-${typeCode}`, typeCode })).rejects.toMatchObject({
        code: 'e_invoice.credit_note_not_supported',
        details: { findings: [expect.objectContaining({ rule: 'INV-TYPE', term: 'BT-3', pointer: 'typeCode' })] },
      });
      expect(await s.adapters.invoices.findByExternalReference(s.tenantId, s.seller.id, s.buyer.id, `CN-${typeCode}`)).toBeUndefined();
    }
  });

  it('refuses a document type it cannot record as an invoice (a proforma, a corrected invoice …), and stores nothing', async () => {
    for (const typeCode of ['325', '384', '751', '877']) {
      await expect(importing({ ...issued, number: `T-${typeCode}`, typeCode })).rejects.toMatchObject({
        code: 'e_invoice.type_not_supported',
        details: { findings: [expect.objectContaining({ rule: 'INV-TYPE', term: 'BT-3', pointer: 'typeCode', message: expect.stringContaining(typeCode) })] },
      });
      expect(await s.adapters.invoices.findByExternalReference(s.tenantId, s.seller.id, s.buyer.id, `T-${typeCode}`)).toBeUndefined();
    }
  });

  it('imports a self-billed invoice (389), naming the type code and the note subject codes it does not record', async () => {
    const notes = [{ subjectCode: 'AAI', text: 'Self-billed by the buyer' }, { text: 'Thank you' }];
    const { invoice, notRecorded } = await importing({ ...issued, number: 'SB-1', typeCode: '389', notes });
    expect(invoice.notes).toEqual(['Self-billed by the buyer', 'Thank you']);
    // Before, both were dropped without a word: the draft is an invoice (380) and keeps note texts only.
    expect(notRecorded).toEqual(['BT-3 invoice type code', 'BT-20 payment terms', 'BT-21 invoice note subject code']);
    const plain = await importing({ ...issued, number: 'SB-2', typeCode: ' 380 ' });
    expect(plain.notRecorded).toEqual(['BT-20 payment terms']);
  });

  it('refuses a rounding or prepaid amount that would make the amount due more than the document charges', async () => {
    // 1,005.00 with VAT: a file stating a rounding of 8,995.00 and an amount due of 10,000.00 computes, and is refused.
    const due = (amount: string) => ({ ...issued.totals, amountDue: amount });
    await expect(importing({ ...issued, number: 'R-1', totals: { ...due('10000.00'), rounding: '8995.00' } })).rejects.toMatchObject({ code: 'invoice.rounding_out_of_range' });
    await expect(importing({ ...issued, number: 'R-2', totals: { ...due('10000.00'), prepaid: '-8995.00' } })).rejects.toMatchObject({ code: 'invoice.prepaid_out_of_range' });
    await expect(importing({ ...issued, number: 'R-3', totals: { ...due('0.00'), rounding: '-1005.00' } })).rejects.toMatchObject({ code: 'invoice.rounding_out_of_range' });
    // A round figure, and an advance: both are what those amounts are for.
    const rounded = await importing({ ...issued, number: 'R-4', totals: { ...due(add(issued.totals.amountDue, '0.40')), rounding: '0.40' } });
    const advanced = await importing({ ...issued, number: 'R-5', totals: { ...due(add(issued.totals.amountDue, '-500.00')), prepaid: '500.00' } });
    expect([rounded.invoice.totals.amountDue.toString(), advanced.invoice.totals.amountDue.toString()]).toEqual([add(issued.totals.amountDue, '0.40'), add(issued.totals.amountDue, '-500.00')]);
  });

  it("refuses a file naming a party by any identifier that is not the partner's: legal registration, electronic address", async () => {
    const seller = await s.use(GetPartner).execute({ tenantId: s.tenantId, partnerId: s.seller.id });
    const { kind, legalName, addresses } = seller;
    await s.use(UpdatePartner).execute({
      tenantId: s.tenantId,
      partnerId: s.seller.id,
      details: { kind, legalName, addresses, identifiers: { ...seller.identifiers, legalRegistration: { value: '123 456 789', scheme: '0002' }, electronicAddress: { scheme: '0009', value: '12345678900011' } } },
    });
    const sellerOf = (extra: Partial<En16931Document['seller']>) => ({ ...issued.seller, vatId: undefined, ...extra });

    // Before, only the VAT id was compared: a file without one named any company by the others.
    await expect(importing({ ...issued, number: 'ID-1', seller: sellerOf({ legalRegistration: { id: '999999999' }, electronicAddress: { id: '12345678900011', scheme: '0009' } }) })).rejects.toMatchObject({
      code: 'e_invoice.partnership_mismatch',
      details: { findings: [expect.objectContaining({ term: 'BT-30', pointer: 'seller.legalRegistration' })] },
    });
    await expect(importing({ ...issued, number: 'ID-2', seller: sellerOf({ electronicAddress: { id: '99999999900011', scheme: '0009' } }) })).rejects.toMatchObject({
      code: 'e_invoice.partnership_mismatch',
      details: { findings: [expect.objectContaining({ term: 'BT-34', pointer: 'seller.electronicAddress' })] },
    });
    // The same identifiers written otherwise (spaces, dots) are the partner's.
    const same = await importing({ ...issued, number: 'ID-3', seller: sellerOf({ legalRegistration: { id: '123.456.789', scheme: '0002' }, electronicAddress: { id: '12345678900011', scheme: '0009' } }) });
    expect(same.invoice.status).toBe('draft');
  });

  it('refuses a file with a fatal finding, with every fatal finding, and stores nothing', async () => {
    const findings: Finding[] = [
      { rule: 'BR-CO-10', severity: 'fatal', message: 'sum', term: 'BT-106' },
      { rule: 'BR-51', severity: 'warning', message: 'card' },
    ];
    await expect(importing({ ...issued, number: 'SUP-6' }, findings)).rejects.toMatchObject({ code: 'e_invoice.invalid', details: { findings: [findings[0]] } });
    expect(await s.adapters.invoices.findByExternalReference(s.tenantId, s.seller.id, s.buyer.id, 'SUP-6')).toBeUndefined();
  });

  it('lists the first 1,000 findings of a refusal and counts the others, its message naming them all (audit dos DOS-5)', async () => {
    // Before, every finding was listed: 144,018 of them for a 954 KB file, an answer of 33 MB.
    const findings: Finding[] = Array.from({ length: 1_500 }, (_, i) => ({ rule: 'BR-CO-10', severity: 'fatal', message: `sum ${i}` }));
    const refused: unknown = await importing({ ...issued, number: 'SUP-7' }, findings).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'e_invoice.invalid', message: 'The file breaks 1500 EN 16931 rule(s); nothing was imported.', details: { omittedFindings: 500 } });
    expect((refused as { details: { findings: unknown[] } }).details.findings).toEqual(findings.slice(0, 1_000));
    // A refusal within the limit names no omitted finding.
    const within = (await importing({ ...issued, number: 'SUP-8' }, findings.slice(0, 2)).catch((error: unknown) => error)) as { details: object };
    expect(Object.keys(within.details)).toEqual(['findings']);
  });

  it('refuses the same file twice (the number is the external reference)', async () => {
    await importing({ ...issued, number: 'SUP-4' });
    await expect(importing({ ...issued, number: 'SUP-4' })).rejects.toMatchObject({ code: 'invoice.duplicate_external_reference' });
  });

  it('answers a retry under the same id with the draft the first attempt stored, though its answer was lost (audit of 7 December, F1)', async () => {
    const id = 'derived-import-1' as InvoiceId;
    const retry = () => s.use(ImportEInvoice).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, document: { ...issued, number: 'SUP-7' }, findings: [], id });
    const first = await retry();

    const again = await retry();

    expect(again.invoice).toEqual(first.invoice);
    expect(again.notRecorded).toEqual(first.notRecorded);
    // Under another id, the same file is another import: refused as before.
    await expect(importing({ ...issued, number: 'SUP-7' })).rejects.toMatchObject({ code: 'invoice.duplicate_external_reference' });
  });

  it('records the invoicing period (BG-14) and line periods (BG-26), which the invoice then states again; a period of only BT-8 is none', async () => {
    const lines = issued.lines.map((line, i) => (i === 1 ? { ...line, period: { end: '2026-02-15' } } : line));
    const { invoice, notRecorded } = await importing({ ...issued, number: 'SUP-6', invoicePeriod: { start: '2026-02-01', end: '2026-02-28' }, lines });
    expect(invoice.invoicePeriod).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(invoice.lines.map((line) => line.period)).toEqual([undefined, { end: '2026-02-15' }, undefined]);
    expect(notRecorded).toEqual(['BT-20 payment terms']);
    const again = invoiceToEn16931(await s.use(IssueInvoice).execute({ tenantId: s.tenantId, invoiceId: invoice.id }));
    expect(again.invoicePeriod).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(again.lines.map((line) => line.period)).toEqual([undefined, { end: '2026-02-15' }, undefined]);

    const codeOnly = await importing({ ...issued, number: 'SUP-7', invoicePeriod: {}, taxPointDateCode: '35' });
    expect(codeOnly.invoice.invoicePeriod).toBeUndefined();
    expect(codeOnly.notRecorded).toEqual(['BT-8 tax point date code', 'BT-20 payment terms']);
  });

  it('names the terms a draft does not record instead of dropping them silently', async () => {
    const { notRecorded } = await importing({
      ...issued,
      number: 'SUP-5',
      delivery: { date: '2026-03-01' },
      paymentInstructions: { meansCode: '58', creditTransfers: [{ accountId: 'FR7630006000011234567890189' }] },
      lines: issued.lines.map((line, i) => (i === 0 ? { ...line, item: { ...line.item, originCountry: 'FR' } } : line)),
    });
    expect(notRecorded).toEqual(['BT-20 payment terms', 'BG-13 delivery', 'BG-16 payment instructions', 'BT-159 item country of origin']);
  });
});
