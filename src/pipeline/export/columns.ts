import type { LetterRecord } from '../../../schemas/letter.js';

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
