/**
 * Transfer steps between sites decided by different processes (twin SPEC R74, R76; issue 10's leases). The relay of the
 * source's owner asks the destination's owner what it knows of some transfers (`transfer:inbound`) and submits the
 * expectation there (`transfer:submit`), over the Socket.IO Redis adapter (`askOtherServers`). The process deciding the
 * site answers from its own runner; the others answer null; nobody answering means the site is moving (the relay retries
 * on its timer).
 *
 * The channel carries transfer steps only: `expectTransfer` and `confirmTransferReceipt`, each checked field by field
 * here before the twin checks it again (R74, R76). Any other command, or a malformed one, is refused by every process
 * with INVALID_STATE and runs nowhere — the Redis channel is not a way to submit arbitrary commands. Each step is
 * idempotent by transfer id, so a duplicate (a retry after a lost answer, two relays) is acknowledged with no events.
 */
import { z } from 'zod';
import { answerOtherServers, askOtherServers, type FloorServer, type RealtimeLog } from '../realtime/socket-server.ts';
import type { SubmitResult } from '../site/site-runner.ts';
import { inboundSummaries, type InboundTransferSummary, type RemoteTransferSites, type TransferSite, type TransferStepCommand } from '../site/transfers.ts';
import { domainError } from '../twin/errors.ts';
import type { SkuId, TenantId } from '../twin/ids.ts';

/** Submits one transfer step to the process deciding the site. */
export const TRANSFER_SUBMIT_EVENT = 'transfer:submit';
/** Asks the process deciding the site what it knows of some inbound transfers. */
export const TRANSFER_INBOUND_EVENT = 'transfer:inbound';
/** Transfer ids per `transfer:inbound` question; more are asked in several questions. */
export const MAX_IDS_PER_QUESTION = 500;

// Shapes only, bounded generously: the twin checks the values (R74, R76) and answers its own codes.
const Text = z.string().min(1).max(256);
const Count = z.number().int().min(0);
const ExpectTransferStep = z.strictObject({
  type: z.literal('expectTransfer'),
  transferId: Text,
  fromSiteId: Text,
  lines: z
    .array(
      z.strictObject({
        lineNo: z.number().int().min(1),
        tenantId: Text,
        skuId: Text,
        lot: z.string().max(256),
        expiry: z.string().max(64).nullable(),
        qty: Count,
        serials: z.array(z.string().max(256)),
      }),
    )
    .max(1_000),
});
const ConfirmReceiptStep = z.strictObject({
  type: z.literal('confirmTransferReceipt'),
  transferId: Text,
  lines: z.array(z.strictObject({ lineNo: z.number().int().min(1), receivedQty: Count, damagedQty: Count })).max(1_000),
  reason: z.string().max(1_000).nullable(),
});
const SubmitRequest = z.strictObject({ siteId: Text, command: z.discriminatedUnion('type', [ExpectTransferStep, ConfirmReceiptStep]) });
const InboundQuestion = z.strictObject({ siteId: Text, transferIds: z.array(Text).min(1).max(MAX_IDS_PER_QUESTION) });

/** The sites this process decides now (main.ts's registry: a closing site has left it already). */
export interface LocalSites {
  get(siteId: string): TransferSite | undefined;
}

/** The command of a `transfer:submit` request, or why it is refused (anything but a well-formed transfer step). */
export function parseSubmitRequest(payload: unknown): { ok: true; siteId: string; command: TransferStepCommand } | { ok: false; message: string } {
  const parsed = SubmitRequest.safeParse(payload);
  if (!parsed.success) {
    const type = (payload as { command?: { type?: unknown } } | null)?.command?.type;
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? 'malformed' : `${issue.path.join('.') || 'request'}: ${issue.message}`;
    const what = type === 'expectTransfer' || type === 'confirmTransferReceipt' ? `a malformed ${type} (${where})` : `${typeof type === 'string' ? type.slice(0, 64) : 'that'} is not a transfer step`;
    return { ok: false, message: `only expectTransfer and confirmTransferReceipt may be submitted by another server: ${what}` };
  }
  const { siteId, command } = parsed.data;
  if (command.type === 'confirmTransferReceipt') return { ok: true, siteId, command };
  // The ids are checked against the site's catalogue by the twin (R74): here they are only text.
  const lines = command.lines.map((l) => ({ ...l, tenantId: l.tenantId as TenantId, skuId: l.skuId as SkuId }));
  return { ok: true, siteId, command: { ...command, lines } };
}

/**
 * Answers other processes' transfer requests for the sites this process decides (null for the others). Returns the
 * detach. A refused request is answered with INVALID_STATE and logged; nothing runs.
 */
export function answerTransferSteps(io: FloorServer, sites: LocalSites, log: RealtimeLog): () => void {
  const stopSubmit = answerOtherServers<SubmitResult>(
    io,
    TRANSFER_SUBMIT_EVENT,
    async (payload) => {
      const request = parseSubmitRequest(payload);
      if (!request.ok) {
        log(`refused a command from another server: ${request.message}`);
        return { ok: false, error: domainError('INVALID_STATE', request.message) };
      }
      const site = sites.get(request.siteId);
      return site === undefined ? null : site.submit(request.command);
    },
    log,
  );
  const stopInbound = answerOtherServers<readonly InboundTransferSummary[]>(
    io,
    TRANSFER_INBOUND_EVENT,
    async (payload) => {
      const question = InboundQuestion.safeParse(payload);
      if (!question.success) return null;
      const site = sites.get(question.data.siteId);
      return site === undefined ? null : site.read((twin) => inboundSummaries(twin, question.data.transferIds));
    },
    log,
  );
  return () => {
    stopSubmit();
    stopInbound();
  };
}

/** The relay's view of sites other processes decide: questions and steps over the Redis adapter. */
export function remoteTransferSites(io: FloorServer, log: RealtimeLog): RemoteTransferSites {
  return {
    async inbound(siteId, transferIds) {
      const known: InboundTransferSummary[] = [];
      for (let i = 0; i < transferIds.length; i += MAX_IDS_PER_QUESTION) {
        const answer = await askOtherServers<InboundTransferSummary[]>(io, TRANSFER_INBOUND_EVENT, { siteId, transferIds: transferIds.slice(i, i + MAX_IDS_PER_QUESTION) }, log);
        if (answer === null) return null;
        known.push(...answer);
      }
      return known;
    },
    submit: (siteId, command) => askOtherServers<SubmitResult>(io, TRANSFER_SUBMIT_EVENT, { siteId, command }, log),
  };
}
