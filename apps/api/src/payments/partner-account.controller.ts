import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Cursor, TenantId } from '@invoicing/core';
import { GetPartnerBalance, ListPayments, RecordPayment, RefundCredit, type InvoiceId, type PartnerId, type PaymentId, type RefundId } from '@invoicing/invoice';
import type { FastifyReply } from 'fastify';
import { Requires } from '../auth/permissions';
import { Tenant } from '../auth/auth.guard';
import { Idempotent } from '../http/idempotency.interceptor';
import { IdempotentId } from '../http/idempotent-id';
import { ApiIdempotent, ApiProblems } from '../http/openapi';
import { toPageResponse } from '../http/responses';
import { ListPaymentsQueryDto, RecordPaymentDto, RefundCreditDto } from './payment.dto';
import { toPartnerBalanceResponse, toPaymentResponse, toRefundResponse } from './payment.mapper';
import { PartnerBalanceDto, PaymentDto, PaymentPageDto, RefundDto } from './payment.response.dto';

/**
 * The partner account: what a partner owes or is owed per currency, the payments it made and refunds of its credit.
 * See Payments and balances (/docs/guide/payments-and-balances).
 */
@ApiTags('Partner account')
@Controller('v1/partners')
export class PartnerAccountController {
  constructor(
    private readonly getPartnerBalance: GetPartnerBalance,
    private readonly recordPayment: RecordPayment,
    private readonly listPayments: ListPayments,
    private readonly refundCredit: RefundCredit,
  ) {}

  /**
   * Get a partner's balance
   *
   * Per currency: the outstanding amount of the partner's receivable invoices, its unapplied credit, and the balance
   * (outstanding − credit; negative when the tenant owes the partner). Currencies with neither are left out.
   */
  @Get(':partnerId/balance')
  @ApiProblems(404)
  async balance(@Tenant() tenantId: TenantId, @Param('partnerId') partnerId: string): Promise<PartnerBalanceDto> {
    return toPartnerBalanceResponse(await this.getPartnerBalance.execute({ tenantId, partnerId: partnerId as PartnerId }));
  }

  /**
   * Record a payment
   *
   * Records money received from the partner and applies it at once: to the invoices named in `applyTo`, in that
   * order, or by default to the partner's oldest receivables in the payment's currency. Each invoice gets what it
   * still owes; the rest stays on the payment as unapplied credit. If a named invoice cannot take the payment,
   * nothing is recorded. The answer's `Location` names the new payment. With an `Idempotency-Key`, the payment's id
   * derives from it: a retry of the same request, even after a 5xx or a timeout, answers the payment already recorded.
   */
  @Post(':partnerId/payments')
  @Idempotent()
  @Requires('payments:write')
  @ApiIdempotent()
  @ApiProblems(404)
  async record(
    @Tenant() tenantId: TenantId,
    @Param('partnerId') partnerId: string,
    @Body() body: RecordPaymentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentId('Payment') id: PaymentId | undefined,
  ): Promise<PaymentDto> {
    const payment = await this.recordPayment.execute({
      tenantId,
      ...(id === undefined ? {} : { id }),
      partnerId: partnerId as PartnerId,
      amount: body.amount,
      currency: body.currency,
      receivedOn: body.receivedOn,
      reference: body.reference,
      applyTo: body.applyTo as InvoiceId[] | undefined,
    });
    void reply.header('location', `/v1/payments/${payment.id}`);
    return toPaymentResponse(payment);
  }

  /**
   * List a partner's payments
   *
   * Newest first, page by page: pass `nextCursor` back as `cursor`.
   */
  @Get(':partnerId/payments')
  @ApiProblems(404)
  async list(@Tenant() tenantId: TenantId, @Param('partnerId') partnerId: string, @Query() query: ListPaymentsQueryDto): Promise<PaymentPageDto> {
    const page = await this.listPayments.execute({
      tenantId,
      partnerId: partnerId as PartnerId,
      page: { limit: query.limit, cursor: query.cursor as Cursor | undefined },
    });
    return toPageResponse(page, toPaymentResponse);
  }

  /**
   * Refund unapplied credit
   *
   * Pays part of the partner's unapplied credit in a currency back to it, drawing on its payments oldest first; the
   * answer lists the payments drawn on. A refund larger than the credit is refused and nothing is refunded. Every
   * request is a new refund: retry with the same `Idempotency-Key`, never without. With a key, the refund's id derives
   * from it, so a retry (even after a 5xx or a timeout) never refunds twice.
   */
  @Post(':partnerId/refunds')
  @Idempotent()
  @Requires('payments:write')
  @ApiIdempotent()
  @ApiProblems(404)
  async refund(
    @Tenant() tenantId: TenantId,
    @Param('partnerId') partnerId: string,
    @Body() body: RefundCreditDto,
    @IdempotentId('Refund') refundId: RefundId | undefined,
  ): Promise<RefundDto> {
    const refund = await this.refundCredit.execute({
      tenantId,
      ...(refundId === undefined ? {} : { refundId }),
      partnerId: partnerId as PartnerId,
      amount: body.amount,
      currency: body.currency,
      refundedOn: body.refundedOn,
      reference: body.reference,
    });
    return toRefundResponse(refund);
  }
}
