import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { TenantId } from '@invoicing/core';
import { ApplyPayment, GetPayment, type InvoiceId, type PaymentId } from '@invoicing/invoice';
import { Requires } from '../auth/permissions';
import { Tenant } from '../auth/auth.guard';
import { Idempotent } from '../http/idempotency.interceptor';
import { IdempotentRequestId } from '../http/idempotent-id';
import { ApiIdempotent, ApiProblems } from '../http/openapi';
import { ApplyPaymentDto } from './payment.dto';
import { toPaymentResponse } from './payment.mapper';
import { PaymentDto } from './payment.response.dto';

/** Payments by id, and applying their credit to invoices. */
@ApiTags('Partner account')
@Controller('v1/payments')
export class PaymentsController {
  constructor(
    private readonly getPayment: GetPayment,
    private readonly applyPayment: ApplyPayment,
  ) {}

  /**
   * Get a payment
   *
   * The payment with the invoices it paid, the refunds drawn on it and its unapplied credit.
   */
  @Get(':paymentId')
  @ApiProblems(404)
  async get(@Tenant() tenantId: TenantId, @Param('paymentId') paymentId: string): Promise<PaymentDto> {
    return toPaymentResponse(await this.getPayment.execute({ tenantId, paymentId: paymentId as PaymentId }));
  }

  /**
   * Apply a payment's credit
   *
   * Applies the payment's unapplied credit to the invoices named in `applyTo`, in that order, or by default to the
   * partner's oldest receivables in the payment's currency, each for what it still owes. A payment pays an invoice
   * at most once, and a payment without credit left applies nothing. Answers with the payment as it is now. With an
   * `Idempotency-Key`, what is applied is recorded under an operation derived from it: a retry, even after a 5xx or a
   * timeout, applies nothing more.
   */
  @Post(':paymentId/applications')
  @HttpCode(200)
  @Idempotent()
  @Requires('payments:write')
  @ApiIdempotent()
  @ApiProblems(404)
  async apply(
    @Tenant() tenantId: TenantId,
    @Param('paymentId') paymentId: string,
    @Body() body: ApplyPaymentDto,
    @IdempotentRequestId('Application') operationId: string | undefined,
  ): Promise<PaymentDto> {
    return toPaymentResponse(
      await this.applyPayment.execute({ tenantId, paymentId: paymentId as PaymentId, applyTo: body.applyTo as InvoiceId[] | undefined, ...(operationId === undefined ? {} : { operationId }) }),
    );
  }
}
