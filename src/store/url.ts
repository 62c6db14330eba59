export type StoreTarget = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/**
 * `postgres://...` (or `postgresql://`) is PostgreSQL; `sqlite:PATH`, `sqlite://PATH` or a bare path is a
 * SQLite file (`:memory:` for a throwaway database).
 */
export function parseStoreUrl(url: string): StoreTarget {
  const trimmed = url.trim();
  if (trimmed === '') throw new Error('empty database URL');
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: 'postgres', url: trimmed };
  const sqlitePrefix = /^sqlite:(\/\/)?/i.exec(trimmed);
  if (sqlitePrefix) {
    const path = trimmed.slice(sqlitePrefix[0].length);
    if (path === '') throw new Error(`no file in database URL "${url}"`);
    return { dialect: 'sqlite', path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new Error(`unsupported database URL "${url}": use a SQLite file path or postgres://...`);
  }
  return { dialect: 'sqlite', path: trimmed };
}

/** The URL with any password hidden, for messages. */
export function describeStoreUrl(url: string): string {
  const target = parseStoreUrl(url);
  if (target.dialect === 'sqlite') return target.path;
  try {
    const u = new URL(target.url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
