import type { Type } from '@nestjs/common';
import { AdminController } from './admin.controller';

/** The controllers of the tenant's administration. */
export const ADMIN_CONTROLLERS: Type[] = [AdminController];
