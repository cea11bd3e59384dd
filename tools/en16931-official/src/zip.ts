// Reads entries of a zip archive (a war, a jar) held in memory, without an unzip program (which a clean machine may
// lack): the Kill Bill bench takes each module's ddl.sql out of its war, the official EN 16931 validator takes the
// schematron XSLTs and the XSDs out of their jars. Stored and deflated entries only, no zip64: what Maven jars use.
import zlib from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

interface CentralEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly localHeader: number;
}

function* centralDirectory(archive: Buffer): Generator<CentralEntry> {
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
  let end = -1;
  for (let at = archive.length - 22; at >= Math.max(0, archive.length - 65_557); at--) {
    if (archive.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip archive (no end of central directory)');
  const entries = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  for (let i = 0; i < entries; i++) {
    if (archive.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new Error('corrupt zip central directory');
    const nameLength = archive.readUInt16LE(at + 28);
    yield {
      name: archive.toString('utf8', at + 46, at + 46 + nameLength),
      method: archive.readUInt16LE(at + 10),
      compressedSize: archive.readUInt32LE(at + 20),
      localHeader: archive.readUInt32LE(at + 42),
    };
    at += 46 + nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
  }
}

function inflate(archive: Buffer, entry: CentralEntry): Buffer {
  const { name, method, compressedSize, localHeader } = entry;
  if (archive.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER) throw new Error(`corrupt zip local header of ${name}`);
  const dataStart = localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
  const data = archive.subarray(dataStart, dataStart + compressedSize);
  if (method === 0) return Buffer.from(data);
  if (method === 8) return zlib.inflateRawSync(data);
  throw new Error(`${name}: unsupported zip compression method ${method}`);
}

/** The entry `name` of the zip archive `archive`, uncompressed, or undefined when there is none. */
export function readZipEntry(archive: Buffer, name: string): Buffer | undefined {
  for (const entry of centralDirectory(archive)) if (entry.name === name) return inflate(archive, entry);
  return undefined;
}

/** Every file entry (not folder) of `archive` whose name starts with `prefix`, uncompressed, by entry name. */
export function readZipEntries(archive: Buffer, prefix: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (const entry of centralDirectory(archive)) {
    if (entry.name.startsWith(prefix) && !entry.name.endsWith('/')) found.set(entry.name, inflate(archive, entry));
  }
  return found;
}
