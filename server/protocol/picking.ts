/**
 * Wire shapes of handheld picking over Socket.IO: sign on / off, ask for the next pick, and send scans. A scan carries
 * the device's id and a scan id unique on that device, so a resend after a lost ack is recognised and not applied
 * twice. Every request is answered by an ack; a refused scan records nothing.
 */
import { z } from 'zod';
import type { WireError } from './socket.ts';

/** One pick task as the handheld shows it. */
export interface PickTaskView {
  readonly taskId: string;
  readonly orderId: string;
  readonly locationId: string;
  readonly skuId: string;
  readonly skuDescription: string;
  /** The item barcode the picker scans (GTIN or internal); a GS1 element string with (01) of it is accepted too. */
  readonly barcode: string;
  /** Units to pick. */
  readonly qty: number;
  /** Lot to pick; '' when the SKU is not lot-tracked. */
  readonly lot: string;
  /** Expiry `YYYY-MM-DD` of the lot, or null. */
  readonly expiry: string | null;
  /**
   * True when the SKU carries a serial per unit (twin R78): the scan then names one distinct serial per unit picked
   * (`serials`). Absent in views a handheld stored before this field existed: read it as false.
   */
  readonly serialTracked: boolean;
}

/**
 * What the operative is to pick next: `pick` is the first of `tasks`, the open assigned tasks in route order
 * (assignment order before a route is planned). The handheld keeps `tasks` so it can carry on while offline.
 */
export interface NextPickView {
  readonly siteId: string;
  readonly operativeId: string;
  /** Twin seq the view was read at. */
  readonly seq: number;
  readonly pick: PickTaskView | null;
  readonly tasks: readonly PickTaskView[];
  /** Open tasks left, including `pick`. */
  readonly remaining: number;
}

/** Bounds shared by the schemas below. */
const Id = z.string().min(1).max(200);
/** A scanned code: the longest GS1 element strings stay well under this. */
const Code = z.string().min(1).max(256);

/** Edge validation of `picker:signOn`. `name` defaults to the operative id. */
export const SignOnRequestSchema = z
  .object({
    siteId: Id, operativeId: Id, deviceId: Id, name: z.string().min(1).max(100).optional(),
    /** Zones the operative may work in (R67; none = all) and skills they hold, for push assignment. */
    zones: z.array(z.string().min(1).max(64)).max(50).optional(),
    skills: z.array(z.string().min(1).max(64)).max(50).optional(),
  })
  .strict();
export type SignOnRequest = z.infer<typeof SignOnRequestSchema>;

/** Edge validation of `picker:signOff`. */
export const SignOffRequestSchema = z.object({ siteId: Id, operativeId: Id, deviceId: Id }).strict();
export type SignOffRequest = z.infer<typeof SignOffRequestSchema>;

/**
 * Edge validation of `picker:next`. `askForWork` (default true): when the operative has nothing open, ask the twin
 * for work; false only reads (a handheld refreshing after a route push).
 */
export const NextPickRequestSchema = z
  .object({ siteId: Id, operativeId: Id, deviceId: Id.optional(), askForWork: z.boolean().optional() })
  .strict();
export type NextPickRequest = z.infer<typeof NextPickRequestSchema>;

const ScanBase = { siteId: Id, operativeId: Id, deviceId: Id, scanId: Id, taskId: Id };

/**
 * Serials scanned on a pick of a serial-tracked SKU (R78): one per unit picked (`qty` of a confirm, `foundQty` of a
 * short), distinct. Optional, so older handhelds keep working: the twin refuses a serial-tracked pick without them
 * (`SERIAL_REQUIRED`) and checks each is in stock here (`UNKNOWN_SERIAL`) and is serial text (`INVALID_SCAN`).
 */
const Serials = z.array(Code).max(10_000);

/**
 * Edge validation of `picker:scan`: `confirm` = the location then the item were scanned and `qty` (the task's whole
 * quantity) picked; `short` = only `foundQty` units were there (0 … qty − 1). The scans of a short are optional.
 * `serials`, when given, must be distinct and one per unit (`qty`, or `foundQty` of a short); a list that is not is
 * answered with the twin's code for it (`DUPLICATE_SERIAL`, `SERIAL_REQUIRED`, see {@link serialIssueCode}).
 */
export const ScanRequestSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        ...ScanBase,
        kind: z.literal('confirm'),
        scannedLocation: Code,
        scannedItem: Code,
        qty: z.number().int().positive().max(1_000_000),
        serials: Serials.optional(),
      })
      .strict(),
    z
      .object({
        ...ScanBase,
        kind: z.literal('short'),
        scannedLocation: Code.optional(),
        scannedItem: Code.optional(),
        foundQty: z.number().int().nonnegative().max(1_000_000),
        serials: Serials.optional(),
      })
      .strict(),
  ])
  .superRefine((scan, ctx) => {
    if (scan.serials === undefined) return;
    const units = scan.kind === 'confirm' ? scan.qty : scan.foundQty;
    const seen = new Set<string>();
    for (const [i, serial] of scan.serials.entries()) {
      if (seen.has(serial)) {
        ctx.addIssue({ code: 'custom', path: ['serials', i], message: `serial ${serial} scanned twice`, params: { code: 'DUPLICATE_SERIAL', serial } });
        return;
      }
      seen.add(serial);
    }
    if (scan.serials.length !== units) {
      ctx.addIssue({
        code: 'custom',
        path: ['serials'],
        message: `scan one serial per unit (${units}), got ${scan.serials.length}`,
        params: { code: 'SERIAL_REQUIRED', qty: units, serials: scan.serials.length },
      });
    }
  });

/**
 * The twin's code for a `serials` list the schema refused (duplicate, or not one per unit), so the handheld sees the
 * same code whether the edge or the core caught it; null when the refusal is about something else (a BAD_REQUEST).
 */
export function serialIssueCode(error: z.ZodError): { code: 'DUPLICATE_SERIAL' | 'SERIAL_REQUIRED'; message: string; details: Record<string, unknown> } | null {
  if (error.issues.length !== 1) return null;
  const issue = error.issues[0];
  if (issue?.code !== 'custom') return null;
  const params = (issue as { params?: Record<string, unknown> }).params;
  const code = params?.['code'];
  if (code !== 'DUPLICATE_SERIAL' && code !== 'SERIAL_REQUIRED') return null;
  const { code: _code, ...details } = params ?? {};
  return { code, message: issue.message, details };
}
export type ScanRequest = z.infer<typeof ScanRequestSchema>;

/** A refused request: nothing was recorded. */
export interface PickingFailure {
  readonly ok: false;
  readonly error: WireError;
}

export type SignOnResult = { readonly ok: true; readonly seq: number; readonly resumed: boolean } | PickingFailure;
export type SignOffResult = { readonly ok: true; readonly seq: number } | PickingFailure;
export type NextPickResult = { readonly ok: true; readonly seq: number; readonly next: NextPickView } | PickingFailure;
/** `duplicate`: the scan had been applied before (a resend); nothing new was recorded. */
export type ScanResult =
  | { readonly ok: true; readonly seq: number; readonly duplicate: boolean; readonly next: NextPickView }
  | PickingFailure;

/**
 * Codes of {@link WireError} a picking request may be answered with: the transport ones below plus the twin's domain
 * codes (WRONG_LOCATION_SCANNED, WRONG_ITEM_SCANNED, TASK_NOT_ASSIGNED, TASK_DONE, INVALID_QUANTITY,
 * OPERATIVE_NOT_SIGNED_ON, UNKNOWN_TASK, LOT_REQUIRED, SERIAL_REQUIRED, DUPLICATE_SERIAL, UNKNOWN_SERIAL, INVALID_SCAN …), which are final: resending the same scan gives the same answer.
 */
export type PickingTransportErrorCode = 'BAD_REQUEST' | 'UNKNOWN_SITE' | 'UNAVAILABLE' | 'INTERNAL';

