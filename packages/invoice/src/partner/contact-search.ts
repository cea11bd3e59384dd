import { ValidationError } from '@invoicing/core';
import { distance } from 'fastest-levenshtein';
import type { ContactId, PartnerId } from '../shared/ids';
import type { Contact } from './partner';

/** How a contact matched a search, best first. */
export type MatchKind = 'exact' | 'prefix' | 'substring' | 'fuzzy';

/** A contact found by a search, with the partner it belongs to and how well it matched. */
export interface ContactMatch {
  readonly partnerId: PartnerId;
  readonly partnerName: string;
  readonly contact: Contact;
  /** 0–100; exact 100, prefix 80–89, substring 60–69, fuzzy 1–49. Higher is better. */
  readonly score: number;
  readonly matchedOn: 'name' | 'email' | 'phone';
  readonly matchKind: MatchKind;
}

/** The most results a contact search returns. */
export const MAX_CONTACT_RESULTS = 50;

const BASE: Record<MatchKind, number> = { exact: 100, prefix: 80, substring: 60, fuzzy: 40 };

/** Folds case and accents, so "José" matches "jose". */
export function normalizeSearchText(text: string): string {
  return text.normalize('NFKD').replace(/\p{Diacritic}/gu, '').toLowerCase().trim();
}

/** Keeps only digits, so "+33 (1) 23-45" matches "33123". */
export function phoneDigits(text: string): string {
  return text.replace(/\D/g, '');
}

/**
 * Checks a search query: at least two characters once normalised.
 * @throws ValidationError `contact_search.query_too_short`
 */
export function contactSearchQuery(query: string): string {
  const normalized = normalizeSearchText(typeof query === 'string' ? query : '');
  if (normalized.length < 2) throw ValidationError.of('query', 'contact_search.query_too_short', 'search with at least two characters');
  return normalized;
}

interface FieldMatch {
  readonly kind: MatchKind;
  readonly score: number;
}

/** The best score of a fuzzy match: one edit at least (none would be a prefix), with the whole-field bonus. */
const FUZZY_BEST = BASE.fuzzy - 10 + 5;

/**
 * Scores one field against a normalised query: whole field, then each word, so "smi" finds "Anna Smith". Typos are
 * looked for (`typos`) only when the field does not hold the query, since any other match outscores them.
 */
function matchField(query: string, value: string, typos: boolean): FieldMatch | undefined {
  // Each word is part of the field: a field without the query has no exact, prefix or substring match.
  const holds = value.includes(query);
  if (!holds && (!typos || query.length < 3)) return undefined;
  const candidates = [value, ...value.split(/[\s@._-]+/).filter(Boolean)];
  let best: FieldMatch | undefined;
  for (const [position, candidate] of candidates.entries()) {
    // A match on the whole field beats one on a word of it.
    const wholeBonus = position === 0 ? 5 : 0;
    let found: FieldMatch | undefined;
    if (holds) {
      if (candidate === query) found = { kind: position === 0 ? 'exact' : 'prefix', score: position === 0 ? BASE.exact : BASE.prefix + 9 };
      else if (candidate.startsWith(query)) found = { kind: 'prefix', score: BASE.prefix + wholeBonus + Math.round((4 * query.length) / candidate.length) };
      else if (candidate.includes(query)) found = { kind: 'substring', score: BASE.substring + wholeBonus + Math.round((4 * query.length) / candidate.length) };
    } else {
      // Typos: compare with the candidate's start of the same length, allowing one edit per four characters.
      const allowed = Math.max(1, Math.floor(query.length / 4));
      // A shorter candidate is that many edits away at least: no distance to compute.
      const edits = query.length - candidate.length > allowed ? allowed + 1 : distance(query, candidate.slice(0, query.length));
      // Long queries allow many edits: the score stays at 1 or more, inside the fuzzy band.
      if (edits <= allowed) found = { kind: 'fuzzy', score: Math.max(1, BASE.fuzzy - 10 * edits + wholeBonus) };
    }
    if (found && (!best || found.score > best.score)) best = found;
  }
  return best;
}

/**
 * Scores a contact for a search (exact > prefix > substring > fuzzy) over its name, email and phone;
 * undefined when nothing matches. Every adapter ranks with this function, so results agree everywhere.
 */
export function scoreContact(normalizedQuery: string, contact: Contact): ContactScore | undefined {
  return scored(normalizedQuery, contact, true);
}

type ContactScore = Pick<ContactMatch, 'score' | 'matchedOn' | 'matchKind'>;

/** {@link scoreContact}, leaving fuzzy matches out when `typos` is false (they could not rank anyway). */
function scored(normalizedQuery: string, contact: Contact, typos: boolean): ContactScore | undefined {
  const fields: [ContactMatch['matchedOn'], string | undefined][] = [
    ['name', normalizeSearchText(contact.name)],
    // Folded like the query, or an email with an accent could never match exactly.
    ['email', contact.email === undefined ? undefined : normalizeSearchText(contact.email)],
    ['phone', contact.phone === undefined ? undefined : phoneDigits(contact.phone)],
  ];
  // Only a query that looks like a phone number searches phones, so "room 101" does not match "+44 101 …".
  const queryDigits = /^[\d\s()+./-]+$/.test(normalizedQuery) ? phoneDigits(normalizedQuery) : '';
  let best: ContactScore | undefined;
  for (const [field, value] of fields) {
    if (!value) continue;
    const query = field === 'phone' ? queryDigits : normalizedQuery;
    if (field === 'phone' && query.length < 3) continue;
    // A typo in this field cannot beat a better match found in another.
    const match = matchField(query, value, typos && (!best || best.score <= FUZZY_BEST));
    if (match && (!best || match.score > best.score)) best = { score: match.score, matchedOn: field, matchKind: match.kind };
  }
  return best;
}

/** Orders matches best first; ties by partner name, then contact name, then id, so pages are stable. */
export function compareMatches(left: ContactMatch, right: ContactMatch): number {
  return (
    right.score - left.score ||
    left.partnerName.localeCompare(right.partnerName) ||
    left.contact.name.localeCompare(right.contact.name) ||
    compareIds(left.contact.id, right.contact.id)
  );
}

function compareIds(left: ContactId, right: ContactId): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** What a contact search reads of a partner: its id, its name and its contacts. */
export interface SearchedPartner {
  readonly id: PartnerId;
  readonly legalName: string;
  readonly contacts: readonly Contact[];
}

/**
 * How many contacts a search scores before it lets the event loop take other work: a few milliseconds' worth, so that a
 * tenant's search over many contacts does not stall other requests (audit dos DOS-4).
 */
export const CONTACTS_PER_TURN = 1_000;

// The domain targets Node without its typings (as `use-case-support` does for `setTimeout`).
declare function setImmediate(callback: () => void): unknown;

/**
 * The best `limit` matches among the contacts of `partners`, as `PartnerQueries.searchContacts` answers them: scored
 * with {@link scoreContact}, ordered by {@link compareMatches}. Every adapter ranks through it.
 *
 * Its cost is bounded where it can be without changing the answer: it keeps the best `limit` matches only (not every
 * match), yields to the event loop every `contactsPerTurn` contacts, and once it holds `limit` matches better than
 * any typo can score, it no longer computes edit distances. It cannot stop early: a later contact with the same score
 * may rank first by its partner's name, and partners come in no such order.
 */
export async function rankContacts(
  partners: Iterable<SearchedPartner> | AsyncIterable<SearchedPartner>,
  normalizedQuery: string,
  limit: number,
  contactsPerTurn: number = CONTACTS_PER_TURN,
): Promise<ContactMatch[]> {
  let kept: ContactMatch[] = [];
  // The last of the best `limit` kept so far, once there are that many: nothing ranking after it can enter.
  let last: ContactMatch | undefined;
  let scoredSinceTurn = 0;
  for await (const partner of partners) {
    for (const contact of partner.contacts) {
      if (++scoredSinceTurn >= contactsPerTurn) {
        scoredSinceTurn = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const score = scored(normalizedQuery, contact, last === undefined || last.score <= FUZZY_BEST);
      if (!score) continue;
      const match: ContactMatch = { partnerId: partner.id, partnerName: partner.legalName, contact, ...score };
      if (last !== undefined && compareMatches(match, last) >= 0) continue;
      kept.push(match);
      // Trimmed when a page is first full, then each time it doubles: one sort of 2 × limit per `limit` matches kept.
      if (kept.length >= (last === undefined ? limit : 2 * limit)) {
        kept = kept.sort(compareMatches).slice(0, limit);
        last = kept[kept.length - 1];
      }
    }
  }
  return kept.sort(compareMatches).slice(0, limit);
}
