import { describeLedgerContract } from '../contracts';
import { InMemoryLedger } from './in-memory-ledger';

describe('In-memory ledger', () => {
  const ledger = new InMemoryLedger();
  describeLedgerContract(() => ledger);
});
