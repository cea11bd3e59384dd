import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { GetInvoiceBilling } from '@invoicing/billing';
import type { TenantId } from '@invoicing/core';
import type { InvoiceId } from '@invoicing/invoice';
import { Tenant } from '../auth/auth.guard';
import { ApiProblems } from '../http/openapi';
import { toInvoiceBillingResponse } from './billing.mapper';
import { InvoiceBillingDto } from './billing.response.dto';

/** How the invoices billing made were computed. See Each line explained (/docs/guide/billing#each-line-explained). */
@ApiTags('Billing')
@Controller('v1/invoices')
export class InvoiceBillingController {
  constructor(private readonly invoiceBilling: GetInvoiceBilling) {}

  /**
   * Explain an invoice made by billing
   *
   * The bill the invoice was made from: its partnership, billing date and plan version, and for each line (by its id
   * on the invoice) how it was computed: the item, the days covered and the proration, the fee, the usage measured
   * and the part of the price, or for a correction what was billed and what it comes to now, with the sum as a
   * formula. 404 `invoice_billing.not_found` for an invoice billing did not make.
   */
  @Get(':invoiceId/billing')
  @ApiProblems(404)
  async getInvoiceBilling(@Tenant() tenantId: TenantId, @Param('invoiceId') invoiceId: string): Promise<InvoiceBillingDto> {
    return toInvoiceBillingResponse(await this.invoiceBilling.execute({ tenantId, invoiceId: invoiceId as InvoiceId }));
  }
}
