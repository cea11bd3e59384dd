import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createDeflate, deflateSync } from 'node:zlib';
import { ISO_4217_CODES, Money, NON_MONEY_CODES, type CurrencyCode } from '@invoicing/core';
import type { En16931Document } from '@invoicing/invoice';
import { create as createFont, type Font } from 'fontkit';
import { PDFDocument as PdfFile, PDFName, PDFString } from 'pdf-lib';
import PDFDocument from 'pdfkit';
import { SaxesParser } from 'saxes';
import { readInvoice, writeInvoice } from '../e-invoice';
import { DEFAULT_MAX_BYTES } from '../xml';
import { FACTUR_X_FILE_NAME, readFacturX, renderInvoicePdf, writeFacturX } from './index';

// PDFs read back with Debian's poppler-utils (pdftotext, pdfdetach, pdfinfo, pdftoppm): what a reader gets, not what
// the writer meant. `npm test` installs them (.ci/run); without them these tests fail and say what to install.
jest.setTimeout(60_000);

const FIXTURES = resolve(__dirname, '../../../../../../shared/fixtures/en16931');
const work = mkdtempSync(join(tmpdir(), 'invoice-pdf-'));

function poppler(tool: string, args: readonly string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${tool} is missing: install Debian's poppler-utils (apt-get install poppler-utils)`);
    throw error;
  }
}

function textOf(pdf: Buffer, name: string): string {
  const file = join(work, name);
  writeFileSync(file, pdf);
  return poppler('pdftotext', ['-layout', file, '-']);
}

/** The text of each page, as pdftotext lays it out. */
function pagesOf(pdf: Buffer, name: string): string[] {
  return textOf(pdf, name).split('\f').slice(0, -1);
}

async function example(path: string): Promise<En16931Document> {
  return (await readInvoice(readFileSync(join(FIXTURES, path)))).document;
}

/** The document with `count` copies of its lines, numbered on: a long invoice. */
type StreamDict = NonNullable<Parameters<PdfFile['context']['stream']>[1]>;

/** `size` zero bytes deflated, made without ever holding them. */
async function deflatedZeros(size: number): Promise<Buffer> {
  const chunk = Buffer.alloc(1 << 20);
  const zeros = Readable.from((function* () { for (let made = 0; made < size; made += chunk.length) yield chunk; })());
  const parts: Buffer[] = [];
  for await (const part of zeros.pipe(createDeflate({ level: 9 }))) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * A PDF made with pdf-lib whose embedded `factur-x.xml` is `contents` as they are (already encoded by `filters`), and
 * with `extra` streams besides; pdf-lib's object streams (compressed objects) unless told otherwise.
 */
async function pdfCarrying(contents: Uint8Array, filters: readonly string[], options: { extra?: [Uint8Array, StreamDict][]; objectStreams?: boolean } = {}): Promise<Buffer> {
  const file = await PdfFile.create();
  file.addPage();
  const { context } = file;
  const xml = context.register(context.stream(contents, { Type: 'EmbeddedFile', Subtype: 'text/xml', ...(filters.length === 0 ? {} : { Filter: filters.length === 1 ? filters[0] : [...filters] }) }));
  const spec = context.register(context.obj({ Type: 'Filespec', F: PDFString.of(FACTUR_X_FILE_NAME), UF: PDFString.of(FACTUR_X_FILE_NAME), EF: { F: xml } }));
  file.catalog.set(PDFName.of('Names'), context.obj({ EmbeddedFiles: { Names: [PDFString.of(FACTUR_X_FILE_NAME), spec] } }));
  for (const [bytes, dict] of options.extra ?? []) context.register(context.stream(bytes, dict));
  return Buffer.from(await file.save({ useObjectStreams: options.objectStreams ?? true }));
}

function withLines(document: En16931Document, count: number): En16931Document {
  const [first] = document.lines;
  if (!first) throw new Error('the example has no line');
  return { ...document, lines: Array.from({ length: count }, (_, index) => ({ ...first, id: String(index + 1), item: { ...first.item, name: `${first.item.name} — part ${index + 1}` } })) };
}

describe('the PDF of an invoice', () => {
  it('shows the parties, the lines, the VAT breakdown, the totals and how to pay, in the locale', async () => {
    const document = await example('ubl/ubl-tc434-example1.xml');
    const text = textOf(await renderInvoicePdf(document, { locale: 'en-GB' }), 'example1.pdf');
    expect(text).toContain('INVOICE');
    expect(text).toContain(`Number: ${document.number}`);
    expect(text).toContain(document.seller.name as string);
    expect(text).toContain(document.buyer.name as string);
    for (const line of document.lines) expect(text).toContain(line.item.name as string);
    expect(text).toMatch(/Total with VAT\s+EUR\s?[\d,]+\.\d{2}/);
    expect(text).toContain(`Amount due`);
    const transfer = document.paymentInstructions?.creditTransfers[0]?.accountId;
    if (transfer) expect(text).toContain(`IBAN ${transfer}`);
  });

  it('titles every type code of the official credit-note list a credit note (261 self credit note), and an invoice otherwise', async () => {
    const document = await example('ubl/ubl-tc434-creditnote1.xml');
    // Before, only 81, 83, 381, 396 and 532 were: a self credit note was drawn as an invoice with an amount due.
    const selfCredit = textOf(await renderInvoicePdf({ ...document, typeCode: '261' }), 'credit-261.pdf');
    expect([selfCredit.includes('CREDIT NOTE'), selfCredit.includes('Amount credited'), selfCredit.includes('Amount due')]).toEqual([true, true, false]);
    const selfBilled = textOf(await renderInvoicePdf({ ...document, typeCode: '389' }), 'invoice-389.pdf');
    expect([selfBilled.includes('CREDIT NOTE'), selfBilled.includes('INVOICE')]).toEqual([false, true]);
  });

  it('writes amounts and dates in the locale asked for, from the document\'s own figures', async () => {
    const document = await example('cii/CII_example1.xml');
    const english = textOf(await renderInvoicePdf(document, { locale: 'en-GB' }), 'cii1-en.pdf');
    const german = textOf(await renderInvoicePdf(document, { locale: 'de-DE' }), 'cii1-de.pdf');
    const due = document.totals.amountDue as string;
    const [whole, cents] = due.split('.');
    expect(english).toContain(`${Number(whole).toLocaleString('en-GB')}.${cents}`);
    expect(german).toContain(`${Number(whole).toLocaleString('de-DE')},${cents}`);
  });

  it('prints the invoicing period and each line\'s period as days of the locale', async () => {
    const document = { ...(await example('ubl/ubl-tc434-example1.xml')), invoicePeriod: { start: '2026-02-01', end: '2026-02-28' } };
    const lines = document.lines.map((line, index) => (index === 0 ? { ...line, period: { start: '2026-02-02', end: '2026-02-03' } } : line));
    const text = textOf(await renderInvoicePdf({ ...document, lines }, { locale: 'en-GB' }), 'periods.pdf');
    expect(text).toContain('Period: 1 Feb 2026 – 28 Feb 2026');
    expect(text).toContain('2 Feb 2026 – 3 Feb 2026');
  });

  it('writes unit prices with all their decimals, not rounded to the currency\'s', async () => {
    const document = await example('ubl/ubl-tc434-example1.xml');
    const [first, ...rest] = document.lines;
    if (!first) throw new Error('the example has no line');
    const priced = { ...document, lines: [{ ...first, quantity: '1000000', netAmount: '400.00', price: { ...first.price, netPrice: '0.0004', grossPrice: '0.00045' } }, ...rest] };
    const text = textOf(await renderInvoicePdf(priced, { locale: 'en-GB' }), 'prices.pdf');
    expect(text).toContain('EUR 0.0004');
    expect(text).toMatch(/\(gross\s+EUR 0\.00045\)/);
    expect(text).toMatch(/EUR\s?400\.00/);
  });

  it('writes digits and dates in Latin digits and the Gregorian calendar in every locale, as its font draws them', async () => {
    const document = await example('cii/CII_example1.xml');
    const due = document.totals.amountDue as string;
    const year = (document.issueDate as string).slice(0, 4);
    for (const locale of ['mr-IN', 'bn-BD', 'th-TH', 'fa-IR', 'ar-EG']) {
      const text = textOf(await renderInvoicePdf(document, { locale }), `locale-${locale}.pdf`);
      expect({ locale, latinAmount: /\d/.test(text) && text.includes(due.split('.')[1] as string), year: text.includes(year) }).toEqual({ locale, latinAmount: true, year: true });
      expect({ locale, otherDigits: /[\u0660-\u0669\u06F0-\u06F9\u0966-\u096F\u09E6-\u09EF\u0E50-\u0E59]/.test(text) }).toEqual({ locale, otherDigits: false });
    }
  });

  it('refuses a locale Intl cannot use, with a typed error', async () => {
    const document = await example('cii/CII_example1.xml');
    await expect(renderInvoicePdf(document, { locale: 'en-00' })).rejects.toMatchObject({ code: 'pdf.invalid_locale' });
  });

  it('prints the seal of a sealed document on every page, above the page numbers', async () => {
    const document = withLines(await example('ubl/ubl-tc434-example1.xml'), 60);
    const hash = 'ab'.repeat(32);
    const text = textOf(await renderInvoicePdf(document, { seal: { position: 7, hash } }), 'sealed.pdf');
    expect(text.match(new RegExp(`Seal 7 · SHA-256 ${hash}`, 'g'))?.length).toBeGreaterThan(1);
    expect(textOf(await renderInvoicePdf(document), 'unsealed.pdf')).not.toContain('SHA-256');
  });

  it('runs a long invoice over several pages, its table header on each, every line once', async () => {
    const document = withLines(await example('ubl/ubl-tc434-example1.xml'), 90);
    const text = textOf(await renderInvoicePdf(document), 'long.pdf');
    const pages = Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', [join(work, 'long.pdf')]))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(text.match(/Unit price/g)).toHaveLength(pages);
    const parts = [...text.matchAll(/part (\d+)\b/g)].map((match) => Number(match[1]));
    expect(parts).toEqual(Array.from({ length: 90 }, (_, index) => index + 1));
    expect(text).toContain(`page ${pages} of ${pages}`);
  });

  it('keeps everything that flows over pages (notes, a very tall line) above the page number and the seal', async () => {
    const base = await example('ubl/ubl-tc434-example1.xml');
    const [first] = base.lines;
    if (!first) throw new Error('the example has no line');
    const tall = { ...first, item: { ...first.item, description: Array.from({ length: 120 }, (_, index) => `detail ${index}`).join('\n') } };
    const document = { ...base, lines: [tall, ...base.lines], notes: Array.from({ length: 150 }, (_, index) => ({ text: `Note ${index}: ${'words '.repeat(12)}` })) };
    const file = join(work, 'flowing.pdf');
    writeFileSync(file, await renderInvoicePdf(document, { seal: { position: 3, hash: 'cd'.repeat(32) } }));
    // The tall line is cut to a page, its quantity, price and amount beside its name, not left on another page.
    const text = poppler('pdftotext', ['-layout', file, '-']);
    expect(text.match(new RegExp(`${first.item.name}\\s+${first.quantity} ${first.unitCode}`, 'g'))).toHaveLength(2);
    expect(text).toMatch(/detail \d+…/);
    const boxes = poppler('pdftotext', ['-bbox', file, '-']);
    const pages = [...boxes.matchAll(/<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g)];
    expect(pages.length).toBeGreaterThan(2);
    for (const [, , height, words] of pages) {
      // The seal is the footer's top line, 19 points above the bottom margin (48).
      const footerTop = Number(height) - 48 - 19;
      const below = [...(words as string).matchAll(/<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)]
        .filter(([, , yMax]) => Number(yMax) > footerTop)
        .map(([, yMin, , word]) => [Number(yMin) >= footerTop - 1, word]);
      expect(below.filter(([inFooter]) => !inFooter)).toEqual([]);
    }
  });

  it('cuts an item name of one line longer than a page by characters, its quantity, price and amount on the page its name starts', async () => {
    const base = await example('ubl/ubl-tc434-example1.xml');
    const [first, ...rest] = base.lines;
    if (!first) throw new Error('the example has no line');
    // An item name without a break (a received file's), 12,000 characters: before, it flowed over four pages whole, its
    // amounts drawn beside its tail on the fifth, with an ellipsis after its end.
    const document = { ...base, lines: [{ ...first, item: { ...first.item, name: `ITEM${'Y'.repeat(12_000)}END` } }, ...rest] };
    const pages = pagesOf(await renderInvoicePdf(document, { locale: 'en-GB' }), 'long-item.pdf');
    const start = pages.findIndex((page) => page.includes('ITEMY'));
    expect(pages[start]).toMatch(/ITEMY+\s+2 EA\s+EUR 9\.95\s+S\s?6\s?%\s+EUR 19\.90/);
    // Cut to one page (the second: it does not fit below the header on the first), the other lines and totals after it.
    expect([start, pages.length, pages.filter((page) => page.includes('Y')).length]).toEqual([1, 3, 1]);
    expect(pages[start]).toMatch(/Y…/);
    expect(pages.join('')).not.toContain('END');
    expect(pages[2]).toMatch(/Amount due\s+EUR/);
  });

  it('cuts a document allowance\'s reason longer than a page by characters, its amount beside it', async () => {
    const base = await example('ubl/ubl-tc434-example1.xml');
    const document = { ...base, allowances: [{ amount: '777.77', reason: `REASON${'Z'.repeat(9_000)}END`, vatCategory: 'S', vatRate: '6' }] };
    const pages = pagesOf(await renderInvoicePdf(document, { locale: 'en-GB' }), 'long-allowance.pdf');
    const start = pages.findIndex((page) => page.includes('Allowance: REASON'));
    expect(pages[start]).toMatch(/Allowance: REASONZ+\s+−EUR 777\.77/);
    // Cut to a page (the second: the lines fill the first), what follows below it, never drawn over it.
    expect([start, pages.length, pages.filter((page) => page.includes('ZZZ')).length]).toEqual([1, 3, 1]);
    expect(pages[start]).toMatch(/Z…\s+VAT S\s?6\s?% on EUR 183\.23\s+EUR 10\.99/);
    expect(pages.join('')).not.toContain('END');
    expect(pages[2]).toMatch(/^\s*VAT S\s?21\s?% on EUR 46\.37\s+EUR 9\.74\s+Total without VAT[\s\S]*Amount due\s+EUR 250\.33/);
  });

  it('writes a VAT exemption given only as a code, and amounts of 10^12 on one line', async () => {
    const base = await example('ubl/ubl-tc434-example1.xml');
    const [entry] = base.vatBreakdown;
    if (!entry) throw new Error('the example has no VAT breakdown');
    const document = {
      ...base,
      vatBreakdown: [{ ...entry, category: 'K', rate: '0', exemptionReason: undefined, exemptionReasonCode: 'VATEX-EU-IC' }],
      totals: { ...base.totals, taxInclusive: '1000000000000.00', amountDue: '1000000000000.00' },
    } as unknown as En16931Document;
    const text = textOf(await renderInvoicePdf(document, { locale: 'en-GB' }), 'exempt.pdf');
    // The label may wrap in its column: the code is there, after the rate and the base.
    expect(text).toMatch(/VAT K 0 % on EUR 183\.23 \(VATEX-[\s\S]*EU-IC\)/);
    expect(text).toMatch(/Amount due\s+EUR\s?1,000,000,000,000\.00/);
  });

  it('renders every page to an image (pdftoppm), as a reader would draw it', async () => {
    const file = join(work, 'render.pdf');
    writeFileSync(file, await renderInvoicePdf(await example('ubl/ubl-tc434-example5.xml')));
    poppler('pdftoppm', ['-png', '-r', '50', file, join(work, 'page')]);
    const images = readdirSync(work).filter((name) => /^page-\d+\.png$/.test(name));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(readFileSync(join(work, image)).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('the amounts of a PDF', () => {
  /** The amount's decimal text as en-GB groups it, written without Intl: the digits as stored, every one of them. */
  const enGB = (amount: string) => {
    const [whole = '', fraction] = amount.replace(/^-/, '').split('.');
    return `${amount.startsWith('-') ? '-' : ''}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
  };

  it('prints every amount digit for digit as stored, with the ISO 4217 decimals, in every currency the core knows (HUF 1.65, not HUF 2)', async () => {
    // Audit O1: Intl used CLDR's decimals (HUF, COP, IDR, IQD … 0) and rounded the stored amount to them.
    const example1 = await example('ubl/ubl-tc434-example1.xml');
    // A short document: one PDF per currency.
    const base = { ...example1, lines: example1.lines.slice(0, 1), notes: [] };
    const codes = ISO_4217_CODES.filter((code) => !(NON_MONEY_CODES as readonly string[]).includes(code)) as CurrencyCode[];
    expect(codes.length).toBeGreaterThan(150);
    const wrong: string[] = [];
    for (const code of codes) {
      const amounts: [string, Money][] = [
        ['Total without VAT', Money.ofMinor(150n, code)],
        ['VAT', Money.ofMinor(15n, code)],
        ['Total with VAT', Money.largest(code)],
        ['Amount due', Money.ofMinor(123456789012345n, code)],
      ];
      const [taxExclusive, vatTotal, taxInclusive, amountDue] = amounts.map(([, amount]) => amount.toString());
      const document = { ...base, currency: code, totals: { ...base.totals, taxExclusive, vatTotal, taxInclusive, amountDue, prepaid: undefined, rounding: undefined } };
      const text = textOf(await renderInvoicePdf(document, { locale: 'en-GB' }), `currency-${code}.pdf`);
      for (const [label, amount] of amounts) {
        const printed = new RegExp(`^\\s*${label}\\s+${code}\\s(-?[\\d,]+(?:\\.\\d+)?)\\s*$`, 'm').exec(text)?.[1];
        if (printed !== enGB(amount.toString())) wrong.push(`${code} ${label}: ${printed ?? 'missing'} for ${amount.toString()}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 240_000);

  it('prints amounts with their currency\'s decimals in the buyer\'s locale too (IDR 1.100,55 in id-ID, not IDR 1.101), and unit prices with at least them', async () => {
    const base = await example('ubl/ubl-tc434-example1.xml');
    const [first] = base.lines;
    if (!first) throw new Error('the example has no line');
    for (const [currency, locale, amountDue, price, expected] of [
      ['IDR', 'id-ID', '1100.55', '1100.5', ['IDR 1.100,55', 'IDR 1.100,50']],
      ['HUF', 'hu-HU', '1.65', '1.5', ['1,65 HUF', '1,50 HUF']],
      ['COP', 'es-CO', '110.50', '100.45', ['COP 110,50', 'COP 100,45']],
      ['PKR', 'en-GB', '11.28', '10.25', ['PKR 11.28', 'PKR 10.25']],
      ['IQD', 'en-GB', '1.357', '1.234', ['IQD 1.357', 'IQD 1.234']],
      ['JPY', 'ja-JP', '1650', '1500', ['JPY 1,650', 'JPY 1,500']],
    ] as const) {
      const document = { ...base, currency, lines: [{ ...first, netAmount: amountDue, price: { ...first.price, netPrice: price, grossPrice: undefined } }], totals: { ...base.totals, amountDue, prepaid: undefined, rounding: undefined } };
      const text = textOf(await renderInvoicePdf(document, { locale }), `locale-amount-${currency}.pdf`).replace(/\s/g, ' ');
      const [due, unitPrice] = expected.map((value) => value.replace(/\s/g, ' ')) as [string, string];
      const dueRow = new RegExp(`Amount due +${due.replace(/[.]/g, '\\.')}`);
      expect({ currency, due: dueRow.test(text), unitPrice: text.includes(unitPrice) }).toEqual({ currency, due: true, unitPrice: true });
    }
  });

  it('never breaks an amount of the lines table inside its number, at the largest amounts, in any locale', async () => {
    // Audit O6: the net amount read "EUR 9,999,999,999," then "999.99" on the next line.
    const base = await example('ubl/ubl-tc434-example1.xml');
    const [first] = base.lines;
    if (!first) throw new Error('the example has no line');
    for (const [currency, locale, net, price] of [
      ['EUR', 'en-GB', '9999999999999.99', '999999999999.9999999999'],
      ['EUR', 'en-GB', '-9999999999999.99', '999999999999.9999999999'],
      ['EUR', 'en-IN', '9999999999999.99', '999999999999.9999999999'],
      ['JPY', 'en-GB', '999999999999999', '999999999999'],
      ['BHD', 'de-DE', '999999999999.999', '999999999999.999'],
      ['EUR', 'fr-FR', '-9999999999999.99', '999999999999.9999999999'],
    ] as const) {
      const line = { ...first, quantity: '-999999999.999999', netAmount: net, price: { ...first.price, netPrice: price, grossPrice: price, baseQuantity: '1000000000' } };
      const text = textOf(await renderInvoicePdf({ ...base, currency, lines: [line, line] }, { locale }), `largest-${currency}-${locale}.pdf`).replace(/\s/g, ' ');
      // The number itself, grouped and with its decimals, as Intl writes it (a break at the space before or after the
      // currency code is allowed).
      const number = (value: string, options: Intl.NumberFormatOptions) =>
        new Intl.NumberFormat(locale, { numberingSystem: 'latn', maximumFractionDigits: 20, ...options })
          .formatToParts(value as unknown as number)
          .filter((part) => ['integer', 'group', 'decimal', 'fraction'].includes(part.type))
          .map((part) => part.value.replace(/\s/g, ' '))
          .join('');
      const money = { style: 'currency', currency, currencyDisplay: 'code' } as const;
      for (const printed of [number(net, money), number(price, money), number('999999999.999999', {})]) {
        expect({ locale, printed, found: text.includes(printed) }).toEqual({ locale, printed, found: true });
      }
    }
  });
});

describe('a void invoice\'s PDF', () => {
  it('is stamped VOID on every page, says nothing is owed, and asks for no payment; its figures stay the document\'s', async () => {
    // Audit O3: a voided invoice's PDF read "Amount due EUR 120.00 … Please pay by …", like an open one.
    const document = withLines(await example('ubl/ubl-tc434-example1.xml'), 60);
    const file = join(work, 'void.pdf');
    writeFileSync(file, await renderInvoicePdf(document, { voided: true }));
    const text = poppler('pdftotext', ['-layout', file, '-']);
    const pages = Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', [file]))?.[1]);
    expect(pages).toBeGreaterThan(1);
    expect(text.match(/\bVOID\b/g)?.length).toBeGreaterThanOrEqual(pages);
    expect(text).toMatch(/VOID: this invoice was cancelled\. Nothing is owed\./);
    expect({ amountDue: /Amount due/.test(text), payBy: /Please pay by/.test(text), iban: /IBAN/.test(text), dueDate: /Due date/.test(text) }).toEqual({ amountDue: false, payBy: false, iban: false, dueDate: false });
    expect(text).toMatch(new RegExp(`Total with VAT\\s+EUR\\s?${(document.totals.taxInclusive as string).replace('.', '\\.')}`));
    const open = textOf(await renderInvoicePdf(document), 'not-void.pdf');
    expect({ void: /VOID/.test(open), payBy: /Please pay by/.test(open), amountDue: /Amount due/.test(open) }).toEqual({ void: false, payBy: true, amountDue: true });
  });
});

describe('the dates of a PDF', () => {
  const FONT_DIR = join(resolve(require.resolve('dejavu-fonts-ttf/package.json'), '..'), 'ttf');
  const fonts: Font[] = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => createFont(readFileSync(join(FONT_DIR, name))) as Font);
  /** The characters of `text` the embedded fonts have no glyph for: PDFKit draws them as empty boxes. */
  const undrawable = (text: string) => [...text].filter((char) => char !== '\n' && fonts.some((font) => !font.hasGlyphForCodePoint(char.codePointAt(0) as number)));
  /** Every language ICU formats dates in (two-letter codes), and regional or script variants besides. */
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const LOCALES = Intl.DateTimeFormat.supportedLocalesOf([
    ...[...letters].flatMap((a) => [...letters].map((b) => `${a}${b}`)),
    'hi-IN', 'th-TH', 'bn-BD', 'ta-IN', 'am-ET', 'km-KH', 'my-MM', 'zh-CN', 'zh-TW', 'zh-Hant-HK', 'mr-IN', 'ja-JP', 'ko-KR', 'ar-EG', 'fa-IR', 'he-IL', 'ka-GE', 'sr-Latn-RS', 'pa-Arab-PK', 'yue', 'chr', 'ff-Adlm', 'vai', 'ks-Deva', 'sat', 'mni',
  ]);

  /** What each `text` call of PDFKit draws while `render` runs. */
  async function drawn(render: () => Promise<Buffer>): Promise<string[]> {
    const text = jest.spyOn(PDFDocument.prototype, 'text');
    try {
      await render();
      return text.mock.calls.map(([drawnText]) => drawnText).filter((drawnText): drawnText is string => typeof drawnText === 'string');
    } finally {
      text.mockRestore();
    }
  }

  it('draws every date with characters its font has, in every locale ICU knows, for every month (a numeric date where a month name cannot be drawn)', async () => {
    // Audit O4: hi-IN, th-TH, zh-CN … printed the month as empty boxes ("4 ▯▯▯▯▯ 2026").
    expect(LOCALES.length).toBeGreaterThan(100);
    const base = withLines(await example('ubl/ubl-tc434-example1.xml'), 5);
    const month = (m: number) => `2026-${String(m).padStart(2, '0')}`;
    const lines = base.lines.map((line, index) => ({ ...line, period: { start: `${month(3 + 2 * index)}-02`, end: `${month(4 + 2 * index)}-28` } }));
    // Every month of the year among the document's dates.
    const document = { ...base, issueDate: '2026-01-04', dueDate: '2026-02-12', invoicePeriod: { start: '2026-01-01', end: '2026-12-31' }, lines };
    const wrong: string[] = [];
    for (const locale of LOCALES) {
      const texts = await drawn(() => renderInvoicePdf(document, { locale }));
      const missing = texts.filter((text) => undrawable(text).length > 0);
      if (missing.length > 0) wrong.push(`${locale}: ${missing.slice(0, 3).map((text) => JSON.stringify(text)).join(', ')}`);
    }
    expect(wrong).toEqual([]);
  }, 240_000);

  it('writes a date the font cannot draw by name as the locale\'s numeric date, in Latin digits, and keeps month names where it can', async () => {
    const document = { ...(await example('ubl/ubl-tc434-example1.xml')), issueDate: '2026-03-04', dueDate: '2026-10-12' };
    for (const [locale, issue, due] of [
      ['hi-IN', '04/03/2026', '12/10/2026'],
      ['th-TH', '04/03/2026', '12/10/2026'],
      ['zh-CN', '2026/03/04', '2026/10/12'],
      ['en-GB', '4 Mar 2026', '12 Oct 2026'],
      ['de-DE', '04.03.2026', '12.10.2026'],
      ['ru-RU', '4 мар. 2026 г.', '12 окт. 2026 г.'],
    ] as const) {
      const text = textOf(await renderInvoicePdf(document, { locale }), `dates-${locale}.pdf`).replace(/\s/g, ' ');
      expect({ locale, issue: text.includes(`Issue date: ${issue}`), due: text.includes(`Due date: ${due}`), payBy: text.includes(`Please pay by ${due}.`) }).toEqual({ locale, issue: true, due: true, payBy: true });
    }
  });
});

describe('Factur-X', () => {
  it('is a PDF/A-3b carrying the invoice as CII in factur-x.xml, with the Factur-X metadata', async () => {
    const document = await example('cii/CII_example5.xml');
    const pdf = await writeFacturX(document);
    const file = join(work, 'factur-x.pdf');
    writeFileSync(file, pdf);
    expect(poppler('pdfdetach', ['-list', file])).toMatch(/1 embedded files\s+1: factur-x\.xml/);
    poppler('pdfdetach', ['-save', '1', '-o', join(work, 'extracted.xml'), file]);
    const extracted = await readInvoice(readFileSync(join(work, 'extracted.xml')));
    expect(extracted.syntax).toBe('cii');
    const metadata = poppler('pdfinfo', ['-meta', file]);
    expect(metadata).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(metadata).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(metadata).toContain('<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>');
    expect(metadata).toContain('<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>');
    expect(metadata).toContain('<pdfaSchema:prefix>fx</pdfaSchema:prefix>');
    // The file is an associated file of the document, as PDF/A-3 requires, related as the same invoice for machines.
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/AFRelationship \/Alternative/);
    expect(raw).toMatch(/\/AF \[/);
    expect(raw).toMatch(/\/OutputIntents/);
    expect(textOf(pdf, 'factur-x-text.pdf')).toContain(document.number as string);
  });

  it('keeps its XMP metadata well-formed when a party\'s name has XML markup characters, and the names as given', async () => {
    const document = await example('cii/CII_example5.xml');
    const named = { ...document, seller: { ...document.seller, name: 'Marks & Spencer <UK>' }, buyer: { ...document.buyer, name: 'AT&T "Business"</rdf:li>' } };
    const file = join(work, 'factur-x-markup.pdf');
    writeFileSync(file, await writeFacturX(named));
    const metadata = poppler('pdfinfo', ['-meta', file]);
    const parser = new SaxesParser();
    const texts: string[] = [];
    parser.on('text', (text) => texts.push(text));
    expect(() => parser.write(metadata).close()).not.toThrow();
    expect(texts).toEqual(expect.arrayContaining(['Marks & Spencer <UK>', 'Invoice to AT&T "Business"</rdf:li>']));
    const info = poppler('pdfinfo', [file]);
    expect(info).toMatch(/Author:\s+Marks & Spencer <UK>/);
    expect(info).toMatch(/Subject:\s+Invoice to AT&T "Business"<\/rdf:li>/);
  });

  it('carries XML that conforms to EN 16931 as its metadata says: the EN 16931 specification id, and no fatal finding', async () => {
    // A Peppol BIS invoice keeps its content, not Peppol's specification id.
    const peppol = await example('ubl/BIS3_Invoice_positive.XML');
    expect(peppol.process.specification).not.toBe('urn:cen.eu:en16931:2017');
    const { xml } = await readFacturX(await writeFacturX(peppol));
    const carried = await readInvoice(xml);
    expect([carried.document.process.specification, carried.findings.filter((f) => f.severity === 'fatal')]).toEqual(['urn:cen.eu:en16931:2017', []]);
    // A record without the parties' postal addresses is not an EN 16931 invoice: refused, with the rules it breaks.
    const bare = { ...peppol, seller: { ...peppol.seller, address: undefined }, buyer: { ...peppol.buyer, address: undefined } } as unknown as En16931Document;
    const refused = await writeFacturX(bare).then(
      () => undefined,
      (error: { code?: string; details?: { findings?: { rule: string }[] } }) => error,
    );
    expect(refused?.code).toBe('e_invoice.invalid');
    expect(refused?.details?.findings?.map((finding) => finding.rule)).toEqual(expect.arrayContaining(['BR-08', 'BR-10']));
  });

  it('reads back as the document it was written from: a Factur-X made here imports identically', async () => {
    for (const path of ['cii/CII_example5.xml', 'ubl/ubl-tc434-example2.xml', 'ubl/ubl-tc434-creditnote1.xml']) {
      const document = { ...(await example(path)), process: { specification: 'urn:cen.eu:en16931:2017' } };
      const { name, xml } = await readFacturX(await writeFacturX(document));
      expect(name).toBe(FACTUR_X_FILE_NAME);
      const back = await readInvoice(xml);
      // Exactly what the CII export of the document reads as: everything CII expresses of it.
      expect(back.document).toEqual((await readInvoice(writeInvoice(document, 'cii'))).document);
      expect(back.document.number).toBe(document.number);
      expect(back.document.totals).toEqual(document.totals);
      expect(back.document.lines.map((line) => line.netAmount)).toEqual(document.lines.map((line) => line.netAmount));
    }
  });

  it('refuses what is not a PDF, and a PDF that carries no invoice, with a format error', async () => {
    await expect(readFacturX(Buffer.from('hello'))).rejects.toMatchObject({ code: 'format.malformed' });
    // Bytes that only start like a PDF: pdf-lib reads them as a file without a catalog.
    await expect(readFacturX(Buffer.from('%PDF-1.4 not a Factur-X'))).rejects.toMatchObject({ code: 'format.malformed' });
    const plain = await renderInvoicePdf(await example('ubl/ubl-tc434-example1.xml'));
    await expect(readFacturX(plain)).rejects.toMatchObject({ code: 'format.unknown_root' });
  });

  it('reads the XML of a PDF whose objects are in compressed object streams (pdf-lib, PDFBox, qpdf)', async () => {
    const xml = writeInvoice(await example('cii/CII_example5.xml'), 'cii');
    const { name, xml: read } = await readFacturX(await pdfCarrying(deflateSync(xml), ['FlateDecode']));
    expect([name, read.equals(xml)]).toEqual([FACTUR_X_FILE_NAME, true]);
    // Unfiltered too, and in a PDF without object streams.
    expect((await readFacturX(await pdfCarrying(xml, [], { objectStreams: false }))).xml.equals(xml)).toBe(true);
  });

  it('refuses an embedded XML that inflates beyond the XML limit, with format.too_large, without inflating it all', async () => {
    // 128 MiB of zeros, deflated once: about 128 KiB.
    const bomb = await pdfCarrying(await deflatedZeros(128 * 1024 * 1024), ['FlateDecode']);
    expect(bomb.length).toBeLessThan(200_000);
    await expect(readFacturX(bomb)).rejects.toMatchObject({ code: 'format.too_large', details: { limit: DEFAULT_MAX_BYTES } });
  });

  it('refuses an embedded file deflated twice (a chain no real file uses), with a format error', async () => {
    // The review's bomb: 128 MiB of zeros deflated twice fits in about 1.5 KB of PDF.
    const bomb = await pdfCarrying(deflateSync(await deflatedZeros(128 * 1024 * 1024), { level: 9 }), ['FlateDecode', 'FlateDecode']);
    expect(bomb.length).toBeLessThan(4_000);
    await expect(readFacturX(bomb)).rejects.toMatchObject({ code: 'format.malformed', details: { filters: ['FlateDecode', 'FlateDecode'] } });
    // A filter real Factur-X files do not use is refused likewise.
    await expect(readFacturX(await pdfCarrying(Buffer.from('<x/>'), ['LZWDecode']))).rejects.toMatchObject({ code: 'format.malformed', details: { filters: ['LZWDecode'] } });
  });

  it('refuses a PDF whose own object streams inflate beyond the limit, before reading its objects', async () => {
    // pdf-lib inflates every object stream while it loads the file: a bomb there needs no embedded file at all.
    const objectStream = { Type: 'ObjStm', N: 0, First: 0, Filter: 'FlateDecode' };
    const bomb = await pdfCarrying(Buffer.from('<x/>'), [], { extra: [[await deflatedZeros(128 * 1024 * 1024), objectStream]], objectStreams: false });
    await expect(readFacturX(bomb)).rejects.toMatchObject({ code: 'format.too_large', details: { limit: DEFAULT_MAX_BYTES } });
  });

  it('refuses a PDF larger than the limit before parsing it', async () => {
    const facturX = await writeFacturX({ ...(await example('cii/CII_example5.xml')), process: { specification: 'urn:cen.eu:en16931:2017' } });
    await expect(readFacturX(facturX, { maxBytes: facturX.length - 1 })).rejects.toMatchObject({ code: 'format.too_large', details: { size: facturX.length, limit: facturX.length - 1 } });
    await expect(readFacturX(Buffer.alloc(DEFAULT_MAX_BYTES + 1, 0x20))).rejects.toMatchObject({ code: 'format.too_large', details: { limit: DEFAULT_MAX_BYTES } });
  });
});
