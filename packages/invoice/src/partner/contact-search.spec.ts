import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ValidationError, definedFields } from '@invoicing/core';
import type { ContactId, PartnerId } from '../shared/ids';
import { compareMatches, contactSearchQuery, normalizeSearchText, phoneDigits, scoreContact, type ContactMatch } from './contact-search';
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
