import type { Type } from '@nestjs/common';
import { MarketablesController } from './marketables.controller';

/** The controllers of the catalogue of marketables. */
export const MARKETABLES_CONTROLLERS: Type[] = [MarketablesController];
