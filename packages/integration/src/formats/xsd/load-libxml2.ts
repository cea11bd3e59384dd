// libxml2-wasm is ESM with top-level await: `require()` of it fails with ERR_REQUIRE_ASYNC_MODULE, and TypeScript
// compiles `import()` into `require()` in our CommonJS build (ADR 0014). A function built at run time keeps a real
// `import()`. Under Jest that needs NODE_OPTIONS=--experimental-vm-modules (see the package README).
import { randomUUID } from 'node:crypto';

export type Libxml2 = typeof import('libxml2-wasm');

// Each evaluation of this module builds its own function (the source differs by a random comment). Under Jest, a
// full API run once failed with "import after the Jest environment has been torn down": a later test file's import
// went to an earlier file's torn-down loader. V8 may reuse compiled `new Function` code of the same source, with the
// importer it was first compiled under; a source of its own rules that out. Runs since have not failed.
const importModule = new Function('specifier', `return import(specifier); // ${randomUUID()}`) as (specifier: string) => Promise<unknown>;

let loading: Promise<Libxml2> | undefined;

/** libxml2-wasm, imported once; a failed import is not cached, so the next call tries again. */
export function loadLibxml2(): Promise<Libxml2> {
  loading ??= (importModule('libxml2-wasm') as Promise<Libxml2>).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
