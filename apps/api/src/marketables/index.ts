import type { Type } from '@nestjs/common';

/** The controllers of this resource group, for the API module. */
export const MARKETABLES_CONTROLLERS: Type[] = [];
