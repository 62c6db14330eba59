import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';

/*
 * Private Redis / PostgreSQL servers for fault-injection tests: the shared services on 6379 / 5432 are
 * used by other tests in parallel, so killing or pausing them is not an option.
 */

const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------------------
// Crash safety: a test that dies must not leave servers behind.

/** Synchronous last-resort cleanups, run if the process exits without stopping its servers. */
const exitCleanups = new Set<() => void>();
let exitHookInstalled = false;

function onProcessExit(cleanup: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const fn of exitCleanups) {
        try {
          fn();
        } catch {
          // best effort: keep cleaning up the others
        }
      }
    });
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

/**
 * A detached shell that runs `cleanup` once this process is gone. 'exit' handlers do not run on SIGKILL or
 * on an unhandled SIGTERM (how a runner usually ends a worker), and our servers are not in our process group.
 */
function startWatchdog(cleanup: string): () => void {
  const child = spawn(
    'sh',
    ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${cleanup}`],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  child.on('error', () => {}); // no sh: only the 'exit' handler protects us then
  child.unref();
  const pid = child.pid;
  return () => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL'); // its own process group (detached): takes the pending `sleep` too
    } catch {
      // already gone
    }
  };
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------------------
// Ports

class PortBusyError extends Error {}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port below the kernel's ephemeral range: outgoing connections never take it, so a server that is
 * stopped for a while (pause, restartEmpty) can almost surely bind the same port again.
 */
async function pickPort(): Promise<number> {
  let low = 32768;
  try {
    const first = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/)[0];
    if (first !== undefined && Number(first) > 20_000) low = Number(first);
  } catch {
    // not Linux: keep the usual default
  }
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * (low - 20_000));
    if (await portIsFree(port)) return port;
  }
  throw new Error('no free port found below the ephemeral range');
}

async function tail(file: string, chars = 2000): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.slice(-chars);
}

// ---------------------------------------------------------------------------------------------------------
// Redis

export interface PrivateRedis {
  url: string;
  port: number;
  /** kill -9 and start again on the same port with no data */
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}

const REDIS_START_MS = 10_000;

/** Answers the `process_id` of the server at `url`, or null if it does not answer (yet). */
async function redisProcessId(url: string): Promise<number | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 500,
  });
  client.on('error', () => {}); // refused connections are expected while the server starts
  try {
    await client.connect();
    const info = await client.info('server');
    const match = /process_id:(\d+)/.exec(info);
    return match?.[1] ? Number(match[1]) : null;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}

/** Starts redis-server on `port` and waits until it is the one answering there. */
async function launchRedis(dir: string, port: number): Promise<ChildProcess> {
  const log = join(dir, 'redis.log');
  await rm(join(dir, 'dump.rdb'), { force: true }); // "empty" must hold even if someone ran SAVE
  await writeFile(log, ''); // so a failure report shows this attempt only
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--logfile',
      log,
    ],
    { stdio: 'ignore' }, // logs go to the file: an unread pipe could fill up and block the server
  );
  const spawned: { error: Error | null } = { error: null };
  child.on('error', (err) => {
    spawned.error = err;
  });
  if (child.pid !== undefined) await writeFile(join(dir, 'redis.pid'), String(child.pid));
  const deadline = Date.now() + REDIS_START_MS;
  while (Date.now() < deadline) {
    if (spawned.error) throw new Error(`cannot run redis-server: ${spawned.error.message}`);
    if (exited(child)) {
      const text = await tail(log);
      if (/address already in use/i.test(text)) throw new PortBusyError(`port ${port} is busy`);
      throw new Error(`redis-server exited during start (code ${child.exitCode}):\n${text}`);
    }
    // The pid check makes sure a foreign server that grabbed the port is not mistaken for ours.
    if ((await redisProcessId(`redis://127.0.0.1:${port}`)) === child.pid) return child;
    await sleep(25);
  }
  await killAndWait(child);
  throw new Error(
    `redis-server on port ${port} did not answer within ${REDIS_START_MS} ms:\n${await tail(log)}`,
  );
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'imr-redis-'));
  let child: ChildProcess | null = null;
  let port = 0;
  try {
    for (let attempt = 1; child === null; attempt++) {
      port = await pickPort();
      try {
        child = await launchRedis(dir, port);
      } catch (err) {
        if (!(err instanceof PortBusyError) || attempt >= 5) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const stopWatchdog = startWatchdog(
    `kill -9 $(cat ${shellQuote(join(dir, 'redis.pid'))}) 2>/dev/null; rm -rf ${shellQuote(dir)}`,
  );
  const removeExitCleanup = onProcessExit(() => {
    if (child?.pid !== undefined && !exited(child)) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    stopWatchdog();
  });
  let stopped = false;

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restartEmpty() {
      if (stopped || child === null) throw new Error('private Redis is stopped');
      await killAndWait(child);
      child = null;
      // The kernel may need a moment to release the port; Redis sets SO_REUSEADDR, so this is rare.
      for (let attempt = 1; child === null; attempt++) {
        try {
          child = await launchRedis(dir, port);
        } catch (err) {
          if (!(err instanceof PortBusyError) || attempt >= 10) throw err;
          await sleep(200);
        }
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child) await killAndWait(child); // no persistence, so nothing to shut down gracefully
      child = null;
      await rm(dir, { recursive: true, force: true });
      stopWatchdog();
      removeExitCleanup();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// PostgreSQL

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** creates a database, returns its URL */
  createDatabase(name: string): Promise<string>;
  /** fast shutdown by default (pg_ctl stop -m fast); 'immediate' is a crash: recovery runs at the next start */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** stop, wait ms, start */
  pause(ms: number, mode?: 'fast' | 'immediate'): Promise<void>;
  /** stops (immediate) and removes the data directory */
  destroy(): Promise<void>;
}

interface PgSetup {
  bindir: string;
  /** Set when running as root: initdb refuses root, so the tools run as this OS user. */
  osUser: { uid: number; gid: number } | null;
}

let pgSetup: PgSetup | string | undefined;

function hasTools(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
}

function findBindir(): string | null {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    if (hasTools(join(base, v, 'bin'))) return join(base, v, 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (hasTools(dir.trim())) return dir.trim();
  } catch {
    // no pg_config on PATH
  }
  return null;
}

/** Finds the binaries (and, as root, the `postgres` OS user) once; a string is the reason they are unusable. */
function locatePostgres(): PgSetup | string {
  if (pgSetup !== undefined) return pgSetup;
  const bindir = findBindir();
  if (bindir === null) {
    pgSetup = 'initdb/pg_ctl not found under /usr/lib/postgresql/*/bin nor in `pg_config --bindir`';
    return pgSetup;
  }
  if (process.getuid?.() !== 0) {
    pgSetup = { bindir, osUser: null };
    return pgSetup;
  }
  try {
    const id = (flag: string) =>
      Number(
        execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
      );
    const osUser = { uid: id('-u'), gid: id('-g') };
    const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'true'], { stdio: 'ignore' });
    if (probe.status !== 0) throw new Error('runuser failed');
    pgSetup = { bindir, osUser };
  } catch {
    pgSetup =
      'running as root, and cannot run initdb as the `postgres` OS user (no such user, or no runuser)';
  }
  return pgSetup;
}

/** Why private PostgreSQL servers cannot be started here, or null if they can. */
export function postgresUnavailableReason(): string | null {
  const setup = locatePostgres();
  return typeof setup === 'string' ? setup : null;
}

/** Whether initdb/pg_ctl can be found (and run). */
export function postgresAvailable(): boolean {
  return postgresUnavailableReason() === null;
}

function pgCommand(setup: PgSetup, tool: string, args: string[]): [string, string[]] {
  const bin = join(setup.bindir, tool);
  return setup.osUser ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** The environment for the tools, without PG* variables that could point them at another server. */
function pgEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && k !== 'LC_ALL') env[k] = v;
  return env;
}

async function runPgTool(setup: PgSetup, cwd: string, tool: string, args: string[]): Promise<string> {
  const [cmd, argv] = pgCommand(setup, tool, args);
  try {
    // cwd: the tools complain when the OS user cannot enter the current directory (e.g. a repo under /root).
    const { stdout } = await execFileAsync(cmd, argv, { cwd, env: pgEnv(), timeout: 90_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${tool} ${args.at(-1) ?? ''} failed: ${e.stderr || e.stdout || e.message}`.trim());
  }
}

/** A temp directory owned by the tools' OS user, under a path that user can traverse. */
async function makePgRoot(setup: PgSetup): Promise<string> {
  const bases = [...new Set([tmpdir(), '/tmp'])];
  for (const base of bases) {
    const dir = await mkdtemp(join(base, 'imr-pg-'));
    if (!setup.osUser) return dir;
    await chown(dir, setup.osUser.uid, setup.osUser.gid);
    const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir, '-a', '-x', dir], {
      stdio: 'ignore',
    });
    if (probe.status === 0) return dir;
    await rm(dir, { recursive: true, force: true }); // e.g. TMPDIR under /root: not reachable for postgres
  }
  throw new Error(`the postgres OS user cannot reach a temp directory under ${bases.join(' or ')}`);
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const setup = locatePostgres();
  if (typeof setup === 'string') throw new Error(`cannot start a private PostgreSQL: ${setup}`);
  const root = await makePgRoot(setup);
  const data = join(root, 'data');
  const sockets = join(root, 'sockets'); // own socket dir: the shared server's lock file is in /var/run
  const log = join(root, 'postgres.log');
  let port = 0;
  let running = false;

  const stopArgs = (mode: 'fast' | 'immediate') => ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'];
  const stopWatchdog = startWatchdog(
    `${pgCommand(setup, 'pg_ctl', stopArgs('immediate')).flat().map(shellQuote).join(' ')} >/dev/null 2>&1; ` +
      `rm -rf ${shellQuote(root)}`,
  );
  const removeExitCleanup = onProcessExit(() => {
    if (running) {
      const [cmd, argv] = pgCommand(setup, 'pg_ctl', stopArgs('immediate'));
      spawnSync(cmd, argv, { cwd: root, env: pgEnv(), stdio: 'ignore', timeout: 15_000 });
    }
    rmSync(root, { recursive: true, force: true });
    stopWatchdog();
  });
  const cleanupAll = async () => {
    await rm(root, { recursive: true, force: true });
    stopWatchdog();
    removeExitCleanup();
  };

  const launch = async (): Promise<void> => {
    const logStart = (await stat(log).catch(() => null))?.size ?? 0;
    const options = [
      `-p ${port}`,
      `-k ${shellQuote(sockets)}`, // pg_ctl hands -o to a shell
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=50',
      // Throw-away data: durability only costs time.
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c synchronous_commit=off',
      '-c shared_buffers=16MB',
    ].join(' ');
    try {
      await runPgTool(setup, root, 'pg_ctl', [
        '-D',
        data,
        '-o',
        options,
        '-l',
        log,
        '-w',
        '-t',
        '60',
        'start',
      ]);
      running = true;
    } catch (err) {
      const text = (await readFile(log, 'utf8').catch(() => '')).slice(logStart);
      if (/could not bind|address already in use/i.test(text))
        throw new PortBusyError(`port ${port} is busy`);
      throw new Error(`${(err as Error).message}\n${text.slice(-2000)}`);
    }
  };

  try {
    await mkdir(sockets);
    if (setup.osUser) await chown(sockets, setup.osUser.uid, setup.osUser.gid);
    await runPgTool(setup, root, 'initdb', [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    for (let attempt = 1; !running; attempt++) {
      port = await pickPort();
      try {
        await launch();
      } catch (err) {
        if (!(err instanceof PortBusyError) || attempt >= 5) throw err;
      }
    }
  } catch (err) {
    await cleanupAll();
    throw err;
  }

  let destroyed = false;
  const server: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async createDatabase(name: string) {
      // Identifiers cannot be bound as parameters: only plain names are accepted.
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid database name: ${name}`);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop(mode = 'fast') {
      if (!running) return;
      await runPgTool(setup, root, 'pg_ctl', stopArgs(mode));
      running = false;
    },
    async start() {
      if (destroyed) throw new Error('private PostgreSQL is destroyed');
      if (running) return;
      // Same port as before (clients keep their URL); retry briefly in case the kernel has not released it.
      for (let attempt = 1; !running; attempt++) {
        try {
          await launch();
        } catch (err) {
          if (!(err instanceof PortBusyError) || attempt >= 10) throw err;
          await sleep(300);
        }
      }
    },
    async pause(ms: number, mode: 'fast' | 'immediate' = 'fast') {
      await server.stop(mode);
      await sleep(ms);
      await server.start();
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await server.stop('immediate').catch(() => {}); // the data goes away anyway
      await cleanupAll();
    },
  };
  return server;
}
