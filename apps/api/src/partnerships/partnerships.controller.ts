import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { definedFields, type Cursor, type TenantId } from '@invoicing/core';
import {
  ChangePartnershipStatus,
  CreatePartnership,
  GetPartnership,
  ListPartnerships,
  SetPriceOverride,
  UpdatePartnershipTerms,
  type ApprovalRuleInput,
  type MarketableId,
  type PartnerId,
  type PartnershipId,
  type PartnershipTermsInput,
  type PaymentTermsInput,
} from '@invoicing/invoice';
import type { FastifyReply } from 'fastify';
import { Requires } from '../auth/permissions';
import { Tenant } from '../auth/auth.guard';
import { IfMatch, type ExpectedVersion } from '../http/etag';
import { Idempotent } from '../http/idempotency.interceptor';
import { IdempotentRequestId } from '../http/idempotent-id';
import { ApiIdempotent, ApiIfMatch, ApiProblems } from '../http/openapi';
import { toPageResponse } from '../http/responses';
import type { PaymentTermsDto } from '../partners/partner.dto';
import { CreatePartnershipDto, ListPartnershipsQueryDto, PartnershipTermsDto, PriceOverrideDto, type ApprovalRuleDto } from './partnership.dto';
import { toPartnershipResponse } from './partnership.mapper';
import { PartnershipDto, PartnershipPageDto } from './partnership.response.dto';

/**
 * The request's payment terms in the domain's shape. What the kind needs but the request left out goes on as absent
 * or empty, for the domain to refuse with its own code (`payment_terms.invalid_days`, `payment_terms.no_instalments`).
 */
function paymentTermsOf(terms: PaymentTermsDto): PaymentTermsInput {
  switch (terms.kind) {
    case 'due_on_receipt':
      return { kind: terms.kind };
    case 'net':
    case 'end_of_month':
      return { kind: terms.kind, days: terms.days as number };
    case 'instalments':
      return { kind: terms.kind, instalments: terms.instalments ?? [] };
  }
}

/**
 * The request's terms in the domain's shape. A numbering series or policy rule left out must stay out rather than
 * become undefined: the domain keeps the current value only of an absent field.
 */
function termsOf(body: PartnershipTermsDto): PartnershipTermsInput {
  const { invoice, creditNote } = body.numbering ?? {};
  const { approval, deliveryFormat } = body.policy ?? {};
  return {
    currency: body.currency,
    paymentTerms: paymentTermsOf(body.paymentTerms),
    validFrom: body.validFrom,
    validUntil: body.validUntil ?? undefined,
    buyerReference: body.buyerReference,
    numbering: definedFields({ invoice, creditNote }),
    policy: {
      ...(approval ? { approval: approvalInput(approval) } : {}),
      ...definedFields({ deliveryFormat }),
    },
  };
}

/** An approval rule in the domain's shape: `separateApprover` only when given. */
function approvalInput(approval: ApprovalRuleDto): ApprovalRuleInput {
  const four = approval.separateApprover === undefined ? {} : { separateApprover: approval.separateApprover };
  // The DTO requires the threshold of `above`.
  if (approval.kind === 'above') return { kind: approval.kind, threshold: approval.threshold as string, ...four };
  return approval.kind === 'always' ? { kind: approval.kind, ...four } : ({ kind: approval.kind, ...four } as ApprovalRuleInput);
}

/**
 * Partnerships: the commercial relationship between a seller and a buyer, with the currency, payment terms,
 * negotiated prices, numbering series and policies their invoices follow. See the glossary (/docs/guide/glossary#partnership).
 */
@ApiTags('Partnerships')
@Controller('v1/partnerships')
export class PartnershipsController {
  constructor(
    private readonly createPartnership: CreatePartnership,
    private readonly updatePartnershipTerms: UpdatePartnershipTerms,
    private readonly setPriceOverride: SetPriceOverride,
    private readonly changePartnershipStatus: ChangePartnershipStatus,
    private readonly getPartnership: GetPartnership,
    private readonly listPartnerships: ListPartnerships,
  ) {}

  /**
   * Open a partnership
   *
   * Opens an active partnership between two different partners of the tenant, both existing (404
   * `partner.not_found`) and not archived (409 `partner.archived`). Numbering defaults to `INV` and `CN`, approval to
   * `none`, delivery to `pdf`. The answer's `Location` names the new partnership.
   */
  @Post()
  @Idempotent()
  @Requires('partnerships:write')
  @ApiIdempotent()
  @ApiProblems(404)
  async create(
    @Tenant() tenantId: TenantId,
    @Body() body: CreatePartnershipDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentRequestId('Partnership') id: PartnershipId | undefined,
  ): Promise<PartnershipDto> {
    const partnership = await this.createPartnership.execute({
      ...termsOf(body),
      tenantId,
      ...(id === undefined ? {} : { id }),
      sellerId: body.sellerId as PartnerId,
      buyerId: body.buyerId as PartnerId,
    });
    void reply.header('location', `/v1/partnerships/${partnership.id}`);
    return toPartnershipResponse(partnership);
  }

  /**
   * List partnerships
   *
   * Partnerships page by page, in a stable order: pass `nextCursor` back as `cursor`. With `partnerId`, only those
   * the partner is the seller or the buyer of.
   */
  @Get()
  @ApiProblems()
  async list(@Tenant() tenantId: TenantId, @Query() query: ListPartnershipsQueryDto): Promise<PartnershipPageDto> {
    const page = await this.listPartnerships.execute({
      tenantId,
      ...definedFields({ partnerId: query.partner_id as PartnerId | undefined }),
      page: { limit: query.limit, cursor: query.cursor as Cursor | undefined },
    });
    return toPageResponse(page, toPartnershipResponse);
  }

  /**
   * Get a partnership
   *
   * The partnership with its terms, price overrides and policies; the `ETag` is its version, for `If-Match` on changes.
   */
  @Get(':partnershipId')
  @ApiProblems(404)
  async get(@Tenant() tenantId: TenantId, @Param('partnershipId') partnershipId: string): Promise<PartnershipDto> {
    return toPartnershipResponse(await this.getPartnership.execute({ tenantId, partnershipId: partnershipId as PartnershipId }));
  }

  /**
   * Change the terms
   *
   * Replaces currency, payment terms, validity and buyer reference at once (an end date or buyer reference left out
   * is removed); numbering series and policy rules change only when given. The currency cannot change while price
   * overrides exist (400 `partnership.currency_has_prices`), nor keep an approval threshold of the old currency (400
   * `partnership.threshold_currency`: give `policy.approval` in the new one), nor while its billing plan bills in the
   * current one: until the plan has ended and its last bill is invoiced (409 `partnership.currency_locked`, see
   * Changing the currency, /docs/guide/billing#changing-the-currency); an ended partnership takes no change (409
   * `partnership.ended`). Existing drafts keep the terms they copied, their currency included.
   */
  @Put(':partnershipId/terms')
  @Requires('partnerships:write')
  @ApiIfMatch()
  async changeTerms(
    @Tenant() tenantId: TenantId,
    @Param('partnershipId') partnershipId: string,
    @Body() body: PartnershipTermsDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<PartnershipDto> {
    return toPartnershipResponse(await this.updatePartnershipTerms.execute({ tenantId, partnershipId: partnershipId as PartnershipId, terms: termsOf(body), expectedVersion }));
  }

  /**
   * Set a negotiated price
   *
   * Sets the unit price of a marketable of the tenant for this partnership, in its currency: new invoice lines take
   * it instead of the list price. Setting it again replaces it.
   */
  @Put(':partnershipId/price-overrides/:marketableId')
  @Requires('partnerships:write')
  @ApiIfMatch()
  async setPrice(
    @Tenant() tenantId: TenantId,
    @Param('partnershipId') partnershipId: string,
    @Param('marketableId') marketableId: string,
    @Body() body: PriceOverrideDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<PartnershipDto> {
    return toPartnershipResponse(
      await this.setPriceOverride.execute({
        tenantId,
        partnershipId: partnershipId as PartnershipId,
        marketableId: marketableId as MarketableId,
        unitPrice: body.unitPrice,
        expectedVersion,
      }),
    );
  }

  /**
   * Remove a negotiated price
   *
   * New invoice lines take the marketable's list price again. Removing a price that is not set changes nothing but
   * the version.
   */
  @Delete(':partnershipId/price-overrides/:marketableId')
  @Requires('partnerships:write')
  @ApiIfMatch()
  async removePrice(
    @Tenant() tenantId: TenantId,
    @Param('partnershipId') partnershipId: string,
    @Param('marketableId') marketableId: string,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<PartnershipDto> {
    return toPartnershipResponse(
      await this.setPriceOverride.execute({
        tenantId,
        partnershipId: partnershipId as PartnershipId,
        marketableId: marketableId as MarketableId,
        unitPrice: null,
        expectedVersion,
      }),
    );
  }

  /**
   * Suspend a partnership
   *
   * Pauses invoicing: no invoice can be drafted or issued under it until it is resumed (credit notes still can).
   * 409 `partnership.not_active` unless it is active.
   */
  @Post(':partnershipId/suspend')
  @HttpCode(200)
  @Requires('partnerships:write')
  @ApiIfMatch()
  async suspend(@Tenant() tenantId: TenantId, @Param('partnershipId') partnershipId: string, @IfMatch() expectedVersion: ExpectedVersion | undefined): Promise<PartnershipDto> {
    return toPartnershipResponse(await this.changePartnershipStatus.execute({ tenantId, partnershipId: partnershipId as PartnershipId, action: 'suspend', expectedVersion }));
  }

  /**
   * Resume a partnership
   *
   * Makes a suspended partnership active again. 409 `partnership.not_suspended` unless it is suspended.
   */
  @Post(':partnershipId/resume')
  @HttpCode(200)
  @Requires('partnerships:write')
  @ApiIfMatch()
  async resume(@Tenant() tenantId: TenantId, @Param('partnershipId') partnershipId: string, @IfMatch() expectedVersion: ExpectedVersion | undefined): Promise<PartnershipDto> {
    return toPartnershipResponse(await this.changePartnershipStatus.execute({ tenantId, partnershipId: partnershipId as PartnershipId, action: 'resume', expectedVersion }));
  }

  /**
   * End a partnership
   *
   * Ends the relationship for good, today its last day in force: its validity ends today (or when it ended before), and
   * its billing plan ends with it. An ended partnership takes no more changes (409 `partnership.ended`); it is invoiced
   * only for days within its validity, so what it owes for them (the last bill in arrears, usage up to today) is still
   * billed and invoiced by the next runs. Usage for later days is refused. Its invoices keep their history. See When a
   * partnership ends (/docs/guide/billing#when-a-partnership-ends).
   */
  @Post(':partnershipId/end')
  @HttpCode(200)
  @Requires('partnerships:write')
  @ApiIfMatch()
  async end(@Tenant() tenantId: TenantId, @Param('partnershipId') partnershipId: string, @IfMatch() expectedVersion: ExpectedVersion | undefined): Promise<PartnershipDto> {
    return toPartnershipResponse(await this.changePartnershipStatus.execute({ tenantId, partnershipId: partnershipId as PartnershipId, action: 'end', expectedVersion }));
  }
}
