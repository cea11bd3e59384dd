#!/usr/bin/env node
// The `invoicing` command: runs the command line's TypeScript without a build (the workspace's loader), then exits
// with the code the command answered.
'use strict';
require('@invoicing/scripts/register-ts');

require('../src/main')
  .run(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(`invoicing: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
