#!/usr/bin/env node
// Runs one TypeScript module's `main()` without a build, in a process a bench forked: `node bench/run-module.js <file.ts>`.
'use strict';
require('@invoicing/scripts/register-ts');

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/run-module.js <module.ts>');
  process.exit(2);
}
require(file)
  .main(process.argv.slice(3))
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
