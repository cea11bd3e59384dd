// The EN 16931 semantic model and its business rules: pure, no XML (ADR 0014, ADR 0015).
export * from './model';
export { validateEn16931, type ValidateEn16931Options } from './validate-en16931';
export type { En16931Syntax } from './rules/rule';
// The code lists a syntax adapter checks on the file itself: BR-CL-01 by UBL root, BR-CL-06 and BR-CL-16 on every
// element; BR-CL-03 (`currencyID`, which the model does not keep); BR-CL-08/14/15 where CII writes a code the model
// does not read.
export {
  ISO_3166_CII,
  ISO_4217,
  UNTDID_1001,
  UNTDID_1001_UBL_CREDIT_NOTE,
  UNTDID_1001_UBL_INVOICE,
  UNTDID_2005_TAX_POINT,
  UNTDID_2475_TAX_POINT,
  UNTDID_4451_CII,
  UNTDID_4461,
} from './rules/code-list-values';
export { isListed } from './rules/code-lists';
export { SPECIFICATION_IDENTIFIER, assertEn16931Currency, invoiceToEn16931 } from './from-invoice';
