/** The discrete-event engine: event queue, virtual clock, simulation with seeded streams. */
export { EventQueue, type QueueEntry } from './event-queue.ts';
export { VirtualClock } from './virtual-clock.ts';
export { Simulation, deriveSeed, type EventHandler, type SimulationOptions } from './simulation.ts';
