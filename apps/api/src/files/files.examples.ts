import type { ProblemCodes } from '../docs/examples-support';

/** What every file request (a PDF, an e-invoice, a file validated or imported) may answer besides its own (ADR 0028). */
export const FILE_WORK: ProblemCodes = { '4XX': ['file_work.tenant_busy'], '5XX': ['file_work.busy'] };

/** A received file larger than the reader checks, refused before its schema and rules (ADR 0028). */
export const FILE_LIMITS: ProblemCodes = { 400: ['format.too_many_lines', 'format.too_many_elements'] };
