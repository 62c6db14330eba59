import { z } from 'zod';
import { Citation, Decision, IsoDate } from './letter.js';

/**
 * Ground truth for one letter, in the label format of the shared development set
 * (`imr-letters/README.md`): the generator writes it, `bench:accuracy` reads it.
 */
export const LabelGuideline = z.object({
  source: z.string().nullable(),
  sections: z.string().nullable(),
  pages: z.string().nullable(),
  citations: z.array(Citation),
  raw: z.string(),
});
export type LabelGuideline = z.infer<typeof LabelGuideline>;

export const LabelItem = z.object({
  description: z.string(),
  quantity: z.number().int().nullable(),
  decision: Decision,
  originalRequest: z.string().nullable(),
  authorizedPortion: z.string().nullable(),
  raw: z.string(),
  claimsAdministratorGuideline: LabelGuideline.nullable(),
  maximusGuideline: LabelGuideline.nullable(),
});
export type LabelItem = z.infer<typeof LabelItem>;

export const Label = z.object({
  caseNumber: z.string().nullable(),
  reviewer: z.object({ licensure: z.array(z.string()), specialty: z.string().nullable() }),
  patient: z.object({ age: z.number().int().nullable(), sex: z.enum(['male', 'female']).nullable() }),
  injuryDate: IsoDate.nullable(),
  urDate: IsoDate.nullable(),
  items: z.array(LabelItem),
  extra: z
    .object({
      dateAssigned: IsoDate.nullable().optional(),
      decisionDate: IsoDate.nullable().optional(),
      applicationReceived: IsoDate.nullable().optional(),
      priority: z.string().nullable().optional(),
    })
    .optional(),
  _notes: z.array(z.string()).optional(),
});
export type Label = z.infer<typeof Label>;
