// UBL 2.1 (Invoice, CreditNote) ↔ the EN 16931 semantic model, by the CEN binding EN 16931-3-2.
export { readUbl } from './ubl-reader';
export { writeUbl } from './ubl-writer';
export { locateUbl } from './ubl-locations';
