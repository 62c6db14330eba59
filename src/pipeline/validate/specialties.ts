import { editDistance } from '../parse/headings.js';

/**
 * Reviewer certifications as letters write them, each under its canonical name: the ABMS member boards'
 * specialties and subspecialties (ABMS spelling: "Orthopaedic Surgery", "and" for "&"), the AOA
 * (osteopathic) names, the usual informal names ("Family Practice", "Pain Management"), and the
 * non-physician professions that review chiropractic, acupuncture, psychology, podiatry, therapy,
 * dental, optometry, pharmacy and nursing disputes. Each row is `[canonical, ...other ways of writing it]`;
 * "&" and "and" are the same and British spellings are folded (see `key`), so they need no row of their own.
 */
const VOCABULARY: readonly (readonly [string, ...string[]])[] = [
  // Allergy and Immunology
  ['Allergy and Immunology', 'Allergy', 'Immunology', 'Allergy and Clinical Immunology'],
  ['Clinical and Laboratory Immunology'],
  // Anesthesiology
  ['Anesthesiology', 'Anesthesia'],
  ['Adult Cardiac Anesthesiology', 'Cardiac Anesthesiology'],
  [
    'Critical Care Medicine',
    'Anesthesiology Critical Care Medicine',
    'Internal Medicine Critical Care Medicine',
    'Critical Care',
  ],
  [
    'Pain Medicine',
    'Pain Management',
    'Interventional Pain Management',
    'Interventional Pain Medicine',
    'Pain',
  ],
  ['Pediatric Anesthesiology'],
  ['Neurocritical Care'],
  ['Hospice and Palliative Medicine', 'Palliative Medicine', 'Palliative Care'],
  ['Sleep Medicine'],
  ['Addiction Medicine'],
  ['Health Care Administration, Leadership and Management'],
  // Colon and Rectal Surgery
  ['Colon and Rectal Surgery', 'Colorectal Surgery'],
  // Dermatology
  ['Dermatology'],
  ['Dermatopathology'],
  ['Pediatric Dermatology'],
  ['Micrographic Dermatologic Surgery', 'Procedural Dermatology', 'Mohs Surgery'],
  // Emergency Medicine
  ['Emergency Medicine'],
  ['Emergency Medical Services'],
  ['Medical Toxicology', 'Toxicology'],
  ['Pediatric Emergency Medicine'],
  ['Sports Medicine'],
  ['Undersea and Hyperbaric Medicine', 'Hyperbaric Medicine'],
  ['Urgent Care Medicine', 'Urgent Care'],
  // Family Medicine
  ['Family Medicine', 'Family Practice', 'Family Physician'],
  ['General Practice', 'General Medicine', 'Primary Care'],
  ['Adolescent Medicine'],
  ['Geriatric Medicine', 'Geriatrics'],
  // Internal Medicine
  ['Internal Medicine'],
  ['Adult Congenital Heart Disease'],
  ['Advanced Heart Failure and Transplant Cardiology'],
  ['Cardiovascular Disease', 'Cardiology', 'Cardiovascular Medicine'],
  ['Clinical Cardiac Electrophysiology'],
  ['Interventional Cardiology'],
  ['Endocrinology, Diabetes and Metabolism', 'Endocrinology'],
  ['Gastroenterology'],
  ['Hepatology'],
  ['Transplant Hepatology'],
  ['Hematology'],
  ['Medical Oncology', 'Oncology'],
  ['Infectious Disease', 'Infectious Diseases'],
  ['Nephrology'],
  ['Pulmonary Disease', 'Pulmonology', 'Pulmonary Medicine'],
  ['Rheumatology'],
  ['Hospital Medicine'],
  ['Clinical Informatics'],
  // Medical Genetics and Genomics
  ['Medical Genetics and Genomics', 'Medical Genetics'],
  ['Clinical Genetics and Genomics', 'Clinical Genetics'],
  ['Clinical Biochemical Genetics'],
  ['Laboratory Genetics and Genomics'],
  ['Medical Biochemical Genetics'],
  // Neurological Surgery
  ['Neurological Surgery', 'Neurosurgery'],
  ['Spine Surgery'],
  // Nuclear Medicine
  ['Nuclear Medicine'],
  // Obstetrics and Gynecology
  ['Obstetrics and Gynecology', 'Obstetrics', 'Gynecology', 'OB GYN'],
  ['Complex Family Planning'],
  ['Gynecologic Oncology'],
  ['Maternal-Fetal Medicine'],
  ['Reproductive Endocrinology and Infertility'],
  [
    'Urogynecology and Reconstructive Pelvic Surgery',
    'Female Pelvic Medicine and Reconstructive Surgery',
    'Urogynecology',
  ],
  // Ophthalmology
  ['Ophthalmology'],
  // Orthopaedic Surgery
  ['Orthopaedic Surgery', 'Orthopedics', 'Orthopedic Medicine'],
  ['Orthopaedic Sports Medicine'],
  ['Surgery of the Hand', 'Hand Surgery', 'Hand'],
  ['Foot and Ankle Surgery', 'Foot Surgery', 'Podiatric Surgery'],
  ['Orthopaedic Trauma'],
  ['Joint Replacement'],
  // Otolaryngology - Head and Neck Surgery
  [
    'Otolaryngology - Head and Neck Surgery',
    'Otolaryngology',
    'Otorhinolaryngology',
    'Head and Neck Surgery',
    'ENT',
  ],
  ['Neurotology'],
  ['Complex Pediatric Otolaryngology', 'Pediatric Otolaryngology'],
  ['Plastic Surgery Within the Head and Neck'],
  ['Facial Plastic and Reconstructive Surgery'],
  // Pathology
  ['Pathology'],
  ['Anatomic Pathology'],
  ['Clinical Pathology'],
  ['Anatomic and Clinical Pathology'],
  ['Blood Banking and Transfusion Medicine'],
  ['Chemical Pathology'],
  ['Cytopathology'],
  ['Forensic Pathology'],
  ['Hematopathology'],
  ['Medical Microbiology'],
  ['Molecular Genetic Pathology'],
  ['Neuropathology'],
  ['Pediatric Pathology'],
  // Pediatrics
  ['Pediatrics'],
  ['Pediatric Cardiology'],
  ['Pediatric Critical Care Medicine'],
  ['Developmental-Behavioral Pediatrics'],
  ['Neonatal-Perinatal Medicine'],
  ['Pediatric Endocrinology'],
  ['Pediatric Gastroenterology'],
  ['Pediatric Hematology-Oncology'],
  ['Pediatric Hospital Medicine'],
  ['Pediatric Infectious Diseases'],
  ['Pediatric Nephrology'],
  ['Pediatric Pulmonology'],
  ['Pediatric Rheumatology'],
  ['Pediatric Sports Medicine'],
  ['Pediatric Transplant Hepatology'],
  ['Child Abuse Pediatrics'],
  // Physical Medicine and Rehabilitation
  [
    'Physical Medicine and Rehabilitation',
    'Physical Medicine',
    'Rehabilitation Medicine',
    'Physical Medicine and Rehab',
    'Physiatry',
    'PM and R',
    'PMR',
  ],
  ['Brain Injury Medicine'],
  ['Neuromuscular Medicine'],
  ['Pediatric Rehabilitation Medicine'],
  ['Spinal Cord Injury Medicine'],
  ['Electrodiagnostic Medicine'],
  // Plastic Surgery
  ['Plastic Surgery', 'Plastic and Reconstructive Surgery', 'Reconstructive Surgery'],
  // Preventive Medicine
  ['Preventive Medicine'],
  ['Aerospace Medicine'],
  [
    'Occupational Medicine',
    'Occupational and Environmental Medicine',
    'Occupational Health',
    'Industrial Medicine',
  ],
  ['Public Health and General Preventive Medicine', 'Public Health'],
  ['Environmental Medicine'],
  // Psychiatry and Neurology
  ['Psychiatry'],
  ['Neurology'],
  ['Child Neurology', 'Neurology with Special Qualification in Child Neurology'],
  ['Addiction Psychiatry'],
  ['Child and Adolescent Psychiatry'],
  ['Clinical Neurophysiology'],
  ['Consultation-Liaison Psychiatry', 'Psychosomatic Medicine'],
  ['Epilepsy'],
  ['Forensic Psychiatry'],
  ['Geriatric Psychiatry'],
  ['Neurodevelopmental Disabilities'],
  ['Vascular Neurology'],
  ['Behavioral Neurology and Neuropsychiatry', 'Neuropsychiatry'],
  ['Headache Medicine'],
  // Radiology
  ['Diagnostic Radiology', 'Radiology'],
  [
    'Interventional Radiology',
    'Interventional Radiology and Diagnostic Radiology',
    'Vascular and Interventional Radiology',
  ],
  ['Neuroradiology'],
  ['Nuclear Radiology'],
  ['Pediatric Radiology'],
  ['Musculoskeletal Radiology'],
  ['Radiation Oncology'],
  ['Medical Physics'],
  // Surgery
  ['Surgery', 'General Surgery'],
  ['Complex General Surgical Oncology', 'Surgical Oncology'],
  ['Pediatric Surgery'],
  ['Surgical Critical Care'],
  ['Trauma Surgery'],
  ['Vascular Surgery'],
  ['Bariatric Surgery'],
  ['Breast Surgery'],
  // Thoracic Surgery
  ['Thoracic Surgery', 'Thoracic and Cardiac Surgery', 'Cardiothoracic Surgery', 'Cardiac Surgery'],
  ['Congenital Cardiac Surgery'],
  // Urology
  ['Urology'],
  ['Pediatric Urology'],
  // Osteopathic (AOA) names
  [
    'Neuromusculoskeletal Medicine',
    'Neuromusculoskeletal Medicine and Osteopathic Manipulative Medicine',
    'Osteopathic Neuromusculoskeletal Medicine',
    'Osteopathic Manipulative Medicine',
    'Osteopathic Manipulative Treatment',
  ],
  // Boards outside ABMS that reviewers name
  ['Obesity Medicine'],
  ['Integrative Medicine'],
  ['Lifestyle Medicine'],
  ['Wound Care', 'Wound Medicine'],
  // Other professions that review IMR disputes (the profession's name stands for its specialty)
  [
    'Chiropractic',
    'Chiropractic Medicine',
    'Chiropractor',
    'Doctor of Chiropractic',
    'Chiropractic Physician',
  ],
  ['Chiropractic Sports Medicine'],
  ['Chiropractic Orthopedics'],
  ['Chiropractic Neurology'],
  [
    'Acupuncture',
    'Acupuncture and Oriental Medicine',
    'Oriental Medicine',
    'Traditional Chinese Medicine',
    'Licensed Acupuncturist',
    'Acupuncturist',
  ],
  ['Psychology', 'Psychologist'],
  ['Clinical Psychology', 'Clinical Psychologist'],
  ['Clinical Neuropsychology', 'Neuropsychology', 'Neuropsychologist'],
  ['Health Psychology'],
  ['Rehabilitation Psychology'],
  ['Pain Psychology'],
  ['Podiatry', 'Podiatric Medicine', 'Podiatric Medicine and Surgery', 'Podiatrist'],
  ['Physical Therapy', 'Physical Therapist', 'Physiotherapy'],
  ['Occupational Therapy', 'Occupational Therapist'],
  ['Speech-Language Pathology'],
  ['Audiology'],
  ['Optometry', 'Optometrist'],
  ['Dentistry', 'General Dentistry', 'Dentist'],
  ['Oral and Maxillofacial Surgery'],
  ['Orofacial Pain'],
  ['Prosthodontics'],
  ['Periodontics'],
  ['Endodontics'],
  ['Orthodontics'],
  ['Pharmacy', 'Pharmacist'],
  ['Pharmacotherapy'],
  ['Pharmacology', 'Clinical Pharmacology'],
  ['Nursing', 'Registered Nurse'],
  ['Nurse Practitioner'],
  ['Physician Assistant'],
  // A focus written after a specialty ("Orthopedic Surgery - Spine"): no board of its own.
  ['Spine', 'Spine Medicine'],
];

/** Names that stand for two certifications at once. */
const COMBINED: readonly (readonly [string, readonly string[]])[] = [
  ['Hematology and Oncology', ['Hematology', 'Medical Oncology']],
  ['Hematology Oncology', ['Hematology', 'Medical Oncology']],
  ['Pulmonary Disease and Critical Care Medicine', ['Pulmonary Disease', 'Critical Care Medicine']],
  ['Pulmonary and Critical Care Medicine', ['Pulmonary Disease', 'Critical Care Medicine']],
  ['Psychiatry and Neurology', ['Psychiatry', 'Neurology']],
  // An orthopaedic surgeon's focus: grouped under the board first.
  ['Orthopedic Spine Surgery', ['Orthopaedic Surgery', 'Spine Surgery']],
  ['Orthopedic Foot and Ankle Surgery', ['Orthopaedic Surgery', 'Foot and Ankle Surgery']],
  [
    'Physical Medicine and Rehabilitation and Osteopathic Manipulative Treatment',
    ['Physical Medicine and Rehabilitation', 'Neuromusculoskeletal Medicine'],
  ],
];

/** Lower case, "&" as "and", British spellings folded, punctuation as spaces. */
function key(text: string): string {
  return text
    .toLowerCase()
    .replace(/&|\+/g, ' and ')
    .replace(/paed/g, 'ped')
    .replace(/anaesth/g, 'anesth')
    .replace(/haem/g, 'hem')
    .replace(/gynaec/g, 'gynec')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/** Each written form's key to the canonical name(s) it stands for. */
const CANONICAL: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, readonly string[]>();
  const add = (written: string, names: readonly string[]) => {
    const k = key(written);
    const had = map.get(k);
    // Two rows claiming one written form would make the canonical name depend on row order.
    if (had && had.join('|') !== names.join('|')) {
      throw new Error(`specialty vocabulary: "${written}" is both ${had.join(', ')} and ${names.join(', ')}`);
    }
    map.set(k, names);
  };
  for (const [canonical, ...others] of VOCABULARY) {
    for (const written of [canonical, ...others]) add(written, [canonical]);
  }
  for (const [written, names] of COMBINED) add(written, names);
  return map;
})();
const KNOWN_LIST = [...CANONICAL.keys()];

/** The canonical names of the vocabulary, sorted (what the canonical columns can hold). */
export const CANONICAL_SPECIALTIES: readonly string[] = [...new Set(VOCABULARY.map(([c]) => c))].sort();

// Wording around the names ("has a subspecialty in", "Board Certified in", "American Board of").
const CONNECTORS =
  /\b(?:(?:is\s+)?board[\s-]*certified(?:\s+in)?|certified\s+in|diplomate\s+(?:of\s+)?(?:the\s+)?|american\s+(?:osteopathic\s+)?board\s+of|(?:who\s+)?(?:has|with)\s+(?:a\s+)?(?:certificate\s+of\s+added\s+qualification|sub-?\s*specialty(?:\s+certification)?)\s+in|sub-?\s*specialty\s*(?:in|:)?)\s*/gi;

export interface SpecialtyPart {
  /** The part as written. */
  text: string;
  /** The canonical name(s) of the specialty it is (a typo of), joined by ", "; null when unknown. */
  match: string | null;
  /** The canonical names (two for a combined name such as "Hematology and Oncology"); empty when unknown. */
  names: readonly string[];
  typo: boolean;
}

function part(text: string, names: readonly string[] | undefined, typo: boolean): SpecialtyPart {
  return names
    ? { text, match: names.join(', '), names, typo }
    : { text, match: null, names: [], typo: false };
}

function exact(parts: string[]): readonly string[] | undefined {
  return CANONICAL.get(key(parts.join(' ')));
}

function fuzzy(text: string): readonly string[] | undefined {
  const k = key(text);
  // One slip in a short name, two in a long one ("Sports Medicinea", "Internal Medicne").
  const max = k.length <= 4 ? 0 : k.length <= 12 ? 1 : 2;
  if (max === 0) return undefined;
  let best: string | null = null;
  let bestDistance = max + 1;
  for (const known of KNOWN_LIST) {
    const d = editDistance(k, known, max);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best === null ? undefined : CANONICAL.get(best);
}

/**
 * Splits a "Certification(s)/Specialty" value into the specialties it lists and recognises each. Names
 * that hold a comma themselves ("Endocrinology, Diabetes & Metabolism") are matched across commas.
 */
export function matchSpecialties(value: string): SpecialtyPart[] {
  const parts = value
    .replace(CONNECTORS, ', ')
    .split(/\s*[,;]\s*/)
    .map((p) => p.replace(/^\s*(?:and|&)\s+|\s+(?:and|&)\s*$|\.\s*$/gi, '').trim())
    .filter((p) => key(p) !== '');
  const out: SpecialtyPart[] = [];
  let i = 0;
  while (i < parts.length) {
    let taken = 0;
    for (let n = Math.min(3, parts.length - i); n >= 1 && taken === 0; n--) {
      const names = exact(parts.slice(i, i + n));
      if (names) {
        out.push(part(parts.slice(i, i + n).join(', '), names, false));
        taken = n;
      }
    }
    if (taken === 0) {
      const text = parts[i]!;
      // Names joined inside one part: "Physical Medicine and Rehabilitation and Pain Medicine",
      // "Orthopedic Surgery - Spine", "Pain Medicine (Anesthesiology)".
      const split = splitJoined(text);
      if (split) out.push(...split);
      else out.push(part(text, fuzzy(text), true));
      taken = 1;
    }
    i += taken;
  }
  return out;
}

const JOINERS = /(\s+(?:and|&)\s+|\s*[\u2013\u2014/()]\s*|\s+-\s+)/i;

/** Splits a part at "and", dashes, slashes or brackets into known names; null when it cannot. */
function splitJoined(value: string): SpecialtyPart[] | null {
  // Odd indexes are the joiners, kept so that a run of pieces is matched as written.
  const tokens = value.split(JOINERS);
  const pieces = tokens.filter((_, i) => i % 2 === 0);
  if (pieces.length < 2) return null;
  const out: SpecialtyPart[] = [];
  let i = 0;
  while (i < pieces.length) {
    if (key(pieces[i]!) === '') {
      i++;
      continue;
    }
    let found = false;
    for (let n = pieces.length - i; n >= 1; n--) {
      const text = tokens
        .slice(2 * i, 2 * (i + n) - 1)
        .join('')
        .trim();
      const names = CANONICAL.get(key(text));
      if (names) {
        out.push(part(text, names, false));
        i += n;
        found = true;
        break;
      }
    }
    if (!found) return null;
  }
  return out.length > 1 ? out : null;
}

/** The canonical specialties of a printed value, in printed order, each once (near misses corrected). */
export function canonicalSpecialties(printed: string | null): string[] {
  const out: string[] = [];
  if (!printed) return out;
  for (const p of matchSpecialties(printed)) {
    for (const name of p.names) if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * Boards named before the specialty they certified in ("Preventive Medicine, Occupational Medicine"): the
 * American Board of Preventive Medicine certifies in these specialties, so the specialty says more.
 */
const BOARD_SPECIALTIES: Readonly<Record<string, readonly string[]>> = {
  'Preventive Medicine': [
    'Aerospace Medicine',
    'Occupational Medicine',
    'Public Health and General Preventive Medicine',
  ],
};

/**
 * `reviewer.specialties` and `reviewer.primarySpecialty` of a record, from `reviewer.specialty`: the
 * primary is the first canonical name, or the specialty a board name is followed by.
 */
export function reviewerSpecialties(printed: string | null): {
  specialties: string[];
  primarySpecialty: string | null;
} {
  const specialties = canonicalSpecialties(printed);
  const [first, next] = specialties;
  const ofBoard = first && next && BOARD_SPECIALTIES[first]?.includes(next);
  return { specialties, primarySpecialty: (ofBoard ? next : first) ?? null };
}
