import type { Type } from '@nestjs/common';
import { ReceivablesImportsController } from './receivables-imports.controller';

export { ReceivablesImportRunner } from './receivables-import-runner';
export { useCsvBodies } from './csv-body';

/** The controllers of file imports, for the API module. */
export const IMPORTS_CONTROLLERS: Type[] = [ReceivablesImportsController];
