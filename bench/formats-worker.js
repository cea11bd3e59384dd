// A worker thread of bench:formats: validates its share of the documents, warm, once the bench says go.
'use strict';
require('@invoicing/scripts/register-ts');
const { parentPort, workerData } = require('node:worker_threads');
const { validate } = require('@invoicing/integration/formats');

const docs = workerData.docs.map((bytes) => Buffer.from(bytes));
(async () => {
  for (let warm = 0; warm < 3; warm++) for (const doc of docs) await validate(doc);
  parentPort.postMessage('warm');
  parentPort.once('message', async () => {
    for (let r = 0; r < workerData.rounds; r++) for (const doc of docs) await validate(doc);
    parentPort.postMessage('done');
  });
})().catch((error) => {
  throw error;
});
