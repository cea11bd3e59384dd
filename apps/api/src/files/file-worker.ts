// A file worker thread (ADR 0028): it does the file jobs the API sends it, one at a time, and answers each with its
// result or its error. Started by `FileWork`, never imported by the API itself.
import { parentPort } from 'node:worker_threads';
import { runFileJob, toWireError, transferOf, type FileJob } from './file-jobs';

const port = parentPort;
if (port === null) throw new Error('file-worker.ts runs as a worker thread (FileWork starts it)');
port.on('message', ({ id, input }: { id: number; input: FileJob }) => {
  runFileJob(input).then(
    (value) => port.postMessage({ id, ok: true, value }, transferOf(value)),
    (error: unknown) => port.postMessage({ id, ok: false, error: toWireError(error) }),
  );
});
