/**
 * Wire shape of the KPI panels (`site:kpis` every 2 s to the floor room, and `GET /api/sites/:siteId/kpis`).
 * Every time is twin time (the site clock, which may run faster than the wall clock in the demo), epoch milliseconds.
 */

/** Length of one KPI bucket: an hour of twin time, aligned to UTC hours. */
export const KPI_BUCKET_MS = 3_600_000;
/** Buckets kept and sent: the current hour and the 23 before it. */
export const KPI_BUCKETS = 24;
/** An open order due within this many milliseconds is "at risk" of missing its carrier cut-off. */
export const CUTOFF_AT_RISK_MS = 30 * 60_000;

/** What happened within one hour of twin time. */
export interface KpiHourView {
  /** Start of the hour (inclusive), epoch ms. */
  readonly hourStart: number;
  /** Orders created (OrderCreated) in the hour. */
  readonly ordersReceived: number;
  /** Orders whose every task was done (OrderPicked) in the hour. */
  readonly ordersPicked: number;
  /** Orders despatched (OrderDespatched) in the hour. */
  readonly ordersDespatched: number;
  /** Pick tasks completed by an operative (PickConfirmed + PickShorted) in the hour. */
  readonly picks: number;
  /** Operative time signed on within the hour, hours (two pickers for the whole hour = 2). */
  readonly pickerHours: number;
  /** `picks / pickerHours`; null when nobody was signed on. */
  readonly picksPerPickerHour: number | null;
  /** Median created → despatched time of the orders despatched in the hour, ms; null when none. */
  readonly leadTimeMedianMs: number | null;
  /** 90th percentile (nearest rank) of the same, ms; null when none. */
  readonly leadTimeP90Ms: number | null;
  /** Handheld scans that reached the twin and were accepted. */
  readonly scansAccepted: number;
  /** Handheld scans refused as the wrong location or the wrong item. */
  readonly scansRefused: number;
  /** `scansAccepted / (scansAccepted + scansRefused)`, 0..1; null when no scans. */
  readonly accuracy: number | null;
}

/** Totals over the whole window of {@link KpiView.hours}: the hourly figures without the hour (lead time over every
 * order despatched in the window). */
export type KpiTotalsView = Omit<KpiHourView, 'hourStart'>;

/** An open order close to (or past) its cut-off. */
export interface CutoffOrderView {
  readonly orderId: string;
  /** Carrier cut-off, epoch ms. */
  readonly dueAt: number;
}

/**
 * Carrier cut-off status of the orders with a `dueAt` (not cancelled): despatched orders whose cut-off lies in the
 * KPI window, and every order not yet despatched. The four counts are disjoint.
 */
export interface CutoffStatusView {
  /** Despatched at or before the cut-off. */
  readonly onTime: number;
  /** Despatched after the cut-off, or not despatched and the cut-off has passed. */
  readonly late: number;
  /** Of `late`: not despatched yet and past the cut-off (missed, still on the floor). */
  readonly overdue: number;
  /** Not despatched and due within {@link CUTOFF_AT_RISK_MS}. */
  readonly atRisk: number;
  /** Not despatched and due later than that. */
  readonly open: number;
  /** The at-risk and overdue orders, earliest cut-off first (at most 10). */
  readonly urgent: readonly CutoffOrderView[];
}

/** The KPI panels' data for one site. */
export interface KpiView {
  readonly siteId: string;
  /** Twin time the view was computed at, epoch ms. */
  readonly at: number;
  /** Seq of the last durable event counted. */
  readonly seq: number;
  /**
   * Twin time from which events were counted: the first event of the log when the feed replayed it, otherwise the
   * time the feed started. Hours before it are empty because they were not observed, not because nothing happened.
   */
  readonly countingSince: number;
  /** {@link KPI_BUCKETS} consecutive hours, oldest first; the last is the current (partial) hour. */
  readonly hours: readonly KpiHourView[];
  readonly totals: KpiTotalsView;
  readonly cutoff: CutoffStatusView;
}
