import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { METADATA_COMMAND, METADATA_FILE, generatePluginMetadata, pluginSourceFiles } from './plugin-metadata';

describe('plugin metadata (metadata.ts)', () => {
  describe('generatePluginMetadata', () => {
    it('matches the committed file, so the reference shows the DTOs and controllers as they are', () => {
      const committed = fs.existsSync(METADATA_FILE) ? fs.readFileSync(METADATA_FILE, 'utf8') : '';
      const fresh = generatePluginMetadata();
      if (committed !== fresh) {
        const lines = committed.split('\n');
        const first = fresh.split('\n').findIndex((line, index) => line !== lines[index]);
        throw new Error(
          `${path.basename(METADATA_FILE)} is stale: a DTO or controller changed since it was generated (first difference at line ${first + 1}). ` +
            `Run \`${METADATA_COMMAND}\` and commit the result.`,
        );
      }
    }, 120_000);
  });

  describe('pluginSourceFiles', () => {
    it('finds request and response DTOs, controllers, and the shared DTOs of the HTTP layer', () => {
      const files = pluginSourceFiles().map((file) => path.relative(path.resolve(__dirname, '..'), file));
      expect(files).toEqual(expect.arrayContaining(['partners/partner.dto.ts', 'partners/partner.response.dto.ts', 'partners/partners.controller.ts', 'http/openapi.ts', 'http/responses.ts']));
    });

    it('finds no two DTO classes of the same name: the document names schemas after classes, and one would hide the other', () => {
      const owners = new Map<string, string[]>();
      for (const file of pluginSourceFiles()) {
        const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
        for (const statement of source.statements) {
          if (ts.isClassDeclaration(statement) && statement.name && !file.endsWith('.controller.ts')) {
            owners.set(statement.name.text, [...(owners.get(statement.name.text) ?? []), path.basename(file)]);
          }
        }
      }
      expect([...owners].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files.join(', ')}`)).toEqual([]);
    });
  });
});
