import type { LetterRecord } from '../../../schemas/letter.js';
import { reviewerSpecialties } from '../validate/specialties.js';

/**
 * The reviewer's canonical specialties (see specialties.ts); derived from the printed value for a record
 * written before records carried them.
 */
export function canonicalSpecialties(record: LetterRecord): {
  specialties: string[];
  primarySpecialty: string | null;
} {
  const { specialty, specialties, primarySpecialty } = record.reviewer;
  if (specialties === undefined || primarySpecialty === undefined) return reviewerSpecialties(specialty);
  return { specialties, primarySpecialty };
}

/** A letter's header fields under their column names, as both the database and the CSV export name them. */
export function headerColumns(record: LetterRecord) {
  return {
    case_number: record.caseNumber,
    decision_date: record.decisionDate,
    date_assigned: record.dateAssigned,
    application_received: record.applicationReceived,
    priority: record.priority,
    injury_date: record.injuryDate,
    ur_date: record.urDate,
  };
}
