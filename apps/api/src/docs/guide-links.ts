/**
 * Where the business docs explain what each part of the API does: the one table linking the reference and the guide
 * both ways. A tag's operations link to the tag's page unless listed in OPERATION_SECTIONS; each linked section of
 * the guide lists the operations that link to it. A spec checks every page and anchor exists.
 */

/** `page` or `page#anchor`, with `page` a file of docs/ without `.md`. */
export type GuideRef = string;

export interface TagDoc {
  readonly name: string;
  readonly description: string;
  /** The guide page of the concept, e.g. `glossary#partner`; none for technical tags. */
  readonly guide?: GuideRef;
}

/** In the order the reference lists them. */
export const TAGS: readonly TagDoc[] = [
  { name: 'Partners', description: 'The companies and people the tenant sells to and buys from, with their contacts.', guide: 'glossary#partner' },
  { name: 'Marketables', description: 'The catalogue: the products and services invoice lines name, with their list prices and VAT.', guide: 'glossary#marketable' },
  {
    name: 'Partnerships',
    description: 'A seller and a buyer doing business: currency, payment terms, numbering series, approval and delivery policies, price overrides.',
    guide: 'glossary#partnership',
  },
  {
    name: 'Invoices',
    description: 'Invoices and credit notes through their lifecycle: draft, approval, issue (with a number), payment, void, write-off and credit.',
    guide: 'invoice-lifecycle',
  },
  {
    name: 'E-invoices',
    description: 'E-invoice files in UBL 2.1 or UN/CEFACT CII D16B (EN 16931): checked against the official rules, or imported as a draft.',
    guide: 'e-invoicing',
  },
  {
    name: 'Imports',
    description: "Another system's invoices and what was paid on them, from a CSV export: imported in the background, safe to send again, with an error report of the rows refused.",
    guide: 'imports',
  },
  {
    name: 'Partner account',
    description: "Money received from a partner: payments, how they are applied to invoices, unapplied credit, refunds and the partner's balance.",
    guide: 'payments-and-balances',
  },
  {
    name: 'Billing',
    description:
      "A partnership's billing plan (recurring fees and usage charges, effective-dated), usage events, one-off charges, the upcoming invoice, and how each line of an invoice made by billing was computed.",
    guide: 'billing',
  },
  {
    name: 'Billing runs',
    description: 'Runs that bill every partnership for each date due, in the background, never twice; dry runs; what each run recorded.',
    guide: 'billing#billing-runs',
  },
  { name: 'Reports', description: 'Past due, monthly summary, aging, totals per partner and the last invoice of each contact.', guide: 'reports' },
  {
    name: 'Events',
    description:
      "The tenant's events in one order: the change feed, read by cursor, long-polled or followed live as server-sent events; the audit trail of a record (what changed, who did it, when, in which request); and how far behind the relay is.",
    guide: 'events#change-feed',
  },
  {
    name: 'Webhooks',
    description: "Endpoints the tenant's events are POSTed to as they happen: signed (Standard Webhooks), retried for three days, with a log of every delivery and a way to send one again.",
    guide: 'events#webhooks',
  },
  {
    name: 'Administration',
    description: "The tenant's administration: the invariant checker on the tenant's stored data (admin only).",
    guide: 'payments-and-balances#checking-the-stored-data',
  },
  { name: 'Health', description: 'Liveness and readiness for orchestrators and load balancers; no token needed.' },
];

/** Operations explained by sections of the guide rather than by their tag's page, by operation id. */
export const OPERATION_SECTIONS: Readonly<Record<string, GuideRef | readonly GuideRef[]>> = {
  replaceContacts: 'glossary#contact',
  addContact: 'glossary#contact',
  changeContact: 'glossary#contact',
  removeContact: 'glossary#contact',
  searchContacts: 'reports#contact-search',

  createPartnership: ['glossary#partnership', 'numbering#format'],
  changeTerms: ['glossary#partnership', 'payment-terms-and-due-dates'],

  createInvoice: ['invoice-lifecycle#drafts', 'invoice-lifecycle#duplicate-detection', 'totals-taxes-and-rounding'],
  updateInvoice: ['invoice-lifecycle#drafts', 'totals-taxes-and-rounding'],
  getInvoice: ['invoice-lifecycle#states', 'totals-taxes-and-rounding'],
  listInvoices: 'reports#invoice-list',
  approveInvoice: 'invoice-lifecycle#approval',
  issueInvoice: ['invoice-lifecycle#issue', 'numbering#rules', 'payment-terms-and-due-dates#the-due-date-given-on-the-draft-wins'],
  voidInvoice: 'invoice-lifecycle#void',
  markUncollectible: 'invoice-lifecycle#uncollectible',
  creditInvoice: 'payments-and-balances#credit-notes',
  payInvoice: 'payments-and-balances#recording-a-payment',
  getEInvoice: ['e-invoicing#what-the-platform-does-with-a-file', 'e-invoicing#known-limits'],
  getInvoicePdf: 'e-invoicing#pdf-and-factur-x',

  validateEInvoice: ['e-invoicing#what-is-checked', 'e-invoicing#how-a-finding-reads'],
  importEInvoice: ['e-invoicing#importing-a-file', 'invoice-lifecycle#drafts'],

  startReceivablesImport: ['imports#the-file', 'imports#what-a-row-becomes', 'imports#running-it-again'],
  getReceivablesImport: ['imports#the-report', 'imports#running-it-again'],
  getImportErrors: ['imports#the-report', 'imports#checks-on-a-row'],
  listRefusedRows: ['imports#the-report', 'imports#checks-on-a-row'],

  getBalance: 'payments-and-balances#the-partner-balance',
  recordPayment: 'payments-and-balances#recording-a-payment',
  listPayments: 'payments-and-balances#recording-a-payment',
  getPayment: 'payments-and-balances#recording-a-payment',
  applyPayment: 'payments-and-balances#applying-credit-later',
  refundPartner: 'payments-and-balances#refunds',

  getBillingPlan: ['billing#the-billing-plan-of-a-partnership', 'billing#over-the-api'],
  setBillingPlan: ['billing#the-billing-plan-of-a-partnership', 'billing#plan-changes', 'billing-pricing', 'billing#over-the-api'],
  recordUsageEvents: ['billing#usage-events', 'billing#late-usage', 'billing#over-the-api'],
  addOneOffCharge: ['billing#one-off-charges', 'billing#over-the-api'],
  cancelOneOffCharge: ['billing#one-off-charges', 'billing#over-the-api'],
  getUpcomingInvoice: ['billing#dry-runs-and-previews', 'billing#over-the-api'],
  startBillingRun: ['billing#billing-runs', 'billing#why-billing-never-bills-twice', 'billing#dry-runs-and-previews', 'billing#over-the-api'],
  listBillingRuns: ['billing#billing-runs', 'billing#over-the-api'],
  getBillingRun: ['billing#billing-runs', 'billing#over-the-api'],
  listRunBills: ['billing#how-a-bill-is-worked-out', 'billing#over-the-api'],
  getInvoiceBilling: ['billing#each-line-explained', 'billing#over-the-api'],

  getPastDue: 'reports#past-due',
  getMonthlySummary: 'reports#monthly-summary',
  getAging: 'reports#aging',
  getPartnerTotals: 'reports#totals-per-partner',
  getContactsLastSeen: 'reports#contacts-with-their-last-invoice-date',

  followEvents: ['events#change-feed', 'events#what-an-event-looks-like', 'events#ordering'],
  getAuditTrail: ['events#audit-trail', 'events#who-made-the-change'],
  createWebhookEndpoint: ['events#webhooks', 'events#which-urls-are-allowed', 'events#event-types'],
  updateWebhookEndpoint: ['events#webhooks', 'events#which-urls-are-allowed', 'events#retries-order-and-failing-endpoints'],
  rotateWebhookSecret: ['events#rotating-the-secret', 'events#checking-the-signature'],
  listWebhookDeliveries: ['events#retries-order-and-failing-endpoints', 'events#what-your-server-receives'],
  getWebhookDelivery: ['events#retries-order-and-failing-endpoints', 'events#what-your-server-receives'],
  resendWebhookDelivery: ['events#retries-order-and-failing-endpoints', 'events#delivery-is-at-least-once-de-duplicate-by-id'],
};

/** Where roles and permissions are explained: every authenticated operation names the permission it needs. */
export const ROLES_SECTION: GuideRef = 'tenancy#roles';

/** The sections explaining an operation: its own, else its tag's page. */
export function guideRefsOf(operationId: string, tag: string | undefined): readonly GuideRef[] {
  const own = OPERATION_SECTIONS[operationId];
  if (own !== undefined) return typeof own === 'string' ? [own] : own;
  const page = TAGS.find((candidate) => candidate.name === tag)?.guide;
  return page ? [page] : [];
}

export function splitRef(ref: GuideRef): { page: string; anchor: string | undefined } {
  const [page = '', anchor] = ref.split('#');
  return { page, anchor };
}
