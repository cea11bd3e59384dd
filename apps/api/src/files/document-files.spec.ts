// The files of issued documents, kept per process (drafts audit D1; audit dos DOS-2: the PDF of the largest document
// takes 5-6 s to draw, and any reader could ask for it again and again).
import { describe, expect, it, jest } from '@jest/globals';
import { EInvoiceRefusedError, type InvoiceState } from '@invoicing/invoice';
import { DocumentFiles, issuedDocument, type IssuedDocument } from './document-files';

const issued = (id: string, tenantId = 'acme', seal?: { position: number; hash: string }): IssuedDocument =>
  ({ tenantId, id, number: `INV-${id}`, issuedAt: new Date('2026-12-07T10:00:00Z'), ...(seal ? { seal } : {}) }) as unknown as IssuedDocument;
const pdf = { kind: 'pdf', locale: 'en-GB', voided: false } as const;

describe('DocumentFiles', () => {
  describe('of', () => {
    it('writes the file of a document once, for requests one after the other and at the same moment', async () => {
      const files = new DocumentFiles();
      const write = jest.fn(async () => Buffer.from('<Invoice/>'));

      const first = await files.of(issued('1'), { kind: 'ubl' }, write);
      const together = await Promise.all([files.of(issued('1'), { kind: 'ubl' }, write), files.of(issued('1'), { kind: 'ubl' }, write)]);

      expect([first, ...together].map(String)).toEqual(['<Invoice/>', '<Invoice/>', '<Invoice/>']);
      expect(write).toHaveBeenCalledTimes(1);
      expect(files.counts).toEqual({ written: 1, kept: 2 });
    });

    it('keeps each kind of file, document and tenant apart', async () => {
      const files = new DocumentFiles();
      const write = (text: string) => async () => Buffer.from(text);

      await files.of(issued('1'), { kind: 'ubl' }, write('ubl 1'));
      const answers = await Promise.all([
        files.of(issued('1'), { kind: 'cii' }, write('cii 1')),
        files.of(issued('1'), { kind: 'factur-x-xml' }, write('factur-x xml 1')),
        files.of(issued('1'), pdf, write('pdf 1')),
        files.of(issued('1'), { kind: 'factur-x', locale: 'en-GB' }, write('factur-x 1')),
        files.of(issued('2'), { kind: 'ubl' }, write('ubl 2')),
        files.of(issued('1', 'globex'), { kind: 'ubl' }, write('ubl 1 of globex')),
      ]);

      expect(answers.map(String)).toEqual(['cii 1', 'factur-x xml 1', 'pdf 1', 'factur-x 1', 'ubl 2', 'ubl 1 of globex']);
    });

    it('draws a PDF again for another locale, once sealed, for another seal, and voided; its e-invoice depends on none of them', async () => {
      const files = new DocumentFiles();
      const write = jest.fn(async () => Buffer.from('%PDF-'));
      const sealed = issued('1', 'acme', { position: 7, hash: 'a'.repeat(64) });

      await files.of(issued('1'), pdf, write);
      await files.of(issued('1'), { ...pdf, locale: 'de-DE' }, write);
      await files.of(sealed, pdf, write);
      await files.of(issued('1', 'acme', { position: 7, hash: 'b'.repeat(64) }), pdf, write);
      await files.of(sealed, { ...pdf, voided: true }, write);
      await files.of(sealed, { kind: 'factur-x', locale: 'en-GB' }, write);
      expect(write).toHaveBeenCalledTimes(6);

      await files.of(sealed, pdf, write);
      await files.of(issued('1'), { ...pdf, locale: 'de-DE' }, write);
      await files.of(issued('1'), { kind: 'ubl' }, write);
      await files.of(sealed, { kind: 'ubl' }, write);
      expect(write).toHaveBeenCalledTimes(7);
    });

    it('refuses again as it refused, without writing again; another error is not kept', async () => {
      const files = new DocumentFiles();
      const refused = new EInvoiceRefusedError('e_invoice.invalid', 'The document breaks 1 EN 16931 rule(s).', []);
      const refuse = jest.fn(async (): Promise<Buffer> => {
        throw refused;
      });
      const fail = jest.fn(async (): Promise<Buffer> => {
        throw new Error('the database did not answer');
      });

      await expect(files.of(issued('1'), { kind: 'ubl' }, refuse)).rejects.toBe(refused);
      await expect(files.of(issued('1'), { kind: 'ubl' }, refuse)).rejects.toBe(refused);
      await expect(files.of(issued('2'), { kind: 'ubl' }, fail)).rejects.toThrow('the database did not answer');
      await expect(files.of(issued('2'), { kind: 'ubl' }, async () => Buffer.from('<Invoice/>'))).resolves.toEqual(Buffer.from('<Invoice/>'));

      expect(refuse).toHaveBeenCalledTimes(1);
    });

    it('lets the least recently used files go past its bytes, and keeps none larger than them', async () => {
      const files = new DocumentFiles(10);
      const write = jest.fn(async () => Buffer.alloc(4));
      await files.of(issued('1'), { kind: 'ubl' }, write);
      await files.of(issued('2'), { kind: 'ubl' }, write);
      await files.of(issued('1'), { kind: 'ubl' }, write);
      // 1 was used last: 2 goes when 3 comes.
      await files.of(issued('3'), { kind: 'ubl' }, write);
      expect(write).toHaveBeenCalledTimes(3);

      await files.of(issued('1'), { kind: 'ubl' }, write);
      expect(write).toHaveBeenCalledTimes(3);
      await files.of(issued('2'), { kind: 'ubl' }, write);
      expect(write).toHaveBeenCalledTimes(4);

      const large = jest.fn(async () => Buffer.alloc(11));
      await files.of(issued('4'), { kind: 'ubl' }, large);
      await files.of(issued('4'), { kind: 'ubl' }, large);
      expect(large).toHaveBeenCalledTimes(2);
    });
  });

  describe('issuedDocument', () => {
    it('refuses a draft, which has no file, before any is looked for (409 invoice.not_issued)', () => {
      const draft = { tenantId: 'acme', id: 'd-1', status: 'draft' } as unknown as InvoiceState;
      expect(() => issuedDocument(draft)).toThrow(expect.objectContaining({ code: 'invoice.not_issued', details: { invoiceId: 'd-1' } }));
    });
  });
});
