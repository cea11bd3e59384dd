/**
 * The XML layer of the e-invoice formats (ADR 0014): a safe reader with a light element tree and XPaths, the
 * binary-object cut, a writer, and `FormatError` with its `format.*` codes.
 * @packageDocumentation
 */
export { FormatError } from './format-error';
export type { FormatErrorCode } from './format-error';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ELEMENTS, NS, base64Of, child, children, detectSyntax, expectSyntax, readXml, attrOf, textOf, trimXmlSpace, xpathOf } from './xml-reader';
export type { XmlDocument, XmlElement, XmlLimits, XmlSyntax } from './xml-reader';
export { nonEmpty, xmlPath } from './path';
export type { XmlPath } from './path';
export { XmlWriter } from './xml-writer';
export type { XmlAttributes } from './xml-writer';
