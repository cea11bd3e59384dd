#!/usr/bin/env node
// Runs a TypeScript script of the workspace without a build: `node tools/scripts/run-ts.js <file.ts> [args]`
// requires the file and awaits its exported `main(args)`, whose result is the exit code.
'use strict';
const path = require('node:path');
require('./register-ts');

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node tools/scripts/run-ts.js <file.ts> [args]');
  process.exit(2);
}
require(path.resolve(file))
  .main(args)
  .then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
