// The EN 16931 semantic model and its business rules: pure, no XML (ADR 0014, ADR 0015).
export * from './model';
export { validateEn16931 } from './validate-en16931';
export { SPECIFICATION_IDENTIFIER, invoiceToEn16931 } from './from-invoice';
