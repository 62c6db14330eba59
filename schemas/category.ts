import { z } from 'zod';

/** Service categories as the DWC and CWCI IMR reports group requested treatments. */
export const ServiceCategory = z.enum([
  'pharmacy',
  'physical_medicine',
  'injections',
  'dme',
  'imaging',
  'electrodiagnostics',
  'labs_testing',
  'surgery',
  'evaluation_management',
  'behavioral_health',
  'programs',
  'home_health',
  'transport',
  'other',
]);
export type ServiceCategory = z.infer<typeof ServiceCategory>;

/** Physical medicine, split as the reports do. */
export const PhysicalMedicineKind = z.enum([
  'physical_therapy',
  'occupational_therapy',
  'chiropractic',
  'acupuncture',
  'massage',
  'modalities',
]);
export type PhysicalMedicineKind = z.infer<typeof PhysicalMedicineKind>;

export const DrugClass = z.enum([
  'opioids',
  'muscle_relaxants',
  'nsaids',
  'topical_analgesics',
  'anticonvulsants',
  'antidepressants',
  'sleep_aids',
  'ppis',
  'compounds',
  /** Prescription "medical foods" (amino-acid and similar formulations), a large family in California WC. */
  'medical_foods',
  'other',
]);
export type DrugClass = z.infer<typeof DrugClass>;

export const ItemCategory = z.object({
  /** null: no rule matched (listed by `imr report uncategorised`). */
  category: ServiceCategory.nullable(),
  subcategory: z.string().nullable(),
  drugClass: DrugClass.nullable(),
  /** Generic name, lower case (brand names are mapped). Compounds list their ingredients joined by " + ". */
  drug: z.string().nullable(),
  /** As written: "10/325 mg", "20%", "75-0.2 mg". */
  strength: z.string().nullable(),
  /** Units dispensed: "#60" -> 60. */
  count: z.number().int().nullable(),
  /** The id of the rule that decided the category (for audits of the rules). */
  rule: z.string().nullable(),
});
export type ItemCategory = z.infer<typeof ItemCategory>;

export const GuidelineFamily = z.enum(['mtus', 'acoem', 'odg', 'other', 'none']);
export type GuidelineFamily = z.infer<typeof GuidelineFamily>;

export const CitationFamily = z.object({
  family: GuidelineFamily,
  /** MTUS or ODG chapter, normalised: "Chronic Pain Medical Treatment", "Low Back". */
  chapter: z.string().nullable(),
});
export type CitationFamily = z.infer<typeof CitationFamily>;
