import { DuckDBInstance } from '@duckdb/node-api';
import { INTEGER_COLUMNS, ITEM_COLUMNS, type ItemRow } from './csv.js';

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Writes the rows to a Parquet file at `path` (overwritten) through an in-memory DuckDB: integer columns
 * as INTEGER, the rest as VARCHAR, null as NULL; same columns and order as the CSV.
 */
export async function writeParquet(rows: readonly ItemRow[], path: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    try {
      const columns = ITEM_COLUMNS.map(
        (c) => `${quoteIdent(c)} ${INTEGER_COLUMNS.has(c) ? 'INTEGER' : 'VARCHAR'}`,
      ).join(', ');
      await connection.run(`CREATE TABLE items (${columns})`);
      const appender = await connection.createAppender('items');
      try {
        for (const row of rows) {
          for (const column of ITEM_COLUMNS) {
            const value = row[column];
            if (value === null) appender.appendNull();
            else if (INTEGER_COLUMNS.has(column)) appender.appendInteger(Number(value));
            else appender.appendVarchar(String(value));
          }
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      await connection.run(`COPY items TO ${quoteLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
