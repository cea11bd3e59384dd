import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const BENCH_INTO_APP_SOURCES: Case = { path: 'bench/api.bench.ts', code: "import { startApi } from '../apps/api/src/api';\nexport const used = startApi;\n" };
const BENCH_INTO_PACKAGE_SOURCES: Case = { path: 'bench/repo.bench.ts', code: "import { deriveInvoice } from '../packages/integration/src/mongodb/repositories';\nexport const used = deriveInvoice;\n" };
const BENCH_THROUGH_APP_ENTRY: Case = { path: 'bench/api.bench.ts', code: "import { startApi } from '@invoicing/api';\nexport const used = startApi;\n" };
const TOOL_THROUGH_APP_ENTRY: Case = { path: 'tools/scripts/db-indexes.ts', code: "import { startApi } from '@invoicing/api';\nexport const used = startApi;\n" };
const ALLOWED: Case = {
  path: 'packages/invoice/src/invoice/invoice.ts',
  code: "import { Money } from '@invoicing/core';\nimport { injectable } from 'inversify';\nimport { Decimal } from 'decimal.js';\nexport const used = [Money, injectable, Decimal];\n",
};

describe('the dependency rule (eslint.config.mjs)', () => {
  const forbiddenCases = FORBIDDEN.flatMap(([code]) => DOMAIN_FILES.map((path) => ({ path, code: `${code}\nexport const used = 1;\n` })));
  let fired: string[][];

  beforeAll(() => {
    const cases = [...forbiddenCases, AGAINST_THE_ARROWS, OFF_THE_ALLOW_LIST, ALLOWED, BENCH_INTO_APP_SOURCES, BENCH_INTO_PACKAGE_SOURCES, BENCH_THROUGH_APP_ENTRY, TOOL_THROUGH_APP_ENTRY];
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

  it('refuses a benchmark reaching into an app or a package by relative path', () => {
    expect(fired[forbiddenCases.length + 3]?.join('\n')).toMatch(/@nx\/enforce-module-boundaries: Projects cannot be imported by a relative or absolute path/);
    expect(fired[forbiddenCases.length + 4]?.join('\n')).toMatch(/@nx\/enforce-module-boundaries: Projects cannot be imported by a relative or absolute path/);
  });

  it('lets the benchmarks, and only them, import the API through its package entry', () => {
    expect(fired[forbiddenCases.length + 5]).toEqual([]);
    expect(fired[forbiddenCases.length + 6]?.join('\n')).toMatch(/@nx\/enforce-module-boundaries: Imports of apps are forbidden/);
  });
});

describe('the dependency rule without an Nx project graph', () => {
  it('fails the lint instead of skipping the rule', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-project-graph-'));
    try {
      const eslint = join(__dirname, '..', '..', '..', 'node_modules', 'eslint', 'bin', 'eslint.js');
      const run = spawnSync(process.execPath, [eslint, '--max-warnings=0', 'packages/core/src/money/money.ts'], {
        cwd: join(__dirname, '..', '..', '..'),
        // Where Nx keeps its cached graph: an empty folder, as in a fresh clone before any nx command.
        env: { ...process.env, NX_WORKSPACE_DATA_DIRECTORY: empty },
        encoding: 'utf8',
      });
      expect([run.status, run.stderr]).toEqual([2, expect.stringContaining('No Nx project graph, so the dependency rule (@nx/enforce-module-boundaries) cannot run')]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 60_000);
});
