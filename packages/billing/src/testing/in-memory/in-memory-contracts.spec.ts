import { describeBillingPortContracts } from '../contracts';
import { createInMemoryBillingAdapters } from './in-memory-billing';

// The in-memory adapters are the reference every other adapter's contract run is held to.
describeBillingPortContracts('In-memory', {
  setUp: async () => createInMemoryBillingAdapters(),
});
