// The e-invoice files of issued documents, kept per process (drafts audit D1: the largest document's file takes the
// event loop 1-2 s to write and validate, and any reader could ask for it again and again).
import { describe, expect, it, jest } from '@jest/globals';
import { EInvoiceRefusedError, type InvoiceState } from '@invoicing/invoice';
import { ConformingFiles } from './conforming-files';

const issued = (id: string, tenantId = 'acme'): InvoiceState =>
  ({ tenantId, id, number: `INV-${id}`, issuedAt: new Date('2026-12-07T10:00:00Z') }) as unknown as InvoiceState;

describe('ConformingFiles', () => {
  it('writes the file of a document once, for requests one after the other and at the same moment', async () => {
    const files = new ConformingFiles();
    const write = jest.fn(async () => Buffer.from('<Invoice/>'));

    const first = await files.of(issued('1'), 'ubl', write);
    const together = await Promise.all([files.of(issued('1'), 'ubl', write), files.of(issued('1'), 'ubl', write)]);

    expect([first, ...together].map(String)).toEqual(['<Invoice/>', '<Invoice/>', '<Invoice/>']);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('keeps each syntax, document and tenant apart', async () => {
    const files = new ConformingFiles();
    const write = (text: string) => async () => Buffer.from(text);

    await files.of(issued('1'), 'ubl', write('ubl 1'));
    const answers = await Promise.all([
      files.of(issued('1'), 'cii', write('cii 1')),
      files.of(issued('1'), 'factur-x', write('factur-x 1')),
      files.of(issued('2'), 'ubl', write('ubl 2')),
      files.of(issued('1', 'globex'), 'ubl', write('ubl 1 of globex')),
    ]);

    expect(answers.map(String)).toEqual(['cii 1', 'factur-x 1', 'ubl 2', 'ubl 1 of globex']);
  });

  it('refuses again as it refused, without writing again; another error is not kept', async () => {
    const files = new ConformingFiles();
    const refused = new EInvoiceRefusedError('e_invoice.invalid', 'The document breaks 1 EN 16931 rule(s).', []);
    const refuse = jest.fn(async (): Promise<Buffer> => {
      throw refused;
    });
    const fail = jest.fn(async (): Promise<Buffer> => {
      throw new Error('the database did not answer');
    });

    await expect(files.of(issued('1'), 'ubl', refuse)).rejects.toBe(refused);
    await expect(files.of(issued('1'), 'ubl', refuse)).rejects.toBe(refused);
    await expect(files.of(issued('2'), 'ubl', fail)).rejects.toThrow('the database did not answer');
    await expect(files.of(issued('2'), 'ubl', async () => Buffer.from('<Invoice/>'))).resolves.toEqual(Buffer.from('<Invoice/>'));

    expect(refuse).toHaveBeenCalledTimes(1);
  });

  it('lets the least recently used files go past its bytes, and keeps none larger than them', async () => {
    const files = new ConformingFiles(10);
    const write = jest.fn(async () => Buffer.alloc(4));
    await files.of(issued('1'), 'ubl', write);
    await files.of(issued('2'), 'ubl', write);
    await files.of(issued('1'), 'ubl', write);
    // 1 was used last: 2 goes when 3 comes.
    await files.of(issued('3'), 'ubl', write);
    expect(write).toHaveBeenCalledTimes(3);

    await files.of(issued('1'), 'ubl', write);
    expect(write).toHaveBeenCalledTimes(3);
    await files.of(issued('2'), 'ubl', write);
    expect(write).toHaveBeenCalledTimes(4);

    const large = jest.fn(async () => Buffer.alloc(11));
    await files.of(issued('4'), 'ubl', large);
    await files.of(issued('4'), 'ubl', large);
    expect(large).toHaveBeenCalledTimes(2);
  });
});
