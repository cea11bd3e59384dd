import { Body, Controller, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { TenantId } from '@invoicing/core';
import { EInvoiceRefusedError, ImportEInvoice, type PartnershipId } from '@invoicing/invoice';
import type { FastifyReply } from 'fastify';
import { Caller, Tenant } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { Requires } from '../auth/permissions';
import { FileWork, ResponseClosed } from '../files';
import { ApiProblems } from '../http/openapi';
import { HttpProblem } from '../http/problem';
import { XML_MEDIA_TYPES } from '../http/xml-body';
import { toEInvoiceImportResponse, toEInvoiceValidationResponse } from './e-invoice.mapper';
import { ImportEInvoiceQueryDto } from './e-invoice.dto';
import { EInvoiceImportDto, EInvoiceValidationDto } from './e-invoice.response.dto';

/**
 * E-invoice files (EN 16931 in UBL 2.1 or UN/CEFACT CII D16B): what the official rules say about them.
 * See E-invoicing (/docs/guide/e-invoicing).
 */
@ApiTags('E-invoices')
@Controller('v1/e-invoices')
export class EInvoicesController {
  constructor(
    private readonly importEInvoice: ImportEInvoice,
    private readonly work: FileWork,
  ) {}

  /**
   * Validate an e-invoice file
   *
   * Checks a UBL 2.1 invoice or credit note, or a CII D16B invoice, sent as the body (`application/xml`), without
   * storing anything: the syntax's official XSD, the syntax-binding rules and the EN 16931 business rules (and, for
   * UBL, Peppol's `PEPPOL-EN16931-R051`: every amount in the document currency), each finding with its official rule
   * id, its severity, the business term and its place in the file; the first 1,000 findings, fatal first, are listed
   * and the others counted (`omittedFindings`). A file that is not a well-formed, safe e-invoice XML is refused with a
   * `format.*` problem (400, or 413 above the size limit), and so is one of more than 10,000 invoice lines
   * (`format.too_many_lines`) or 500,000 elements (`format.too_many_elements`), before it is checked. Files are checked
   * off the event loop, a tenant's in turn with the others': past its share of file requests under way, 429
   * `file_work.tenant_busy`; past the API's, 503 `file_work.busy` (both with `Retry-After`).
   */
  @Post('validate')
  @HttpCode(200)
  @ApiConsumes(...XML_MEDIA_TYPES)
  @ApiBody({ description: 'The e-invoice file, as bytes.', schema: { type: 'string', format: 'binary' } })
  @ApiProblems(413, 415)
  async validate(@Tenant() tenantId: TenantId, @Body() body: unknown, @ResponseClosed() closed: AbortSignal): Promise<EInvoiceValidationDto> {
    const bytes = xmlBody(body);
    const checked = await this.work.forTenant(tenantId, (jobs) => jobs.run({ kind: 'validate', bytes, maxFindings: EInvoiceRefusedError.MAX_LISTED_FINDINGS }), closed);
    return toEInvoiceValidationResponse(checked);
  }

  /**
   * Import an e-invoice file as a draft
   *
   * Reads a UBL 2.1 or CII D16B file (body `application/xml`) and creates a draft invoice of the partnership named by
   * `partnership_id`, with the file's number as its external reference. The draft's amounts are computed by the
   * platform and must equal what the file states: a file with a fatal finding (422 `e_invoice.invalid`), a credit note
   * (422 `e_invoice.credit_note_not_supported`), another type of document than the invoices an import takes (422
   * `e_invoice.type_not_supported`), a file with amounts that do not compute (422
   * `e_invoice.calculation_mismatch`), or about another currency or another seller or buyer (422
   * `e_invoice.partnership_mismatch`) is refused with its findings (the first 1,000, the others counted in
   * `omittedFindings`), and nothing is stored. The same file imported twice is 409
   * `invoice.duplicate_external_reference`. The answer lists the terms the invoice does not record. Limits and turns
   * are those of the validation.
   */
  @Post('import')
  @Requires('invoices:create')
  @ApiConsumes(...XML_MEDIA_TYPES)
  @ApiBody({ description: 'The e-invoice file, as bytes.', schema: { type: 'string', format: 'binary' } })
  @ApiProblems(404, 409, 413, 415, 422)
  async import(
    @Caller() caller: Principal,
    @Query() query: ImportEInvoiceQueryDto,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
    @ResponseClosed() closed: AbortSignal,
  ): Promise<EInvoiceImportDto> {
    const bytes = xmlBody(body);
    const { tenantId } = caller;
    return this.work.forTenant(
      tenantId,
      async (jobs) => {
        // Every finding: a refusal counts them all (and lists the first ones), the draft's answer has the warnings.
        const { document, findings } = await jobs.run({ kind: 'read', bytes });
        // Who imports a file is its draft's author, as who drafts one is (ADR 0031).
        const imported = await this.importEInvoice.execute({ tenantId, partnershipId: query.partnership_id as PartnershipId, document, findings, authors: [caller.name] });
        void reply.header('location', `/v1/invoices/${imported.invoice.id}`);
        return toEInvoiceImportResponse(imported, findings);
      },
      closed,
    );
  }
}

/** The raw body of an XML route; anything else was not sent as XML. */
export function xmlBody(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  throw new HttpProblem(415, 'request.unsupported_media_type', `Send the file as ${XML_MEDIA_TYPES.join(' or ')}.`, { acceptable: XML_MEDIA_TYPES });
}
