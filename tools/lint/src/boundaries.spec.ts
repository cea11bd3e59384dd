import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

interface Case {
  readonly path: string;
  readonly code: string;
}

const DOMAIN_FILES = ['packages/invoice/src/invoice/invoice.ts', 'packages/core/src/money/money.ts'];
const FORBIDDEN: readonly (readonly [string, string])[] = [
  ["import mongoose from 'mongoose';", 'mongoose'],
  ["import { MongoClient } from 'mongodb';", 'mongodb'],
  ["import { Controller } from '@nestjs/common';", '@nestjs/common'],
  ["import Fastify from 'fastify';", 'fastify'],
  ["import express from 'express';", 'express'],
  ["import { readFileSync } from 'fs';", 'fs'],
  ["import { readFile } from 'node:fs/promises';", 'node:fs/promises'],
  ["import { Socket } from 'node:net';", 'node:net'],
];
const AGAINST_THE_ARROWS: Case = { path: 'packages/core/src/money/money.ts', code: "import { Invoice } from '@invoicing/invoice';\nexport const used = Invoice;\n" };
const OFF_THE_ALLOW_LIST: Case = { path: 'packages/invoice/src/invoice/invoice.ts', code: "import { ESLint } from 'eslint';\nexport const used = ESLint;\n" };
const ALLOWED: Case = {
  path: 'packages/invoice/src/invoice/invoice.ts',
  code: "import { Money } from '@invoicing/core';\nimport { injectable } from 'inversify';\nimport { Decimal } from 'decimal.js';\nexport const used = [Money, injectable, Decimal];\n",
};

describe('the dependency rule (eslint.config.mjs)', () => {
  const forbiddenCases = FORBIDDEN.flatMap(([code]) => DOMAIN_FILES.map((path) => ({ path, code: `${code}\nexport const used = 1;\n` })));
  let fired: string[][];

  beforeAll(() => {
    const cases = [...forbiddenCases, AGAINST_THE_ARROWS, OFF_THE_ALLOW_LIST, ALLOWED];
    const output = execFileSync(process.execPath, [join(__dirname, 'lint-texts.mjs')], { input: JSON.stringify(cases), encoding: 'utf8' });
    fired = JSON.parse(output) as string[][];
  }, 60_000);

  it.each(FORBIDDEN.map(([code, name], index) => [code, name, index] as const))('refuses %s in every domain package', (_code, name, index) => {
    for (const [offset] of DOMAIN_FILES.entries()) {
      expect(fired[index * DOMAIN_FILES.length + offset]?.join('\n')).toContain(name);
    }
  });

  it('refuses an import against the arrows (core may not import invoice)', () => {
    expect(fired[forbiddenCases.length]?.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('refuses an npm package outside the domain allow-list, even an installed one', () => {
    expect(fired[forbiddenCases.length + 1]?.join('\n')).toMatch(/@nx\/enforce-module-boundaries: A project tagged with "type:domain" is not allowed to import "eslint"/);
  });

  it('accepts what the domain may use', () => {
    expect(fired[forbiddenCases.length + 2]).toEqual([]);
  });
});
