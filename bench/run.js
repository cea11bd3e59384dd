#!/usr/bin/env node
// Runs a TypeScript benchmark of bench/ without a build: `node bench/run.js repo` runs bench/repo.bench.ts.
// @invoicing/scripts/register-ts compiles each .ts module as it is required and resolves the `@invoicing/*` aliases.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
require('@invoicing/scripts/register-ts');

const name = process.argv[2];
const file = name ? path.join(__dirname, `${name}.bench.ts`) : undefined;
if (!file || !fs.existsSync(file)) {
  console.error(`usage: node bench/run.js <name>  (runs bench/<name>.bench.ts)`);
  process.exit(2);
}
require(file)
  .main(process.argv.slice(3))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
