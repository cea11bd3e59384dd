import type { Type } from '@nestjs/common';
import { PartnerAccountController } from './partner-account.controller';
import { PaymentsController } from './payments.controller';

/** The controllers of the partner account: balances, payments and refunds. */
export const PAYMENTS_CONTROLLERS: Type[] = [PartnerAccountController, PaymentsController];
