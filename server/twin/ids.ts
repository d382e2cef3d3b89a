/** Branded identifiers and units shared by the twin core, solver and adapters. */

declare const brand: unique symbol;
/** A string or number that the type system keeps apart from others of the same base type. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type SiteId = Brand<string, 'SiteId'>;
/** A 3PL client (the owner of stock and orders). */
export type TenantId = Brand<string, 'TenantId'>;
export type LocationId = Brand<string, 'LocationId'>;
export type SkuId = Brand<string, 'SkuId'>;
export type OrderId = Brand<string, 'OrderId'>;
export type TaskId = Brand<string, 'TaskId'>;
export type OperativeId = Brand<string, 'OperativeId'>;

/** Length on the warehouse floor, in metres. */
export type Metres = Brand<number, 'Metres'>;
/** Milliseconds since the Unix epoch, from an injected clock (never read from the ambient clock in the core). */
export type EpochMs = Brand<number, 'EpochMs'>;

/** A point on the floor plan: x across the aisles, y along them, metres. Floor coordinates, not scene coordinates. */
export interface FloorPoint {
  readonly x: number;
  readonly y: number;
}

export const asSiteId = (s: string): SiteId => s as SiteId;
export const asTenantId = (s: string): TenantId => s as TenantId;
export const asLocationId = (s: string): LocationId => s as LocationId;
export const asSkuId = (s: string): SkuId => s as SkuId;
export const asOrderId = (s: string): OrderId => s as OrderId;
export const asTaskId = (s: string): TaskId => s as TaskId;
export const asOperativeId = (s: string): OperativeId => s as OperativeId;
export const metres = (n: number): Metres => n as Metres;
export const epochMs = (n: number): EpochMs => n as EpochMs;
