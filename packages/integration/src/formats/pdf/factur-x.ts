import { En16931, type En16931Document } from '@invoicing/invoice';
import { PDFArray, PDFDict, type PDFDocument as PdfFile, PDFName, PDFRawStream, PDFString, PDFHexString } from 'pdf-lib';
import { writeConformingInvoice } from '../e-invoice';
import { DEFAULT_MAX_BYTES, FormatError } from '../xml';
import { renderInvoicePdf, type InvoicePdfOptions } from './invoice-pdf';
import { decodeStream, loadPdf } from './pdf-streams';

/** The name Factur-X 1.0 gives the embedded CII file. */
export const FACTUR_X_FILE_NAME = 'factur-x.xml';
/** That name, and those ZUGFeRD 2 and XRechnung give it, which a reader also accepts. */
const ACCEPTED_NAMES = /^(factur-x|zugferd-invoice|xrechnung)\.xml$/i;

const FX_NAMESPACE = 'urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#';

/** The XMP of a Factur-X (EN 16931 profile): the fx properties, and the PDF/A extension schema that declares them. */
function facturXXmp(): string {
  const property = (name: string, description: string) => `
              <rdf:li rdf:parseType="Resource">
                <pdfaProperty:name>${name}</pdfaProperty:name>
                <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                <pdfaProperty:category>external</pdfaProperty:category>
                <pdfaProperty:description>${description}</pdfaProperty:description>
              </rdf:li>`;
  return `
        <rdf:Description xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#" rdf:about="">
          <pdfaExtension:schemas>
            <rdf:Bag>
              <rdf:li rdf:parseType="Resource">
                <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
                <pdfaSchema:namespaceURI>${FX_NAMESPACE}</pdfaSchema:namespaceURI>
                <pdfaSchema:prefix>fx</pdfaSchema:prefix>
                <pdfaSchema:property>
                  <rdf:Seq>${property('DocumentFileName', 'The name of the embedded XML document')}${property('DocumentType', 'The type of the hybrid document in capital letters, e.g. INVOICE or ORDER')}${property('Version', 'The actual version of the standard applying to the embedded XML document')}${property('ConformanceLevel', 'The conformance level of the embedded XML document')}
                  </rdf:Seq>
                </pdfaSchema:property>
              </rdf:li>
            </rdf:Bag>
          </pdfaExtension:schemas>
        </rdf:Description>
        <rdf:Description xmlns:fx="${FX_NAMESPACE}" rdf:about="">
          <fx:DocumentType>INVOICE</fx:DocumentType>
          <fx:DocumentFileName>${FACTUR_X_FILE_NAME}</fx:DocumentFileName>
          <fx:Version>1.0</fx:Version>
          <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
        </rdf:Description>`;
}

/**
 * The CII a Factur-X of `document` carries, validated: its specification identifier (BT-24) is EN 16931's, whatever
 * the source file had. Pass it to {@link writeFacturX} to draw the PDF around a file written before.
 * @throws EInvoiceRefusedError `e_invoice.invalid`, with the fatal findings
 */
export function facturXXml(document: En16931Document): Promise<Buffer> {
  return writeConformingInvoice({ ...document, process: { ...document.process, specification: En16931.SPECIFICATION_IDENTIFIER } }, 'cii');
}

/**
 * A Factur-X / ZUGFeRD invoice (EN 16931 profile): the PDF for people, as PDF/A-3b (fonts embedded, sRGB output
 * intent, XMP metadata), carrying the document as UN/CEFACT CII in `factur-x.xml`, an associated file whose
 * relationship is `Alternative` (the XML is the same invoice, for machines), with the fx metadata Factur-X requires.
 *
 * Its metadata says the XML conforms to EN 16931, so it does: the XML's specification identifier (BT-24) is EN
 * 16931's, whatever the document had (a Peppol or XRechnung one, a Factur-X MINIMUM one), and a document the XML of
 * which breaks a rule is refused rather than handed out as a conforming invoice. There is no Factur-X of a voided
 * invoice (no `voided` option): its XML would be a payable invoice. `xml`, when given, is what {@link facturXXml} made
 * of this document (kept from an earlier writing): it is carried as it is.
 * @throws EInvoiceRefusedError `e_invoice.invalid`, with the fatal findings of the XML (e.g. a record without the
 * parties' postal addresses: BR-08, BR-10)
 */
export async function writeFacturX(document: En16931Document, options: Omit<InvoicePdfOptions, 'pdfA3' | 'voided'> = {}, xml?: Buffer): Promise<Buffer> {
  xml ??= await facturXXml(document);
  return renderInvoicePdf(document, {
    ...options,
    pdfA3: {
      files: [{ name: FACTUR_X_FILE_NAME, content: xml, mimeType: 'text/xml', description: 'Factur-X invoice (EN 16931, UN/CEFACT CII D16B)', relationship: 'Alternative' }],
      xmp: facturXXmp(),
    },
  });
}

/** Limits of {@link readFacturX}. */
export interface FacturXLimits {
  /**
   * Largest accepted PDF, largest accepted embedded XML, and most its object streams may inflate to, in bytes; default
   * `DEFAULT_MAX_BYTES` (32 MiB), the XML reader's limit.
   */
  readonly maxBytes?: number;
}

/**
 * The e-invoice XML a Factur-X, ZUGFeRD or XRechnung PDF carries, by its embedded file's name. Nothing is inflated
 * beyond the limit: a PDF that would (a decompression bomb) is refused as too large.
 * @throws FormatError `format.too_large` for a PDF, its embedded XML or its object streams beyond the limit;
 * `format.malformed` for bytes that are not a PDF, or a stream encoded otherwise than with FlateDecode alone;
 * `format.unknown_root` for a PDF without such a file
 */
export async function readFacturX(pdf: Uint8Array, limits: FacturXLimits = {}): Promise<{ readonly name: string; readonly xml: Buffer }> {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  if (pdf.byteLength > maxBytes) {
    throw new FormatError('format.too_large', `the PDF has ${pdf.byteLength} bytes, more than the ${maxBytes} accepted`, { size: pdf.byteLength, limit: maxBytes });
  }
  let file: PdfFile;
  try {
    file = await loadPdf(pdf, maxBytes);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError('format.malformed', `not a PDF: ${(error as Error).message}`);
  }
  let files: [string, PDFDict][];
  try {
    files = embeddedFiles(file);
  } catch (error) {
    // pdf-lib reads bytes that only start like a PDF (`%PDF-1.4` and nothing of one) as a file without a catalog.
    throw new FormatError('format.malformed', `not a PDF: ${(error as Error).message}`);
  }
  for (const [name, spec] of files) {
    if (!ACCEPTED_NAMES.test(name)) continue;
    const stream = spec.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'));
    if (stream instanceof PDFRawStream) return { name, xml: Buffer.from(decodeStream(stream, maxBytes)) };
  }
  throw new FormatError('format.unknown_root', 'the PDF carries no factur-x.xml, zugferd-invoice.xml or xrechnung.xml: it is not a Factur-X or ZUGFeRD invoice');
}

/**
 * The e-invoice XML of a file: UBL or CII as it is, or the XML a Factur-X, ZUGFeRD or XRechnung PDF carries.
 * @throws FormatError as {@link readFacturX} for a PDF without an e-invoice, or one beyond the limits
 */
export async function eInvoiceXmlOf(file: Buffer, limits: FacturXLimits = {}): Promise<Buffer> {
  return file.subarray(0, 5).toString('latin1') === '%PDF-' ? (await readFacturX(file, limits)).xml : file;
}

/** The PDF's embedded files by name: the catalog's `EmbeddedFiles` name tree, kids included. */
function embeddedFiles(file: PdfFile): [string, PDFDict][] {
  const found: [string, PDFDict][] = [];
  const names = file.catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const walk = (node: PDFDict | undefined, depth: number) => {
    if (!node || depth > 16) return;
    const pairs = node.lookupMaybe(PDFName.of('Names'), PDFArray);
    for (let index = 0; pairs && index + 1 < pairs.size(); index += 2) {
      const key = pairs.lookup(index);
      const spec = pairs.lookup(index + 1);
      if ((key instanceof PDFString || key instanceof PDFHexString) && spec instanceof PDFDict) found.push([key.decodeText(), spec]);
    }
    const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
    for (let index = 0; kids && index < kids.size(); index += 1) walk(kids.lookup(index, PDFDict), depth + 1);
  };
  walk(names, 0);
  return found;
}
