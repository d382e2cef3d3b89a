import { MemoryEventStore } from './event-store.memory.ts';
import { eventStoreContract } from './event-store.contract.ts';

eventStoreContract('memory', () => Promise.resolve(new MemoryEventStore()));
