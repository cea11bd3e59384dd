import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { CLOCK, ConflictError, DomainError, ID_GENERATOR, NotFoundError, ValidationError, decodeCursor, definedFields, encodeCursor, pageLimit, type Clock, type IdGenerator, type TenantId } from '@invoicing/core';
import { ImportReceivables, type PartnerId, type ReceivablesImport } from '@invoicing/invoice';
import type { ImportJobState, ImportJobStore } from '@invoicing/integration';
import { CsvError, ErrorReportWriter, checkCsvFile, checkMapping, columnLayout, readCsvRows, type ReceivablesMapping } from '@invoicing/integration/formats';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Tenant } from '../auth/auth.guard';
import { Requires } from '../auth/permissions';
import { IMPORT_JOB_STORE } from '../composition/tokens';
import { ApiProblems } from '../http/openapi';
import { HttpProblem } from '../http/problem';
import { CSV_MEDIA_TYPES } from './csv-body';
import { PageQueryDto } from '../http/paging.dto';
import { StartReceivablesImportQueryDto } from './receivables-import.dto';
import { toImportResponse, toRefusedRowResponse } from './receivables-import.mapper';
import { ReceivablesImportDto, RefusedRowPageDto, type RefusedRowDto } from './receivables-import.response.dto';
import { IMPORT_STALE_AFTER_MS, ReceivablesImportRunner } from './receivables-import-runner';

/**
 * Accounts-receivable imports: another system's invoices and what was paid on them, from a CSV export, recorded as
 * issued invoices and payments. See Importing accounts receivable (/docs/guide/imports).
 */
@ApiTags('Imports')
@Controller('v1/receivables-imports')
export class ReceivablesImportsController {
  constructor(
    private readonly importReceivables: ImportReceivables,
    private readonly runner: ReceivablesImportRunner,
    @Inject(IMPORT_JOB_STORE) private readonly jobs: ImportJobStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * Import an accounts-receivable CSV file
   *
   * Sends a CSV export (body `text/csv`, one row per invoice: number, customer, dates, terms, bill total, amount
   * applied, status, currency) and answers 202 at once with the import, `running`, and its `Location`; rows are
   * imported in the background, and `GET` on the import shows its counts as it goes. Each row becomes an invoice
   * issued under its own number to a customer found by name (or created), with the amount applied recorded as a
   * payment. Sending the same file again changes nothing; a corrected file raises amounts applied and completes
   * contacts, and reports any other change to an issued invoice as a refused row. A file whose header lacks a required
   * column is refused at once (422 `csv.missing_columns`), as is one that is not UTF-8 text (422 `csv.not_utf8`; UTF-16
   * with its byte-order mark, Excel's "Unicode text", is read), one with a line longer than 1 MiB (422 `csv.malformed`)
   * and one whose header has more than 500 columns (422 `csv.too_many_columns`); bad rows are refused one by one and
   * listed in the import's error report. One import runs per tenant at a time (409 `import.in_progress`).
   */
  @Post()
  @HttpCode(202)
  @Requires('imports:write')
  @ApiConsumes(...CSV_MEDIA_TYPES)
  @ApiBody({ description: 'The CSV file, as bytes (UTF-8, or UTF-16 with its byte-order mark).', schema: { type: 'string', format: 'binary' } })
  @ApiProblems(404, 409, 413, 415, 422)
  async start(
    @Tenant() tenantId: TenantId,
    @Query() query: StartReceivablesImportQueryDto,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReceivablesImportDto> {
    const file = csvBody(body);
    const mapping = mappingOf(query);
    // The whole file, before anything is written: its encoding and its lines' length, found past the first rows, would
    // refuse it once the rows before were imported.
    checkCsvFile(file);
    const { header, delimiter } = await headerOf(file, mapping);
    const now = this.clock.now();
    const job: ImportJobState = {
      tenantId,
      id: this.ids.next<'ReceivablesImport'>(),
      sellerId: query.seller_id,
      status: 'running',
      counts: { rowsRead: 0, imported: 0, updated: 0, unchanged: 0, refused: 0 },
      header,
      delimiter,
      ignoredColumns: [],
      startedAt: now,
      updatedAt: now,
    };
    const started = await this.jobs.start(job, IMPORT_STALE_AFTER_MS);
    if (!started.started) {
      throw new ConflictError('import.in_progress', `import ${started.running.id} of this tenant is still running; send the file when it is over`, { importId: started.running.id });
    }
    // The tenant's partners are read once the slot is this import's: read before, they could miss the customers an
    // import finishing in between created, and this one would create them again.
    let importer: ReceivablesImport;
    try {
      importer = await this.importReceivables.start({ tenantId, sellerId: query.seller_id as PartnerId });
    } catch (error) {
      const at = this.clock.now();
      const known = error instanceof DomainError;
      await this.jobs.update({ ...job, status: 'failed', error: { code: known ? error.code : 'import.failed', message: known ? error.message : 'the import could not start' }, updatedAt: at, finishedAt: at });
      throw error;
    }
    this.runner.carryOut(job, importer, file, mapping, request.log);
    void reply.header('location', `/v1/receivables-imports/${job.id}`);
    return toImportResponse(job);
  }

  /**
   * Get an accounts-receivable import
   *
   * The import's status and counts: rows read, imported, updated, unchanged and refused, written after every 200
   * rows while it runs. A job whose process stopped reads `interrupted`: send the file again.
   */
  @Get(':importId')
  @ApiProblems(404)
  async get(@Tenant() tenantId: TenantId, @Param('importId') importId: string): Promise<ReceivablesImportDto> {
    return toImportResponse(await this.load(tenantId, importId));
  }

  /**
   * Get the error report of an import
   *
   * The rows the import refused, as a CSV file to fix and send again: the file's own columns with each refused row's
   * values, then `row` and `errors` (column, reason and code for each problem). Send the corrected file back as it is:
   * the two extra columns are ignored. The same rows as JSON: `GET .../refused-rows`.
   */
  @Get(':importId/errors')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The refused rows, as CSV.', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiProblems(404)
  async getImportErrors(@Tenant() tenantId: TenantId, @Param('importId') importId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const job = await this.load(tenantId, importId);
    let out = '';
    const writer = new ErrorReportWriter('csv', job.header, (chunk) => (out += chunk), job.delimiter);
    for await (const row of this.jobs.refused(tenantId, job.id)) writer.add({ ...row, outcome: 'refused', changes: [] });
    writer.end();
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="import-${job.id}-errors.csv"`);
    return out;
  }

  /**
   * List the rows an import refused
   *
   * The refused rows in row order, each with its number, invoice number, values and problems (the column at fault,
   * a stable code and a message), page by page: pass `nextCursor` back as `cursor`.
   */
  @Get(':importId/refused-rows')
  @ApiProblems(404)
  async listRefusedRows(@Tenant() tenantId: TenantId, @Param('importId') importId: string, @Query() query: PageQueryDto): Promise<RefusedRowPageDto> {
    const job = await this.load(tenantId, importId);
    const limit = pageLimit(query.limit);
    const after = query.cursor === undefined ? 0 : decodeCursor(query.cursor, 1)[0];
    if (typeof after !== 'number' || !Number.isSafeInteger(after) || after < 0) throw ValidationError.of('cursor', 'pagination.invalid_cursor', 'the cursor is not one this list returned');
    const items: RefusedRowDto[] = [];
    for await (const row of this.jobs.refused(tenantId, job.id, after)) {
      items.push(toRefusedRowResponse(row));
      if (items.length === limit) break;
    }
    const last = items.at(-1);
    return { items, nextCursor: items.length === limit && last !== undefined ? encodeCursor([last.row]) : null };
  }

  private async load(tenantId: TenantId, importId: string): Promise<ImportJobState> {
    const job = await this.jobs.get(tenantId, importId);
    if (!job) throw new NotFoundError('receivables_import', importId);
    // A process that crashed (killed, out of memory) left its job `running`: with its heartbeat stale, no process runs
    // it, and a client waiting for it to end would wait for good. The next import of the tenant marks it so too.
    if (job.status === 'running' && this.clock.now().getTime() - job.updatedAt.getTime() > IMPORT_STALE_AFTER_MS) return { ...job, status: 'interrupted' };
    return job;
  }
}

/** The raw body of the CSV route; anything else was not sent as CSV. */
function csvBody(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  throw new HttpProblem(415, 'request.unsupported_media_type', `Send the file as ${CSV_MEDIA_TYPES.join(' or ')}.`, { acceptable: CSV_MEDIA_TYPES });
}

/** The query's mapping, checked as a mapping file would be. @throws CsvError `csv.invalid_mapping` */
function mappingOf(query: StartReceivablesImportQueryDto): ReceivablesMapping {
  let columns: unknown;
  if (query.columns !== undefined) {
    try {
      columns = JSON.parse(query.columns);
    } catch {
      throw new CsvError('csv.invalid_mapping', 'columns is a JSON object of file column → field');
    }
  }
  return checkMapping(
    definedFields({
      columns,
      dateFormat: query.date_format,
      decimalSeparator: query.decimal_separator,
      delimiter: query.delimiter === 'tab' ? '\t' : query.delimiter,
      currency: query.currency,
    }),
  );
}

/** The file's header and delimiter, the header checked for the required columns before anything is imported. @throws CsvError */
async function headerOf(file: Buffer, mapping: ReceivablesMapping): Promise<{ header: string[]; delimiter: ',' | ';' | '\t' }> {
  for await (const item of readCsvRows(Readable.from([file]), mapping.delimiter)) {
    if ('header' in item) {
      columnLayout(item.header, mapping);
      return { header: [...item.header], delimiter: item.delimiter };
    }
  }
  throw new CsvError('csv.empty', 'the file is empty: a header line is expected first');
}
