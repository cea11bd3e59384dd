import { jestGlobals } from './jest-globals';
import type { InvoiceAdapters } from '../in-memory/in-memory-adapters';
import { describeCatalogueContracts } from './catalogue.contract';
import type { ContractTarget } from './contract-target';
import { describeInvoiceQueriesContract } from './invoice-queries.contract';
import { describeInvoiceContracts } from './invoice.contract';
import { describeLedgerContract } from './ledger.contract';
import { describeNumberSequenceContract } from './number-sequence.contract';
import { describeOutboxContract } from './outbox.contract';
import { describePartnerContracts } from './partner.contract';

export type { ContractTarget } from './contract-target';
export { describeAggregateRepository } from './aggregate-repository.contract';
export type { AggregateCases } from './aggregate-repository.contract';
export {
  describeCatalogueContracts,
  describeInvoiceContracts,
  describeInvoiceQueriesContract,
  describeLedgerContract,
  describeNumberSequenceContract,
  describeOutboxContract,
  describePartnerContracts,
};

/**
 * Runs the contract suite of every port of `@invoicing/invoice` against one adapter family.
 * Call it at the top level of a spec file: `describeInvoicePortContracts('MongoDB', { setUp, tearDown })`.
 */
export function describeInvoicePortContracts(name: string, target: ContractTarget): void {
  const { afterAll, beforeAll, describe } = jestGlobals();
  describe(`${name} adapters`, () => {
    let adapters: InvoiceAdapters | undefined;
    const current = (): InvoiceAdapters => {
      if (!adapters) throw new Error('the contract target was not set up');
      return adapters;
    };
    beforeAll(async () => {
      adapters = await target.setUp();
    });
    afterAll(async () => {
      await target.tearDown?.();
    });
    describePartnerContracts(current);
    describeCatalogueContracts(current);
    describeInvoiceContracts(current);
    describeNumberSequenceContract(current);
    describeOutboxContract(current);
    describeInvoiceQueriesContract(current);
  });
}
