import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { definedFields, type Cursor, type TenantId } from '@invoicing/core';
import { CreateMarketable, GetMarketable, ListMarketables, SetMarketableActive, UpdateMarketable, type MarketableDetails, type MarketableId } from '@invoicing/invoice';
import type { FastifyReply } from 'fastify';
import { Requires } from '../auth/permissions';
import { Tenant } from '../auth/auth.guard';
import { IfMatch, type ExpectedVersion } from '../http/etag';
import { Idempotent } from '../http/idempotency.interceptor';
import { IdempotentRequestId } from '../http/idempotent-id';
import { ApiIdempotent, ApiIfMatch, ApiProblems } from '../http/openapi';
import { toPageResponse } from '../http/responses';
import { CreateMarketableDto, ListMarketablesQueryDto, UpdateMarketableDto } from './marketable.dto';
import { toMarketableResponse } from './marketable.mapper';
import { MarketableDto, MarketablePageDto } from './marketable.response.dto';

/**
 * Marketables: the catalogue of products and services the tenant sells, with list prices per currency and a default
 * VAT treatment that invoice lines take. See the glossary (/docs/guide/glossary#marketable).
 */
@ApiTags('Marketables')
@Controller('v1/marketables')
export class MarketablesController {
  constructor(
    private readonly createMarketable: CreateMarketable,
    private readonly updateMarketable: UpdateMarketable,
    private readonly setMarketableActive: SetMarketableActive,
    private readonly getMarketable: GetMarketable,
    private readonly listMarketables: ListMarketables,
  ) {}

  /**
   * Add a marketable
   *
   * Adds a product or service to the catalogue, active. The SKU must be new in the tenant (409
   * `marketable.sku_taken`). The answer's `Location` names the new marketable.
   */
  @Post()
  @Idempotent()
  @Requires('marketables:write')
  @ApiIdempotent()
  async create(
    @Tenant() tenantId: TenantId,
    @Body() body: CreateMarketableDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentRequestId('Marketable') id: MarketableId | undefined,
  ): Promise<MarketableDto> {
    const marketable = await this.createMarketable.execute({ ...body, prices: body.prices ?? [], tenantId, ...(id === undefined ? {} : { id }) });
    void reply.header('location', `/v1/marketables/${marketable.id}`);
    return toMarketableResponse(marketable);
  }

  /**
   * List marketables
   *
   * The catalogue page by page, in a stable order: pass `nextCursor` back as `cursor`. `active` keeps only the
   * marketables on offer (`true`) or only the deactivated ones (`false`).
   */
  @Get()
  @ApiProblems()
  async list(@Tenant() tenantId: TenantId, @Query() query: ListMarketablesQueryDto): Promise<MarketablePageDto> {
    const page = await this.listMarketables.execute({
      tenantId,
      ...definedFields({ active: query.active === undefined ? undefined : query.active === 'true' }),
      page: { limit: query.limit, cursor: query.cursor as Cursor | undefined },
    });
    return toPageResponse(page, toMarketableResponse);
  }

  /**
   * Get a marketable
   *
   * The marketable with its prices; the `ETag` is its version, for `If-Match` on changes.
   */
  @Get(':marketableId')
  @ApiProblems(404)
  async get(@Tenant() tenantId: TenantId, @Param('marketableId') marketableId: string): Promise<MarketableDto> {
    return toMarketableResponse(await this.getMarketable.execute({ tenantId, marketableId: marketableId as MarketableId }));
  }

  /**
   * Change a marketable
   *
   * Only the fields given change; `prices` replaces the whole price list and `description: null` removes the
   * description. New prices and VAT apply to invoice lines drafted from now on; existing drafts and issued invoices
   * keep what they copied. The unit does not change (409 `marketable.unit_fixed`): every price of the marketable, list
   * or negotiated in a partnership, is per that unit.
   */
  @Patch(':marketableId')
  @Requires('marketables:write')
  @ApiIfMatch()
  async update(
    @Tenant() tenantId: TenantId,
    @Param('marketableId') marketableId: string,
    @Body() body: UpdateMarketableDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<MarketableDto> {
    const { description, ...rest } = body;
    // JSON has no undefined, so a client clears the description with null; the domain clears it on a present undefined.
    const changes: Partial<MarketableDetails> = { ...rest, ...(description !== undefined ? { description: description ?? undefined } : {}) };
    return toMarketableResponse(await this.updateMarketable.execute({ tenantId, marketableId: marketableId as MarketableId, changes, expectedVersion }));
  }

  /**
   * Deactivate a marketable
   *
   * Stops offering it: new invoice lines can no longer name it; existing invoices are not touched. 409
   * `marketable.inactive` when it is already inactive.
   */
  @Post(':marketableId/deactivate')
  @HttpCode(200)
  @Requires('marketables:write')
  @ApiIfMatch()
  async deactivate(@Tenant() tenantId: TenantId, @Param('marketableId') marketableId: string, @IfMatch() expectedVersion: ExpectedVersion | undefined): Promise<MarketableDto> {
    return toMarketableResponse(await this.setMarketableActive.execute({ tenantId, marketableId: marketableId as MarketableId, active: false, expectedVersion }));
  }

  /**
   * Activate a marketable
   *
   * Offers a deactivated marketable again. 409 `marketable.active` when it is already active.
   */
  @Post(':marketableId/activate')
  @HttpCode(200)
  @Requires('marketables:write')
  @ApiIfMatch()
  async activate(@Tenant() tenantId: TenantId, @Param('marketableId') marketableId: string, @IfMatch() expectedVersion: ExpectedVersion | undefined): Promise<MarketableDto> {
    return toMarketableResponse(await this.setMarketableActive.execute({ tenantId, marketableId: marketableId as MarketableId, active: true, expectedVersion }));
  }
}
