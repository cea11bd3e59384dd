import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { writeWhole } from './files';

describe('writeWhole', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('writes into a name only if it is free, and leaves no temporary file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'write-whole-'));
    await writeWhole(join(folder, 'a.xml'), 'first');
    await expect(writeWhole(join(folder, 'a.xml'), 'second')).rejects.toMatchObject({ code: 'EEXIST', message: expect.stringContaining(join(folder, 'a.xml')) });
    await writeWhole(join(folder, 'a.xml'), 'third', { replace: true });
    expect([readFileSync(join(folder, 'a.xml'), 'utf8'), readdirSync(folder)]).toEqual(['third', ['a.xml']]);
  });

  it('copies where the file system has no hard links (FAT, some network mounts), still only into a free name', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'write-whole-'));
    jest.spyOn(fs, 'link').mockRejectedValue(Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' }));
    await writeWhole(join(folder, 'b.xml'), 'copied');
    writeFileSync(join(folder, 'c.xml'), 'there');
    await expect(writeWhole(join(folder, 'c.xml'), 'other')).rejects.toMatchObject({ code: 'EEXIST' });
    expect([readFileSync(join(folder, 'b.xml'), 'utf8'), readFileSync(join(folder, 'c.xml'), 'utf8'), readdirSync(folder).sort()]).toEqual(['copied', 'there', ['b.xml', 'c.xml']]);
  });

  it('names the file it could not write, not its temporary one', async () => {
    const target = join(tmpdir(), `no-such-folder-${Date.now()}`, 'd.xml');
    await expect(writeWhole(target, 'x')).rejects.toMatchObject({ code: 'ENOENT', message: `${target}: no such folder` });
  });
});
