/** QA review: corrections over machine records, review actions, exports and the gold set. */
export { approveLetter, correctLetter, reviewLetter } from './actions.js';
export {
  applyCorrections,
  type CorrectedRecord,
  correct,
  effectiveCorrections,
  ITEM_FIELDS,
  type ItemField,
  LETTER_FIELDS,
  type LetterField,
  normalizeValue,
  type ParsedPath,
  parsePath,
  pathText,
  readField,
  sameFieldValue,
} from './apply-corrections.js';
export { ReviewInputError } from './errors.js';
export { docStatusFor, exportLetter, exportRecordOf, loadExportRecords } from './export.js';
export { labelFromRecord, scoreAgainst } from './gold.js';
export {
  CORRECTION_DISAGREES,
  findDisagreements,
  flagDisagreements,
  saveReparsedRecord,
} from './reprocess.js';
