import type { Type } from '@nestjs/common';
import { PartnershipsController } from './partnerships.controller';

/** The controllers of partnerships, their terms, negotiated prices and status. */
export const PARTNERSHIPS_CONTROLLERS: Type[] = [PartnershipsController];
