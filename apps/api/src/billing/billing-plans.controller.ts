import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AddOneOffCharge, CancelOneOffCharge, GetBillingPlan, PreviewUpcomingInvoice, SetBillingPlan, type ChargeInput, type DiscountInput, type PlanTermsInput } from '@invoicing/billing';
import { definedFields, type TenantId } from '@invoicing/core';
import type { MarketableId, PartnershipId } from '@invoicing/invoice';
import type { FastifyReply } from 'fastify';
import { Caller, Tenant, assertAllowed } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { Requires } from '../auth/permissions';
import { IfMatch, type ExpectedVersion } from '../http/etag';
import { Idempotent } from '../http/idempotency.interceptor';
import { IdempotentRequestId } from '../http/idempotent-id';
import { ApiIdempotent, ApiIfMatch, ApiProblems } from '../http/openapi';
import { RequestValidationError, type FieldIssue } from '../http/problem';
import { AddOneOffChargeDto, SetBillingPlanDto, UpcomingInvoiceQueryDto, type ChargeDto, type DiscountDto, type PlanTermsDto } from './billing.dto';
import { toBillingPlanResponse, toOneOffChargeResponse, toUpcomingInvoiceResponse } from './billing.mapper';
import { BillingPlanDto, OneOffChargeDto, UpcomingInvoiceDto } from './billing.response.dto';

/**
 * A partnership's billing: its billing plan (fees and usage charges, effective-dated), one-off charges and its
 * upcoming invoice. See Billing (/docs/guide/billing).
 */
@ApiTags('Billing')
@Controller('v1/partnerships')
export class BillingPlansController {
  constructor(
    private readonly replacePlan: SetBillingPlan,
    private readonly readPlan: GetBillingPlan,
    private readonly oneOffCharges: AddOneOffCharge,
    private readonly cancelOneOff: CancelOneOffCharge,
    private readonly previewUpcomingInvoice: PreviewUpcomingInvoice,
  ) {}

  /**
   * Get a partnership's billing plan
   *
   * The plan with every version it has had, in the order recorded: each version's first day and terms, and which
   * version replaced it. 404 `billing_plan.not_found` for a partnership without a plan. The `ETag` is the plan's
   * version, for `If-Match` on a change.
   */
  @Get(':partnershipId/billing-plan')
  @ApiProblems(404)
  async getBillingPlan(@Tenant() tenantId: TenantId, @Param('partnershipId') partnershipId: string): Promise<BillingPlanDto> {
    return toBillingPlanResponse(await this.readPlan.execute({ tenantId, partnershipId: partnershipId as PartnershipId }));
  }

  /**
   * Change a partnership's billing plan from a day
   *
   * Puts `terms` in effect from `effectiveFrom` (the first call starts the plan, in the partnership's currency), or
   * with `terms: null` stops billing from that day. Versions from that day on are replaced, the one before ends that
   * day, and every version stays in the history. The day may be in the past: the next run credits what the old terms
   * billed for the days changed (unused time) and charges the new terms. Every faulty field of the terms is named at
   * once (`terms.charges.0.unitPrice` …). With `If-Match`, a plan changed since is refused (412), and so is any tag,
   * `*` included, while the partnership has no plan yet. After the partnership's currency changed, new terms start the
   * plan again in it, from a day after its last bill (400 `plan.billed_in_other_currency` otherwise), once the plan has
   * billed all it had to in the earlier one (409 `billing_plan.currency_changed` until then); no change takes effect
   * before that day. An ended partnership's plan takes no new terms (409 `partnership.ended`), only an earlier end.
   * See Changing the currency (/docs/guide/billing#changing-the-currency).
   */
  @Put(':partnershipId/billing-plan')
  @Requires('partnerships:write')
  @ApiIfMatch()
  async setBillingPlan(
    @Tenant() tenantId: TenantId,
    @Param('partnershipId') partnershipId: string,
    @Body() body: SetBillingPlanDto,
    // The first PUT starts the plan: `*` must then fail, not go ahead unconditionally.
    @IfMatch({ creates: true }) expectedVersion: ExpectedVersion | '*' | undefined,
  ): Promise<BillingPlanDto> {
    const terms = body.terms === null ? null : planTermsOf(body.terms);
    return toBillingPlanResponse(await this.replacePlan.execute({ tenantId, partnershipId: partnershipId as PartnershipId, effectiveFrom: body.effectiveFrom, terms, expectedVersion }));
  }

  /**
   * Add a one-off charge
   *
   * A charge billed once, on the partnership's first bill on or after its `date` (a billing date of its own): a setup
   * fee, an ad-hoc service, or with a negative quantity an ad-hoc credit, which needs permission `invoices:write` as a
   * credit note does (403 `auth.forbidden` for an integrator). The partnership needs a billing plan (409
   * `one_off.no_billing_plan`): runs bill plans. The marketable it names, if any, is an active one of the tenant (400
   * `line.marketable_not_found`, `line.marketable_inactive`). With an `Idempotency-Key`, the charge's id derives from
   * the key and the request: a retry, even after a 5xx, answers the charge already added (409 `one_off.cancelled` when
   * it was cancelled since and the key is no longer kept).
   */
  @Post(':partnershipId/one-off-charges')
  @Idempotent()
  @Requires('invoices:create')
  @ApiIdempotent()
  @ApiProblems(404, 409)
  async addOneOffCharge(
    @Caller() caller: Principal,
    @Param('partnershipId') partnershipId: string,
    @Body() body: AddOneOffChargeDto,
    @IdempotentRequestId('OneOffCharge') id: string | undefined,
  ): Promise<OneOffChargeDto> {
    const { marketableId, ...rest } = body;
    // A credit takes money back from the buyer's bills, which a run may issue unreviewed: only who may credit may add one.
    if (body.quantity?.trim().startsWith('-') === true) assertAllowed(caller, 'invoices:write');
    const { charge } = await this.oneOffCharges.execute({
      ...rest,
      ...definedFields({ marketableId: marketableId as MarketableId | undefined, id }),
      tenantId: caller.tenantId,
      partnershipId: partnershipId as PartnershipId,
      // An author of the invoice that bills it (ADR 0031).
      actor: caller.name,
    });
    return toOneOffChargeResponse(charge);
  }

  /**
   * Cancel a one-off charge
   *
   * Until a billing run takes it for a bill, a one-off charge can be cancelled: no run bills it (its date is no longer
   * a billing date of its own). Once a run has taken it, 409 `one_off.already_billed`: credit it with a one-off credit
   * (a negative quantity) instead. A cancel and a run at the same moment never both go through. Cancelling it again
   * answers 204 as the first time did: safe to retry.
   */
  @Delete(':partnershipId/one-off-charges/:oneOffChargeId')
  @HttpCode(204)
  @Requires('invoices:create')
  @ApiProblems(404, 409)
  async cancelOneOffCharge(@Tenant() tenantId: TenantId, @Param('partnershipId') partnershipId: string, @Param('oneOffChargeId') chargeId: string): Promise<void> {
    await this.cancelOneOff.execute({ tenantId, partnershipId: partnershipId as PartnershipId, chargeId });
  }

  /**
   * Preview the upcoming invoice
   *
   * The partnership's next bill worked out now, as its invoice would be, with the usage received so far; nothing is
   * written. What was already billed is taken into account: corrections are the difference against it. The next bill
   * is the one a run today (or as of `through`, when earlier) would record first; when nothing is due by then, the
   * first date due after today, up to `through` (a year from today when left out); 204 when none is due by then
   * either (billing ended, or `through` is before the next date). 409 when a run would not make that bill into an
   * invoice: `billing.currency_mismatch` (the plan bills in another currency than the partnership's now),
   * `billing.amount_out_of_range`.
   */
  @Get(':partnershipId/upcoming-invoice')
  // Declared, as a method declaring one success answer (the 204) gets no other from its return type.
  @ApiOkResponse({ description: 'The bill due next, as its invoice would be.', type: UpcomingInvoiceDto })
  @ApiNoContentResponse({ description: 'Nothing is due up to `through`: no bill to preview.' })
  @ApiProblems(404, 409)
  async upcomingInvoice(
    @Tenant() tenantId: TenantId,
    @Param('partnershipId') partnershipId: string,
    @Query() query: UpcomingInvoiceQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UpcomingInvoiceDto | undefined> {
    const id = partnershipId as PartnershipId;
    const preview = await this.previewUpcomingInvoice.execute({ tenantId, partnershipId: id, ...definedFields({ through: query.through }) });
    if (preview === undefined) {
      void reply.status(204);
      return undefined;
    }
    return toUpcomingInvoiceResponse(id, preview);
  }
}

/** The request's terms in the domain's shape: ids branded, and each metric's filters checked to be lists of text. */
function planTermsOf(terms: PlanTermsDto): PlanTermsInput {
  const { charges, discounts, ...rest } = terms;
  const issues = charges.flatMap((charge, index) => filterIssues(charge, `terms.charges.${index}.metric.filters`));
  if (issues.length > 0) throw new RequestValidationError(issues);
  return { ...rest, charges: charges.map(chargeOf), ...definedFields({ discounts: discounts?.map(discountOf) }) };
}

/**
 * A charge of the kind it names; what that kind needs and the request left out goes on as absent, for the domain to
 * refuse with its own code at its path (`terms.charges.0.unitPrice`).
 */
function chargeOf(charge: ChargeDto): ChargeInput {
  const { kind, code, name, marketableId, unitCode, vat } = charge;
  const line = { code, name, vat, ...definedFields({ marketableId: marketableId as MarketableId | undefined, unitCode }) };
  if (kind === 'recurring') return { kind, ...line, unitPrice: charge.unitPrice as string, ...definedFields({ quantity: charge.quantity, timing: charge.timing }) };
  return {
    kind,
    ...line,
    metric: charge.metric as NonNullable<ChargeDto['metric']>,
    price: charge.price as Extract<ChargeInput, { kind: 'usage' }>['price'],
  };
}

function discountOf(discount: DiscountDto): DiscountInput {
  const { code, reason, periods } = discount;
  const common = { code, ...definedFields({ reason, periods }) };
  return discount.kind === 'percentage' ? { ...common, kind: 'percentage', percent: discount.percent as string } : { ...common, kind: 'fixed', amount: discount.amount as string };
}

/** A metric's filters name lists of values: `{ "region": ["eu", "us"] }`. */
function filterIssues(charge: ChargeDto, path: string): FieldIssue[] {
  const filters = charge.metric?.filters;
  if (filters === undefined) return [];
  return Object.entries(filters).flatMap(([name, values]): FieldIssue[] => {
    if (!Array.isArray(values)) return [{ path: `${path}.${name}`, code: 'request.is_array', message: `${name} must be a list of values` }];
    return values.flatMap((value, index) => (typeof value === 'string' ? [] : [{ path: `${path}.${name}.${index}`, code: 'request.is_string', message: 'each value must be a string' }]));
  });
}
