import pg from 'pg';

/** A pooled PostgreSQL connection for the store. */
export function openPostgres(url: string): pg.Pool {
  // No wait without an end while the server is away: a connection attempt gives up after 10 s and a
  // query after 60 s (the store's statements take milliseconds), so jobs fail, retry, and recover.
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    query_timeout: 60_000,
    keepAlive: true,
  });
  // An idle client losing its connection (server restart) must not crash the process: the pool drops
  // that client, and the next query that needs the server reports the error to its caller.
  pool.on('error', () => undefined);
  // Likewise a client in use (held by a transaction between two statements): without a listener its
  // 'error' event would end the process; its next query fails instead and the job is retried.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
