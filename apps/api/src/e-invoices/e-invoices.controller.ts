import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { readInvoice } from '@invoicing/integration/formats';
import { ApiProblems } from '../http/openapi';
import { HttpProblem } from '../http/problem';
import { XML_MEDIA_TYPES } from '../http/xml-body';
import { EInvoiceValidationDto } from './e-invoice.response.dto';

/**
 * E-invoice files (EN 16931 in UBL 2.1 or UN/CEFACT CII D16B): what the official rules say about them.
 * See E-invoicing (/docs/guide/e-invoicing).
 */
@ApiTags('E-invoices')
@Controller('v1/e-invoices')
export class EInvoicesController {
  /**
   * Validate an e-invoice file
   *
   * Checks a UBL 2.1 invoice or credit note, or a CII D16B invoice, sent as the body (`application/xml`), without
   * storing anything: the syntax's official XSD, the syntax-binding rules and the EN 16931 business rules, each
   * finding with its official rule id, its severity, the business term and its place in the file. A file that is not
   * a well-formed, safe e-invoice XML is refused with a `format.*` problem (400, or 413 above the size limit).
   */
  @Post('validate')
  @HttpCode(200)
  @ApiConsumes(...XML_MEDIA_TYPES)
  @ApiBody({ description: 'The e-invoice file, as bytes.', schema: { type: 'string', format: 'binary' } })
  @ApiProblems(413)
  async validate(@Body() body: unknown): Promise<EInvoiceValidationDto> {
    const { document, syntax, findings } = await readInvoice(xmlBody(body));
    return {
      syntax,
      ...(document.number === undefined ? {} : { number: document.number }),
      valid: !findings.some((f) => f.severity === 'fatal'),
      findings: findings.map((f) => ({ ...f })),
    };
  }
}

/** The raw body of an XML route; anything else was not sent as XML. */
export function xmlBody(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  throw new HttpProblem(415, 'request.unsupported_media_type', `Send the file as ${XML_MEDIA_TYPES.join(' or ')}.`, { acceptable: XML_MEDIA_TYPES });
}
