/**
 * The portal's ASN and return (RMA) creation calls: `POST /api/portal/sites/:siteId/asns` and `…/returns` (client
 * admins and integration keys). The tenant is the signed-in client's, never named in the body.
 */
import { jsonCaller } from '../net/json-call.ts';
import { PortalApiError, type AsnView, type RmaView } from './portal-api.ts';
import type { AsnLineInput, ReturnLineInput } from './portal-forms.ts';

const call = jsonCaller(PortalApiError);
const site = (siteId: string): string => `/api/portal/sites/${encodeURIComponent(siteId)}`;

/** Announces goods on their way in; the answer is the stored ASN. */
export const createAsn = (siteId: string, body: { asnRef?: string; lines: readonly AsnLineInput[] }): Promise<AsnView> => call('POST', `${site(siteId)}/asns`, body);

/** Authorises a return of a despatched order's goods; the answer is the stored RMA. */
export const createReturn = (siteId: string, body: { rmaId?: string; orderId: string; lines: readonly ReturnLineInput[] }): Promise<RmaView> =>
  call('POST', `${site(siteId)}/returns`, body);
