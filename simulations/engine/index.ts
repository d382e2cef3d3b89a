/** The discrete-event engine: event list (heap, or its array-scanned peer), virtual clock, simulation with seeded streams. */
export { EventQueue } from './event-queue.ts';
export { ArrayEventList } from './array-event-list.ts';
export type { EventList, EventListKind, QueueEntry } from './event-list.ts';
export { VirtualClock } from './virtual-clock.ts';
export { Simulation, createEventList, deriveSeed, type EventHandler, type SimulationOptions } from './simulation.ts';
