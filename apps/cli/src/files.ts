import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { glob } from 'tinyglobby';

/**
 * The files named by the arguments: files as they are, folders by the files in them with these extensions (not
 * their subfolders), and glob patterns (`invoices/*.xml`, quoted so the shell leaves them) by what they match.
 * @throws Error naming an argument that matches nothing
 */
export async function expandPaths(paths: readonly string[], extensions: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) found.push(resolve(path));
    else if (info?.isDirectory()) found.push(...(await glob(extensions.map((extension) => `*.${extension}`), { cwd: path, absolute: true, caseSensitiveMatch: false })).sort());
    else {
      const matched = (await glob(path, { absolute: true })).sort();
      if (matched.length === 0) throw new Error(`${path}: no such file, folder or matching file`);
      found.push(...matched);
    }
  }
  return [...new Set(found)];
}
