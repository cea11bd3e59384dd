import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problem';

/** The media types an e-invoice file is sent and answered as. */
export const XML_MEDIA_TYPES: readonly string[] = ['application/xml', 'text/xml'];

/**
 * Takes XML bodies as raw bytes, only on the routes that read e-invoice files (`xmlRoutes`, URL patterns): the XML
 * reader of @invoicing/integration/formats parses them itself, safely (no DTD, size and depth limits). Any other route
 * still refuses XML with 415, as before.
 */
export function useXmlBodies(fastify: FastifyInstance, xmlRoutes: readonly string[]): void {
  fastify.addContentTypeParser(XML_MEDIA_TYPES as string[], { parseAs: 'buffer' }, (request, body, done) => {
    if (xmlRoutes.includes(request.routeOptions.url ?? '')) done(null, body);
    else done(new HttpProblem(415, 'request.unsupported_media_type', 'Send the request body as application/json.'), undefined);
  });
}
