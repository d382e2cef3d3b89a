/** Shared edge validation: ids, paging, and resolving the site named in the path. */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { SiteRunner } from '../site/site-runner.ts';
import { sendError, sendValidationError } from './http-error.ts';
import type { SiteRegistry } from './sites.ts';

/** Ids are short printable tokens; anything else is rejected at the edge. */
export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._:#-]*$/, 'must be 1-64 characters: letters, digits, . _ : # -');
export const Quantity = z.number().int('must be a whole number of units').positive('must be at least 1').max(1_000_000);
export const Limit = z.coerce.number().int().min(1).max(1000).default(100);
export const Offset = z.coerce.number().int().min(0).max(10_000_000).default(0);

/** Finds the site in `req.params.siteId`, or answers 404 and returns undefined. */
export function siteFrom(sites: SiteRegistry, req: Request, res: Response): SiteRunner | undefined {
  const parsed = Id.safeParse(req.params['siteId']);
  if (!parsed.success) {
    sendValidationError(res, parsed.error, 'path');
    return undefined;
  }
  const site = sites.get(parsed.data);
  if (!site) sendError(res, 404, 'UNKNOWN_SITE', `no site '${parsed.data}'`, { siteId: parsed.data });
  return site;
}

/** Parses `input` with `schema`, or answers 400 naming the fields and returns undefined. */
export function parseOr400<T>(schema: z.ZodType<T>, input: unknown, res: Response, where: 'body' | 'query' | 'path'): T | undefined {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    sendValidationError(res, parsed.error, where);
    return undefined;
  }
  return parsed.data;
}
