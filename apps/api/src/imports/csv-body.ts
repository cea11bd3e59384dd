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
 *
 * Only those routes take bodies up to `CSV_BODY_LIMIT`, and only from a caller who is authenticated, within its rate
 * limits, and has the route's permission: the API checks all of it before any route's body is read
 * (`authenticateBeforeBody`, auth/route-access.ts). A parser's own limit would apply to every route, and anyone could
 * otherwise make the API hold 64 MiB per request before a token is looked at.
 */
export function useCsvBodies(fastify: FastifyInstance, csvRoutes: readonly string[]): void {
  fastify.addHook('onRoute', (route) => {
    if (csvRoutes.includes(route.url)) route.bodyLimit = CSV_BODY_LIMIT;
  });
  fastify.addContentTypeParser(CSV_MEDIA_TYPES as string[], { parseAs: 'buffer' }, (request, body, done) => {
    if (csvRoutes.includes(request.routeOptions.url ?? '')) done(null, body);
    else done(new HttpProblem(415, 'request.unsupported_media_type', 'Send the request body as application/json.'), undefined);
  });
}
