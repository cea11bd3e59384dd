import { describeInvoicePortContracts } from '../contracts';
import { createInMemoryAdapters } from './in-memory-adapters';

describeInvoicePortContracts('In-memory', { setUp: async () => createInMemoryAdapters() });
