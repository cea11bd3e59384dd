import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@invoicing/core';
import { optionalText, requiredText } from './text';

function issueOf(run: () => unknown): { path: string; code: string } | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues[0];
    throw error;
  }
  return undefined;
}

describe('requiredText', () => {
  it('trims and keeps tabs and line breaks', () => {
    expect(requiredText('  Acme GmbH\tLager 2\r\nTor 3  ', 'name')).toBe('Acme GmbH\tLager 2\r\nTor 3');
  });

  it.each(['Acme\u0000', '\u0007bell', 'esc\u001b[31m', 'del\u007f', 'v\u000bt'])('refuses the control character in %j', (text) => {
    expect(issueOf(() => requiredText(text, 'name'))).toMatchObject({ path: 'name', code: 'text.control_character' });
  });

  it('counts characters, not UTF-16 units: 200 emoji are 200 characters', () => {
    expect(requiredText('🧾'.repeat(200), 'name')).toHaveLength(400);
    expect(issueOf(() => requiredText('🧾'.repeat(201), 'name'))).toMatchObject({ code: 'text.too_long' });
  });

  it('refuses empty and too long texts', () => {
    expect(issueOf(() => requiredText('  ', 'name'))).toMatchObject({ code: 'text.required' });
    expect(issueOf(() => requiredText('x'.repeat(201), 'name'))).toMatchObject({ code: 'text.too_long' });
  });
});

describe('optionalText', () => {
  it.each(['note\uFFFF', '\uFFFEbom', 'half \uD83D pair', 'low \uDE00 alone'])('refuses %j, which XML cannot carry, and keeps a real pair', (text) => {
    expect(issueOf(() => optionalText(text, 'note'))).toMatchObject({ path: 'note', code: 'text.invalid_character' });
    expect(optionalText('smile \uD83D\uDE00', 'note')).toBe('smile 😀');
  });

  it('refuses a control character like requiredText, and takes blank as absent', () => {
    expect(issueOf(() => optionalText('note\u0000', 'note'))).toMatchObject({ code: 'text.control_character' });
    expect(optionalText('  ', 'note')).toBeUndefined();
  });
});
