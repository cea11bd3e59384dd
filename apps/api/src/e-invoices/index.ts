import type { Type } from '@nestjs/common';
import { EInvoicesController } from './e-invoices.controller';

/** The controllers of e-invoice files, for the API module. */
export const E_INVOICES_CONTROLLERS: Type[] = [EInvoicesController];
