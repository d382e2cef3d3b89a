/**
 * Load and fuzz harness pieces shared by the reliability tests and the pipeline benchmark: a keep-alive HTTP client
 * that can send anything (bad JSON, any content type, bodies on any method), a pool of concurrent clients, and the
 * check of the error body every 4xx must carry.
 */
import http from 'node:http';

/** One request, sent as given: the body is not re-encoded. */
export interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly body?: string | Buffer;
  /** `null` sends no Content-Type header; default `application/json` when there is a body. */
  readonly contentType?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The parsed body, or `undefined` when it is not JSON. */
  readonly json: unknown;
  /** From writing the request to the end of the response, ms. */
  readonly latencyMs: number;
}

/** HTTP/1.1 over a keep-alive agent, so a load run measures the server rather than TCP handshakes. */
export class KeepAliveClient {
  private readonly agent: http.Agent;

  /**
   * `maxSockets` bounds the connections to one host: the number of concurrent clients. `defaultHeaders` go with every
   * request (a request's own headers win), e.g. `authorization`.
   */
  constructor(
    maxSockets: number,
    private readonly defaultHeaders: Readonly<Record<string, string>> = {},
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(req: RawRequest): Promise<RawResponse> {
    const headers: Record<string, string | number> = { ...this.defaultHeaders, ...req.headers };
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    if (body !== undefined) {
      headers['content-length'] = body.length;
      const contentType = req.contentType === undefined ? 'application/json' : req.contentType;
      if (contentType !== null) headers['content-type'] = contentType;
    }
    const started = performance.now();
    return new Promise<RawResponse>((resolve, reject) => {
      // The path is sent exactly as given (no URL normalisation), so malformed escapes reach the server.
      const { hostname, port, path } = splitUrl(req.url);
      const request = http.request({ hostname, port, path, method: req.method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : (JSON.parse(text) as unknown);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, latencyMs: performance.now() - started });
        });
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  /** POST `body` as JSON. */
  postJson(url: string, body: unknown, headers?: Readonly<Record<string, string>>): Promise<RawResponse> {
    return this.request({ method: 'POST', url, body: JSON.stringify(body), ...(headers ? { headers } : {}) });
  }

  close(): void {
    this.agent.destroy();
  }
}

function splitUrl(url: string): { hostname: string; port: string; path: string } {
  const match = /^(http:\/\/[^/?#]+)(.*)$/.exec(url);
  if (match === null) throw new Error(`not an http:// URL: ${url}`);
  const origin = new URL(match[1] ?? '');
  return { hostname: origin.hostname, port: origin.port, path: match[2] === '' || match[2] === undefined ? '/' : match[2] };
}

/**
 * Runs `task(0 … total-1)` on `clients` concurrent workers, each taking the next index when its previous task ends
 * (a closed-model load: at most `clients` requests in flight).
 */
export async function runClients(clients: number, total: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(clients, total) }, worker));
}

/** The value at percentile `p` (0–100) of ascending `sorted`, nearest rank; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** Why `json` is not `{ error: { code: string, message: string, details } }`, or null when it is. */
export function errorBodyProblem(json: unknown): string | null {
  if (typeof json !== 'object' || json === null) return 'body is not a JSON object';
  const error = (json as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return 'no `error` object';
  const e = error as Record<string, unknown>;
  if (typeof e['code'] !== 'string' || e['code'] === '') return '`error.code` is not a non-empty string';
  if (typeof e['message'] !== 'string') return '`error.message` is not a string';
  if (!('details' in e)) return '`error.details` is missing';
  return null;
}

/** The `error.code` of an error body, or undefined. */
export function errorCodeOf(json: unknown): string | undefined {
  const code = (json as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}
