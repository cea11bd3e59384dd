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

/** Scores one field against a normalised query: whole field, then each word, so "smi" finds "Anna Smith". */
function matchField(query: string, value: string): FieldMatch | undefined {
  const candidates = [value, ...value.split(/[\s@._-]+/).filter(Boolean)];
  let best: FieldMatch | undefined;
  for (const [position, candidate] of candidates.entries()) {
    // A match on the whole field beats one on a word of it.
    const wholeBonus = position === 0 ? 5 : 0;
    let found: FieldMatch | undefined;
    if (candidate === query) found = { kind: position === 0 ? 'exact' : 'prefix', score: position === 0 ? BASE.exact : BASE.prefix + 9 };
    else if (candidate.startsWith(query)) found = { kind: 'prefix', score: BASE.prefix + wholeBonus + Math.round((4 * query.length) / candidate.length) };
    else if (candidate.includes(query)) found = { kind: 'substring', score: BASE.substring + wholeBonus + Math.round((4 * query.length) / candidate.length) };
    else if (query.length >= 3) {
      // Typos: compare with the candidate's start of the same length, allowing one edit per four characters.
      const edits = distance(query, candidate.slice(0, query.length));
      const allowed = Math.max(1, Math.floor(query.length / 4));
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
export function scoreContact(normalizedQuery: string, contact: Contact): { score: number; matchedOn: ContactMatch['matchedOn']; matchKind: MatchKind } | undefined {
  const fields: [ContactMatch['matchedOn'], string | undefined][] = [
    ['name', normalizeSearchText(contact.name)],
    // Folded like the query, or an email with an accent could never match exactly.
    ['email', contact.email === undefined ? undefined : normalizeSearchText(contact.email)],
    ['phone', contact.phone === undefined ? undefined : phoneDigits(contact.phone)],
  ];
  // Only a query that looks like a phone number searches phones, so "room 101" does not match "+44 101 …".
  const queryDigits = /^[\d\s()+./-]+$/.test(normalizedQuery) ? phoneDigits(normalizedQuery) : '';
  let best: { score: number; matchedOn: ContactMatch['matchedOn']; matchKind: MatchKind } | undefined;
  for (const [field, value] of fields) {
    if (!value) continue;
    const query = field === 'phone' ? queryDigits : normalizedQuery;
    if (field === 'phone' && query.length < 3) continue;
    const match = matchField(query, value);
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
