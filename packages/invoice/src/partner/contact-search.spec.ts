import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ValidationError, definedFields } from '@invoicing/core';
import type { ContactId, PartnerId } from '../shared/ids';
import { compareMatches, contactSearchQuery, normalizeSearchText, phoneDigits, rankContacts, scoreContact, type ContactMatch, type SearchedPartner } from './contact-search';
import type { Contact } from './partner';

const contact = (name: string, fields: Partial<Omit<Contact, 'id' | 'name'>> = {}, id = `c-${name}`): Contact => ({ id: id as ContactId, name, ...fields });

const anna = contact('Anna Smith', { email: 'anna.smith@acme.example', phone: '+33 1 23 45 67 89' });

/** Scores a contact for what a user typed, as the use case does. */
const score = (typed: string, candidate: Contact) => scoreContact(contactSearchQuery(typed), candidate);

describe('contactSearchQuery', () => {
  it.each(['', ' ', 'a', '  b  ', 'é', 'Ö'])('refuses %j: a query has at least two characters once normalised', (query) => {
    let error: unknown;
    try {
      contactSearchQuery(query);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: 'query', code: 'contact_search.query_too_short' })]);
  });

  it('refuses a query that is not a text', () => {
    expect(() => contactSearchQuery(undefined as unknown as string)).toThrow(expect.objectContaining({ code: 'contact_search.query_too_short' }));
  });

  it('returns the query trimmed, without accents and in lower case', () => {
    expect(contactSearchQuery('  José MÜLLER ')).toBe('jose muller');
    expect(contactSearchQuery('Jo')).toBe('jo');
  });
});

describe('normalizeSearchText', () => {
  it('folds case and accents', () => {
    expect(normalizeSearchText('Ångström Çelik Łódź')).toBe('angstrom celik łodz');
    expect(normalizeSearchText('ÉLODIE')).toBe('elodie');
  });
});

describe('phoneDigits', () => {
  it('keeps only the digits', () => {
    expect(phoneDigits('+33 (1) 23-45.67')).toBe('331234567');
    expect(phoneDigits('no digits')).toBe('');
  });
});

describe('scoreContact', () => {
  describe('on names', () => {
    it('scores 100 for the whole name', () => {
      expect(score('Anna Smith', anna)).toEqual({ score: 100, matchedOn: 'name', matchKind: 'exact' });
    });

    it('scores a prefix of the name from 80 to 89, above a prefix of one of its words', () => {
      const whole = score('ann', anna);
      const word = score('smi', anna);

      expect(whole).toMatchObject({ matchedOn: 'name', matchKind: 'prefix' });
      expect(word).toMatchObject({ matchedOn: 'name', matchKind: 'prefix' });
      expect(whole?.score).toBeGreaterThanOrEqual(80);
      expect(whole?.score).toBeLessThanOrEqual(89);
      expect(word?.score).toBeGreaterThanOrEqual(80);
      expect(word?.score).toBeLessThan(whole?.score ?? 0);
    });

    it('ranks a whole word found as a prefix match at the top of the prefix band', () => {
      expect(score('smith', anna)).toEqual({ score: 89, matchedOn: 'name', matchKind: 'prefix' });
    });

    it('scores a longer prefix higher than a shorter one', () => {
      const candidate = contact('Bartholomew');

      expect(score('bartholo', candidate)?.score).toBeGreaterThan(score('ba', candidate)?.score ?? 100);
    });

    it('scores a substring from 60 to 69', () => {
      const result = score('nna', anna);

      expect(result).toMatchObject({ matchedOn: 'name', matchKind: 'substring' });
      expect(result?.score).toBeGreaterThanOrEqual(60);
      expect(result?.score).toBeLessThanOrEqual(69);
    });

    it('finds a name with one typo as a fuzzy match below every substring match', () => {
      const result = score('smoth', anna);

      expect(result).toMatchObject({ matchedOn: 'name', matchKind: 'fuzzy' });
      expect(result?.score).toBeGreaterThanOrEqual(1);
      expect(result?.score).toBeLessThan(60);
    });

    it('allows one typo per four characters, and no typo below three characters', () => {
      const candidate = contact('Bartholomew');

      expect(score('barthx', candidate)?.matchKind).toBe('fuzzy'); // 6 characters: 1 edit
      expect(score('baxthx', candidate)).toBeUndefined(); // 6 characters: 2 edits are too many
      expect(score('baxthxlomew', candidate)?.matchKind).toBe('fuzzy'); // 11 characters: 2 edits
      expect(score('bx', candidate)).toBeUndefined();
    });

    it('keeps fuzzy scores within 1 to 49 even for long queries with many typos', () => {
      const candidate = contact('abcdefghijklmnopqrst');
      // 20 characters allow 5 edits; this query has exactly 5.
      const result = score('aXcdeXghijXlmnoXqrXt', candidate);

      expect(result?.matchKind).toBe('fuzzy');
      expect(result?.score).toBeGreaterThanOrEqual(1);
      expect(result?.score).toBeLessThanOrEqual(49);
    });

    it('ignores case and accents on both sides', () => {
      const jose = contact('José Müller');

      expect(score('JOSE MULLER', jose)).toMatchObject({ score: 100, matchKind: 'exact' });
      expect(score('müll', jose)).toMatchObject({ matchKind: 'prefix' });
      expect(score('Jose', contact('JOSÉ'))).toMatchObject({ matchKind: 'exact' });
    });

    it('returns undefined when nothing matches', () => {
      expect(score('zzz', anna)).toBeUndefined();
    });
  });

  describe('on emails', () => {
    it('scores the whole email as exact', () => {
      expect(score('Anna.Smith@ACME.example', anna)).toEqual({ score: 100, matchedOn: 'email', matchKind: 'exact' });
    });

    it('finds a part of the email between separators as a prefix', () => {
      expect(score('acme', anna)).toMatchObject({ matchedOn: 'email', matchKind: 'prefix' });
    });

    it('finds an email by a substring', () => {
      expect(score('cme.ex', anna)).toMatchObject({ matchedOn: 'email', matchKind: 'substring' });
    });
  });

  describe('on phones', () => {
    it('searches phones only with a query that looks like a phone number', () => {
      const office = contact('Front desk', { phone: '+44 101 555 0100' });

      expect(score('101 555', office)).toMatchObject({ matchedOn: 'phone' });
      expect(score('room 101', office)).toBeUndefined();
    });

    it('compares digits only, so any formatting of the whole number is exact', () => {
      expect(score('+33 (0)1-23', contact('X', { phone: '33 0 1 23' }))).toEqual({ score: 100, matchedOn: 'phone', matchKind: 'exact' });
      expect(score('33123456789', anna)).toEqual({ score: 100, matchedOn: 'phone', matchKind: 'exact' });
    });

    it('finds the start of a number as a prefix and its middle as a substring', () => {
      expect(score('+33 1 23', anna)).toMatchObject({ matchedOn: 'phone', matchKind: 'prefix' });
      expect(score('45 67', anna)).toMatchObject({ matchedOn: 'phone', matchKind: 'substring' });
    });

    it('needs at least three digits to search phones', () => {
      expect(score('89', anna)).toBeUndefined();
    });

    it('does not search phones for a query without digits', () => {
      expect(score('xyz', contact('Someone', { phone: '+33 1 23 45 67 89' }))).toBeUndefined();
    });
  });

  it('keeps the best of the three fields', () => {
    // "anna" is a word of the name (prefix, 89) and the start of the email (prefix, 85 or more): the name wins.
    expect(score('anna', anna)).toEqual({ score: 89, matchedOn: 'name', matchKind: 'prefix' });
    // The whole phone number beats a substring of the name.
    expect(score('2345', contact('Line 2345 North', { phone: '2345' }))).toEqual({ score: 100, matchedOn: 'phone', matchKind: 'exact' });
  });

  it('ranks exact > prefix > substring > fuzzy across contacts', () => {
    const candidates = [contact('Joanna'), contact('Anba'), contact('Zed'), contact('Annabel'), contact('Anna')];
    const ranked = candidates
      .map((candidate) => ({ candidate, scored: score('anna', candidate) }))
      .filter((entry) => entry.scored !== undefined)
      .map((entry) => ({ partnerId: 'p-1' as PartnerId, partnerName: 'Acme', contact: entry.candidate, ...(entry.scored as NonNullable<typeof entry.scored>) }))
      .sort(compareMatches);

    expect(ranked.map((entry) => [entry.contact.name, entry.matchKind])).toEqual([
      ['Anna', 'exact'],
      ['Annabel', 'prefix'],
      ['Joanna', 'substring'],
      ['Anba', 'fuzzy'],
    ]);
  });
});

describe('compareMatches', () => {
  const base = (partnerName: string, name: string, id: string, score: number): ContactMatch => ({
    partnerId: 'p-1' as PartnerId,
    partnerName,
    contact: contact(name, {}, id),
    score,
    matchedOn: 'name',
    matchKind: 'prefix',
  });

  it('orders by score, highest first', () => {
    expect([base('A', 'A', 'c-1', 80), base('Z', 'Z', 'c-9', 89)].sort(compareMatches).map((entry) => entry.score)).toEqual([89, 80]);
  });

  it('breaks ties by partner name, then contact name, then contact id', () => {
    const sorted = [base('Beta', 'Ann', 'c-1', 85), base('Alpha', 'Zoe', 'c-2', 85), base('Alpha', 'Bob', 'c-4', 85), base('Alpha', 'Bob', 'c-3', 85)].sort(compareMatches);

    expect(sorted.map((entry) => `${entry.partnerName}/${entry.contact.name}/${entry.contact.id}`)).toEqual(['Alpha/Bob/c-3', 'Alpha/Bob/c-4', 'Alpha/Zoe/c-2', 'Beta/Ann/c-1']);
  });

  it('returns 0 only for the same partner name, contact name, id and score', () => {
    expect(compareMatches(base('A', 'B', 'c-1', 80), base('A', 'B', 'c-1', 80))).toBe(0);
    expect(compareMatches(base('A', 'B', 'c-1', 80), base('A', 'B', 'c-2', 80))).toBeLessThan(0);
  });

  it('ranks an exact match above any non-exact match of another contact, whatever the names', () => {
    const word = fc.stringMatching(/^[a-zA-Zé]{1,6}$/);
    const name = fc.array(word, { minLength: 1, maxLength: 3 }).map((words) => words.join(' '));
    const email = fc.tuple(word, word).map(([local, domain]) => `${local}.${domain}@example.org`.toLowerCase());
    const phone = fc.stringMatching(/^\+?[0-9]{3,12}$/);
    const someContact = fc.record({ name, email: fc.option(email, { nil: undefined }), phone: fc.option(phone, { nil: undefined }) });

    fc.assert(
      fc.property(someContact, someContact, fc.constantFrom('name', 'email', 'phone'), (first, second, field) => {
        const winner = contact(first.name, definedFields({ email: first.email, phone: first.phone }), 'c-2');
        const other = contact(second.name, definedFields({ email: second.email, phone: second.phone }), 'c-1');
        const typed = field === 'name' ? winner.name : field === 'email' ? winner.email : winner.phone;
        fc.pre(typed !== undefined && normalizeSearchText(typed).length >= 2);
        const query = contactSearchQuery(typed as string);
        const scoredOther = scoreContact(query, other);
        fc.pre(scoredOther !== undefined && scoredOther.matchKind !== 'exact');

        const exact = scoreContact(query, winner);
        expect(exact?.matchKind).toBe('exact');
        // The other contact sorts first on every tie-break (partner name, contact id), so only the score can put the exact match first.
        const winnerMatch: ContactMatch = { partnerId: 'p-2' as PartnerId, partnerName: 'Zulu', contact: winner, ...(exact as NonNullable<typeof exact>) };
        const otherMatch: ContactMatch = { partnerId: 'p-1' as PartnerId, partnerName: 'Alpha', contact: other, ...scoredOther };
        expect(compareMatches(winnerMatch, otherMatch)).toBeLessThan(0);
        expect([otherMatch, winnerMatch].sort(compareMatches)[0]).toBe(winnerMatch);
      }),
    );
  });
});

describe('rankContacts (audit dos DOS-4)', () => {
  const partnerOf = (index: number, contacts: readonly Contact[]): SearchedPartner => ({ id: `p-${index}` as PartnerId, legalName: `Partner ${index % 7}`, contacts });
  const names = ['Anna Smith', 'Smithers Jones', 'Bob Smyth', 'Smith', 'Ann Smit', 'Jo Martinez', 'Martina Smithson', 'smith', 'Zed Smiht'];
  /** 40 partners of 60 contacts: exact, prefix, substring, typo and no matches, the same names at several partners. */
  const partners = Array.from({ length: 40 }, (_, p) =>
    partnerOf(
      p,
      Array.from({ length: 60 }, (_, c) => contact(`${names[(p * 60 + c) % names.length]}${c % 5 === 0 ? '' : ` ${c}`}`, c % 3 === 0 ? { email: `smith${c}@p${p}.example` } : {}, `c-${p}-${c}`)),
    ),
  );
  /** What a search answers by definition: every match, sorted, the first `limit`. */
  const everyMatch = (query: string, limit: number): ContactMatch[] =>
    partners
      .flatMap((partner) => partner.contacts.map((each) => ({ partner, each, found: scoreContact(query, each) })))
      .filter(({ found }) => found !== undefined)
      .map(({ partner, each, found }) => ({ partnerId: partner.id, partnerName: partner.legalName, contact: each, ...(found as NonNullable<typeof found>) }))
      .sort(compareMatches)
      .slice(0, limit);

  it.each([
    ['smith', 1],
    ['smith', 7],
    ['smith', 50],
    ['smiht', 20],
    ['martinez', 3],
    ['zz-nothing', 50],
    ['smith1', 10],
  ])('answers %j (limit %i) as ranking every match would, keeping only the best', async (query, limit) => {
    const expected = everyMatch(query, limit);

    expect(await rankContacts(partners, query, limit)).toEqual(expected);
    expect(await rankContacts(partners, query, limit, 7)).toEqual(expected);
    // Partners read from a database come one by one.
    expect(await rankContacts((async function* () { yield* partners; })(), query, limit)).toEqual(expected);
  });

  it('lets the event loop run between every contactsPerTurn contacts it scores', async () => {
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);

    const total = partners.reduce((sum, partner) => sum + partner.contacts.length, 0);
    await rankContacts(partners, 'smith', 10, 200);
    ticking = false;

    expect(total).toBe(2400);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(total / 200) - 1);
  });

  it('leaves typos out once the page is full of better matches only: a typo still fills a page that has room', async () => {
    // The page fills with prefix matches first; the typo after them is skipped when it could not rank.
    const many = [partnerOf(1, Array.from({ length: 50 }, (_, c) => contact(`Smithy ${c}`, {}, `a-${c}`))), partnerOf(2, [contact('Smitt', {}, 'b-1')])];

    expect((await rankContacts(many, 'smith', 50)).map((match) => match.matchKind)).toEqual(Array.from({ length: 50 }, () => 'prefix'));
    expect((await rankContacts(many, 'smith', 51)).at(-1)).toMatchObject({ matchKind: 'fuzzy', contact: { name: 'Smitt' } });
  });

  it('is the ranking the contract checks for an empty tenant', async () => {
    expect(await rankContacts([], 'smith', 10)).toEqual([]);
    expect(await rankContacts([partnerOf(0, [])], 'smith', 10)).toEqual([]);
  });
});

describe('scoreContact against its earlier form (one pass, typos looked for in every word)', () => {
  const BASE = { exact: 100, prefix: 80, substring: 60, fuzzy: 40 };
  function earlierField(query: string, value: string): { kind: string; score: number } | undefined {
    const candidates = [value, ...value.split(/[\s@._-]+/).filter(Boolean)];
    let best: { kind: string; score: number } | undefined;
    for (const [position, candidate] of candidates.entries()) {
      const wholeBonus = position === 0 ? 5 : 0;
      let found: { kind: string; score: number } | undefined;
      if (candidate === query) found = { kind: position === 0 ? 'exact' : 'prefix', score: position === 0 ? BASE.exact : BASE.prefix + 9 };
      else if (candidate.startsWith(query)) found = { kind: 'prefix', score: BASE.prefix + wholeBonus + Math.round((4 * query.length) / candidate.length) };
      else if (candidate.includes(query)) found = { kind: 'substring', score: BASE.substring + wholeBonus + Math.round((4 * query.length) / candidate.length) };
      else if (query.length >= 3) {
        const edits = levenshtein(query, candidate.slice(0, query.length));
        const allowed = Math.max(1, Math.floor(query.length / 4));
        if (edits <= allowed) found = { kind: 'fuzzy', score: Math.max(1, BASE.fuzzy - 10 * edits + wholeBonus) };
      }
      if (found && (!best || found.score > best.score)) best = found;
    }
    return best;
  }
  function earlier(query: string, candidate: Contact) {
    const fields: [string, string | undefined][] = [
      ['name', normalizeSearchText(candidate.name)],
      ['email', candidate.email === undefined ? undefined : normalizeSearchText(candidate.email)],
      ['phone', candidate.phone === undefined ? undefined : phoneDigits(candidate.phone)],
    ];
    const queryDigits = /^[\d\s()+./-]+$/.test(query) ? phoneDigits(query) : '';
    let best: { score: number; matchedOn: string; matchKind: string } | undefined;
    for (const [field, value] of fields) {
      if (!value) continue;
      const typed = field === 'phone' ? queryDigits : query;
      if (field === 'phone' && typed.length < 3) continue;
      const match = earlierField(typed, value);
      if (match && (!best || match.score > best.score)) best = { score: match.score, matchedOn: field, matchKind: match.kind };
    }
    return best;
  }
  function levenshtein(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0] as number;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j] as number;
        row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length] as number;
  }

  it('scores every contact as before', () => {
    const text = fc.stringMatching(/^[smithéÉ ._@-]{0,14}$/);
    fc.assert(
      fc.property(text, text, fc.option(text, { nil: undefined }), fc.option(fc.stringMatching(/^\+?[0-9 ]{3,12}$/), { nil: undefined }), (typed, name, email, phone) => {
        const query = normalizeSearchText(typed);
        fc.pre(query.length >= 2);
        const candidate = contact(name, definedFields({ email, phone }));
        expect(scoreContact(query, candidate)).toEqual(earlier(query, candidate));
      }),
      { numRuns: 2000 },
    );
  });
});
