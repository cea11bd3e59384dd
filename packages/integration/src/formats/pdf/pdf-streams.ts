import { AsyncLocalStorage } from 'node:async_hooks';
import { inflateRawSync } from 'node:zlib';
import { PDFArray, PDFDocument as PdfFile, PDFName, PDFNull, PDFObjectStreamParser, PDFRawStream, PDFXRefStreamParser } from 'pdf-lib';
import { FormatError } from '../xml';

/** The only filter a stream the reader decodes may have: what every Factur-X writer and PDF library uses. */
const FLATE = PDFName.of('FlateDecode');

/**
 * The bytes of a PDF stream, refused as soon as they pass `maxBytes`: never inflated beyond it. Unfiltered, or one
 * `FlateDecode` (whose decode parameters are ignored, as pdf-lib does); a chain of filters or another filter is refused,
 * since a chain multiplies what a few bytes inflate to and no real file needs one.
 * @throws FormatError `format.too_large` beyond `maxBytes`; `format.malformed` for other filters or corrupt data
 */
export function decodeStream(stream: PDFRawStream, maxBytes: number): Uint8Array {
  const filters = filtersOf(stream);
  if (filters.length === 0) {
    if (stream.contents.length > maxBytes) throw tooLarge(maxBytes);
    return stream.contents;
  }
  if (filters.length > 1 || filters[0] !== FLATE) {
    const names = filters.map((filter) => filter.decodeText());
    throw new FormatError('format.malformed', `the PDF has a stream encoded with ${names.join(', ')}: only FlateDecode alone is read`, { filters: names });
  }
  const { contents } = stream;
  // The zlib header as pdf-lib checks it; the inflation raw, so a wrong checksum is tolerated as pdf-lib tolerates it.
  const [cmf = 0, flg = 0] = contents;
  if ((cmf & 0x0f) !== 8 || ((cmf << 8) + flg) % 31 !== 0 || (flg & 0x20) !== 0) throw new FormatError('format.malformed', 'the PDF has a stream that is not FlateDecode data');
  let inflated: Buffer;
  try {
    // zlib stops inflating at maxOutputLength: the memory a stream costs is bounded before it is inflated.
    inflated = inflateRawSync(contents.subarray(2), { maxOutputLength: Math.max(maxBytes, 1) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new FormatError('format.malformed', `the PDF has a stream that cannot be inflated: ${(error as Error).message}`);
  }
  if (inflated.length > maxBytes) throw tooLarge(maxBytes);
  return inflated;
}

/**
 * Loads a PDF with pdf-lib, its object and cross-reference streams inflated together to at most `maxBytes`.
 * @throws FormatError `format.too_large` beyond it, `format.malformed` for such a stream with a filter
 * {@link decodeStream} refuses; pdf-lib's own errors otherwise
 */
export async function loadPdf(pdf: Uint8Array, maxBytes: number): Promise<PdfFile> {
  const budget: Budget = { limit: maxBytes, left: maxBytes };
  let file: PdfFile;
  try {
    file = await loading.run(budget, () => PdfFile.load(pdf, { updateMetadata: false, throwOnInvalidObject: false }));
  } catch (error) {
    throw budget.refused ?? error;
  }
  // pdf-lib reads a stream it could not decode as an invalid object and goes on: the refusal is the answer.
  if (budget.refused) throw budget.refused;
  return file;
}

interface Budget {
  readonly limit: number;
  left: number;
  refused?: FormatError;
}

/** The budget of the load in progress, in its async context: loads at once each keep their own. */
const loading = new AsyncLocalStorage<Budget>();

// pdf-lib inflates every object stream and cross-reference stream while it loads a file, to the end, with no hook to
// limit it: a PDF of a few hundred KB can make it hold gigabytes. Its parsers (public exports) are given the stream
// already decoded within the budget instead. Outside a `loadPdf`, pdf-lib is left as it is.
const objectStreamParser = PDFObjectStreamParser.forStream;
PDFObjectStreamParser.forStream = (stream, shouldWaitForTick) => objectStreamParser(decodedWithinBudget(stream), shouldWaitForTick);
const xrefStreamParser = PDFXRefStreamParser.forStream;
PDFXRefStreamParser.forStream = (stream) => xrefStreamParser(decodedWithinBudget(stream));

function decodedWithinBudget(stream: PDFRawStream): PDFRawStream {
  const budget = loading.getStore();
  if (budget === undefined) return stream;
  if (budget.refused) throw budget.refused;
  try {
    const bytes = decodeStream(stream, budget.left);
    budget.left -= bytes.length;
    const dict = stream.dict.clone();
    dict.delete(PDFName.of('Filter'));
    dict.delete(PDFName.of('DecodeParms'));
    return PDFRawStream.of(dict, bytes);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    // Too large for what is left is too large for the whole: the limit said is the PDF's.
    budget.refused ??= error.code === 'format.too_large' ? tooLarge(budget.limit, "the PDF's object streams decode") : error;
    throw budget.refused;
  }
}

function filtersOf(stream: PDFRawStream): PDFName[] {
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  if (filter === undefined || filter === PDFNull) return [];
  if (filter instanceof PDFName) return [filter];
  if (filter instanceof PDFArray) {
    const names = filter.asArray().map((_, index) => filter.lookup(index));
    if (names.every((name): name is PDFName => name instanceof PDFName)) return names;
  }
  throw new FormatError('format.malformed', 'the PDF has a stream whose /Filter is not a name or an array of names');
}

function tooLarge(limit: number, what = 'the PDF has a stream that decodes'): FormatError {
  return new FormatError('format.too_large', `${what} to more than the ${limit} bytes accepted`, { limit });
}
