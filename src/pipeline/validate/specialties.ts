import { editDistance } from '../parse/headings.js';

/**
 * Reviewer certifications as letters write them: the ABMS member boards' specialties and subspecialties,
 * the AOA (osteopathic) names, the usual informal names ("Family Practice", "Pain Management",
 * "Orthopedic Surgery"), and the non-physician professions that review chiropractic, acupuncture,
 * psychology, podiatry and therapy disputes. "&" and "and" are the same; British spellings are folded.
 */
const SPECIALTIES = [
  // Allergy and Immunology
  'Allergy and Immunology',
  'Allergy',
  'Immunology',
  'Clinical and Laboratory Immunology',
  // Anesthesiology
  'Anesthesiology',
  'Anesthesia',
  'Anesthesiology Critical Care Medicine',
  'Critical Care Medicine',
  'Pain Medicine',
  'Pain Management',
  'Interventional Pain Management',
  'Interventional Pain Medicine',
  'Pediatric Anesthesiology',
  'Neurocritical Care',
  'Hospice and Palliative Medicine',
  'Palliative Medicine',
  'Sleep Medicine',
  'Addiction Medicine',
  'Health Care Administration Leadership and Management',
  // Colon and Rectal Surgery
  'Colon and Rectal Surgery',
  'Colorectal Surgery',
  // Dermatology
  'Dermatology',
  'Dermatopathology',
  'Pediatric Dermatology',
  'Micrographic Dermatologic Surgery',
  'Procedural Dermatology',
  // Emergency Medicine
  'Emergency Medicine',
  'Emergency Medical Services',
  'Medical Toxicology',
  'Toxicology',
  'Pediatric Emergency Medicine',
  'Sports Medicine',
  'Undersea and Hyperbaric Medicine',
  'Hyperbaric Medicine',
  'Urgent Care Medicine',
  // Family Medicine
  'Family Medicine',
  'Family Practice',
  'General Practice',
  'General Medicine',
  'Primary Care',
  'Adolescent Medicine',
  'Geriatric Medicine',
  'Geriatrics',
  // Internal Medicine
  'Internal Medicine',
  'Adult Congenital Heart Disease',
  'Advanced Heart Failure and Transplant Cardiology',
  'Cardiovascular Disease',
  'Cardiology',
  'Clinical Cardiac Electrophysiology',
  'Interventional Cardiology',
  'Endocrinology Diabetes and Metabolism',
  'Endocrinology',
  'Gastroenterology',
  'Hepatology',
  'Transplant Hepatology',
  'Hematology',
  'Medical Oncology',
  'Oncology',
  'Hematology and Oncology',
  'Infectious Disease',
  'Infectious Diseases',
  'Nephrology',
  'Pulmonary Disease',
  'Pulmonology',
  'Pulmonary Disease and Critical Care Medicine',
  'Pulmonary and Critical Care Medicine',
  'Rheumatology',
  'Hospital Medicine',
  'Clinical Informatics',
  // Medical Genetics
  'Medical Genetics',
  'Medical Genetics and Genomics',
  'Clinical Genetics',
  // Neurological Surgery
  'Neurological Surgery',
  'Neurosurgery',
  'Spine Surgery',
  'Orthopedic Spine Surgery',
  // Nuclear Medicine
  'Nuclear Medicine',
  // Obstetrics and Gynecology
  'Obstetrics and Gynecology',
  'Obstetrics',
  'Gynecology',
  'Gynecologic Oncology',
  'Maternal-Fetal Medicine',
  'Reproductive Endocrinology and Infertility',
  'Female Pelvic Medicine and Reconstructive Surgery',
  'Urogynecology',
  // Ophthalmology
  'Ophthalmology',
  // Orthopaedic Surgery
  'Orthopedic Surgery',
  'Orthopedics',
  'Orthopedic Sports Medicine',
  'Surgery of the Hand',
  'Hand Surgery',
  'Foot and Ankle Surgery',
  'Orthopedic Foot and Ankle Surgery',
  'Orthopedic Trauma',
  'Joint Replacement',
  // Otolaryngology
  'Otolaryngology',
  'Otolaryngology - Head and Neck Surgery',
  'Otolaryngology Head and Neck Surgery',
  'Otorhinolaryngology',
  'Neurotology',
  'Pediatric Otolaryngology',
  'Plastic Surgery Within the Head and Neck',
  'Facial Plastic and Reconstructive Surgery',
  // Pathology
  'Pathology',
  'Anatomic Pathology',
  'Clinical Pathology',
  'Anatomic and Clinical Pathology',
  'Blood Banking and Transfusion Medicine',
  'Chemical Pathology',
  'Cytopathology',
  'Forensic Pathology',
  'Hematopathology',
  'Medical Microbiology',
  'Molecular Genetic Pathology',
  'Neuropathology',
  'Pediatric Pathology',
  // Pediatrics
  'Pediatrics',
  'Pediatric Cardiology',
  'Pediatric Critical Care Medicine',
  'Developmental-Behavioral Pediatrics',
  'Neonatal-Perinatal Medicine',
  'Pediatric Endocrinology',
  'Pediatric Gastroenterology',
  'Pediatric Hematology-Oncology',
  'Pediatric Infectious Diseases',
  'Pediatric Nephrology',
  'Pediatric Pulmonology',
  'Pediatric Rheumatology',
  'Pediatric Sports Medicine',
  'Child Abuse Pediatrics',
  // Physical Medicine and Rehabilitation
  'Physical Medicine and Rehabilitation',
  'Physical Medicine',
  'Rehabilitation Medicine',
  'Physiatry',
  'Brain Injury Medicine',
  'Neuromuscular Medicine',
  'Pediatric Rehabilitation Medicine',
  'Spinal Cord Injury Medicine',
  'Electrodiagnostic Medicine',
  // Plastic Surgery
  'Plastic Surgery',
  'Plastic and Reconstructive Surgery',
  'Reconstructive Surgery',
  // Preventive Medicine
  'Preventive Medicine',
  'Aerospace Medicine',
  'Occupational Medicine',
  'Occupational and Environmental Medicine',
  'Public Health and General Preventive Medicine',
  'Public Health',
  'Environmental Medicine',
  // Psychiatry and Neurology
  'Psychiatry',
  'Neurology',
  'Psychiatry and Neurology',
  'Child Neurology',
  'Neurology with Special Qualification in Child Neurology',
  'Addiction Psychiatry',
  'Child and Adolescent Psychiatry',
  'Clinical Neurophysiology',
  'Consultation-Liaison Psychiatry',
  'Psychosomatic Medicine',
  'Epilepsy',
  'Forensic Psychiatry',
  'Geriatric Psychiatry',
  'Neurodevelopmental Disabilities',
  'Vascular Neurology',
  'Behavioral Neurology and Neuropsychiatry',
  'Neuropsychiatry',
  'Headache Medicine',
  // Radiology
  'Radiology',
  'Diagnostic Radiology',
  'Interventional Radiology',
  'Interventional Radiology and Diagnostic Radiology',
  'Vascular and Interventional Radiology',
  'Neuroradiology',
  'Nuclear Radiology',
  'Pediatric Radiology',
  'Musculoskeletal Radiology',
  'Radiation Oncology',
  'Medical Physics',
  // Surgery
  'Surgery',
  'General Surgery',
  'Complex General Surgical Oncology',
  'Pediatric Surgery',
  'Surgical Critical Care',
  'Trauma Surgery',
  'Vascular Surgery',
  'Bariatric Surgery',
  'Breast Surgery',
  // Thoracic Surgery
  'Thoracic Surgery',
  'Thoracic and Cardiac Surgery',
  'Cardiothoracic Surgery',
  'Cardiac Surgery',
  'Congenital Cardiac Surgery',
  // Urology
  'Urology',
  'Pediatric Urology',
  // Osteopathic (AOA) names
  'Osteopathic Manipulative Medicine',
  'Neuromusculoskeletal Medicine',
  'Neuromusculoskeletal Medicine and Osteopathic Manipulative Medicine',
  'Osteopathic Neuromusculoskeletal Medicine',
  'Physical Medicine and Rehabilitation and Osteopathic Manipulative Treatment',
  // Other professions that review IMR disputes
  'Chiropractic',
  'Chiropractic Medicine',
  'Chiropractor',
  'Chiropractic Sports Medicine',
  'Chiropractic Orthopedics',
  'Chiropractic Neurology',
  'Acupuncture',
  'Acupuncture and Oriental Medicine',
  'Oriental Medicine',
  'Traditional Chinese Medicine',
  'Psychology',
  'Clinical Psychology',
  'Neuropsychology',
  'Clinical Neuropsychology',
  'Health Psychology',
  'Rehabilitation Psychology',
  'Pain Psychology',
  'Podiatry',
  'Podiatric Medicine',
  'Podiatric Surgery',
  'Podiatric Medicine and Surgery',
  'Foot Surgery',
  'Physical Therapy',
  'Occupational Therapy',
  'Speech-Language Pathology',
  'Audiology',
  'Optometry',
  'Dentistry',
  'General Dentistry',
  'Oral and Maxillofacial Surgery',
  'Orofacial Pain',
  'Prosthodontics',
  'Periodontics',
  'Endodontics',
  'Orthodontics',
  'Pharmacy',
  'Pharmacology',
  'Clinical Pharmacology',
  'Pharmacotherapy',
  'Nursing',
  'Wound Care',
  // Professions named instead of a specialty
  'Doctor of Chiropractic',
  'Chiropractic Physician',
  'Licensed Acupuncturist',
  'Acupuncturist',
  'Psychologist',
  'Clinical Psychologist',
  'Neuropsychologist',
  'Podiatrist',
  'Physical Therapist',
  'Occupational Therapist',
  'Pharmacist',
  'Dentist',
  'Optometrist',
  'Registered Nurse',
  'Nurse Practitioner',
  'Physician Assistant',
  // Qualifiers written after a specialty ("Orthopedic Surgery - Spine")
  'Spine',
  'Spine Medicine',
  'Hand',
  'Pain',
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

const KNOWN = new Set(SPECIALTIES.map(key));
const KNOWN_LIST = [...KNOWN];

// Wording around the names ("has a subspecialty in", "Board Certified in", "American Board of").
const CONNECTORS =
  /\b(?:(?:is\s+)?board[\s-]*certified(?:\s+in)?|certified\s+in|diplomate\s+(?:of\s+)?(?:the\s+)?|american\s+(?:osteopathic\s+)?board\s+of|(?:who\s+)?(?:has|with)\s+(?:a\s+)?(?:certificate\s+of\s+added\s+qualification|sub-?\s*specialty(?:\s+certification)?)\s+in|sub-?\s*specialty\s*(?:in|:)?)\s*/gi;

export interface SpecialtyPart {
  /** The part as written. */
  text: string;
  /** The recognised specialty it is (a typo of), or null. */
  match: string | null;
  typo: boolean;
}

function exact(parts: string[]): string | null {
  const k = key(parts.join(' '));
  return KNOWN.has(k) ? k : null;
}

function fuzzy(text: string): string | null {
  const k = key(text);
  // One slip in a short name, two in a long one ("Sports Medicinea", "Internal Medicne").
  const max = k.length <= 4 ? 0 : k.length <= 12 ? 1 : 2;
  if (max === 0) return null;
  let best: string | null = null;
  let bestDistance = max + 1;
  for (const known of KNOWN_LIST) {
    const d = editDistance(k, known, max);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
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
      const match = exact(parts.slice(i, i + n));
      if (match) {
        out.push({ text: parts.slice(i, i + n).join(', '), match, typo: false });
        taken = n;
      }
    }
    if (taken === 0) {
      const part = parts[i]!;
      // Names joined inside one part: "Physical Medicine and Rehabilitation and Pain Medicine",
      // "Orthopedic Surgery - Spine", "Pain Medicine (Anesthesiology)".
      const split = splitJoined(part);
      if (split) out.push(...split);
      else {
        const match = fuzzy(part);
        out.push({ text: part, match, typo: match !== null });
      }
      taken = 1;
    }
    i += taken;
  }
  return out;
}

const JOINERS = /(\s+(?:and|&)\s+|\s*[\u2013\u2014/()]\s*|\s+-\s+)/i;

/** Splits a part at "and", dashes, slashes or brackets into known names; null when it cannot. */
function splitJoined(part: string): SpecialtyPart[] | null {
  // Odd indexes are the joiners, kept so that a run of pieces is matched as written.
  const tokens = part.split(JOINERS);
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
      if (KNOWN.has(key(text))) {
        out.push({ text, match: key(text), typo: false });
        i += n;
        found = true;
        break;
      }
    }
    if (!found) return null;
  }
  return out.length > 1 ? out : null;
}
