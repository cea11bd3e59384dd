import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ValidationError, currencyOf, isCurrencyCode } from '@invoicing/core';
import { isCreditNoteType, type En16931, type En16931Document } from '@invoicing/invoice';
import { create as createFont, type Font } from 'fontkit';
import PDFDocument from 'pdfkit';

/** The fonts every page is set in, embedded (PDF/A forbids relying on a reader's fonts): DejaVu Sans, wide Unicode coverage. */
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
let fonts: { readonly regular: Font; readonly bold: Font } | undefined;

/**
 * The fonts, parsed once per process and shared by every document (each embeds its own subset): parsing them for
 * every document was most of a one-page PDF's time.
 */
function fontFiles(): { readonly regular: Font; readonly bold: Font } {
  fonts ??= { regular: parse('DejaVuSans.ttf'), bold: parse('DejaVuSans-Bold.ttf') };
  return fonts;
}

function parse(file: string): Font {
  return createFont(readFileSync(join(FONT_DIR, file))) as Font;
}

/** How a PDF is made. */
export interface InvoicePdfOptions {
  /** BCP 47 locale amounts and dates are written in (`de-DE`: 1.234,56 €); `en-GB` by default. */
  readonly locale?: string;
  /** The tenant's logo, PNG or JPEG, drawn at the top left. */
  readonly logo?: Buffer;
  /**
   * The document's link in its series' hash chain (ADR 0022), printed above the page numbers of every page: its position
   * and hash, which anyone holding the chain can check. Absent for a document not sealed (yet), or read from a file.
   */
  readonly seal?: { readonly position: number; readonly hash: string };
  /**
   * The invoice was voided after issue: every page is stamped VOID, and it states that nothing is owed instead of an
   * amount due and how to pay.
   */
  readonly voided?: boolean;
  /** PDF/A-3b with these files embedded as associated files (Factur-X): see `writeFacturX`. */
  readonly pdfA3?: { readonly files: readonly EmbeddedFile[]; readonly xmp: string };
}

/** A file carried inside a PDF/A-3 (an associated file). */
export interface EmbeddedFile {
  readonly name: string;
  readonly content: Buffer;
  readonly mimeType: string;
  readonly description: string;
  readonly relationship: 'Alternative' | 'Data' | 'Source' | 'Supplement' | 'Unspecified';
}

const PAGE = { size: 'A4' as const, margin: 48 };
/** Below the content, above the bottom margin: the seal and the page number, which flowing text must not reach. */
const FOOTER = 28;
const GREY = '#555555';
const RULE = '#bbbbbb';
const VOID_RED = '#c0392b';
/** The size of the lines table's text, which a cell holding numbers shrinks from. */
const TABLE_SIZE = 8.5;

/** The columns of the lines table, as shares of the text width. */
const COLUMNS = [
  { key: 'id', title: '#', share: 0.06, align: 'left' as const },
  { key: 'item', title: 'Description', share: 0.38, align: 'left' as const },
  { key: 'quantity', title: 'Quantity', share: 0.12, align: 'right' as const },
  { key: 'price', title: 'Unit price', share: 0.15, align: 'right' as const },
  { key: 'vat', title: 'VAT', share: 0.1, align: 'right' as const },
  { key: 'net', title: 'Net amount', share: 0.19, align: 'right' as const },
];
/** The columns whose cells hold numbers: one never breaks inside a number (it shrinks instead). */
const NUMBER_COLUMNS = new Set(['quantity', 'price', 'vat', 'net']);

/**
 * Renders an invoice or credit note (the EN 16931 model: an issued invoice's, or a file's) as a PDF for people: seller
 * and buyer, references, the lines (over as many pages as they need, their header repeated), document allowances and
 * charges, the VAT breakdown, the totals, payment instructions with the IBAN and due date, and notes. Amounts and
 * dates are written in the locale (see `formatsOf`); the amounts are the document's own, never recomputed. A voided
 * invoice (`voided`) is stamped VOID and asks for nothing.
 */
export async function renderInvoicePdf(document: En16931Document, options: InvoicePdfOptions = {}): Promise<Buffer> {
  const locale = pdfLocale(options.locale ?? 'en-GB');
  const currency = document.currency ?? 'EUR';
  const kind = isCreditNoteType(document.typeCode) ? 'Credit note' : 'Invoice';
  const { regular, bold } = fontFiles();
  const pdf = new PDFDocument({
    size: PAGE.size,
    margins: { top: PAGE.margin, left: PAGE.margin, right: PAGE.margin, bottom: PAGE.margin + FOOTER },
    // PDFKit takes a parsed fontkit font where its types say a path.
    font: regular as unknown as string,
    bufferPages: true,
    pdfVersion: '1.7',
    lang: locale,
    displayTitle: true,
    ...(options.pdfA3 ? { subset: 'PDF/A-3b' as const } : {}),
    info: { Title: `${kind} ${document.number ?? ''}`.trim(), Author: document.seller.name ?? '', Subject: `${kind} to ${document.buyer.name ?? ''}`, Creator: 'invoicing platform' },
  });
  escapeInfoInXmp(pdf);
  pdf.registerFont('regular', regular as unknown as string);
  pdf.registerFont('bold', bold as unknown as string);
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((done) => pdf.on('end', done));

  const { money, decimal, day } = formatsOf(locale, currency);
  // A unit price is an amount too: all its decimals (0.0004 EUR per call), at least the currency's.
  const price = money;
  const voided = options.voided === true;
  const width = pdf.page.width - PAGE.margin * 2;
  const left = PAGE.margin;
  // Where content ends on a page: PDFKit breaks flowing text (notes, payment lines) there too.
  const bottom = () => pdf.page.maxY();

  // Header: logo and seller on the left, the document's kind, number and dates on the right.
  let top = PAGE.margin;
  if (options.logo) {
    pdf.image(options.logo, left, top, { fit: [140, 48] });
    top += 56;
  }
  pdf.font('bold').fontSize(14).text(document.seller.name ?? '', left, top, { width: width * 0.55 });
  pdf.font('regular').fontSize(9).fillColor(GREY);
  for (const line of [document.seller.tradingName, ...addressLines(document.seller.address), vatLine(document.seller.vatId), document.seller.legalRegistration && `Registration ${document.seller.legalRegistration.id}`, contactLine(document.seller.contact)]) {
    if (line) pdf.text(line, { width: width * 0.55 });
  }
  const headerBottom = pdf.y;
  pdf.fillColor('black').font('bold').fontSize(20).text(kind.toUpperCase(), left + width * 0.55, top, { width: width * 0.45, align: 'right' });
  if (voided) pdf.fillColor(VOID_RED).fontSize(16).text('VOID', left + width * 0.55, pdf.y, { width: width * 0.45, align: 'right' }).fillColor('black');
  pdf.font('regular').fontSize(9);
  const facts: [string, string | undefined][] = [
    ['Number', document.number],
    ['Issue date', day(document.issueDate)],
    // Nothing is due on a void invoice.
    ['Due date', voided ? undefined : day(document.dueDate)],
    ['Buyer reference', document.buyerReference],
    ['Order', document.purchaseOrderReference],
    ['Contract', document.contractReference],
    ['Project', document.projectReference],
    ['Period', document.invoicePeriod && `${day(document.invoicePeriod.start)} – ${day(document.invoicePeriod.end)}`],
    ['Corrects', document.precedingInvoices.map((preceding) => preceding.reference).filter(Boolean).join(', ') || undefined],
  ];
  for (const [label, value] of facts) if (value) pdf.text(`${label}: ${value}`, left + width * 0.55, pdf.y, { width: width * 0.45, align: 'right' });
  pdf.y = Math.max(headerBottom, pdf.y) + 18;

  // The buyer.
  pdf.font('bold').fontSize(10).fillColor('black').text(kind === 'Invoice' ? 'Bill to' : 'Credited to', left);
  pdf.font('regular').fontSize(10).text(document.buyer.name ?? '');
  pdf.fontSize(9).fillColor(GREY);
  for (const line of [...addressLines(document.buyer.address), vatLine(document.buyer.vatId), contactLine(document.buyer.contact)]) if (line) pdf.text(line);
  pdf.fillColor('black').moveDown(1.2);

  // The lines, their header repeated at the top of each page they run onto.
  const columnX = COLUMNS.reduce<number[]>((xs, column, index) => [...xs, index === 0 ? left : (xs[index - 1] as number) + width * (COLUMNS[index - 1]?.share ?? 0)], []);
  const drawHeader = () => {
    const y = pdf.y;
    pdf.font('bold').fontSize(8.5);
    COLUMNS.forEach((column, index) => pdf.text(column.title, columnX[index] as number, y, { width: width * column.share - 6, align: column.align }));
    pdf.y = y + 14;
    pdf.moveTo(left, pdf.y - 3).lineTo(left + width, pdf.y - 3).strokeColor(RULE).stroke();
    pdf.font('regular').fontSize(TABLE_SIZE);
  };
  drawHeader();
  // A row taller than a page (a description of many lines) is cut to a page, with an ellipsis: its cells are drawn
  // side by side, so one of them flowing onto the next page would leave the others behind.
  const rowRoom = () => bottom() - PAGE.margin - 20;
  /**
   * The text cut to what fits `room` points of height, with an ellipsis (PDFKit's own `height` option lets it flow on):
   * after its last line that fits, or, when not even its first line does (a name without a break), after the last
   * character of it that does.
   */
  const fitted = (text: string, cellWidth: number, room: number): string => {
    const fits = (end: number, more = '') => pdf.heightOfString(`${text.slice(0, end)}${more}`, { width: cellWidth }) <= room;
    // Where the text may be cut: between characters as people see them (never inside an emoji or before an accent).
    const cuts = [...graphemes.segment(text)].map((part) => part.index).slice(1);
    // Measured from the start, doubling: PDFKit wraps a word longer than a line in time quadratic in its length, and
    // no more than a page of it is drawn. What fits lies within the first `within` characters.
    let within = 256;
    while (within < cuts.length && fits(cuts[within - 1] as number)) within *= 2;
    if (within >= cuts.length && fits(text.length)) return text;
    const candidates = cuts.slice(0, Math.min(within, cuts.length));
    const lineEnds = candidates.filter((cut) => text[cut] === '\n' || text.startsWith('\r\n', cut));
    const lines = lastFitting(lineEnds, (end) => fits(end, '…'));
    const end = lines ?? lastFitting(candidates.filter((cut) => cut < (lineEnds[0] ?? text.length)), (end) => fits(end, '…')) ?? cuts[0] ?? text.length;
    return `${text.slice(0, end)}…`;
  };
  /**
   * The size a cell of numbers is set in: a line of it on one line where a readable size allows, and never a number
   * broken over two (`EUR 9,999,999,999,` then `999.99` reads as an amount 1000 times smaller); it may still break at
   * a space, between a number and its currency or unit code.
   */
  const numberSize = (text: string, cellWidth: number): number => {
    const widest = (parts: readonly string[], size: number) => Math.max(...parts.map((part) => pdf.fontSize(size).widthOfString(part)));
    let size = TABLE_SIZE;
    while (size > 6 && widest(text.split('\n'), size) > cellWidth) size -= 0.25;
    while (size > 2 && widest(text.split(/[ \n]/), size) > cellWidth) size -= 0.25;
    return size;
  };
  for (const line of document.lines) {
    const texts = lineCells(line, { money, price, decimal, day });
    const cells = COLUMNS.map((column) => {
      const cellWidth = width * column.share - 6;
      const text = texts[column.key] ?? '';
      const size = NUMBER_COLUMNS.has(column.key) ? numberSize(text, cellWidth) : TABLE_SIZE;
      pdf.fontSize(size);
      const cut = fitted(text, cellWidth, rowRoom() - 6);
      return { text: cut, size, width: cellWidth, height: pdf.heightOfString(cut, { width: cellWidth }) };
    });
    pdf.fontSize(TABLE_SIZE);
    const height = Math.max(...cells.map((cell) => cell.height)) + 6;
    if (pdf.y + height > bottom()) {
      pdf.addPage();
      pdf.y = PAGE.margin;
      drawHeader();
    }
    const y = pdf.y;
    COLUMNS.forEach((column, index) => {
      const cell = cells[index];
      if (cell) pdf.fontSize(cell.size).text(cell.text, columnX[index] as number, y, { width: cell.width, align: column.align });
    });
    pdf.fontSize(TABLE_SIZE);
    pdf.y = y + height;
  }
  pdf.moveTo(left, pdf.y).lineTo(left + width, pdf.y).strokeColor(RULE).stroke();
  pdf.moveDown(0.8);

  // What follows the lines is kept together when it can be.
  const ensure = (height: number) => {
    if (pdf.y + height > bottom()) {
      pdf.addPage();
      pdf.y = PAGE.margin;
    }
  };
  const row = (label: string, value: string, bold = false) => {
    let size = bold ? 10 : 9;
    pdf.font(bold ? 'bold' : 'regular').fontSize(size);
    // Like a line's cells, a label is cut to a page and kept on its amount's page: flowing on, it would leave it behind.
    const labelWidth = width * 0.33;
    const cut = fitted(label, labelWidth, rowRoom());
    const labelHeight = pdf.heightOfString(cut, { width: labelWidth });
    ensure(Math.max(14, labelHeight));
    const y = pdf.y;
    pdf.text(cut, left + width * 0.45, y, { width: labelWidth });
    // An amount stays on one line: the font shrinks to fit the column (EUR 1,000,000,000,000.00).
    const room = width * 0.22;
    while (pdf.widthOfString(value) > room && size > 6) pdf.fontSize((size -= 0.5));
    pdf.text(value, left + width * 0.78, y, { width: room, align: 'right', lineBreak: false });
    // Below the label, which may be the taller (drawing the amount moved the cursor back up to its line).
    pdf.y = y + Math.max(labelHeight, bold ? 14 : 12);
  };

  for (const allowance of document.allowances) row(`Allowance: ${allowance.reason ?? allowance.reasonCode ?? ''}${allowance.percentage ? ` (${decimal(allowance.percentage)} %)` : ''}`, `−${money(allowance.amount)}`);
  for (const charge of document.charges) row(`Charge: ${charge.reason ?? charge.reasonCode ?? ''}${charge.percentage ? ` (${decimal(charge.percentage)} %)` : ''}`, money(charge.amount));
  if (document.allowances.length + document.charges.length > 0) pdf.moveDown(0.4);

  for (const entry of document.vatBreakdown) {
    const rate = entry.rate === undefined ? '' : ` ${decimal(entry.rate)} %`;
    const exemption = entry.exemptionReason ?? entry.exemptionReasonCode;
    row(`VAT ${entry.category ?? ''}${rate} on ${money(entry.taxableAmount)}${exemption ? ` (${exemption})` : ''}`, money(entry.taxAmount));
  }
  pdf.moveDown(0.4);
  const totals = document.totals;
  row('Total without VAT', money(totals.taxExclusive));
  row('VAT', money(totals.vatTotal));
  row('Total with VAT', money(totals.taxInclusive), true);
  if (!isZero(totals.prepaid)) row('Paid in advance', `−${money(totals.prepaid)}`);
  if (!isZero(totals.rounding)) row('Rounding', money(totals.rounding));
  if (voided) {
    ensure(16);
    pdf.font('bold').fontSize(10).fillColor(VOID_RED).text(`VOID: this ${kind.toLowerCase()} was cancelled. Nothing is owed.`, left, pdf.y + 4, { width, align: 'right' });
    pdf.fillColor('black');
  } else {
    row(kind === 'Invoice' ? 'Amount due' : 'Amount credited', money(totals.amountDue), true);
  }
  pdf.moveDown(1);

  // How to pay, then notes.
  const payment = document.paymentInstructions;
  const paymentLines = [
    document.dueDate && `Please pay by ${day(document.dueDate)}.`,
    document.paymentTerms,
    ...(payment?.creditTransfers ?? []).map((transfer) => [transfer.accountId && `IBAN ${transfer.accountId}`, transfer.serviceProviderId && `BIC ${transfer.serviceProviderId}`, transfer.accountName].filter(Boolean).join(' · ')),
    payment?.remittanceInformation && `Reference: ${payment.remittanceInformation}`,
    payment?.directDebit?.mandateReference && `Direct debit, mandate ${payment.directDebit.mandateReference}`,
  ].filter((line): line is string => Boolean(line));
  if (kind === 'Invoice' && !voided && paymentLines.length > 0) {
    ensure(14 + paymentLines.length * 12);
    pdf.font('bold').fontSize(10).text('Payment', left);
    pdf.font('regular').fontSize(9);
    for (const line of paymentLines) pdf.text(line, left, pdf.y, { width });
    pdf.moveDown(0.8);
  }
  if (document.notes.length > 0) {
    ensure(28);
    pdf.font('bold').fontSize(10).text('Notes', left);
    pdf.font('regular').fontSize(9);
    for (const note of document.notes) pdf.text(note.text, left, pdf.y, { width });
  }

  // Page numbers, once every page exists.
  const range = pdf.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index += 1) {
    pdf.switchToPage(index);
    // The footer lies below where content ends: PDFKit would start a new page for text written there.
    pdf.page.margins.bottom = 0;
    if (voided) stampVoid(pdf);
    pdf.font('regular').fontSize(8).fillColor(GREY);
    pdf.text(`${kind} ${document.number ?? ''}${voided ? ' · VOID' : ''} · page ${index + 1} of ${range.count}`, left, pdf.page.height - PAGE.margin - 10, { width, align: 'center', lineBreak: false });
    if (options.seal) {
      pdf.fontSize(6.5).text(`Seal ${options.seal.position} · SHA-256 ${options.seal.hash}`, left, pdf.page.height - PAGE.margin - 19, { width, align: 'center', lineBreak: false });
    }
  }

  for (const file of options.pdfA3?.files ?? []) {
    pdf.file(file.content, { name: file.name, type: file.mimeType, description: file.description, relationship: file.relationship, creationDate: new Date(), modifiedDate: new Date() } as never);
  }
  if (options.pdfA3) pdf.appendXML(options.pdfA3.xmp);
  pdf.end();
  await ended;
  return Buffer.concat(chunks);
}

/**
 * VOID across the page, in outline (what lies under it stays readable), drawn as the letters' shapes rather than text:
 * a reader copying or extracting the page's text gets no stray letters of it.
 */
function stampVoid(pdf: PDFKit.PDFDocument): void {
  const { bold } = fontFiles();
  const run = bold.layout('VOID');
  const scale = 150 / bold.unitsPerEm;
  let x = 0;
  const shapes = run.glyphs.map((glyph, index) => {
    const shape = glyph.path.translate(x, 0).toSVG();
    x += run.positions[index]?.xAdvance ?? glyph.advanceWidth;
    return shape;
  });
  pdf.save();
  // Font units (y upwards) centred on the page's middle.
  const { minY, maxY } = run.bbox;
  pdf.translate(pdf.page.width / 2, pdf.page.height / 2).rotate(-35).scale(scale, -scale).translate(-x / 2, -(minY + maxY) / 2);
  pdf.path(shapes.join(' ')).lineWidth(1.5 / scale).strokeColor(VOID_RED).stroke();
  pdf.restore();
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The last of `ends` (in increasing order) for which `fits` holds, found by bisection: `fits` holds up to some end. */
function lastFitting(ends: readonly number[], fits: (end: number) => boolean): number | undefined {
  let low = 0;
  let high = ends.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (fits(ends[middle] as number)) low = middle + 1;
    else high = middle;
  }
  return ends[low - 1];
}

/** A year of dates (the 28th of each month), to try a locale's dates on before writing any. */
const MONTHS = Array.from({ length: 12 }, (_, month) => new Date(Date.UTC(2026, month, 28)));

/** Whether both embedded fonts have a glyph for each character of `text`: PDFKit draws an empty box for one they lack. */
function drawable(text: string): boolean {
  const { regular, bold } = fontFiles();
  for (const char of text) {
    const codePoint = char.codePointAt(0) as number;
    if (!regular.hasGlyphForCodePoint(codePoint) || !bold.hasGlyphForCodePoint(codePoint)) return false;
  }
  return true;
}

/** How a document's amounts, other numbers and dates are written. */
interface Formats {
  readonly money: (value: string | undefined) => string;
  readonly decimal: (value: string | undefined) => string;
  readonly day: (value: string | undefined) => string;
}

/**
 * How a document in `currency` is written in `locale`, built once per document (a formatter costs far more to build
 * than to use):
 * - an amount with its currency's ISO 4217 decimals at least, as the platform stores it (HUF 1.65, IDR 1.100,55):
 *   Intl would use CLDR's (HUF, COP, IDR 0) and round to them; more decimals (a unit price's) are all kept. Decimal
 *   text goes to Intl as it is, which formats the exact decimal (ES2023), never a binary float of it;
 * - Latin digits and the Gregorian calendar whatever the locale: the fonts have no other digits, and a due date is read
 *   against the calendar the invoice's terms count in;
 * - what the embedded fonts cannot draw, checked against them rather than a list of locales, is written otherwise:
 *   dates whose month names they lack (Devanagari, Thai, CJK …) as the locale's numeric date (`04/03/2026`), else as
 *   ISO 8601; numbers whose group separator they lack without grouping, else as en-GB writes them. Every date of a
 *   document is written alike, whichever its month.
 */
function formatsOf(locale: string, currency: string): Formats {
  const latin = { numberingSystem: 'latn' } as const;
  const minimumFractionDigits = isCurrencyCode(currency) ? currencyOf(currency).exponent : undefined;
  // 20 is the most Intl takes: amounts have at most 4 decimals, unit prices 10.
  const numbers = (tag: string, useGrouping: boolean) => ({
    money: new Intl.NumberFormat(tag, { ...latin, style: 'currency', currency, currencyDisplay: 'code', useGrouping, ...(minimumFractionDigits === undefined ? {} : { minimumFractionDigits }), maximumFractionDigits: 20 }),
    decimal: new Intl.NumberFormat(tag, { ...latin, useGrouping, maximumFractionDigits: 20 }),
  });
  const sample = '-1234567.891' as unknown as number;
  const drawn = (candidate: ReturnType<typeof numbers>) => drawable(candidate.money.format(sample)) && drawable(candidate.decimal.format(sample));
  let readable = numbers(locale, true);
  if (!drawn(readable)) readable = numbers(locale, false);
  if (!drawn(readable)) readable = numbers('en-GB', true);
  const dates = { ...latin, timeZone: 'UTC', calendar: 'gregory' } as const;
  const everyMonthDrawn = (format: Intl.DateTimeFormat) => MONTHS.every((month) => drawable(format.format(month)));
  let dayFormat: Intl.DateTimeFormat | undefined = new Intl.DateTimeFormat(locale, { ...dates, dateStyle: 'medium' });
  if (!everyMonthDrawn(dayFormat)) dayFormat = new Intl.DateTimeFormat(locale, { ...dates, year: 'numeric', month: '2-digit', day: '2-digit' });
  if (!everyMonthDrawn(dayFormat)) dayFormat = undefined;
  return {
    money: (value) => (value === undefined ? '' : readable.money.format(value as unknown as number)),
    decimal: (value) => (value === undefined ? '' : readable.decimal.format(value as unknown as number)),
    day: (value) => (value === undefined ? '' : dayFormat ? dayFormat.format(new Date(`${value}T00:00:00Z`)) : value),
  };
}

/** Whether a decimal text is absent or zero, read as text: amounts are never turned into floating-point numbers. */
function isZero(value: string | undefined): boolean {
  return value === undefined || /^[-+]?0*(\.0*)?$/.test(value.trim());
}

function addressLines(address: En16931.Address | undefined): string[] {
  if (!address) return [];
  const place = [address.postCode, address.city].filter(Boolean).join(' ');
  return [address.line1, address.line2, address.line3, [place, address.subdivision].filter(Boolean).join(', '), address.country].filter((line): line is string => Boolean(line));
}

function vatLine(vatId: string | undefined): string | undefined {
  return vatId && `VAT ${vatId}`;
}

function contactLine(contact: { readonly name?: string; readonly email?: string; readonly phone?: string } | undefined): string | undefined {
  if (!contact) return undefined;
  return [contact.name, contact.email, contact.phone].filter(Boolean).join(' · ') || undefined;
}

function lineCells(
  line: En16931.Line,
  format: { money: (value: string | undefined) => string; price: (value: string | undefined) => string; decimal: (value: string | undefined) => string; day: (value: string | undefined) => string },
): Record<string, string> {
  const price = line.price;
  const base = price.baseQuantity && price.baseQuantity !== '1' ? ` / ${format.decimal(price.baseQuantity)}` : '';
  const adjustments = [...line.allowances.map((allowance) => `− ${format.money(allowance.amount)} ${allowance.reason ?? allowance.reasonCode ?? ''}`), ...line.charges.map((charge) => `+ ${format.money(charge.amount)} ${charge.reason ?? charge.reasonCode ?? ''}`)];
  return {
    id: line.id ?? '',
    item: [line.item.name, line.item.description, line.period && `${format.day(line.period.start)} – ${format.day(line.period.end)}`, ...adjustments].filter(Boolean).join('\n'),
    quantity: `${format.decimal(line.quantity)} ${line.unitCode ?? ''}`.trim(),
    price: `${format.price(price.netPrice)}${base}${price.grossPrice ? `\n(gross ${format.price(price.grossPrice)})` : ''}`,
    vat: `${line.vat.category ?? ''} ${line.vat.rate === undefined ? '' : `${format.decimal(line.vat.rate)} %`}`.trim(),
    net: format.money(line.netAmount),
  };
}

/**
 * PDFKit 0.20 copies the document information (title, author, subject) into the XMP metadata as it is: a seller named
 * `Marks & Spencer` made the XMP ill-formed XML (no longer PDF/A, and a name could write XMP properties of its own).
 * The information dictionary takes the text as it is; the XMP, written after it, gets it escaped.
 */
function escapeInfoInXmp(pdf: PDFKit.PDFDocument): void {
  const document = pdf as unknown as { info: Record<string, unknown>; _addInfo: () => void };
  const addInfo = document._addInfo.bind(pdf);
  document._addInfo = () => {
    const info = document.info;
    document.info = Object.fromEntries(Object.entries(info).map(([key, value]) => [key, typeof value === 'string' ? escapeXml(value) : value]));
    try {
      addInfo();
    } finally {
      document.info = info;
    }
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The locale a PDF is written in, as Intl canonicalises it (`de-de` is `de-DE`): two tags of one locale draw the same
 * PDF. @throws ValidationError `pdf.invalid_locale` for a tag Intl refuses (`en-00`)
 */
export function pdfLocale(tag: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical !== undefined) return canonical;
  } catch {
    // Reported below.
  }
  throw ValidationError.of('locale', 'pdf.invalid_locale', `${JSON.stringify(tag)} is not a BCP 47 language tag such as "de-DE"`);
}
