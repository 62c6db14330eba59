import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { User, UserName, UserRole } from '../../schemas/user.js';
import type { Database, UsersTable } from './db.js';
import { now } from './rows.js';

/** Why `add` or `remove` refused: the caller's mistake, said in words (the CLI prints it). */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
}

/** The people of the web server (`imr users`, migration 9). */
export interface Users {
  /** True when at least one user is not removed: then every page and API call needs one. */
  any(): Promise<boolean>;
  /**
   * Adds a user with a new token, returned here and nowhere else (only its hash is stored). A removed
   * user's name is taken again by the same person: the row comes back with the new role and token.
   */
  add(input: { name: string; role: UserRole }): Promise<{ user: User; token: string }>;
  /** Every user, removed ones included, by name. */
  list(): Promise<User[]>;
  /** Removes a user (their token stops working); false when no such user is active. */
  remove(name: string): Promise<boolean>;
  /** The active user this token belongs to, or null (unknown, removed, or not a token at all). */
  authenticate(token: string): Promise<User | null>;
  /** The active user with this id, or null. */
  get(id: number): Promise<User | null>;
}

const TOKEN_PREFIX = 'imr_';
/** `imr_` and 32 random bytes in base64url: nothing else is ever a token. */
const TOKEN_SHAPE = /^imr_[A-Za-z0-9_-]{43}$/;

/** 32 random bytes (256 bits), prefixed so that secret scanners and people can tell what it is. */
export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * The stored form of a token. Tokens are 256 random bits, not passwords people choose: there is no
 * dictionary to try, so a fast unsalted SHA-256 is as strong as a slow salted KDF here (finding a token
 * from its hash means guessing 2^256 values), and it lets a token be looked up by its hash.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function userRow(row: Selectable<UsersTable>): User {
  return User.parse({
    id: Number(row.id),
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    tokenIssuedAt: row.token_issued_at,
    removedAt: row.removed_at,
  });
}

/** The users table, read through `db` and written in the store's write transactions. */
export class UsersStore implements Users {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly write: <T>(fn: (db: Kysely<Database>) => Promise<T>) => Promise<T>,
  ) {}

  async any(): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('removed_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async add(input: { name: string; role: UserRole }): Promise<{ user: User; token: string }> {
    const name = parseOr(UserName, input.name);
    const role = parseOr(UserRole, input.role);
    const token = newToken();
    const at = now();
    const values = { role, token_hash: hashToken(token), token_issued_at: at, removed_at: null };
    const row = await this.write(async (db) => {
      const existing = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      if (existing && existing.removed_at === null)
        throw new UserInputError(`user "${name}" exists (remove them first to issue a new token)`);
      if (existing) {
        return db
          .updateTable('users')
          .set(values)
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      return db
        .insertInto('users')
        .values({ name, created_at: at, ...values })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { user: userRow(row), token };
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('name').execute();
    return rows.map(userRow);
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.write((db) =>
      db
        .updateTable('users')
        .set({ token_hash: null, token_issued_at: null, removed_at: now() })
        .where('name', '=', name.trim())
        .where('removed_at', 'is', null)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  async authenticate(token: string): Promise<User | null> {
    // Checked before hashing: a malformed header never reaches the database.
    if (!TOKEN_SHAPE.test(token)) return null;
    const hash = hashToken(token);
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('token_hash', '=', hash)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    // The index lookup can only leak timing about hashes, which tells nothing about tokens; the final
    // compare is constant-time all the same.
    if (!row?.token_hash || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return null;
    return userRow(row);
  }

  async get(id: number): Promise<User | null> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    return row ? userRow(row) : null;
  }
}

function parseOr<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UserInputError(parsed.error.issues[0]?.message ?? 'invalid input');
  return parsed.data;
}
