/**
 * @invoicing/en16931-official: the official EN 16931 validator (CEN schematron 1.3.16 compiled to XSLT, the UBL 2.1
 * and CII D16B XSDs) run from Node, one JVM per batch: the test oracle of issue 14. See tools/en16931-official/README.md.
 */
export {
  ARTIFACTS,
  SCHEMATRON_RELEASE,
  provisionOfficialValidator,
  requireJava,
  type OfficialSyntax,
  type OfficialValidatorFiles,
} from './provision';
export { validateOfficially, fatalRuleIds, OfficialValidatorError, type OfficialDocument, type OfficialReport, type OfficialValidatorErrorCode } from './validate';
export { detectSyntax, parseSvrl, decodeXmlText, type OfficialFinding } from './svrl';
export { readZipEntry, readZipEntries } from './zip';
