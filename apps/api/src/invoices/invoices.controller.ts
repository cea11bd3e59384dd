import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { InvalidStateError, atPath, definedFields, parseCalendarDate, type CalendarDate, type Cursor, type TenantId } from '@invoicing/core';
import {
  ApproveInvoice,
  CreateCreditNote,
  CreateInvoiceDraft,
  CreateIssuedInvoice,
  GetInvoice,
  IssueInvoice,
  ListInvoices,
  MarkInvoiceUncollectible,
  PayInvoice,
  UpdateInvoiceDraft,
  VoidInvoice,
  assertEn16931Currency,
  invoiceToEn16931,
  type ContactId,
  type DraftInput,
  type DraftLineInput,
  type InvoiceFilter,
  type InvoiceId,
  type InvoiceState,
  type MarketableId,
  type PartnerId,
  type PartnershipId,
  type PaymentId,
} from '@invoicing/invoice';
import type { FastifyReply } from 'fastify';
import { pdfLocale } from '@invoicing/integration/formats';
import { Caller, Tenant, assertAllowed } from '../auth/auth.guard';
import { Requires } from '../auth/permissions';
import { DocumentFiles, FileWork, ResponseClosed, issuedDocument } from '../files';
import type { Principal } from '../auth/principal';
import { IfMatch, type ExpectedVersion } from '../http/etag';
import { Idempotent } from '../http/idempotency.interceptor';
import { IdempotentId, IdempotentRequestId } from '../http/idempotent-id';
import { ApiIdempotent, ApiIfMatch, ApiProblems } from '../http/openapi';
import { toPageResponse } from '../http/responses';
import {
  CreateCreditNoteDto,
  CreateInvoiceDto,
  DraftContentDto,
  EInvoiceQueryDto,
  InvoicePdfQueryDto,
  ListInvoicesQueryDto,
  RecordInvoicePaymentDto,
  VoidInvoiceDto,
  type DraftLineDto,
} from './invoice.dto';
import { toPaymentResponse } from '../payments/payment.mapper';
import type { PaymentDto } from '../payments/payment.response.dto';
import { toInvoiceResponse, toInvoiceSummaryResponse } from './invoice.mapper';
import { InvoiceDto, InvoicePageDto } from './invoice.response.dto';

/**
 * Invoices and credit notes (EN 16931), from draft to paid. See the lifecycle (/docs/guide/invoice-lifecycle) and
 * how totals are computed (/docs/guide/totals-taxes-and-rounding).
 */
@ApiTags('Invoices')
@Controller('v1/invoices')
export class InvoicesController {
  constructor(
    private readonly createDraft: CreateInvoiceDraft,
    private readonly createIssued: CreateIssuedInvoice,
    private readonly updateDraft: UpdateInvoiceDraft,
    private readonly approveInvoice: ApproveInvoice,
    private readonly issueInvoice: IssueInvoice,
    private readonly voidInvoice: VoidInvoice,
    private readonly markInvoiceUncollectible: MarkInvoiceUncollectible,
    private readonly createCreditNote: CreateCreditNote,
    private readonly getInvoice: GetInvoice,
    private readonly listInvoices: ListInvoices,
    private readonly payInvoice: PayInvoice,
    private readonly files: DocumentFiles,
    private readonly work: FileWork,
  ) {}

  /**
   * Create an invoice draft
   *
   * Drafts an invoice under a partnership, which gives seller, buyer, currency, payment terms and numbering series.
   * Totals and the VAT breakdown are computed at once; the draft has no number until it is issued. A draft that looks
   * like an existing invoice (same buyer and total, issue dates within 3 days) is created with `possibleDuplicateOf`.
   * With `issue: true` the invoice is issued in the same request (the checks and answers of the issue operation), or
   * nothing is stored; that needs the issue operation's permission `invoices:write` as well (integrators create drafts
   * only). The answer's `Location` names the new invoice.
   */
  @Post()
  @Idempotent()
  @Requires('invoices:create')
  @ApiIdempotent()
  @ApiProblems(404)
  async create(
    @Caller() caller: Principal,
    @Body() body: CreateInvoiceDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentRequestId('Invoice') id: InvoiceId | undefined,
  ): Promise<InvoiceDto> {
    const { partnershipId, externalReference, issue, ...content } = body;
    if (issue === true) assertAllowed(caller, 'invoices:write');
    const invoice = await (issue === true ? this.createIssued : this.createDraft).execute({
      ...draftInput(content),
      tenantId: caller.tenantId,
      ...(id === undefined ? {} : { id }),
      partnershipId: partnershipId as PartnershipId,
      ...definedFields({ externalReference }),
      authors: [caller.name],
    });
    void reply.header('location', `/v1/invoices/${invoice.id}`);
    return toInvoiceResponse(invoice);
  }

  /**
   * List invoices and credit notes
   *
   * Newest first, page by page: pass `nextCursor` back as `cursor`. All filters given must match. Each item carries
   * what was paid and credited and what is still `outstanding`.
   */
  @Get()
  @ApiProblems()
  async list(@Tenant() tenantId: TenantId, @Query() query: ListInvoicesQueryDto): Promise<InvoicePageDto> {
    const filter: InvoiceFilter = definedFields({
      status: query.status,
      kind: query.kind,
      partnerId: query.partner_id as PartnerId | undefined,
      issuedFrom: calendarDate('issued_from', query.issued_from),
      issuedTo: calendarDate('issued_to', query.issued_to),
      pastDueAsOf: calendarDate('overdue_as_of', query.overdue_as_of),
    });
    const page = await this.listInvoices.execute({ tenantId, filter, page: { limit: query.limit, cursor: query.cursor as Cursor | undefined } });
    return toPageResponse(page, toInvoiceSummaryResponse);
  }

  /**
   * Get an invoice or credit note
   *
   * The document with its lines, VAT breakdown, totals, and the payments and credit notes applied to it; the `ETag`
   * is its version, for `If-Match` on changes.
   */
  @Get(':invoiceId')
  @ApiProblems(404)
  async get(@Tenant() tenantId: TenantId, @Param('invoiceId') invoiceId: string): Promise<InvoiceDto> {
    return toInvoiceResponse(await this.getInvoice.execute({ tenantId, invoiceId: invoiceId as InvoiceId }));
  }

  /**
   * Get an issued invoice as an e-invoice file
   *
   * The issued invoice or credit note as an EN 16931 e-invoice: UBL 2.1 (`syntax=ubl`, the default; a credit note is
   * a UBL `CreditNote`) or UN/CEFACT CII D16B (`syntax=cii`). Amounts, the VAT breakdown and the totals are the ones
   * the invoice was issued with, and the parties as they were then. A draft has no number yet: 409 `invoice.not_issued`.
   * A void invoice has none either: 409 `invoice.voided` (a buyer's system would book the file as payable; its PDF is
   * stamped VOID). EN 16931 states amounts with at most 2 decimals, so a document in BHD, KWD or another 3-decimal
   * currency is 422 `e_invoice.currency_not_supported` (its PDF for people is not). A document whose file would break
   * another EN 16931 rule (a unit code outside UN/ECE Recommendation 20, a country code outside ISO 3166, a record
   * imported without the parties' postal addresses) is 422 `e_invoice.invalid`, with the findings: the file is checked
   * as a received one would be, and not handed out as a conforming invoice. The file comes as `application/xml`, named
   * in `Content-Disposition`; a client that accepts only JSON gets 406. Each file is written once and kept; it is
   * written off the event loop, a tenant's in turn with the others': past its share of file requests under way, 429
   * `file_work.tenant_busy`; past the API's, 503 `file_work.busy` (both with `Retry-After`).
   */
  @Get(':invoiceId/e-invoice')
  @ApiProduces('application/xml')
  @ApiOkResponse({ description: 'The e-invoice file.', content: { 'application/xml': { schema: { type: 'string' } } } })
  @ApiProblems(404, 409, 422)
  async eInvoice(
    @Tenant() tenantId: TenantId,
    @Param('invoiceId') invoiceId: string,
    @Query() query: EInvoiceQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @ResponseClosed() closed: AbortSignal,
  ): Promise<Buffer> {
    const syntax = query.syntax ?? 'ubl';
    return this.work.forTenant(
      tenantId,
      async (jobs) => {
        const state = issuedDocument(await this.getInvoice.execute({ tenantId, invoiceId: invoiceId as InvoiceId }));
        assertNotVoid(state);
        assertEn16931Currency(state);
        // The file kept is asked for before the document is mapped, which only its writing needs.
        const file = await this.files.of(state, { kind: syntax }, () => jobs.run({ kind: 'e-invoice', document: invoiceToEn16931(state), syntax }));
        asAttachment(reply, 'application/xml; charset=utf-8', state.number, `.${syntax}.xml`);
        return file;
      },
      closed,
    );
  }

  /**
   * Get an issued invoice as a PDF
   *
   * The issued invoice or credit note as a PDF for people (`format=pdf`, the default): seller and buyer, references,
   * the lines over as many pages as they need, allowances and charges, the VAT breakdown, the totals, how to pay and
   * the notes, with amounts and dates in `locale`. `format=factur-x` makes it a Factur-X (EN 16931 profile): PDF/A-3b
   * carrying the invoice as UN/CEFACT CII in `factur-x.xml`. The figures are the ones the invoice was issued with. A
   * draft has no number yet: 409 `invoice.not_issued`. A void invoice's PDF is stamped VOID, says nothing is owed and
   * asks for no payment; it has no Factur-X: 409 `invoice.voided`, as its e-invoice. A Factur-X of a document in a
   * 3-decimal currency is 422 `e_invoice.currency_not_supported`, as its e-invoice is, and one whose XML breaks an EN
   * 16931 rule (a record imported without postal addresses) is 422 `e_invoice.invalid`, with the findings: its
   * metadata would claim it conforms. The file comes as `application/pdf`, named in `Content-Disposition`; a client
   * that accepts only JSON gets 406. Each PDF (per locale, and once sealed or voided) is drawn once and kept; it is
   * drawn off the event loop, a tenant's in turn with the others': past its share of file requests under way, 429
   * `file_work.tenant_busy`; past the API's, 503 `file_work.busy` (both with `Retry-After`).
   */
  @Get(':invoiceId/pdf')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The PDF.', content: { 'application/pdf': { schema: { type: 'string' } } } })
  @ApiProblems(404, 409, 422)
  async getInvoicePdf(
    @Tenant() tenantId: TenantId,
    @Param('invoiceId') invoiceId: string,
    @Query() query: InvoicePdfQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @ResponseClosed() closed: AbortSignal,
  ): Promise<Buffer> {
    const facturX = query.format === 'factur-x';
    return this.work.forTenant(
      tenantId,
      async (jobs) => {
        const state = issuedDocument(await this.getInvoice.execute({ tenantId, invoiceId: invoiceId as InvoiceId }));
        if (facturX) {
          assertNotVoid(state);
          assertEn16931Currency(state);
        }
        const locale = pdfLocale(query.locale ?? DEFAULT_PDF_LOCALE);
        const look = { locale, ...(state.seal === undefined ? {} : { seal: { position: state.seal.position, hash: state.seal.hash } }) };
        // The files kept are asked for before the document is mapped, which only their drawing needs.
        const file = facturX
          ? await this.files.of(state, { kind: 'factur-x', locale }, async () => {
              const document = invoiceToEn16931(state);
              const xml = await this.files.of(state, { kind: 'factur-x-xml' }, () => jobs.run({ kind: 'e-invoice', document, syntax: 'factur-x' }));
              return jobs.run({ kind: 'factur-x', document, look, xml });
            })
          : await this.files.of(state, { kind: 'pdf', locale, voided: state.status === 'void' }, () =>
              jobs.run({ kind: 'pdf', document: invoiceToEn16931(state), look: { ...look, voided: state.status === 'void' } }),
            );
        asAttachment(reply, 'application/pdf', state.number, facturX ? '.factur-x.pdf' : '.pdf');
        return file;
      },
      closed,
    );
  }

  /**
   * Change a draft
   *
   * Replaces the whole content of a draft: what is left out is removed (the buyer reference falls back to the
   * partnership's). Totals are recomputed, and an approval given before is withdrawn. Only drafts can change
   * (409 `invoice.not_draft`); the external reference never does.
   */
  @Put(':invoiceId')
  @Requires('invoices:write')
  @ApiIfMatch()
  async update(
    @Caller() caller: Principal,
    @Param('invoiceId') invoiceId: string,
    @Body() body: DraftContentDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<InvoiceDto> {
    return toInvoiceResponse(await this.updateDraft.execute({ tenantId: caller.tenantId, invoiceId: invoiceId as InvoiceId, content: draftInput(body), expectedVersion, authors: [caller.name] }));
  }

  /**
   * Approve a draft
   *
   * Records that the caller approved the draft, for partnerships whose policy requires approval before issue. Any
   * change to the draft afterwards withdraws the approval. Where the policy asks for a separate approver, none of the
   * draft's `authors` approves it (409 `invoice.self_approval`), and the approval names the version reviewed with
   * `If-Match` (409 `invoice.approval_version_required` without it).
   */
  @Post(':invoiceId/approve')
  @HttpCode(200)
  @Requires('invoices:write')
  @ApiIfMatch()
  async approve(
    @Tenant() tenantId: TenantId,
    @Caller() caller: Principal,
    @Param('invoiceId') invoiceId: string,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<InvoiceDto> {
    return toInvoiceResponse(await this.approveInvoice.execute({ tenantId, invoiceId: invoiceId as InvoiceId, approvedBy: caller.name, expectedVersion }));
  }

  /**
   * Issue a draft
   *
   * Checks the partnership's policy (approval) and EN 16931 completeness (all problems at once, 400
   * `invoice.not_issuable`), then gives the draft the next number of its series, fixes its issue and due dates and
   * freezes seller and buyer. A refused issue consumes no number; a retried one gets the number it reserved. An
   * invoice with nothing due is `paid` at once.
   */
  @Post(':invoiceId/issue')
  @HttpCode(200)
  @Idempotent()
  @Requires('invoices:write')
  @ApiIdempotent()
  @ApiIfMatch()
  async issue(@Tenant() tenantId: TenantId, @Param('invoiceId') invoiceId: string, @IfMatch() expectedVersion: ExpectedVersion | undefined): Promise<InvoiceDto> {
    return toInvoiceResponse(await this.issueInvoice.execute({ tenantId, invoiceId: invoiceId as InvoiceId, expectedVersion }));
  }

  /**
   * Void an issued invoice
   *
   * Cancels an invoice issued by mistake. Only while no payment and no credit note was applied
   * (`invoice.has_payments`, `invoice.has_credits`): once money or credit moved, credit it instead. The number stays
   * used.
   */
  @Post(':invoiceId/void')
  @HttpCode(200)
  @Requires('invoices:write')
  @ApiIfMatch()
  async void(
    @Tenant() tenantId: TenantId,
    @Param('invoiceId') invoiceId: string,
    @Body() body: VoidInvoiceDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<InvoiceDto> {
    return toInvoiceResponse(await this.voidInvoice.execute({ tenantId, invoiceId: invoiceId as InvoiceId, reason: body.reason, expectedVersion }));
  }

  /**
   * Write an invoice off
   *
   * Marks an issued or partially paid invoice uncollectible: it leaves balances, past-due lists and aging, yet a
   * payment naming it is still accepted.
   */
  @Post(':invoiceId/mark-uncollectible')
  @HttpCode(200)
  @Requires('invoices:write')
  @ApiIfMatch()
  async markUncollectible(@Tenant() tenantId: TenantId, @Param('invoiceId') invoiceId: string, @IfMatch() expectedVersion: ExpectedVersion | undefined): Promise<InvoiceDto> {
    return toInvoiceResponse(await this.markInvoiceUncollectible.execute({ tenantId, invoiceId: invoiceId as InvoiceId, expectedVersion }));
  }

  /**
   * Credit an invoice
   *
   * Creates, issues and applies a credit note for the invoice: without `lines` for all of it, with `lines` for those
   * only. The credit may not exceed what the buyer still owes (422 `invoice.credit_exceeds_outstanding`). The answer
   * is the credit note; `Location` names it. `If-Match` takes the invoice's ETag. With an `Idempotency-Key`, the
   * credit note's id derives from it: a retry of the same request (same `If-Match` too), even after a 5xx or a timeout,
   * answers the credit note already made and never credits twice.
   */
  @Post(':invoiceId/credit-notes')
  @Idempotent()
  @Requires('invoices:write')
  @ApiIdempotent()
  @ApiIfMatch()
  async credit(
    @Tenant() tenantId: TenantId,
    @Param('invoiceId') invoiceId: string,
    @Body() body: CreateCreditNoteDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentId('CreditNote') id: InvoiceId | undefined,
  ): Promise<InvoiceDto> {
    const creditNote = await this.createCreditNote.execute({
      tenantId,
      invoiceId: invoiceId as InvoiceId,
      ...(id === undefined ? {} : { id }),
      ...definedFields({
        lines: body.lines?.map(lineInput),
        allowances: body.allowances,
        charges: body.charges,
        reason: body.reason,
        externalReference: body.externalReference,
      }),
      expectedVersion,
    });
    void reply.header('location', `/v1/invoices/${creditNote.id}`);
    return toInvoiceResponse(creditNote);
  }

  /**
   * Record a payment of an invoice
   *
   * Records money received from the invoice's buyer and applies it to this invoice, for as much as it still owes
   * (an uncollectible invoice included); the rest stays on the payment as the buyer's unapplied credit. The answer is
   * the payment with what it was applied to; `Location` names it.
   */
  @Post(':invoiceId/payments')
  @Idempotent()
  @Requires('payments:write')
  @ApiIdempotent()
  @ApiProblems(404)
  async pay(
    @Tenant() tenantId: TenantId,
    @Param('invoiceId') invoiceId: string,
    @Body() body: RecordInvoicePaymentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentId('Payment') id: PaymentId | undefined,
  ): Promise<PaymentDto> {
    const payment = await this.payInvoice.execute({ ...body, tenantId, invoiceId: invoiceId as InvoiceId, ...(id === undefined ? {} : { id }) });
    void reply.header('location', `/v1/payments/${payment.id}`);
    // The same resource as GET /v1/payments/:paymentId.
    return toPaymentResponse(payment);
  }
}

/** The DTO's ids are plain strings; the domain's are branded. */
function draftInput(content: DraftContentDto): DraftInput {
  const { lines, sellerContactId, buyerContactId, ...rest } = content;
  return { ...rest, lines: lines.map(lineInput), sellerContactId: sellerContactId as ContactId | undefined, buyerContactId: buyerContactId as ContactId | undefined };
}

function lineInput(line: DraftLineDto): DraftLineInput {
  const { marketableId, ...rest } = line;
  return { ...rest, marketableId: marketableId as MarketableId | undefined };
}

/** The locale of a PDF when the request names none. */
const DEFAULT_PDF_LOCALE = 'en-GB';

/** A calendar-date query parameter, refused under its own name when it is no real day. */
function calendarDate(path: string, value: string | undefined): CalendarDate | undefined {
  return value === undefined ? undefined : atPath(path, () => parseCalendarDate(value));
}

/**
 * Refuses the e-invoice (UBL, CII, Factur-X) of a void invoice: EN 16931 cannot say a document was cancelled, so a
 * buyer's system would book the file as payable. Its PDF for people is drawn, stamped VOID.
 * @throws InvalidStateError `invoice.voided`
 */
function assertNotVoid(state: Pick<InvoiceState, 'id' | 'number' | 'status'>): void {
  if (state.status !== 'void') return;
  throw new InvalidStateError('invoice.voided', `Invoice ${state.number ?? state.id} is void: it has no e-invoice, which a buyer's system would book as payable (its PDF is stamped VOID).`, { invoiceId: state.id });
}

/** Answers a document's file as a download named after its number (characters a file name cannot hold become `_`). */
function asAttachment(reply: FastifyReply, type: string, number: string, suffix: string): void {
  void reply.type(type).header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${number.replace(/[^\w.-]/g, '_')}${suffix}"`);
}
