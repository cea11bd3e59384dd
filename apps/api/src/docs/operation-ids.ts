/** Verbs that act on the resource a path names, e.g. `add` on `/partners/{partnerId}/contacts`: addContact. */
const RESOURCE_VERBS = new Set(['create', 'add', 'record', 'list', 'search', 'get', 'update', 'replace', 'change', 'remove', 'delete']);
/** Verbs whose object is a collection: listPartners, searchContacts. */
const COLLECTION_VERBS = new Set(['list', 'search']);

export interface Route {
  readonly method: string;
  /** OpenAPI path, e.g. `/v1/partners/{partnerId}/contacts`. */
  readonly path: string;
}

/**
 * A readable operation id for a controller method that names none, derived from the method name and the route, so it
 * changes only when they do (clients generated from the document name their functions after it):
 * - a resource verb (`create`, `add`, `list`, `get`, `update`, `replace`, `remove` …) takes the resource the path ends
 *   with, plural for lists and searches and for a GET or PUT on a collection: `POST /v1/partners` create →
 *   createPartner, `PUT /v1/partners/{partnerId}/contacts` replace → replaceContacts;
 * - a GET of anything else reads what the method names: `GET /v1/reports/aging` aging → getAging;
 * - a method name that already has its object stays as it is: changeTerms, writeOff;
 * - any other verb acts on the resource the path addresses by id: `POST /v1/invoices/{invoiceId}/issue` issue →
 *   issueInvoice, `POST /v1/invoices/{invoiceId}/payments` pay → payInvoice.
 * A controller that wants another id sets `@ApiOperation({ operationId })`.
 */
export function operationIdFor(methodName: string, route: Route): string {
  const segments = route.path.split('/').filter(Boolean);
  const isParam = (segment: string | undefined) => segment?.startsWith('{') === true;
  const collections = segments.map((segment, index) => ({ segment, index })).filter(({ segment }) => !isParam(segment) && isPlural(segment));
  if (RESOURCE_VERBS.has(methodName)) {
    const last = collections.at(-1);
    if (!last) return methodName + pascal(segments.filter((segment) => !isParam(segment)).at(-1) ?? '');
    const onCollection = last.index === segments.length - 1;
    const plural = COLLECTION_VERBS.has(methodName) || (onCollection && (route.method === 'get' || route.method === 'put'));
    return methodName + pascal(plural ? last.segment : singular(last.segment));
  }
  const leadingVerb = /^[a-z]+/.exec(methodName)?.[0] ?? '';
  if (route.method === 'get') return RESOURCE_VERBS.has(leadingVerb) ? methodName : `get${pascal(methodName)}`;
  if (leadingVerb !== methodName) return methodName;
  const addressed = collections.filter(({ index }) => isParam(segments[index + 1])).at(-1) ?? collections.at(-1);
  return addressed ? methodName + pascal(singular(addressed.segment)) : methodName;
}

function isPlural(segment: string): boolean {
  return /[^su]s$/.test(segment);
}

/** English plurals of the API's resource names: invoices, partnerships, entries, addresses. */
export function singular(word: string): string {
  if (/ies$/.test(word)) return word.replace(/ies$/, 'y');
  if (/(ss|x|ch|sh)es$/.test(word)) return word.replace(/es$/, '');
  return word.replace(/s$/, '');
}

/** `credit-notes` → `CreditNotes`, `pastDue` → `PastDue`. */
function pascal(words: string): string {
  return words
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
