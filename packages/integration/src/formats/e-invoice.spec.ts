// What reading an e-invoice costs is bounded by the file, not only by its bytes (audit dos DOS-5: a plain 954 KB UBL of
// 18,000 empty lines held the event loop 5 s and was answered with 144,018 findings).
import { describe, expect, it } from '@jest/globals';
import { readInvoice, validate } from './e-invoice';
import { NS } from './xml';

const UBL_HEAD = `<Invoice xmlns="${NS.ublInvoice}" xmlns:cac="${NS.cac}" xmlns:cbc="${NS.cbc}"><cbc:ID>X</cbc:ID>`;
/** A UBL invoice of `count` lines that hold nothing but their id: each breaks a handful of rules. */
const emptyLines = (count: number) => Buffer.from(`${UBL_HEAD}${'<cac:InvoiceLine><cbc:ID>1</cbc:ID></cac:InvoiceLine>'.repeat(count)}</Invoice>`);
const CII_HEAD = `<rsm:CrossIndustryInvoice xmlns:rsm="${NS.rsm}" xmlns:ram="${NS.ram}"><rsm:SupplyChainTradeTransaction>`;
const ciiLines = (count: number) =>
  Buffer.from(`${CII_HEAD}${'<ram:IncludedSupplyChainTradeLineItem/>'.repeat(count)}</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>`);

/** The error `run` rejects with. */
async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('readInvoice', () => {
  describe('lines', () => {
    it('refuses a file of more than 10,000 lines before its schema and rules are checked (format.too_many_lines)', async () => {
      const refused = await rejection(() => readInvoice(emptyLines(18_000)));
      expect(refused).toMatchObject({ code: 'format.too_many_lines', details: { lines: 18_000, limit: 10_000 } });
      await expect(rejection(() => readInvoice(ciiLines(10_001)))).resolves.toMatchObject({ code: 'format.too_many_lines', details: { lines: 10_001, limit: 10_000 } });
    });

    it('takes a limit of its own, for UBL invoices and credit notes and CII', async () => {
      await expect(readInvoice(emptyLines(3), { maxLines: 3 })).resolves.toMatchObject({ syntax: 'ubl' });
      expect(await rejection(() => readInvoice(emptyLines(4), { maxLines: 3 }))).toMatchObject({ code: 'format.too_many_lines' });
      const creditNote = Buffer.from(
        `<CreditNote xmlns="${NS.ublCreditNote}" xmlns:cac="${NS.cac}" xmlns:cbc="${NS.cbc}">${'<cac:CreditNoteLine><cbc:ID>1</cbc:ID></cac:CreditNoteLine>'.repeat(4)}</CreditNote>`,
      );
      expect(await rejection(() => readInvoice(creditNote, { maxLines: 3 }))).toMatchObject({ code: 'format.too_many_lines', details: { lines: 4, limit: 3 } });
      expect(await rejection(() => readInvoice(ciiLines(4), { maxLines: 3 }))).toMatchObject({ code: 'format.too_many_lines' });
    });
  });

  describe('findings', () => {
    it('lists them all by default, and counts none omitted', async () => {
      const read = await readInvoice(emptyLines(150));
      expect(read.findings.length).toBeGreaterThan(1_000);
      expect(read.omittedFindings).toBe(0);
      expect(await validate(emptyLines(150))).toHaveLength(read.findings.length);
    });

    it('lists the first `maxFindings`, fatal first, and counts the others', async () => {
      const all = (await readInvoice(emptyLines(150))).findings;
      const capped = await readInvoice(emptyLines(150), { maxFindings: 1_000 });
      expect(capped.findings).toEqual(all.slice(0, 1_000));
      expect(capped.omittedFindings).toBe(all.length - 1_000);
      expect(capped.findings[0]?.severity).toBe('fatal');
      const few = await readInvoice(emptyLines(1), { maxFindings: 1_000 });
      expect([few.findings.length > 0, few.omittedFindings]).toEqual([true, 0]);
    });
  });
});
