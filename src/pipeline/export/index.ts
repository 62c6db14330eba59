export { replaceAtomically, tempPathFor, writeFileAtomic } from './atomic.js';
export {
  csvField,
  INTEGER_COLUMNS,
  ITEM_COLUMNS,
  type ItemColumn,
  type ItemRow,
  recordToCsvRows,
  rowsToCsv,
  toCsv,
} from './csv.js';
export { toJsonl } from './jsonl.js';
export { writeParquet } from './parquet.js';
export type { ExportedCorrection, ExportRecord } from './record.js';
export {
  EXPORT_FILES,
  EXPORT_FORMATS,
  type ExportFormat,
  type WrittenExport,
  writeExports,
  writeRecordFile,
} from './write-exports.js';
