import type { Type } from '@nestjs/common';
import { InvoicesController } from './invoices.controller';

/** The controllers of invoices and credit notes, for the API module. */
export const INVOICES_CONTROLLERS: Type[] = [InvoicesController];
