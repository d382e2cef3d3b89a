/** Demo/test users from data/users.json (one per role; client users for acme, bloom, cobalt), seeded into an empty users table. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DuplicateEmailError, type PgAuthStore } from './auth-store.pg.ts';
import { CLIENT_ROLES, STAFF_ROLES, type Role } from './principal.ts';

const UsersFile = z.object({
  users: z.array(
    z.object({
      email: z.string().min(3),
      role: z.enum([...STAFF_ROLES, ...CLIENT_ROLES] as [Exclude<Role, 'integration'>, ...Exclude<Role, 'integration'>[]]),
      tenantId: z.string().min(1).nullable(),
    }),
  ),
});

export type DemoUser = z.infer<typeof UsersFile>['users'][number];

export async function readDemoUsers(file: string): Promise<DemoUser[]> {
  return UsersFile.parse(JSON.parse(await readFile(file, 'utf8'))).users;
}

/** Creates every user of `file` with `password` when the users table is empty; returns how many it created. */
export async function seedDemoUsers(accounts: PgAuthStore, file: string, password: string): Promise<number> {
  if ((await accounts.countUsers()) > 0) return 0;
  const users = await readDemoUsers(file);
  // In parallel: each hash is tens of ms on libuv's thread pool.
  const created = await Promise.all(
    users.map(async (user) => {
      try {
        await accounts.createUser({ email: user.email, password, role: user.role, tenantId: user.tenantId });
        return 1;
      } catch (error) {
        // A second process starting at the same time seeded this one.
        if (error instanceof DuplicateEmailError) return 0;
        throw error;
      }
    }),
  );
  return created.reduce<number>((sum, n) => sum + n, 0);
}
