/**
 * How the load generator signs in, like any other client of the real server: `--email` and `--password` of a staff
 * user are exchanged once for a session token through `POST /api/auth/sign-in`; the run then sends it as
 * `Authorization: Bearer` on every request and as `auth: { token }` on every socket (`LoadOptions.token`). An API key
 * (`--api-key`) or a session token (`--token`) is used as it is. The handhelds need a role that may pick (picker,
 * supervisor, site manager), the orders, waves and stock reads a staff role allowed those routes: the site manager
 * is allowed all of them.
 */
import { KeepAliveClient, errorCodeOf, type RawResponse } from '../../server/api/reliability/http-client.ts';

/** A staff user to sign in as. */
export interface LoadSignIn {
  readonly email: string;
  readonly password: string;
}

const refused = (what: string, res: RawResponse): Error =>
  new Error(
    `${what} answered ${res.status}${errorCodeOf(res.json) === undefined ? '' : ` ${errorCodeOf(res.json)}`}` +
      (res.status === 401 ? ' (wrong e-mail or password, or the key or session is not valid)' : '') +
      (res.status === 429 ? ` (sign-ins are limited; retry after ${String(res.headers['retry-after'] ?? 'a while')} s)` : ''),
  );

/** Signs `signIn` in on the server at `origin` and returns the session token. Throws a readable error when refused. */
export async function signInForLoad(origin: string, signIn: LoadSignIn): Promise<string> {
  const client = new KeepAliveClient(1);
  try {
    const res = await client.postJson(`${origin}/api/auth/sign-in`, { email: signIn.email, password: signIn.password }).catch((e: unknown) => {
      throw new Error(`no server answers at ${origin} (${(e as Error).message})`);
    });
    if (res.status !== 200) throw refused(`sign-in of ${signIn.email}`, res);
    const token = (res.json as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '') throw new Error(`sign-in of ${signIn.email}: the answer carries no token`);
    return token;
  } finally {
    client.close();
  }
}
