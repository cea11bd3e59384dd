import type { Type } from '@nestjs/common';
import { PartnerReportsController, ReportsController } from './reports.controller';

/** The controllers of the reports. */
export const REPORTS_CONTROLLERS: Type[] = [ReportsController, PartnerReportsController];
