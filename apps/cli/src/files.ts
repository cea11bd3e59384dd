import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { CliError } from './output';

/**
 * The files named by the arguments: files as they are, folders by the files in them with these extensions (not
 * their subfolders), and glob patterns (`invoices/*.xml`, quoted so the shell leaves them) by what they match.
 * @throws CliError `cli.no_match` naming an argument that matches nothing: a pattern, or a folder without such files
 */
export async function expandPaths(paths: readonly string[], extensions: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) found.push(resolve(path));
    else if (info?.isDirectory()) {
      const inFolder = (await glob(extensions.map((extension) => `*.${extension}`), { cwd: path, absolute: true, caseSensitiveMatch: false })).sort();
      if (inFolder.length === 0) {
        const kinds = extensions.map((extension) => `.${extension}`);
        throw new CliError('cli.no_match', `${path}: a folder with no ${[kinds.slice(0, -1).join(', '), kinds.at(-1)].filter(Boolean).join(' or ')} file`);
      }
      found.push(...inFolder);
    } else {
      const matched = (await glob(path, { absolute: true })).sort();
      if (matched.length === 0) throw new CliError('cli.no_match', `${path}: no such file, folder or matching file`);
      found.push(...matched);
    }
  }
  return [...new Set(found)];
}

/**
 * Writes a file whole or not at all: into a temporary file beside it, then moved into place. Without `replace`, a file
 * already there is left as it is and the write fails with `EEXIST`: the move is a hard link, which the file system
 * refuses atomically when the name is taken, so no empty or partial file is ever seen under the name. Where a file
 * system has no hard links (FAT, some network mounts), the file is copied into a name taken only if free instead: a
 * crash during that copy can leave it partial. Errors name `path`, never the temporary file.
 */
export async function writeWhole(path: string, data: Buffer | string, options: { readonly replace?: boolean } = {}): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data, { flag: 'wx' });
    if (options.replace) await rename(temporary, path);
    else await link(temporary, path).catch((error: unknown) => (NO_HARD_LINKS.has((error as { code?: string }).code ?? '') ? copyFile(temporary, path, constants.COPYFILE_EXCL) : Promise.reject(error)));
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    throw Object.assign(new Error(`${path}: ${code === 'ENOENT' ? 'no such folder' : (message ?? String(error)).replace(/,.*$/, '')}`), { code });
  } finally {
    await rm(temporary, { force: true });
  }
}

/** What `link` answers on a file system without hard links. */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Whether an error says a file is already there. */
export function alreadyThere(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'EEXIST';
}
