/**
 * Wire shapes of move tasks (put-away, replenishment, reslotting, restock), pick faces and put-away suggestions over
 * HTTP (`/api/sites/:site/move-tasks…`, `/pick-faces…`, `/replenishment/plan`, `/expiry-alerts`). The schemas are the
 * routes' edge validation; the handheld pages build their requests from the same types.
 */
import { z } from 'zod';
import { SerialsSchema } from './serials.ts';

/** What a move task does: dock → bin, reserve → pick face, bin → bin (slotting), returns desk → bin. */
export const MOVE_TASK_KINDS = ['putaway', 'replenish', 'reslot', 'restock'] as const;
export type MoveTaskKindWire = (typeof MOVE_TASK_KINDS)[number];
export const MOVE_TASK_STATUSES = ['open', 'assigned', 'done', 'cancelled'] as const;

/** A move task as the API and the handheld show it; times ISO 8601, labels are the location ids. */
export interface MoveTaskView {
  readonly id: string;
  readonly kind: MoveTaskKindWire;
  readonly tenantId: string;
  readonly skuId: string;
  readonly skuName: string;
  /** True when the SKU carries one serial per unit: completion scans one serial per unit moved (twin R80). */
  readonly serialTracked?: boolean;
  /** '' when the SKU is not lot-tracked. */
  readonly lot: string;
  readonly expiry: string | null;
  /** Units committed at the source while open. */
  readonly qty: number;
  readonly fromLocationId: string;
  readonly fromLabel: string;
  readonly suggestedToLocationId: string | null;
  /** Where the stock went (set when done). */
  readonly toLocationId: string | null;
  /** Label of the actual target when done, else of the suggestion (null when there is none). */
  readonly toLabel: string | null;
  readonly priority: number;
  readonly status: (typeof MOVE_TASK_STATUSES)[number];
  readonly operativeId: string | null;
  readonly createdAt: string;
  readonly doneAt: string | null;
  /** Units moved when done (fewer than `qty` for a short move). */
  readonly movedQty: number | null;
  /** Why the operative put it elsewhere than suggested. */
  readonly overrideReason: string | null;
  /** Why the task exists ('min 10, on hand 3', 'put-away of receipt …'). */
  readonly reason: string | null;
  readonly cancelReason: string | null;
}

/** Why a put-away target was suggested: routed round trip from the dock, and its rank among the candidates. */
export interface PutawaySuggestionView {
  readonly locationId: string;
  /** `top-up`: holds this SKU, lot and client already; `empty`: holds nothing. */
  readonly kind: 'top-up' | 'empty';
  /** Units of the dock line that fit there (units, cube, weight). */
  readonly fits: number;
  readonly travelM: number;
  /** Lower is better. */
  readonly score: number;
}

/** A pick face with its level now. */
export interface PickFaceView {
  readonly locationId: string;
  readonly tenantId: string;
  readonly skuId: string;
  readonly skuName: string;
  readonly min: number;
  readonly max: number;
  readonly onHand: number;
  /** Units on their way in by open replenish (or other) move tasks. */
  readonly incoming: number;
  /** On hand + incoming below min. */
  readonly belowMin: boolean;
}

const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._:#-]*$/, 'must be 1-64 characters: letters, digits, . _ : # -');
const TaskId = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._:#-]*$/, 'must be 1-128 characters: letters, digits, . _ : # -');
const Units = z.number().int('must be a whole number of units').positive('must be at least 1').max(1_000_000);
const Reason = z.string().trim().min(1, 'must not be empty').max(200);
const Lot = z.string().trim().min(1).max(64);
const Scan = z.string().trim().min(1, 'must not be empty').max(200);
const Kind = z.enum(MOVE_TASK_KINDS);

/** `GET /move-tasks` query. */
export const ListMoveTasksQuerySchema = z
  .object({
    status: z.enum(MOVE_TASK_STATUSES).optional(),
    kind: Kind.optional(),
    operativeId: Id.optional(),
    tenantId: Id.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

/** Where planned put-away takes stock from: the receiving dock (`putaway` tasks) or the returns desk (`restock` tasks). */
export const PUTAWAY_SOURCES = ['dock', 'returns'] as const;

/**
 * `POST /move-tasks/putaway`: put-away tasks for the free stock of the dock or the returns desk (units graded for
 * restock; held ones stay), all of it or the lines matching the filters.
 */
export const PutawayRequestSchema = z
  .object({
    receiptLocation: z.enum(PUTAWAY_SOURCES).default('dock'),
    tenantId: Id.optional(),
    skuId: Id.optional(),
    lot: Lot.optional(),
    /** At most this many units (of the first matching line); default every free unit. */
    qty: Units.optional(),
  })
  .strict();
export type PutawayRequest = z.input<typeof PutawayRequestSchema>;

/** `POST /move-tasks`: one task by hand. */
export const CreateMoveTaskRequestSchema = z
  .object({
    kind: Kind,
    taskId: TaskId.optional(),
    tenantId: Id,
    skuId: Id,
    lot: Lot.optional(),
    fromLocationId: Id,
    toLocationId: Id.optional(),
    qty: Units,
    priority: z.number().int().min(-1000).max(1000).optional(),
    reason: Reason.optional(),
  })
  .strict();
export type CreateMoveTaskRequest = z.input<typeof CreateMoveTaskRequestSchema>;

/** `POST /move-tasks/next`. */
export const NextMoveTaskRequestSchema = z.object({ operativeId: Id, kinds: z.array(Kind).min(1).max(4).optional() }).strict();
export type NextMoveTaskRequest = z.input<typeof NextMoveTaskRequestSchema>;

/** `POST /move-tasks/:taskId/complete`: the two scans; `qty` below the task's is a short move. */
export const CompleteMoveTaskRequestSchema = z
  .object({
    operativeId: Id,
    fromScan: Scan,
    toScan: Scan,
    qty: z.number().int('must be a whole number of units').min(0).max(1_000_000).optional(),
    overrideReason: Reason.optional(),
    scanId: z.string().trim().min(1).max(128),
    /** One serial per unit moved, for a serial-tracked SKU (twin R80). */
    serials: SerialsSchema.optional(),
  })
  .strict();
export type CompleteMoveTaskRequest = z.input<typeof CompleteMoveTaskRequestSchema>;

/** `POST /move-tasks/:taskId/cancel`. */
export const CancelMoveTaskRequestSchema = z.object({ reason: Reason }).strict();

/** `PUT /pick-faces/:locationId`. */
export const SetPickFaceRequestSchema = z
  .object({ tenantId: Id, skuId: Id, min: z.number().int('must be a whole number').min(0).max(1_000_000), max: Units })
  .strict()
  .refine((b) => b.max > b.min, { message: 'max must be greater than min', path: ['max'] });
export type SetPickFaceRequest = z.input<typeof SetPickFaceRequestSchema>;

/** `GET /expiry-alerts` query: lots expiring within `withinDays` of `asOf` (default the twin's today). */
export const ExpiryAlertsQuerySchema = z
  .object({
    withinDays: z.coerce.number().int().min(0).max(3650).default(30),
    asOf: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a date YYYY-MM-DD').optional(),
    tenantId: Id.optional(),
  })
  .strict();
