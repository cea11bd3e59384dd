import type { FastifyInstance } from 'fastify';
import { HttpProblem } from '../http/problem';

/** The media types an accounts-receivable file is sent as. */
export const CSV_MEDIA_TYPES: readonly string[] = ['text/csv'];

/**
 * The largest CSV file the import route takes: larger than the API's body limit (JSON requests), since an export of
 * 100,000 invoices is about 15 MiB. The rows are imported in the background from the bytes received.
 */
export const CSV_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * Takes CSV bodies as raw bytes, only on the routes that import a file (`csvRoutes`, URL patterns): the CSV reader of
 * @invoicing/integration/formats parses them itself. Any other route still refuses CSV with 415.
 */
export function useCsvBodies(fastify: FastifyInstance, csvRoutes: readonly string[]): void {
  fastify.addContentTypeParser(CSV_MEDIA_TYPES as string[], { parseAs: 'buffer', bodyLimit: CSV_BODY_LIMIT }, (request, body, done) => {
    if (csvRoutes.includes(request.routeOptions.url ?? '')) done(null, body);
    else done(new HttpProblem(415, 'request.unsupported_media_type', 'Send the request body as application/json.'), undefined);
  });
}
