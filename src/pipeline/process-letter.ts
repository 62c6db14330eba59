import type { LetterRecord } from '../../schemas/letter.js';
import type { TextDocument } from '../../schemas/text.js';
import { sha256 } from '../hash.js';
import { StageError } from './errors.js';
import { DEFAULT_LIMITS, type ExtractOptions, extractText } from './extract/extract-text.js';
import { PARSER_VERSION, parseLetter } from './parse/parse-letter.js';
import { emptyFields } from './parse/result.js';
import { ocrSuspects } from './validate/ocr-suspects.js';
import { reviewerSpecialties } from './validate/specialties.js';
import {
  DEFAULT_VALIDATE_OPTIONS,
  type ValidateOptions,
  validateLetter,
} from './validate/validate-letter.js';

function textSourceOf(doc: TextDocument): LetterRecord['textSource'] {
  const sources = new Set(doc.pages.map((p) => p.source));
  if (sources.size > 1) return 'mixed';
  return sources.has('ocr') ? 'ocr' : 'text-layer';
}

export function failedRecord(file: string, hash: string, err: unknown): LetterRecord {
  const error =
    err instanceof StageError
      ? { code: err.code, message: err.message }
      : { code: 'internal' as const, message: err instanceof Error ? err.message : String(err) };
  return {
    file,
    sha256: hash,
    status: 'failed',
    error,
    textSource: null,
    layout: null,
    parserVersion: PARSER_VERSION,
    pages: [],
    ...emptyFields(),
    reviewer: { licensure: [], specialty: null, specialties: [], primarySpecialty: null },
    mismatches: [],
    provenance: {},
  };
}

/** Parse + validate from stored page text: what `reprocess` replays without touching the PDF. */
export function recordFromText(
  file: string,
  hash: string,
  doc: TextDocument,
  validate: ValidateOptions = DEFAULT_VALIDATE_OPTIONS,
): LetterRecord {
  try {
    const parsed = parseLetter(doc);
    const mismatches = [
      ...parsed.mismatches,
      ...validateLetter(parsed.fields, parsed.provenance, parsed.evidence, validate),
      // Needs the page text (word confidences), so it runs here rather than in validateLetter, which
      // also checks records without their text.
      ...ocrSuspects(parsed.fields, parsed.provenance, doc),
    ];
    return {
      file,
      sha256: hash,
      status: mismatches.some((m) => m.severity === 'error') ? 'needs_review' : 'ok',
      error: null,
      textSource: textSourceOf(doc),
      layout: parsed.layout,
      parserVersion: PARSER_VERSION,
      pages: doc.pages.map((p) => ({ page: p.page, source: p.source, chars: p.text.length })),
      ...parsed.fields,
      reviewer: { ...parsed.fields.reviewer, ...reviewerSpecialties(parsed.fields.reviewer.specialty) },
      mismatches,
      provenance: parsed.provenance,
    };
  } catch (err) {
    return failedRecord(file, hash, err);
  }
}

/** The whole in-process path for one file's bytes: never throws; a bad file gives a failed record. */
export async function processPdf(
  file: string,
  bytes: Uint8Array,
  options: ExtractOptions = { limits: DEFAULT_LIMITS },
): Promise<{ record: LetterRecord; text: TextDocument | null }> {
  const hash = sha256(bytes);
  let text: TextDocument;
  try {
    text = await extractText(bytes, options);
  } catch (err) {
    return { record: failedRecord(file, hash, err), text: null };
  }
  return { record: recordFromText(file, hash, text), text };
}
