import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { DOCUMENT_TYPE_CODES, type InvoiceState } from './invoice';

/*
 * The hash chain of issued documents (ADR 0022): each invoice or credit note the platform issues is sealed, after its
 * issue, at the next position of its tenant's and series' chain. A seal binds the document's canonical content to the
 * seal before it, so that changing any issued content, or removing or reordering a sealed document, breaks a link.
 */

/** The `previousHash` of the first seal of a series: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a document carries of its seal (the API's `seal`, the exports' footer). */
export interface DocumentSeal {
  /** 1, 2, 3 … per tenant and series, in the order the documents were sealed. */
  readonly position: number;
  /** SHA-256 (hex) of the document's {@link canonicalContentOf canonical content}. */
  readonly contentHash: string;
  /** The `hash` of the seal at `position − 1`, {@link GENESIS_HASH} at position 1. */
  readonly previousHash: string;
  /** {@link chainHash}(previousHash, contentHash). */
  readonly hash: string;
}

/** A link of a series' chain, as it is stored (one record per sealed document, never changed). */
export interface SealRecord extends DocumentSeal {
  readonly tenantId: string;
  readonly series: string;
  readonly documentId: string;
  readonly number: string;
  readonly sealedAt: Date;
}

/** Marks what the canonical content is made of; a future change of the rule gets a new version and keeps old hashes checkable. */
const CANONICAL_VERSION = 1;

/**
 * Whether the document is one the chain covers: issued by the platform (it holds a number from one of our series).
 * Drafts have nothing to seal; documents recorded from another system's history (imports) are left out: their numbers
 * and content are that system's, whose own records are the originals.
 */
export function isSealable(state: Pick<InvoiceState, 'status' | 'number' | 'importedAt'>): boolean {
  return state.status !== 'draft' && state.number !== undefined && state.importedAt === undefined;
}

/**
 * The issued content of an invoice or credit note as one deterministic string: JSON with keys sorted at every level,
 * amounts and decimals as their exact strings, dates as ISO 8601, absent fields left out. It holds what issuing fixed
 * and nothing that the lifecycle changes afterwards (status, payments, credits, void reason, timestamps of updates), so
 * a payment leaves it as it was and any edit of the issued document changes it.
 */
export function canonicalContentOf(state: InvoiceState): string {
  return canonicalJson({
    v: CANONICAL_VERSION,
    tenantId: state.tenantId,
    id: state.id,
    kind: state.kind,
    typeCode: DOCUMENT_TYPE_CODES[state.kind],
    number: state.number,
    series: state.series,
    partnershipId: state.partnershipId,
    sellerId: state.sellerId,
    buyerId: state.buyerId,
    sellerContactId: state.sellerContactId,
    buyerContactId: state.buyerContactId,
    seller: state.seller,
    buyer: state.buyer,
    currency: state.currency,
    issueDate: state.issueDate,
    dueDate: state.dueDate,
    issuedAt: state.issuedAt,
    paymentTerms: state.paymentTerms,
    purchaseOrderReference: state.purchaseOrderReference,
    buyerReference: state.buyerReference,
    invoicePeriod: state.invoicePeriod,
    externalReference: state.externalReference,
    precedingInvoice: state.precedingInvoice,
    notes: state.notes,
    lines: state.lines,
    allowances: state.allowances,
    charges: state.charges,
    vatBreakdown: state.vatBreakdown,
    totals: state.totals,
  });
}

/** SHA-256 of a text's UTF-8 bytes, in lower-case hex. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The content hash of a document: SHA-256 of its canonical content. */
export function contentHashOf(state: InvoiceState): string {
  return sha256Hex(canonicalContentOf(state));
}

/** The hash of a link: SHA-256 of the previous link's hash, a line feed, and the document's content hash. */
export function chainHash(previousHash: string, contentHash: string): string {
  return sha256Hex(`${previousHash}\n${contentHash}`);
}

/** The seal of `state` after `previous` (the series' last seal, undefined when there is none yet). */
export function nextSeal(previous: Pick<DocumentSeal, 'position' | 'hash'> | undefined, state: InvoiceState): DocumentSeal {
  const contentHash = contentHashOf(state);
  const previousHash = previous?.hash ?? GENESIS_HASH;
  return { position: (previous?.position ?? 0) + 1, contentHash, previousHash, hash: chainHash(previousHash, contentHash) };
}

/**
 * JSON with object keys sorted, `undefined` members left out, and values with a `toJSON` (Money, Decimal, Date)
 * replaced by what it gives, recursively. Not `JSON.stringify` with sorted keys: its replacer sees a Money only after
 * calling `toJSON`, and the order of keys must not depend on how an object was built.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonical JSON has no non-finite numbers');
  return JSON.stringify(value);
}
