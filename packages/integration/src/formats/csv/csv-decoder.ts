import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { CsvError } from './receivables-mapping';

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

const SAVE_AS_UTF8 = 'save it as UTF-8 ("CSV UTF-8" in Excel)';

/**
 * A CSV file's bytes as text, chunk by chunk: UTF-8, or UTF-16 when its byte-order mark says so (Excel's "Unicode
 * text"). Nothing is guessed or replaced: a byte that is not UTF-8 refuses the file, where replacing it by U+FFFD would
 * import a name no one wrote (a second, corrupted customer beside the right one).
 */
export class CsvDecoder {
  /** The first bytes, until there are enough to tell the encoding. */
  private head: Buffer | undefined = Buffer.alloc(0);
  private utf16: TextDecoder | undefined;
  /** UTF-8: the first bytes of a character the last chunk cut off. */
  private pending = Buffer.alloc(0);
  /** Where `pending` starts in the file, for the error. */
  private line = 1;
  private offset = 0;

  /** @param text false to check the bytes without making text of UTF-8 */
  constructor(private readonly text = true) {}

  /** @throws CsvError `csv.not_utf8` */
  write(chunk: Uint8Array): string {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.head === undefined) return this.decode(bytes, false);
    this.head = this.head.length === 0 ? bytes : Buffer.concat([this.head, bytes]);
    return this.head.length < 4 ? '' : this.begin(false);
  }

  /** @throws CsvError `csv.not_utf8` (a character cut off by the end of the file) */
  end(): string {
    return this.head === undefined ? this.decode(Buffer.alloc(0), true) : this.begin(true);
  }

  private begin(end: boolean): string {
    const head = this.head as Buffer;
    this.head = undefined;
    const encoding = encodingOf(head);
    // Its byte-order mark is taken off by the decoder.
    if (encoding !== 'utf-8') this.utf16 = new TextDecoder(encoding, { fatal: true });
    return this.decode(head, end);
  }

  private decode(bytes: Buffer, end: boolean): string {
    if (this.utf16) {
      try {
        return this.utf16.decode(bytes, { stream: !end });
      } catch {
        throw new CsvError('csv.not_utf8', `the file is UTF-16 by its byte-order mark, yet holds half a character (a surrogate without its pair): ${SAVE_AS_UTF8}`, { encoding: 'UTF-16' });
      }
    }
    const all = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const whole = all.subarray(0, end ? all.length : all.length - cutCharacter(all));
    if (!isUtf8(whole)) {
      const at = firstInvalid(whole);
      const line = this.line + newlines(whole.subarray(0, at));
      throw new CsvError(
        'csv.not_utf8',
        `the file is not UTF-8: byte 0x${(whole[at] as number).toString(16).padStart(2, '0')} on line ${line} is not UTF-8 text (a file saved as Latin-1 or Windows-1252?); ${SAVE_AS_UTF8}`,
        { line, byteOffset: this.offset + at },
      );
    }
    this.pending = Buffer.from(all.subarray(whole.length));
    this.line += newlines(whole);
    this.offset += whole.length;
    return this.text ? whole.toString('utf8') : '';
  }
}

/**
 * Checks a whole file's encoding at once: what {@link CsvDecoder} would refuse, before any row is imported.
 * @throws CsvError `csv.not_utf8`
 */
export function checkCsvEncoding(bytes: Uint8Array): void {
  const decoder = new CsvDecoder(false);
  decoder.write(bytes);
  decoder.end();
}

/**
 * The encoding of a file by its first bytes (up to 4): UTF-16 by its byte-order mark, else UTF-8.
 * @throws CsvError `csv.not_utf8` for UTF-32, and for UTF-16 without its mark (a NUL byte among the first two: a CSV
 * starts with its header's letters, each beside a 0 byte in UTF-16)
 */
function encodingOf(head: Buffer): Encoding {
  const [first, second, third, fourth] = head;
  if ((first === 0xff && second === 0xfe && third === 0 && fourth === 0) || (first === 0 && second === 0 && third === 0xfe && fourth === 0xff)) {
    throw new CsvError('csv.not_utf8', `the file is UTF-32 (so says its byte-order mark), not UTF-8: ${SAVE_AS_UTF8}`, { line: 1, byteOffset: 0, encoding: 'UTF-32' });
  }
  if (first === 0xff && second === 0xfe) return 'utf-16le';
  if (first === 0xfe && second === 0xff) return 'utf-16be';
  if (first === 0 || second === 0) {
    throw new CsvError('csv.not_utf8', `the file looks like UTF-16 without its byte-order mark (a NUL byte beside each letter), not UTF-8: ${SAVE_AS_UTF8}`, {
      line: 1,
      byteOffset: first === 0 ? 0 : 1,
      encoding: 'UTF-16',
    });
  }
  return 'utf-8';
}

/** How many bytes at the end start a character the next chunk completes (0 to 3). */
function cutCharacter(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back] as number;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) return (byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2) > back ? back : 0;
  }
  return 0;
}

/** Where the first byte that is not UTF-8 is; only run on failure, to point the sender at it. */
function firstInvalid(bytes: Buffer): number {
  for (let at = 0; at < bytes.length; ) {
    const lead = bytes[at] as number;
    if (lead < 0x80) {
      at += 1;
      continue;
    }
    const size = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (size === 0 || !isUtf8(bytes.subarray(at, at + size))) return at;
    at += size;
  }
  return bytes.length;
}

function newlines(bytes: Buffer): number {
  let count = 0;
  let at = bytes.indexOf(0x0a);
  // A search per line break while they are far apart; packed closer than 16 bytes (a file of empty lines), a byte at a
  // time, ten times faster than a search each: 64 MiB of line breaks took 2 s of the request that sent them.
  for (; at >= 0 && (count < 4096 || at >= count * 16); at = bytes.indexOf(0x0a, at + 1)) count += 1;
  if (at < 0) return count;
  for (let index = at; index < bytes.length; index += 1) if (bytes[index] === 0x0a) count += 1;
  return count;
}
