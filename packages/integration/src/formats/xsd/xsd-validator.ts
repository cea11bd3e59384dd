/**
 * XSD validation of UBL 2.1 and CII D16B documents, in process, with libxml2-wasm (ADR 0014). The schemas are the ones
 * vendored beside this file (see README.md there); libxml2 reads them only from memory, through an input provider that
 * serves exactly those files. Nothing else is ever read: we never register libxml2-wasm's file-system provider, our
 * parses forbid external entities and the network, and the schemas libxml2 imports by itself come from that provider
 * only (none has a DOCTYPE; the spec checks).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorDetail, XmlDocument, XmlInputProvider, XsdValidator } from 'libxml2-wasm';
import { loadLibxml2, type Libxml2 } from './load-libxml2';

export type XsdKind = 'ubl-invoice' | 'ubl-credit-note' | 'cii';

/** One complaint of libxml2 about a document: its own message, and the line it points at when it gives one. */
export interface XsdFinding {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/**
 * The vendored schemas, from the package root: `tsc` copies no assets into dist/, and src/formats/xsd and
 * dist/formats/xsd are both three levels below it. package.json's `files` packs them (with their licences), so the
 * path holds in an installed package too; tools/scripts/packed-packages.spec.ts checks it.
 */
const SCHEMA_FOLDER = path.resolve(__dirname, '../../../src/formats/xsd');

/** The names libxml2 knows the schemas by: a scheme of ours, which no file-system provider would take for a path. */
const BASE_URL = 'vendored-xsd:/';

/** UBL names these only by namespace, so each wrapper imports them before the maindoc (as ADR 0013's driver does). */
const UBL_BY_NAMESPACE: ReadonlyArray<readonly [namespace: string, schema: string]> = [
  ['urn:un:unece:uncefact:data:specification:CoreComponentTypeSchemaModule:2', 'ubl21/imported/CCTS_CCT_SchemaModule.xsd'],
  ['http://www.w3.org/2000/09/xmldsig#', 'ubl21/imported/xmldsig-core-schema.xsd'],
  ['http://uri.etsi.org/01903/v1.3.2#', 'ubl21/imported/XAdES01903v132-201601.xsd'],
  ['http://uri.etsi.org/01903/v1.4.1#', 'ubl21/imported/XAdES01903v141-201601.xsd'],
];

const IMPORTS: Readonly<Record<XsdKind, ReadonlyArray<readonly [namespace: string, schema: string]>>> = {
  'ubl-invoice': [...UBL_BY_NAMESPACE, ['urn:oasis:names:specification:ubl:schema:xsd:Invoice-2', 'ubl21/maindoc/UBL-Invoice-2.1.xsd']],
  'ubl-credit-note': [...UBL_BY_NAMESPACE, ['urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2', 'ubl21/maindoc/UBL-CreditNote-2.1.xsd']],
  cii: [['urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100', 'cii-d16b/data/standard/CrossIndustryInvoice_100pD16B.xsd']],
};

/**
 * The schema libxml2 compiles for `kind`: only imports. CII needs none but gets one too, so that every schema component
 * lives in a document libxml2 loaded itself and frees with the schema, never in the one we dispose after compiling.
 */
function wrapperSchema(kind: XsdKind): string {
  const imports = IMPORTS[kind].map(([namespace, schema]) => `<xsd:import namespace="${namespace}" schemaLocation="${schema}"/>`);
  return `<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">${imports.join('')}</xsd:schema>`;
}

function readSchemas(folder: string, files = new Map<string, Uint8Array>()): Map<string, Uint8Array> {
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) readSchemas(file, files);
    else if (entry.name.endsWith('.xsd')) files.set(BASE_URL + path.relative(SCHEMA_FOLDER, file).split(path.sep).join('/'), fs.readFileSync(file));
  }
  return files;
}

/** Serves the vendored schemas, read from disk once, by their `vendored-xsd:/` name; any other name is not ours. */
function inMemoryProvider(schemas: ReadonlyMap<string, Uint8Array>): XmlInputProvider {
  const open = new Map<number, { readonly bytes: Uint8Array; read: number }>();
  let lastHandle = 0;
  return {
    match: (name) => schemas.has(name),
    open: (name) => {
      const bytes = schemas.get(name);
      if (!bytes) return undefined;
      open.set(++lastHandle, { bytes, read: 0 });
      return lastHandle;
    },
    read: (handle, buffer) => {
      const file = open.get(handle);
      if (!file) return -1;
      const chunk = file.bytes.subarray(file.read, file.read + buffer.length);
      buffer.set(chunk);
      file.read += chunk.length;
      return chunk.length;
    },
    close: (handle) => open.delete(handle),
  };
}

/**
 * NO_XXE: no external entity or DTD is loaded; NONET: nothing from the network; never NOENT, so no entity is
 * substituted. BIG_LINES: line numbers past 65,535 stay true instead of being capped.
 */
function parseOptions(libxml2: Libxml2): number {
  const { XML_PARSE_NO_XXE, XML_PARSE_NONET, XML_PARSE_BIG_LINES } = libxml2.ParseOption;
  return XML_PARSE_NO_XXE | XML_PARSE_NONET | XML_PARSE_BIG_LINES;
}

let providerRegistered = false;
const validators = new Map<XsdKind, XsdValidator>();

/** The compiled schema of `kind`, compiled on first use and kept for the life of the process. */
function validatorFor(libxml2: Libxml2, kind: XsdKind): XsdValidator {
  const cached = validators.get(kind);
  if (cached) return cached;
  if (!providerRegistered) {
    if (!libxml2.xmlRegisterInputProvider(inMemoryProvider(readSchemas(SCHEMA_FOLDER)))) throw new Error('libxml2 refused the in-memory XSD input provider');
    providerRegistered = true;
  }
  const wrapper = libxml2.XmlDocument.fromString(wrapperSchema(kind), { url: `${BASE_URL}${kind}.xsd`, option: parseOptions(libxml2) });
  try {
    const validator = libxml2.XsdValidator.fromDoc(wrapper);
    validators.set(kind, validator);
    return validator;
  } finally {
    wrapper.dispose();
  }
}

function findingsOf(details: readonly ErrorDetail[]): XsdFinding[] {
  // libxml2 gives 0 for a position it does not know (validation errors have no column).
  return details.map(({ message, line, col }) => ({ message: message.trim(), ...(line > 0 && { line }), ...(col > 0 && { column: col }) }));
}

/**
 * Checks `bytes` against the UBL Invoice, UBL CreditNote or CII schema. An empty array means valid. Bytes that are not
 * well-formed give libxml2's parse errors, and a document libxml2 cannot validate at all (an unexpanded entity
 * reference) gives one finding that says so: never an empty array for a document that was not checked.
 */
export async function validateXsd(bytes: Uint8Array, kind: XsdKind): Promise<XsdFinding[]> {
  const libxml2 = await loadLibxml2();
  const validator = validatorFor(libxml2, kind);
  let document: XmlDocument;
  try {
    document = libxml2.XmlDocument.fromBuffer(bytes, { option: parseOptions(libxml2) });
  } catch (error) {
    if (error instanceof libxml2.XmlParseError) return findingsOf(error.details);
    throw error;
  }
  try {
    validator.validate(document);
    return [];
  } catch (error) {
    if (error instanceof libxml2.XmlValidateError) return findingsOf(error.details);
    if (error instanceof libxml2.XmlError) return [{ message: `libxml2 could not validate the document: ${error.message}` }];
    throw error;
  } finally {
    document.dispose();
  }
}
