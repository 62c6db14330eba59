import type { TextDocument } from '../../../schemas/text.js';
import { StageError } from '../errors.js';
import { docLines } from './doc-lines.js';
import { FDL_HEADINGS, parseFinalDeterminationLetter } from './fdl.js';
import { findHeading, letterKey } from './headings.js';
import { NOTICE_MARKERS, parseNotice2013 } from './notice-2013.js';
import type { ParseResult } from './result.js';

/** Bumped whenever a change to parsing may change a record: stored with every record. */
export const PARSER_VERSION = '1.1.0';

export type LayoutFamily = 'fdl' | 'notice-2013';

/** Layouts known only by their headings: recognised, so the error can say which, but not parsed. */
const KNOWN_UNSUPPORTED: { name: string; keys: string[] }[] = [
  {
    name: 'MAXIMUS "Independent Medical Review" with DOCUMENTS REVIEWED and IMR DECISION(S) AND RATIONALE(S)',
    keys: ['IMRDECISIONSANDRATIONALES', 'DOCUMENTSREVIEWED'],
  },
  {
    name: '"MEDICAL PROFESSIONAL REVIEW" (ISSUE AT DISPUTE / MEDICAL REVIEWER QUALIFICATIONS)',
    keys: ['MEDICALPROFESSIONALREVIEW', 'ISSUEATDISPUTE', 'MEDICALREVIEWERQUALIFICATIONS'],
  },
];

/** Which letter layout a document is, from its headings and fixed phrases; throws unknown_layout. */
export function detectLayout(doc: TextDocument): LayoutFamily {
  const lines = docLines(doc);
  const fdlHeadings = Object.values(FDL_HEADINGS).filter((h) => findHeading(lines, h) >= 0).length;
  const allText = doc.pages.map((p) => p.text).join('\n');
  const hasDecisionMarker = /:\s*(?:Upheld|Overturned)\s*$/im.test(allText);
  if (fdlHeadings >= 2 || (fdlHeadings === 1 && hasDecisionMarker)) return 'fdl';
  if (NOTICE_MARKERS.some((re) => re.test(allText))) return 'notice-2013';
  const key = letterKey(allText);
  for (const known of KNOWN_UNSUPPORTED) {
    if (known.keys.filter((k) => key.includes(k)).length >= 2) {
      throw new StageError(
        'unknown_layout',
        `recognised as the ${known.name} layout, which has no parser yet`,
      );
    }
  }
  throw new StageError(
    'unknown_layout',
    'not an IMR determination letter of a known layout (none of its headings or decision markers found)',
  );
}

/** Parse stage: the stored page text of a letter to its fields, with provenance, doubts and evidence. */
export function parseLetter(doc: TextDocument): ParseResult {
  const family = detectLayout(doc);
  return family === 'fdl' ? parseFinalDeterminationLetter(doc) : parseNotice2013(doc);
}
