/**
 * UN/CEFACT CII D16B (Factur-X/ZUGFeRD EN 16931 profile, XRechnung CII) ↔ the EN 16931 semantic model, by the CEN
 * binding EN 16931-3-3, and the XPath of a semantic pointer in a CII document (ADR 0014, ADR 0015).
 * @packageDocumentation
 */
export { readCii } from './cii-reader';
export { writeCii } from './cii-writer';
export { ciiXpath, locateCii } from './cii-locations';
