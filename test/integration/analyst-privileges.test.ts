import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QueryEngine, QueryError, runQuery } from '../../src/analytics/query.js';
import { PARSER_VERSION } from '../../src/pipeline/parse/parse-letter.js';
import { createStore } from '../../src/store/create-store.js';
import { ANALYST_LOGIN, ANALYST_ROLE } from '../../src/store/migrations.js';
import { PG_ADMIN_URL } from '../helpers/pipeline-env.js';
import { item, letterRecord } from '../helpers/record-builders.js';
import { runImr } from '../helpers/run-imr.js';

/**
 * Least privilege for analyst SQL on this machine's PostgreSQL (issue 17): whoever DATABASE_URL names (the
 * superuser `postgres`, or a plain LOGIN role that owns the database), analyst SQL runs as `imr_analyst`:
 * the views answer, everything else is refused with a QueryError, and the session cannot switch back.
 */

const HOST = '127.0.0.1:5432';
const id = randomBytes(4).toString('hex');
const OWNER = `imr_owner_${id}`;
const SUPER_DB = `imr_priv_super_${id}`;
const OWNER_DB = `imr_priv_owner_${id}`;

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = PG_ADMIN_URL): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Migrates and fills one store as the user its URL names: 2 letters, 3 items. */
async function seed(url: string): Promise<void> {
  const store = createStore(url);
  try {
    await store.migrate();
    for (const key of ['a', 'b']) {
      const record = letterRecord(key, {
        file: `letter-${key}.pdf`,
        caseNumber: `CM16-000000${key}`,
        parserVersion: PARSER_VERSION,
        dates: { decision: '2016-02-10', received: '2016-01-20', injury: '2015-06-01' },
        specialty: 'Orthopedic Surgery',
        patient: { age: 50, sex: 'female' },
        items:
          key === 'a'
            ? [item('Norco 10/325mg #60', 'upheld', null, null), item('MRI lumbar', 'overturned', null, null)]
            : [item('Physical therapy', 'upheld', null, null)],
      });
      await store.registerFile({
        sha256: record.sha256,
        path: `/inbox/${record.file}`,
        bytes: new TextEncoder().encode(record.file),
      });
      await store.saveRecord(record);
    }
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  await admin(async (c) => {
    await c.query(`CREATE DATABASE ${SUPER_DB}`);
    // A plain owner: may log in and owns its database, nothing more (no CREATEROLE, no superuser).
    await c.query(`CREATE ROLE ${OWNER} LOGIN`);
    await c.query(`CREATE DATABASE ${OWNER_DB} OWNER ${OWNER}`);
  });
  // The superuser's migration creates the (cluster-wide) roles if no other database has yet; the plain
  // owner's finds them and only grants on its own views.
  await seed(`postgres://postgres@${HOST}/${SUPER_DB}`);
  await seed(`postgres://${OWNER}@${HOST}/${OWNER_DB}`);
}, 60_000);

afterAll(async () => {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${SUPER_DB} WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS ${OWNER_DB} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${OWNER}`);
  });
});

/** Everything analyst SQL must not do; each must end in a QueryError. */
const REFUSED = [
  "select set_config('role', 'postgres', false)",
  "select set_config('session_authorization', 'postgres', false)",
  `select "set_config"('role', 'postgres', true)`,
  `select U&"set\\005fconfig"('role', 'postgres', true)`,
  // set_config handed over as text, to functions that run SQL
  "select query_to_xml('select set_' || 'config(''role'', ''postgres'', false)', true, false, '')",
  "select * from ts_stat('select to_tsvector(set_' || 'config(''role'', ''postgres'', false))')",
  // a string that hides the rest from a naive check
  "select $$'$$, set_config('role', 'postgres', false), $$'$$",
  'reset role',
  'set role postgres',
  'set session authorization postgres',
  "select pg_read_file('/etc/hostname')",
  "select pg_ls_dir('/')",
  'select * from pg_authid',
  'select rolpassword from pg_catalog.pg_authid',
  'select pg_terminate_backend(pg_backend_pid())',
  'select pg_cancel_backend(pid) from pg_stat_activity',
  "select lo_import('/etc/hostname')",
  "select lo_export(0, '/tmp/imr-lo-export')",
  "select lo_from_bytea(0, 'x')",
  'copy (select 1) to stdout',
  "copy (select 1) to program 'true'",
  "copy report_items from program 'id'",
  'select * from public.report_items',
  'select * from report_letters',
  'select count(*) from documents',
  'select * from public.blobs',
  'select * from schema_version',
];

/** Each way analyst SQL reaches the store: who DATABASE_URL names, and how the analyst connects. */
const CASES: { name: string; url: string; engine: QueryEngine }[] = [
  {
    name: 'DATABASE_URL the superuser postgres, analyst login derived from it',
    url: `postgres://postgres@${HOST}/${SUPER_DB}`,
    engine: {},
  },
  {
    name: 'DATABASE_URL a plain LOGIN role owning the database, analyst login derived from it',
    url: `postgres://${OWNER}@${HOST}/${OWNER_DB}`,
    engine: {},
  },
  {
    name: 'DATABASE_URL the superuser postgres, IMR_ANALYST_DATABASE_URL the analyst login',
    url: `postgres://postgres@${HOST}/${SUPER_DB}`,
    engine: { analystUrl: `postgres://${ANALYST_LOGIN}@${HOST}/${SUPER_DB}` },
  },
  {
    // No analyst login to be had (a `user` parameter: the URL cannot name the login): the superuser's own
    // session SET ROLEs, and only the statement check keeps set_config out.
    name: 'DATABASE_URL the superuser postgres, no analyst login (SET ROLE)',
    url: `postgres://postgres@${HOST}/${SUPER_DB}?user=postgres`,
    engine: {},
  },
];

describe.each(CASES)('$name', ({ url, engine }) => {
  const query = (sql: string) => runQuery(url, sql, undefined, [], engine);

  it('the views answer, as imr_analyst', async () => {
    expect((await query('select count(*) from items')).rows).toEqual([[3]]);
    expect((await query('select count(*) from letters')).rows).toEqual([[2]]);
    expect((await query('select count(*) from citations')).rows).toHaveLength(1);
    expect((await query('select count(*) from mismatches')).columns).toEqual(['count']);
    expect((await query('select count(*) from letter_specialties')).rows).toEqual([[2]]);
    expect((await query('select count(*) from analytics.items')).rows).toEqual([[3]]);
    expect((await query('select current_user')).rows).toEqual([[ANALYST_ROLE]]);
  });

  it.each(REFUSED)('refuses %s', async (sql) => {
    const err = await query(sql).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QueryError);
    // Nothing changed hands: the next query still runs as the analyst, and the views still answer.
    expect((await query('select current_user, count(*) from items')).rows).toEqual([[ANALYST_ROLE, 3]]);
  });

  it("pg_stat_activity does not show other sessions' query text", async () => {
    const marker = `imr-secret-${randomBytes(4).toString('hex')}`;
    const other = new pg.Client({ connectionString: `postgres://postgres@${HOST}/${SUPER_DB}` });
    await other.connect();
    try {
      const running = other.query(`select pg_sleep(1.5), '${marker}'`);
      const sql = `select query from pg_stat_activity where pid <> pg_backend_pid()`;
      // The control: the superuser sees the running query's text.
      const seen = await admin(async (c) => {
        for (let i = 0; i < 50; i++) {
          const r = await c.query<{ query: string }>(sql);
          if (r.rows.some((row) => row.query?.includes(marker))) return true;
          await new Promise((r) => setTimeout(r, 20));
        }
        return false;
      });
      expect(seen).toBe(true);
      const rows = (await query(sql)).rows.flat();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.some((q) => String(q).includes(marker))).toBe(false);
      await running;
    } finally {
      await other.end();
    }
  });
});

describe('the analyst login', () => {
  it('cannot become anyone else, even with the statement check out of the way', async () => {
    await admin(async (c) => {
      await c.query('BEGIN READ ONLY');
      await c.query(`SET LOCAL ROLE ${ANALYST_ROLE}`);
      for (const sql of [
        "select set_config('role', 'postgres', true)",
        "select set_config('session_authorization', 'postgres', true)",
        'set role postgres',
        `set role ${OWNER}`,
      ]) {
        await c.query('SAVEPOINT s');
        await expect(c.query(sql)).rejects.toMatchObject({ code: '42501' });
        await c.query('ROLLBACK TO SAVEPOINT s');
      }
      // Back to the login itself at most, which inherits nothing: not even the views.
      await c.query(`select set_config('role', '${ANALYST_LOGIN}', true)`);
      await expect(c.query('select count(*) from analytics.items')).rejects.toMatchObject({ code: '42501' });
      await c.query('ROLLBACK');
    }, `postgres://${ANALYST_LOGIN}@${HOST}/${SUPER_DB}`);
  });

  it('is no superuser and holds no privileges but the views and their schema', async () => {
    const roles = await admin(
      async (c) =>
        (
          await c.query(
            'select rolname, rolsuper, rolcanlogin, rolinherit, rolcreaterole, rolcreatedb, rolbypassrls ' +
              'from pg_roles where rolname = any($1) order by rolname',
            [[ANALYST_ROLE, ANALYST_LOGIN]],
          )
        ).rows,
    );
    expect(roles).toEqual([
      {
        rolname: ANALYST_ROLE,
        rolsuper: false,
        rolcanlogin: false,
        rolinherit: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolbypassrls: false,
      },
      {
        rolname: ANALYST_LOGIN,
        rolsuper: false,
        rolcanlogin: true,
        rolinherit: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolbypassrls: false,
      },
    ]);
    for (const db of [SUPER_DB, OWNER_DB]) {
      const grants = await admin(
        async (c) =>
          (
            await c.query<{ grant: string }>(
              "select table_schema || '.' || table_name || ' ' || privilege_type as grant " +
                'from information_schema.role_table_grants where grantee = $1 order by 1',
              [ANALYST_ROLE],
            )
          ).rows.map((r) => r.grant),
        `postgres://postgres@${HOST}/${db}`,
      );
      expect(grants).toEqual([
        'analytics.citations SELECT',
        'analytics.items SELECT',
        'analytics.letter_specialties SELECT',
        'analytics.letters SELECT',
        'analytics.mismatches SELECT',
      ]);
    }
  });

  it('IMR_ANALYST_DATABASE_URL naming a superuser is refused', async () => {
    const url = `postgres://postgres@${HOST}/${SUPER_DB}`;
    await expect(runQuery(url, 'select 1', undefined, [], { analystUrl: url })).rejects.toMatchObject({
      name: 'QueryError',
      message: expect.stringContaining('superuser'),
    });
  });

  it('without a login, a store user that may not take the role is refused, not run as itself', async () => {
    const url = `postgres://${OWNER}@${HOST}/${OWNER_DB}?user=${OWNER}`;
    await expect(runQuery(url, 'select count(*) from items')).rejects.toMatchObject({
      name: 'QueryError',
      message: expect.stringContaining(ANALYST_ROLE),
    });
  });
});

describe('imr query on the store (IMR_ANALYTICS=store)', () => {
  it('answers from the views and refuses the server file, exit 3', async () => {
    const env = { DATABASE_URL: `postgres://postgres@${HOST}/${SUPER_DB}`, IMR_ANALYTICS: 'store' };
    const ok = await runImr(['query', 'select count(*) as n from items', '--format', 'csv'], env);
    expect(ok.stdout.trim().split(/\r?\n/)).toEqual(['n', '3']);
    expect(ok.code).toBe(0);
    const file = await runImr(['query', "select pg_read_file('/etc/hostname')"], env);
    expect(file.code).toBe(3);
    expect(file.stderr).toContain('permission denied for function pg_read_file');
    const hashes = await runImr(['query', 'select rolname, rolpassword from pg_authid'], env);
    expect(hashes.code).toBe(3);
    expect(hashes.stderr).toContain('permission denied');
  });
});
