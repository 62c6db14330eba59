import { LetterFields, type Mismatch, type Provenance } from '../../../schemas/letter.js';

export interface ValidateOptions {
  /** Fields read with a lower confidence than this are flagged for QA. */
  minConfidence: number;
}

export const DEFAULT_VALIDATE_OPTIONS: ValidateOptions = { minConfidence: 0.6 };

const DATE_ORDER = ['injuryDate', 'urDate', 'applicationReceived', 'decisionDate'] as const;

/**
 * Validate stage: schema and cross-field rules over parsed fields. Returns mismatches only; a letter
 * with any error-severity mismatch needs review.
 */
export function validateLetter(
  fields: LetterFields,
  provenance: Record<string, Provenance>,
  options: ValidateOptions = DEFAULT_VALIDATE_OPTIONS,
): Mismatch[] {
  const out: Mismatch[] = [];
  const add = (field: string, code: string, severity: Mismatch['severity'], message: string) =>
    out.push({ field, code, severity, message });

  const parsed = LetterFields.safeParse(fields);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      add(issue.path.join('.') || 'letter', 'schema_invalid', 'error', issue.message);
    }
  }
  for (const key of ['caseNumber', 'decisionDate'] as const) {
    if (!fields[key]) add(key, 'missing_field', 'error', `${key} was not found`);
  }
  if (fields.caseNumber && !/^CM\d{2}-\d{5,8}$/.test(fields.caseNumber)) {
    add(
      'caseNumber',
      'unusual_case_number',
      'warning',
      `"${fields.caseNumber}" is not of the form CMyy-nnnnnnn`,
    );
  }
  const dated = DATE_ORDER.map((k) => [k, fields[k]] as const).filter(([, v]) => v !== null);
  for (let i = 1; i < dated.length; i++) {
    const [prevKey, prev] = dated[i - 1]!;
    const [key, value] = dated[i]!;
    if (value! < prev!) add(key, 'date_order', 'warning', `${key} ${value} is before ${prevKey} ${prev}`);
  }
  const age = fields.patient.age;
  if (age !== null && (age < 14 || age > 100)) add('patient.age', 'implausible_age', 'warning', `age ${age}`);
  fields.items.forEach((item, i) => {
    const expected = item.decision === 'upheld' ? 'not_medically_necessary' : 'medically_necessary';
    if (item.rationaleConclusion !== null && item.rationaleConclusion !== expected) {
      add(
        `items.${i}.decision`,
        'rationale_contradicts_decision',
        'warning',
        `the decision is "${item.decision}" but the rationale concludes ${item.rationaleConclusion.replace(/_/g, ' ')}`,
      );
    }
  });
  for (const [field, p] of Object.entries(provenance)) {
    if (p.confidence < options.minConfidence) {
      // A doubtful decision or case number changes what the record means: that one needs a person.
      const key = field === 'caseNumber' || /^items\.\d+\.decision$/.test(field);
      add(
        field,
        'low_confidence',
        key ? 'error' : 'warning',
        `read with confidence ${p.confidence.toFixed(2)}`,
      );
    }
  }
  return out;
}
