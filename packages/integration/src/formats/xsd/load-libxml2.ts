// libxml2-wasm is ESM with top-level await: `require()` of it fails with ERR_REQUIRE_ASYNC_MODULE, and TypeScript
// compiles `import()` into `require()` in our CommonJS build (ADR 0014). A function built at run time keeps a real
// `import()`. Under Jest that needs NODE_OPTIONS=--experimental-vm-modules (see the package README).
import { randomUUID } from 'node:crypto';

export type Libxml2 = typeof import('libxml2-wasm');

// V8 caches `new Function` code by its source, and with it the importer it was first compiled under. Under Jest that
// is the first test file of a worker, torn down after it, so later files' imports failed ("import after the Jest
// environment has been torn down"). A source of its own for each evaluation of this module avoids the stale importer.
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
