import type { Type } from '@nestjs/common';

/** The controllers of this resource group, for the API module. */
export const PAYMENTS_CONTROLLERS: Type[] = [];
