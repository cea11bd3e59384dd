import { Schema } from 'mongoose';

/**
 * The ledger's transactions (see `ledger.ts`): inserted once, never updated nor deleted. Two unique keys make every
 * append safe on any MongoDB-compatible server, without transactions: `_id` (account and seq), so two writers cannot
 * both extend an account from one head, and (tenant, operation id), so an operation is stored once.
 */
export const ledgerTransactionSchema = new Schema(
  {
    _id: { type: String, required: true },
    _v: Number,
    tenantId: { type: String, required: true },
    partnerId: { type: String, required: true },
    currency: { type: String, required: true },
    seq: { type: Number, required: true },
    operationId: { type: String, required: true },
    kind: { type: String, required: true },
    postings: { type: [Schema.Types.Mixed], required: true },
    paymentIds: { type: [String], required: true },
    invoiceIds: { type: [String], required: true },
    totalsAfter: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
    actor: String,
    // The content of the credit note a credit made, as JSON text (ADR 0024): the document can be made again from the ledger.
    creditNote: String,
    // A digest of what the request asked that the postings cannot show (a payment's named invoices): a retry is compared with it.
    requestDigest: String,
  },
  { strictQuery: 'throw', versionKey: false, minimize: false, autoIndex: false, autoCreate: false },
);
// The seq key again, as fields: an account's transactions in seq order (listing them on MongoDB).
ledgerTransactionSchema.index({ tenantId: 1, partnerId: 1, currency: 1, seq: 1 }, { name: 'ledger_transactions_seq_unique', unique: true });
// One transaction per operation: a retried or concurrent duplicate finds the first instead of appending again.
ledgerTransactionSchema.index({ tenantId: 1, operationId: 1 }, { name: 'ledger_transactions_operation_unique', unique: true });
// What a payment's and an invoice's positions are read from.
ledgerTransactionSchema.index({ tenantId: 1, paymentIds: 1 }, { name: 'ledger_transactions_by_payment' });
ledgerTransactionSchema.index({ tenantId: 1, invoiceIds: 1 }, { name: 'ledger_transactions_by_invoice' });

/**
 * The highest seq known to be taken per account: where reading the head starts. Only a hint, never the truth: it is
 * raised after each append (a lost or late raise is harmless), and every value it ever holds is a seq that exists.
 */
export const ledgerHeadSchema = new Schema(
  { _id: { type: String, required: true }, _v: Number, tenantId: { type: String, required: true }, seq: { type: Number, required: true } },
  { strictQuery: 'throw', versionKey: false, autoIndex: false, autoCreate: false },
);
ledgerHeadSchema.index({ tenantId: 1, _id: 1 }, { name: 'ledger_heads_by_tenant' });
