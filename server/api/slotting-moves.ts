/**
 * A slotting plan's moves as real stock moves: each plan entry becomes `moveStock` commands decided and applied on a
 * twin state (a fork for the simulator, or a fork whose accepted commands the live site then runs). A swap goes via an
 * empty buffer location (locations never mix SKUs). A move that no longer fits is undone on the state and skipped with
 * the twin's reason.
 */
import type { SlotMove } from '../../solver/slotting/move-plan.ts';
import type { MoveStock } from '../twin/commands.ts';
import type { LocationId, SkuId } from '../twin/ids.ts';
import type { TwinState } from '../twin/state.ts';
import { applyEvents, decide } from '../twin/twin.ts';

export interface AppliedSlotMove {
  /** Index of the move in the plan. */
  readonly index: number;
  readonly move: SlotMove;
  /** The stock moves that carry it out, in order. */
  readonly commands: readonly MoveStock[];
}

export interface SkippedSlotMove {
  readonly index: number;
  readonly move: SlotMove;
  readonly code: string;
  readonly reason: string;
}

export interface SlotMovesOutcome {
  readonly applied: AppliedSlotMove[];
  readonly skipped: SkippedSlotMove[];
}

/** Commands moving every unit of `sku` in `from` to `to` (one per tenant and lot, by quant key). */
function moveAll(state: TwinState, sku: SkuId, from: LocationId, to: LocationId): MoveStock[] {
  const quants = [...(state.quantsByLocation.get(from) ?? [])]
    .map((key) => state.quants.get(key))
    .filter((q) => q !== undefined && q.skuId === sku && q.onHand > 0)
    .sort((a, b) => (a!.key < b!.key ? -1 : 1));
  return quants.map((q) => ({ type: 'moveStock', tenantId: q!.tenantId, skuId: sku, lot: q!.lot, fromLocationId: from, toLocationId: to, qty: q!.onHand }));
}

/** The first empty location (layout order) other than `not` that holds `units`. */
function bufferFor(state: TwinState, units: number, not: readonly LocationId[]): LocationId | null {
  for (const location of state.site.layout.locations) {
    if (location.capacityUnits < units || not.includes(location.id)) continue;
    if ((state.quantsByLocation.get(location.id)?.size ?? 0) === 0) return location.id;
  }
  return null;
}

const reverse = (c: MoveStock): MoveStock => ({ ...c, fromLocationId: c.toLocationId, toLocationId: c.fromLocationId });

/** Decides and applies `commands` in order on `state`; on a refusal undoes those applied and answers the refusal. */
function applyAll(state: TwinState, commands: readonly MoveStock[]): { code: string; reason: string } | null {
  const done: MoveStock[] = [];
  for (const command of commands) {
    const decision = decide(state, command, { now: state.now });
    if (!decision.ok) {
      for (const undo of done.reverse().map(reverse)) {
        const back = decide(state, undo, { now: state.now });
        if (!back.ok) throw new Error(`slotting: cannot undo a stock move: ${back.error.message}`);
        applyEvents(state, back.events);
      }
      return { code: decision.error.code, reason: decision.error.message };
    }
    applyEvents(state, decision.events);
    done.push(command);
  }
  return null;
}

/** The stock moves of one plan entry on `state` as it is now, or why there are none. */
function commandsFor(state: TwinState, move: SlotMove): MoveStock[] | { code: string; reason: string } {
  const there = moveAll(state, move.sku, move.from, move.to);
  if (there.length === 0) return { code: 'NOTHING_TO_MOVE', reason: `${move.from} no longer holds ${move.sku}` };
  if (move.kind === 'relocate') return there;
  const swapped = move.swappedSku;
  const back = swapped === undefined ? [] : moveAll(state, swapped, move.to, move.from);
  if (back.length === 0) return { code: 'NOTHING_TO_MOVE', reason: `${move.to} no longer holds ${swapped ?? 'the swapped SKU'}` };
  const units = there.reduce((n, c) => n + c.qty, 0);
  const buffer = bufferFor(state, units, [move.from, move.to]);
  if (buffer === null) return { code: 'NO_BUFFER', reason: `no empty location holds ${units} units of ${move.sku} during the swap` };
  // Out to the buffer, the other SKU across, then in from the buffer.
  return [...there.map((c) => ({ ...c, toLocationId: buffer })), ...back, ...there.map((c) => ({ ...c, fromLocationId: buffer }))];
}

/** Applies `moves` (plan indexes from `firstIndex`) to `state` as stock moves; those that no longer fit are skipped. */
export function applySlotMoves(state: TwinState, moves: readonly SlotMove[], firstIndex = 0): SlotMovesOutcome {
  const applied: AppliedSlotMove[] = [];
  const skipped: SkippedSlotMove[] = [];
  for (const [i, move] of moves.entries()) {
    const index = firstIndex + i;
    const commands = commandsFor(state, move);
    const refusal = Array.isArray(commands) ? applyAll(state, commands) : commands;
    if (refusal === null && Array.isArray(commands)) applied.push({ index, move, commands });
    else if (refusal !== null) skipped.push({ index, move, ...refusal });
  }
  return { applied, skipped };
}
