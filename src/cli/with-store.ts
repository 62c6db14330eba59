import { loadConfig } from '../config.js';
import { createStore } from '../store/create-store.js';
import type { Store } from '../store/store.js';
import type { Cli } from './cli.js';

/** Opens the configured store (migrated), runs `use`, and closes it whatever happens. */
export async function withStore<T>(cli: Cli, use: (store: Store) => Promise<T>): Promise<T> {
  const store = createStore(loadConfig(cli.env).databaseUrl);
  try {
    await store.migrate();
    return await use(store);
  } finally {
    await store.close();
  }
}
