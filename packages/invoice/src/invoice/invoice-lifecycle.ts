import { InvalidStateError } from '@invoicing/core';
import type { DocumentKind } from './invoice';

/**
 * The invoice lifecycle as data: which command each status accepts, and the error code it raises otherwise.
 *
 * ```
 * draft ──issue──▶ issued ──pay (part)──▶ partially_paid ──pay (rest)──▶ paid
 *                    │  ╲                     │
 *                    │   ╲──credit (rest)──▶ credited ◀──credit (rest)──┘
 *                    ├──void (nothing paid or credited)──▶ void
 *                    └──mark uncollectible──▶ uncollectible ──pay / credit (rest)──▶ paid / credited
 * paid / credited ──credit (what was paid: taken back as the buyer's credit)──▶ the same, or credited once nothing is paid
 * ```
 */
export const INVOICE_STATUSES = ['draft', 'issued', 'partially_paid', 'paid', 'void', 'uncollectible', 'credited'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const INVOICE_COMMANDS = ['update', 'approve', 'issue', 'applyPayment', 'void', 'markUncollectible', 'applyCredit'] as const;
export type InvoiceCommand = (typeof INVOICE_COMMANDS)[number];

/** `true` where the command is accepted, else the stable error code it raises. */
type Outcomes = Record<InvoiceStatus, true | string>;

const notDraft = { issued: 'invoice.not_draft', partially_paid: 'invoice.not_draft', paid: 'invoice.not_draft', void: 'invoice.not_draft', uncollectible: 'invoice.not_draft', credited: 'invoice.not_draft' };
const closed = { paid: 'invoice.already_paid', void: 'invoice.voided', credited: 'invoice.fully_credited' };

export const INVOICE_TRANSITIONS: Readonly<Record<InvoiceCommand, Outcomes>> = {
  update: { draft: true, ...notDraft },
  approve: { draft: true, ...notDraft },
  issue: { draft: true, ...notDraft, issued: 'invoice.already_issued' },
  applyPayment: { draft: 'invoice.not_issued', issued: true, partially_paid: true, uncollectible: true, ...closed },
  // Voiding after money moved would hide it: credit the invoice or refund instead.
  void: { draft: 'invoice.not_issued', issued: true, partially_paid: 'invoice.has_payments', uncollectible: true, ...closed },
  markUncollectible: { draft: 'invoice.not_issued', issued: true, partially_paid: true, uncollectible: 'invoice.already_uncollectible', ...closed },
  // What was paid is creditable too (taken back as the buyer's credit); the aggregate refuses what was credited in full.
  applyCredit: { draft: 'invoice.not_issued', issued: true, partially_paid: true, uncollectible: true, paid: true, credited: true, void: 'invoice.voided' },
};

/** Statuses in which an invoice may still receive money: what "open" means in queries and balances. */
export const OPEN_STATUSES: readonly InvoiceStatus[] = ['issued', 'partially_paid', 'uncollectible'];

/**
 * Statuses whose outstanding amount the tenant still expects: they count in balances, past-due lists and aging,
 * and receive payments applied by default. Uncollectible invoices are written off: excluded here, yet a payment
 * named for one still settles it.
 */
export const RECEIVABLE_STATUSES: readonly InvoiceStatus[] = ['issued', 'partially_paid'];

/** The commands a credit note takes: it is drafted and issued, never paid, credited or written off. */
const CREDIT_NOTE_COMMANDS: readonly InvoiceCommand[] = ['update', 'approve', 'issue'];

/**
 * Asserts that the lifecycle lets `command` run on this document now ({@link INVOICE_TRANSITIONS}).
 * @throws InvalidStateError with the table's code (`invoice.not_draft`, `invoice.already_paid` …), or `credit_note.not_payable`
 */
export function assertTransition(document: { readonly id: string; readonly kind: DocumentKind; readonly status: InvoiceStatus }, command: InvoiceCommand): void {
  const { id, kind, status } = document;
  if (kind === 'credit_note' && !CREDIT_NOTE_COMMANDS.includes(command)) {
    throw new InvalidStateError('credit_note.not_payable', `credit note ${id} takes no payments, credits or write-offs`, { invoiceId: id, command });
  }
  const outcome = INVOICE_TRANSITIONS[command][status];
  if (outcome !== true) {
    throw new InvalidStateError(outcome, `cannot ${command} ${kind} ${id} in status ${status}`, { invoiceId: id, status, command });
  }
}
