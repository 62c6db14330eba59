/**
 * Invented content for synthetic IMR letters: body regions, disputed items with the guidelines a
 * reviewer would cite for them, and sentence pools for case summaries and rationales.
 * Nothing here is copied from a real letter; guideline titles are the public MTUS/ODG names.
 */
import { HELDOUT_ITEMS } from './heldout-items.js';
import type { Rng } from './rng.js';

export interface Region {
  key: string;
  /** "lumbar spine", or "shoulder" for a sided region. */
  part: string;
  sided: boolean;
  complaint: string;
  /** MTUS (ACOEM) guideline for this region, 2016 naming. */
  mtus: string;
  /** ODG chapter name. */
  odg: string;
  /** 2015-era ACOEM chapter name and pages. */
  acoem: { name: string; pages: string };
  diagnoses: string[];
  findings: string[];
  surgery: { base: string; extra: string }[];
  injection: string;
  /** An UpToDate topic for this region. */
  uptodate: string;
}

export const REGIONS: Region[] = [
  {
    key: 'lumbar',
    uptodate: 'UpToDate: Subacute and chronic low back pain in adults: Nonpharmacologic treatment',
    part: 'lumbar spine',
    sided: false,
    complaint: 'low back pain radiating to the legs',
    mtus: 'Low Back Complaints 2004',
    odg: 'Low Back - Lumbar & Thoracic (Acute & Chronic)',
    acoem: { name: 'ACOEM Low Back Complaints Chapter 12', pages: '303-305' },
    diagnoses: [
      'lumbar sprain/strain',
      'lumbar disc protrusion at L4-L5',
      'lumbar radiculopathy',
      'degenerative disc disease of the lumbar spine',
    ],
    findings: [
      'tenderness over the lumbar paraspinal muscles with reduced flexion',
      'a positive straight leg raise on the left at 45 degrees',
      'decreased sensation over the L5 dermatome',
      'guarding with lumbar extension and normal lower extremity strength',
    ],
    surgery: [
      { base: 'L4-L5 microdiscectomy', extra: 'with foraminotomy at L5-S1' },
      { base: 'L5-S1 laminectomy', extra: 'and posterior lumbar fusion' },
    ],
    injection: 'Lumbar epidural steroid injection at L4-L5 under fluoroscopy',
  },
  {
    key: 'cervical',
    uptodate: 'UpToDate: Evaluation of the adult patient with neck pain',
    part: 'cervical spine',
    sided: false,
    complaint: 'neck pain with intermittent numbness in the hands',
    mtus: 'Neck and Upper Back Complaints 2004',
    odg: 'Neck and Upper Back (Acute & Chronic)',
    acoem: { name: 'ACOEM Neck and Upper Back Complaints Chapter 8', pages: '177-179' },
    diagnoses: ['cervical strain', 'cervical radiculitis', 'cervical disc bulge at C5-C6', 'cervicalgia'],
    findings: [
      'limited cervical rotation with tenderness over the trapezius',
      'a positive Spurling test on the right',
      'diminished biceps reflex on the left',
      'paraspinal spasm and full upper extremity strength',
    ],
    surgery: [
      { base: 'C5-C6 anterior cervical discectomy and fusion', extra: 'with allograft and plating at C6-C7' },
    ],
    injection: 'Cervical facet medial branch block at C5-C6 and C6-C7',
  },
  {
    key: 'shoulder',
    uptodate: 'UpToDate: Presentation and management of rotator cuff tendinopathy',
    part: 'shoulder',
    sided: true,
    complaint: 'shoulder pain with overhead reaching',
    mtus: 'Shoulder Complaints 2004',
    odg: 'Shoulder (Acute & Chronic)',
    acoem: { name: 'ACOEM Shoulder Complaints Chapter 9', pages: '207-209' },
    diagnoses: [
      'rotator cuff tendinitis',
      'shoulder impingement syndrome',
      'partial thickness rotator cuff tear',
    ],
    findings: [
      'a positive Neer and Hawkins sign',
      'painful arc between 70 and 120 degrees of abduction',
      'weakness with resisted external rotation',
      'tenderness over the acromioclavicular joint',
    ],
    surgery: [
      { base: 'shoulder arthroscopy with subacromial decompression', extra: 'and distal clavicle excision' },
      { base: 'shoulder arthroscopy with rotator cuff repair', extra: 'with biceps tenodesis' },
    ],
    injection: 'Subacromial corticosteroid injection under ultrasound guidance',
  },
  {
    key: 'knee',
    uptodate: 'UpToDate: Evaluation of the adult with knee pain',
    part: 'knee',
    sided: true,
    complaint: 'knee pain with swelling after prolonged standing',
    mtus: 'Knee Complaints 2004',
    odg: 'Knee & Leg (Acute & Chronic)',
    acoem: { name: 'ACOEM Knee Complaints Chapter 13', pages: '341-343' },
    diagnoses: ['medial meniscus tear', 'knee sprain', 'patellofemoral pain syndrome', 'knee contusion'],
    findings: [
      'medial joint line tenderness and a positive McMurray test',
      'a small effusion with flexion limited to 110 degrees',
      'crepitus with patellar compression',
      'a stable knee with mild quadriceps atrophy',
    ],
    surgery: [
      {
        base: 'knee arthroscopy with partial medial meniscectomy',
        extra: 'and chondroplasty of the patella',
      },
    ],
    injection: 'Intra-articular corticosteroid injection of the knee',
  },
  {
    key: 'wrist',
    uptodate: 'UpToDate: Carpal tunnel syndrome: Treatment and prognosis',
    part: 'wrist',
    sided: true,
    complaint: 'wrist pain with numbness in the first three fingers',
    mtus: 'Forearm, Wrist, and Hand Complaints 2004',
    odg: 'Forearm, Wrist, & Hand (Acute & Chronic)',
    acoem: { name: 'ACOEM Hand Complaints Chapter 11', pages: '268-270' },
    diagnoses: [
      'carpal tunnel syndrome',
      'wrist sprain',
      'de Quervain tenosynovitis',
      'triangular fibrocartilage tear',
    ],
    findings: [
      'a positive Phalen and Tinel sign at the wrist',
      'reduced grip strength compared with the other side',
      'tenderness over the first dorsal compartment',
      'intact two-point discrimination with mild thenar weakness',
    ],
    surgery: [
      { base: 'open carpal tunnel release', extra: 'with flexor tenosynovectomy' },
      { base: 'wrist arthroscopy with debridement', extra: 'and ulnar shortening osteotomy' },
    ],
    injection: 'Carpal tunnel corticosteroid injection',
  },
  {
    key: 'elbow',
    uptodate: 'UpToDate: Elbow tendinopathy in adults',
    part: 'elbow',
    sided: true,
    complaint: 'elbow pain with gripping',
    mtus: 'Elbow Complaints 2007',
    odg: 'Elbow (Acute & Chronic)',
    acoem: { name: 'ACOEM Elbow Complaints Chapter 10', pages: '32-35' },
    diagnoses: ['lateral epicondylitis', 'elbow sprain', 'cubital tunnel syndrome'],
    findings: [
      'tenderness over the lateral epicondyle with pain on resisted wrist extension',
      'a positive Tinel sign at the cubital tunnel',
      'full range of motion with pain at end range',
    ],
    surgery: [{ base: 'lateral epicondyle debridement', extra: 'and common extensor tendon repair' }],
    injection: 'Lateral epicondyle corticosteroid injection',
  },
  {
    key: 'ankle',
    uptodate: 'UpToDate: Ankle sprain in adults: Management',
    part: 'ankle',
    sided: true,
    complaint: 'ankle pain and instability on uneven ground',
    mtus: 'Ankle and Foot Complaints 2004',
    odg: 'Ankle & Foot (Acute & Chronic)',
    acoem: { name: 'ACOEM Ankle and Foot Complaints Chapter 14', pages: '372-374' },
    diagnoses: ['ankle sprain', 'plantar fasciitis', 'peroneal tendinitis', 'metatarsal fracture'],
    findings: [
      'tenderness over the anterior talofibular ligament',
      'a positive anterior drawer test',
      'tenderness at the plantar fascia insertion',
    ],
    surgery: [{ base: 'ankle arthroscopy with synovectomy', extra: 'and lateral ligament reconstruction' }],
    injection: 'Plantar fascia corticosteroid injection',
  },
];

export const MECHANISMS = [
  'a slip and fall on a wet floor',
  'lifting a heavy box from a low shelf',
  'repetitive keyboard and mouse work',
  'a rear-end motor vehicle collision while making deliveries',
  'pulling a loaded pallet jack',
  'a fall from a ladder',
  'cumulative trauma',
  'restraining a combative patient',
  'catching a falling crate',
  'pushing a loaded cart up a ramp',
  'tripping over a hose at a job site',
  'repetitive overhead stocking',
];

export const OCCUPATIONS = [
  'warehouse associate',
  'bus driver',
  'certified nursing assistant',
  'grocery clerk',
  'correctional officer',
  'landscaper',
  'machine operator',
  'school custodian',
  'delivery driver',
];

export const PRIOR_TREATMENTS = [
  'medications',
  'physical therapy',
  'chiropractic care',
  'acupuncture',
  'a home exercise program',
  'activity modification',
  'a TENS unit',
  'ice and heat',
  'a brace',
  'diagnostic imaging',
  'modified duty',
  'a course of oral anti-inflammatories',
];

export const STATES = [
  'California',
  'Texas',
  'New York',
  'Oregon',
  'Washington',
  'Florida',
  'Ohio',
  'Georgia',
  'North Carolina',
  'South Carolina',
  'Arizona',
  'Nevada',
  'Colorado',
  'Illinois',
  'Virginia',
  'Pennsylvania',
  'Massachusetts',
  'Michigan',
  'Wyoming',
  'Utah',
];

export const SPECIALTIES = [
  'Preventive Medicine, Occupational Medicine',
  'Family Practice',
  'Physical Medicine & Rehabilitation',
  'Physical Medicine & Rehabilitation, Pain Management',
  'Orthopedic Surgery',
  'Internal Medicine',
  'Emergency Medicine',
  'Neurological Surgery',
  'Anesthesiology, Pain Management',
  'Psychiatry',
  'Surgery',
  'Chiropractic Medicine',
  'Family Practice, Sports Medicine',
  'Orthopedic Surgery, Hand Surgery',
];

/** Long enough to wrap after "Certification(s)/Specialty:". */
export const LONG_SPECIALTIES = [
  'Preventive Medicine, Occupational Medicine, Public Health & General Preventive Medicine',
  'Anesthesiology, Pain Management, Hospice & Palliative Medicine, Addiction Medicine',
  'Orthopedic Surgery, Hand Surgery, Sports Medicine, Physical Medicine & Rehabilitation',
  'Physical Medicine & Rehabilitation, Neuromuscular Medicine, Spinal Cord Injury Medicine',
];

/** Specialties with a typo, kept as written in the label. */
export const TYPO_SPECIALTIES = [
  'Internal Medicne',
  'Family Practise',
  'Orthopedic Surgery, Sports Medicinee',
];

export const NOTICE_SPECIALTIES = [
  'Occupational Medicine',
  'Physical Medicine and Rehabilitation',
  'Anesthesiology, has a subspecialty in Pain Medicine',
  'Family Practice',
  'Orthopedic Surgery',
  'Internal Medicine',
  'Neurology',
];

export type Category =
  | 'opioid'
  | 'medication'
  | 'therapy'
  | 'imaging'
  | 'electro'
  | 'injection'
  | 'surgery'
  | 'periop'
  | 'dme'
  | 'psych'
  | 'program';

/** A 2016-style MTUS guideline with the sections a reviewer might cite from it. */
export interface MtusRef {
  name: string;
  sections: string[];
}

/** A 2015-style citation: "MTUS <name> Page(s): <pages>." */
export interface LegacyRef {
  name: string;
  pages: string | null;
}

/** A 2013-style citation: "<source>, <sections>, page(s) <pages>". */
export interface NoticeRef {
  source: string;
  sections: string | null;
  pages: string | null;
  partOfMtus: boolean;
}

export interface ItemDraft {
  /** The item as written, before a `QTY: N` suffix and the decision. */
  text: string;
  /** From a `#N` in `text`. */
  hashQty: number | null;
  /** Rendered as a trailing `QTY: N`. */
  qtySuffix: number | null;
  category: Category;
  /** Short phrase for rationales: "physical therapy". */
  topic: string;
  /** Counts in prose ("6 sessions", "times 12") that are not quantities. */
  prose: boolean;
  colon: boolean;
  /** Candidate MTUS guidelines, primary first; two or more allow a joined ", and " citation. */
  mtus: MtusRef[];
  /** Candidate non-MTUS citation texts (after "Non-MTUS Citation "). */
  nonMtus: string[];
  legacy: LegacyRef;
  notice: NoticeRef;
  guidance: string[];
  against: string[];
  support: string[];
  /** UpToDate topic and URL citation when a letter asks for one the item does not carry. */
  fallbackUptodate: string;
  fallbackUrl: string;
}

export interface ModifiedDraft {
  original: string;
  authorized: string;
  /** The remaining IMR-eligible portion (wording 1/2); null for the "authorized instead" wording. */
  remaining: string | null;
  item: ItemDraft;
}

export interface ItemContext {
  rng: Rng;
  region: Region;
  /** "right shoulder", "lumbar spine". */
  part: string;
  side: string;
  era: 'fdl-2016' | 'fdl-2015' | 'notice-2013';
  year: number;
}

const CHRONIC = 'Chronic Pain Medical Treatment 2016';
const OPIOID = 'Opioid Treatment 2016';
const CP2015 = 'Chronic Pain Treatment Guidelines';
const CP2013 = 'MTUS Chronic Pain Medical Treatment Guidelines';

export const URLS = [
  'https://www.example.org/clinical-guidance/assistant-surgeon-recommendations-for-orthopedic-and-hand-surgery-procedures-2016-update',
  'https://guidelines.example.net/durable-medical-equipment/coverage-criteria-for-semi-electric-hospital-beds-in-the-home-setting',
  'https://www.example.org/evidence-summaries/continuous-flow-cryotherapy-after-arthroscopic-shoulder-surgery-systematic-review',
  'https://library.example.com/perioperative-medicine/routine-preoperative-laboratory-testing-in-healthy-adults-undergoing-low-risk-surgery',
];

const UPTODATE = [
  'UpToDate: Preoperative medical evaluation of the healthy adult patient',
  'UpToDate: Overview of the management of chronic low back pain in adults',
  'UpToDate: Evaluation of the adult with knee pain',
  'UpToDate: Carpal tunnel syndrome: Treatment and prognosis',
  'UpToDate: Use of opioids in the management of chronic non-cancer pain',
];

function odg(ctx: ItemContext, topic: string): string {
  const { rng, region } = ctx;
  return rng.pick([
    `Official Disability Guidelines (ODG), ${region.odg} chapter: ${topic}`,
    `Official Disability Guidelines (ODG) ${region.odg}, ${topic}`,
    `ODG ${region.odg} (updated 10/31/16), ${topic}`,
    `Official Disability Guidelines, ${region.odg} Procedure Summary Online Version: ${topic}`,
  ]);
}

const word = (n: number) =>
  ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'][
    n
  ] ?? String(n);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function draft(partial: Partial<ItemDraft> & Pick<ItemDraft, 'text' | 'category' | 'topic'>): ItemDraft {
  return {
    hashQty: null,
    qtySuffix: null,
    prose: false,
    colon: partial.text.includes(':'),
    mtus: [],
    nonMtus: [],
    legacy: { name: CP2015, pages: null },
    notice: { source: CP2013, sections: null, pages: null, partOfMtus: true },
    guidance: [],
    against: [],
    support: [],
    fallbackUptodate: '',
    fallbackUrl: '',
    ...partial,
  };
}

interface Drug {
  name: string;
  dose: string;
  opioid: boolean;
  section: string;
  legacy: LegacyRef;
  counts: number[];
}

const DRUGS: Drug[] = [
  {
    name: 'Norco',
    dose: '10/325mg',
    opioid: true,
    section: 'Opioids, criteria for use',
    legacy: { name: `${CP2015} Opioids for chronic pain`, pages: '80-82' },
    counts: [60, 90, 120],
  },
  {
    name: 'Oxycodone',
    dose: '10mg',
    opioid: true,
    section: 'Opioids, specific drug list',
    legacy: { name: `${CP2015} Criteria for use of opioids`, pages: '76-78' },
    counts: [30, 60, 90],
  },
  {
    name: 'Tramadol ER',
    dose: '150mg',
    opioid: true,
    section: 'Tramadol (Ultram)',
    legacy: { name: `${CP2015} Tramadol`, pages: '93-94' },
    counts: [30, 60],
  },
  {
    name: 'Hydrocodone/APAP',
    dose: '7.5/325mg',
    opioid: true,
    section: 'Opioids for chronic pain',
    legacy: { name: `${CP2015} Opioids for chronic pain`, pages: '80-81' },
    counts: [60, 120, 180],
  },
  {
    name: 'Gabapentin',
    dose: '600mg',
    opioid: false,
    section: 'Anti-epilepsy drugs (AEDs)',
    legacy: { name: `${CP2015} Anti-epilepsy drugs`, pages: '16-18' },
    counts: [60, 90],
  },
  {
    name: 'Naproxen sodium',
    dose: '550mg',
    opioid: false,
    section: 'NSAIDs (non-steroidal anti-inflammatory drugs)',
    legacy: { name: `${CP2015} NSAIDs`, pages: '67-68' },
    counts: [60, 90],
  },
  {
    name: 'Omeprazole',
    dose: '20mg',
    opioid: false,
    section: 'NSAIDs, GI symptoms & cardiovascular risk',
    legacy: { name: `${CP2015} NSAIDs GI symptoms and cardiovascular risk`, pages: '68-69' },
    counts: [30, 60],
  },
  {
    name: 'Cyclobenzaprine',
    dose: '7.5mg',
    opioid: false,
    section: 'Muscle relaxants (for pain)',
    legacy: { name: `${CP2015} Muscle relaxants`, pages: '63-66' },
    counts: [60, 90],
  },
  {
    name: 'Lidocaine 5% patches',
    dose: '',
    opioid: false,
    section: 'Lidoderm (lidocaine patch)',
    legacy: { name: `${CP2015} Lidoderm`, pages: '56-57' },
    counts: [30, 60],
  },
  {
    name: 'Duloxetine',
    dose: '30mg',
    opioid: false,
    section: 'Antidepressants for chronic pain',
    legacy: { name: `${CP2015} Antidepressants for chronic pain`, pages: '13-16' },
    counts: [30, 60],
  },
  {
    name: 'Meloxicam',
    dose: '15mg',
    opioid: false,
    section: 'NSAIDs (non-steroidal anti-inflammatory drugs)',
    legacy: { name: `${CP2015} NSAIDs`, pages: '67-73' },
    counts: [30],
  },
];

const OPIOID_GUIDANCE = [
  'The MTUS supports continued opioid therapy only when there is documented improvement in pain and function, no aberrant drug-related behavior, and ongoing monitoring with urine drug screens and a signed treatment agreement.',
  'The guidelines recommend that opioids be continued only when the patient has returned to work or has improved functioning and pain, with the lowest effective dose.',
];
const OPIOID_AGAINST = [
  'The records do not document a quantified reduction in pain or an objective improvement in function with the current opioid regimen.',
  'There is no recent urine drug screen or CURES report in the submitted records.',
  'The morphine equivalent dose was not calculated, and no plan for tapering was described.',
];
const OPIOID_SUPPORT = [
  'The most recent notes document a reduction in pain from 8/10 to 4/10 with the medication and the ability to complete a full work shift.',
  'A consistent urine drug screen and a signed opioid agreement are on file, and no aberrant behavior is reported.',
];

export const OPIOID_NOTE =
  'This determination concerns only the medical necessity of the opioid as it has been prescribed. It is not advice to stop opioids abruptly; the patient should discuss a safe tapering plan with the treating physician, as the MTUS Opioid Treatment Guidelines describe.';

function medication(ctx: ItemContext, opioid: boolean): ItemDraft {
  const { rng } = ctx;
  const drug = rng.pick(DRUGS.filter((d) => d.opioid === opioid));
  const count = rng.pick(drug.counts);
  const name = drug.dose ? `${drug.name} ${drug.dose}` : drug.name;
  const mtus: MtusRef[] = opioid
    ? [
        {
          name: OPIOID,
          sections: [
            '3.3 Opioids for Chronic Pain and Chronic Opioid Treatment: Maintenance of Chronic Opioid Treatment',
            '3.3.7 Opioids for Chronic Pain and Chronic Opioid Treatment: Monitoring Effectiveness of Chronic Opioid Treatment',
            '4.1 Tapering Opioids: Indications for Tapering Opioids',
          ],
        },
        { name: CHRONIC, sections: [drug.section] },
      ]
    : [
        {
          name: rng.chance(0.85) ? CHRONIC : 'Chronic Pain Medical Treatment 2009',
          sections: [drug.section],
        },
      ];
  const form = rng.int(0, 5);
  let text: string;
  let hashQty: number | null = count;
  let qtySuffix: number | null = null;
  const patch = drug.name.includes('patches');
  const short = patch
    ? ['apply 1 patch daily', 'apply 1 patch 12 hours on and 12 hours off']
    : ['one tablet twice daily', 'one tablet at bedtime', 'twice daily as needed', 'three times a day'];
  const long = patch
    ? ['apply 1 patch to the painful area for up to 12 hours, then remove for 12 hours, as directed']
    : opioid
      ? [
          '1 tablet by mouth every 6 hours as needed',
          '1 tablet by mouth every 4 to 6 hours as needed for breakthrough pain, not to exceed 4 per day',
        ]
      : [
          '1 tablet twice a day',
          drug.section.startsWith('NSAIDs (')
            ? 'one tablet by mouth twice daily with food for inflammation and pain of the affected area'
            : 'one by mouth daily as directed by the prescribing physician, to be reassessed at the next visit',
        ];
  if (ctx.era === 'fdl-2015' && rng.chance(0.5)) {
    text = `${name}, ${rng.pick(short)}`;
    hashQty = null;
    qtySuffix = count;
  } else if (form === 0 && opioid) {
    text = `${name.replace('Norco', 'Percocet')} #${count} day supply: ${rng.pick([15, 30])}`;
  } else if (form === 1) {
    text = `${name} #${count}, ${rng.pick(long)}`;
  } else if (form === 2) {
    text = `${name}, ${rng.pick(short)}`;
    hashQty = null;
  } else if (form === 3) {
    text = `Retrospective: ${name} #${count} (DOS ${rng.int(1, 12)}/${rng.int(1, 28)}/${ctx.year - 1})`;
  } else {
    text = `${name} #${count}`;
  }
  return draft({
    text,
    hashQty,
    qtySuffix,
    category: opioid ? 'opioid' : 'medication',
    topic: drug.name.toLowerCase(),
    mtus,
    nonMtus: [
      opioid
        ? 'Official Disability Guidelines (ODG), Pain (Chronic) chapter: Opioids, criteria for use'
        : `Official Disability Guidelines (ODG), Pain (Chronic) chapter: ${drug.section}`,
      ...(opioid ? [UPTODATE[4]!] : []),
    ],
    legacy: drug.legacy,
    notice: {
      source: CP2013,
      sections: drug.section.replace(/,.*$/, ''),
      pages: drug.legacy.pages,
      partOfMtus: true,
    },
    guidance: opioid
      ? OPIOID_GUIDANCE
      : [
          `The MTUS addresses ${drug.name.toLowerCase()} under ${drug.section}, and recommends it for the shortest period at the lowest effective dose with documented benefit.`,
          `The guidelines support ${drug.name.toLowerCase()} when there is a clear indication and documentation of efficacy and tolerance.`,
        ],
    against: opioid
      ? OPIOID_AGAINST
      : [
          `The records do not explain why ${drug.name.toLowerCase()} is still needed or what benefit it has provided.`,
          'The patient has been on the medication for several months without documented functional gains.',
        ],
    support: opioid
      ? OPIOID_SUPPORT
      : [
          'The notes document a clear reduction in pain and improved sleep and activity tolerance with the medication.',
          'The medication is being used as a first-line agent for the documented condition.',
        ],
  });
}

type TherapyKind = 'pt' | 'chiro' | 'acu' | 'massage' | 'aquatic' | 'ot';

function therapy(ctx: ItemContext, forced?: TherapyKind): ItemDraft {
  const { rng, region, part } = ctx;
  const kind: TherapyKind =
    forced ?? rng.pick(['pt', 'pt', 'chiro', 'acu', 'massage', 'aquatic', 'ot'] as const);
  const freq = rng.pick([1, 2, 3]);
  const weeks = rng.pick([2, 3, 4, 6]);
  const sessions = rng.pick([6, 8, 10, 12]);
  const forms = [
    () => `${freq} times a week for ${weeks} weeks`,
    () => `${sessions} sessions`,
    () => `times ${sessions}`,
    () => `quantity ${word(sessions)}`,
    () => `${word(freq)} times a week times ${word(weeks)} weeks`,
    () => `${word(sessions)} visits`,
  ];
  const count = rng.pick(forms)();
  const base: Record<typeof kind, { label: string; topic: string; mtus: MtusRef[]; legacy: LegacyRef }> = {
    pt: {
      label: rng.pick(['Physical therapy', 'Additional physical therapy', 'Outpatient physical therapy']),
      topic: 'physical therapy',
      mtus: [
        { name: CHRONIC, sections: ['Physical medicine treatment'] },
        { name: region.mtus, sections: ['Physical Methods', 'Initial Care'] },
        { name: 'General Approaches 2004', sections: ['Initial Approaches to Treatment'] },
      ],
      legacy: { name: `${CP2015} Physical Medicine`, pages: '98-99' },
    },
    chiro: {
      label: rng.pick(['Chiropractic treatment', 'Chiropractic manipulation', 'Chiropractic care']),
      topic: 'chiropractic care',
      mtus: [
        { name: CHRONIC, sections: ['Manual therapy & manipulation'] },
        { name: region.mtus, sections: ['Physical Methods'] },
      ],
      legacy: { name: `${CP2015} Manual therapy and manipulation`, pages: '58-59' },
    },
    acu: {
      label: rng.pick(['Acupuncture', 'Electro acupuncture', 'Additional acupuncture']),
      topic: 'acupuncture',
      mtus: [{ name: 'Acupuncture Treatment 2007', sections: [] }],
      legacy: { name: 'Acupuncture Medical Treatment Guidelines', pages: null },
    },
    massage: {
      label: rng.pick(['Massage therapy', 'Additional massage therapy']),
      topic: 'massage therapy',
      mtus: [{ name: CHRONIC, sections: ['Massage therapy'] }],
      legacy: { name: `${CP2015} Massage therapy`, pages: '60' },
    },
    aquatic: {
      label: 'Aquatic therapy',
      topic: 'aquatic therapy',
      mtus: [{ name: CHRONIC, sections: ['Aquatic therapy'] }],
      legacy: { name: `${CP2015} Aquatic therapy`, pages: '22' },
    },
    ot: {
      label: rng.pick(['Occupational therapy', 'Hand therapy']),
      topic: 'occupational therapy',
      mtus: [
        { name: CHRONIC, sections: ['Physical medicine treatment'] },
        { name: region.mtus, sections: ['Physical Methods'] },
      ],
      legacy: { name: `${CP2015} Physical Medicine`, pages: '98-99' },
    },
  };
  const b = base[kind];
  const other = rng.pick([
    'cervical spine',
    'lumbar spine',
    'bilateral shoulders',
    'left wrist/hand',
    'right hip and foot',
  ]);
  const text = rng.pick([
    `${b.label} for the ${part}, ${count}`,
    `${b.label} ${count} for the ${part}`,
    `${b.label} to the ${part} ${count}`,
    `${b.label} for the ${part} and ${other}, ${count}, with instruction in a home exercise program`,
    `${b.label} ${freq} times a week for ${weeks} weeks of the ${part} and ${other}, to include therapeutic exercise and modalities`,
  ]);
  const usesQty = ctx.era === 'fdl-2015' && rng.chance(0.6);
  return draft({
    text: usesQty ? `${b.label}, ${part}` : text,
    qtySuffix: usesQty ? sessions : null,
    category: 'therapy',
    topic: b.topic,
    prose: !usesQty,
    mtus: b.mtus,
    nonMtus: [
      odg(ctx, `${cap(b.topic)} guidelines`),
      'Official Disability Guidelines (ODG), Physical Therapy Guidelines',
    ],
    legacy: b.legacy,
    notice: { source: CP2013, sections: cap(b.topic), pages: b.legacy.pages, partOfMtus: true },
    guidance: [
      `The MTUS recommends ${b.topic} with a fading of treatment frequency, from up to 3 visits per week to 1 or less, plus an active self-directed home program.`,
      `The guidelines allow an initial trial of ${b.topic} of about 6 visits, with further visits only when objective functional improvement is documented.`,
    ],
    against: [
      `The number of ${b.topic} visits already completed and their outcome are not documented.`,
      `The requested number of sessions exceeds the initial trial the guidelines recommend.`,
      'There is no explanation of why the patient cannot continue with a home exercise program.',
    ],
    support: [
      `This is the first request for ${b.topic} for this injury, and the requested visits are within the guideline range.`,
      'The records document measurable deficits in range of motion and strength that supervised therapy is expected to improve.',
    ],
  });
}

function imaging(ctx: ItemContext): ItemDraft {
  const { rng, region, part } = ctx;
  const study = rng.pick([
    `MRI of the ${part}`,
    `MRI of the ${part} without contrast`,
    `CT scan of the ${part}`,
    `X-rays of the ${part}, 3 views`,
    `MR arthrogram of the ${part}`,
  ]);
  return draft({
    text: study,
    category: 'imaging',
    topic: 'imaging',
    mtus: [
      { name: region.mtus, sections: ['Special Studies', 'Special Studies, Summary', 'Diagnostic Criteria'] },
    ],
    nonMtus: [
      odg(
        ctx,
        study.startsWith('CT')
          ? 'Computed tomography (CT)'
          : study.startsWith('X-rays')
            ? 'Radiography'
            : rng.pick(['MRI (magnetic resonance imaging)', 'Magnetic resonance imaging (MRI)']),
      ),
    ],
    legacy: region.acoem,
    notice: {
      source: 'American College of Occupational and Environmental Medicine (ACOEM) Practice Guidelines',
      sections: region.acoem.name.replace('ACOEM ', ''),
      pages: region.acoem.pages,
      partOfMtus: true,
    },
    guidance: [
      'The ACOEM chapter of the MTUS supports imaging when there are unequivocal objective findings of specific nerve or structural compromise in a patient who has not responded to conservative care and would consider surgery.',
      'Imaging is recommended for red flag conditions or when the results would change the treatment plan.',
    ],
    against: [
      'There are no red flag findings, and no progressive neurologic deficit is documented.',
      'The records do not show that the patient has completed a course of conservative care before this request.',
      'It is not clear how the result would change the treatment plan.',
    ],
    support: [
      'The examination documents a progressive neurologic deficit despite more than six weeks of conservative care.',
      'Surgery is being considered, and the study is needed to plan it.',
    ],
  });
}

function electro(ctx: ItemContext): ItemDraft {
  const { rng, region } = ctx;
  const upper = ['cervical', 'wrist', 'elbow', 'shoulder'].includes(region.key);
  const text = rng.pick(
    upper
      ? [
          'EMG/NCV of the bilateral upper extremities',
          'NCS of the bilateral upper extremities',
          `EMG/NCS of the ${ctx.side} upper extremity`,
        ]
      : [
          'EMG/NCV of the bilateral lower extremities',
          `NCV of the ${ctx.side} lower extremity`,
          'EMG of the bilateral lower extremities',
        ],
  );
  const mtus: MtusRef[] = upper
    ? [
        { name: 'Neck and Upper Back Complaints 2004', sections: ['Special Studies'] },
        {
          name: 'Forearm, Wrist, and Hand Complaints 2004',
          sections: ['Special Studies', 'Special Studies, Summary'],
        },
        { name: 'Elbow Complaints 2007', sections: ['Diagnostic Criteria'] },
      ]
    : [
        { name: 'Low Back Complaints 2004', sections: ['Special Studies'] },
        { name: CHRONIC, sections: ['Electrodiagnostic testing (EMG/NCS)'] },
      ];
  return draft({
    text,
    category: 'electro',
    topic: 'electrodiagnostic testing',
    mtus,
    nonMtus: [odg(ctx, 'Electromyography (EMG), Nerve conduction studies (NCS)')],
    legacy: region.acoem,
    notice: {
      source: 'American College of Occupational and Environmental Medicine (ACOEM) Practice Guidelines',
      sections: region.acoem.name.replace('ACOEM ', ''),
      pages: region.acoem.pages,
      partOfMtus: true,
    },
    guidance: [
      'The MTUS recommends electromyography to clarify nerve root dysfunction when the neurologic examination is less clear, and nerve conduction studies when a peripheral entrapment is suspected.',
    ],
    against: [
      'The neurologic examination is normal, and there are no dermatomal sensory changes.',
      'Radiculopathy is already clinically obvious, so testing would not change management.',
    ],
    support: [
      'The examination shows sensory changes that do not follow a single dermatome, so testing is needed to separate radiculopathy from a peripheral entrapment.',
    ],
  });
}

function injection(ctx: ItemContext): ItemDraft {
  const { rng, region, side } = ctx;
  const trigger = rng.chance(0.3);
  const text = trigger
    ? `Trigger point injections to the ${rng.pick(['trapezius', 'lumbar paraspinal', 'rhomboid'])} muscles, times ${rng.pick([2, 3, 4])}`
    : region.sided
      ? `${cap(side)} ${region.injection.charAt(0).toLowerCase()}${region.injection.slice(1)}`
      : region.injection;
  const section = trigger
    ? 'Trigger point injections'
    : region.key === 'lumbar'
      ? 'Epidural steroid injections (ESIs)'
      : 'Injections';
  return draft({
    text,
    category: 'injection',
    topic: trigger ? 'trigger point injections' : 'the injection',
    prose: trigger,
    mtus: [
      {
        name: trigger || region.key === 'lumbar' ? CHRONIC : region.mtus,
        sections: [section, 'Initial Care'],
      },
    ],
    nonMtus: [
      odg(
        ctx,
        rng.pick(['Epidural steroid injections (ESIs)', 'Facet joint diagnostic blocks', 'Injections']),
      ),
    ],
    legacy: {
      name: `${CP2015} ${trigger ? 'Trigger point injections' : 'Epidural steroid injections'}`,
      pages: trigger ? '122' : '46',
    },
    notice: { source: CP2013, sections: section, pages: trigger ? '122' : '46', partOfMtus: true },
    guidance: [
      'The MTUS supports an injection when radicular or focal findings are documented on examination, corroborated by imaging, and initially unresponsive to conservative treatment.',
    ],
    against: [
      'The examination does not document findings that the injection would address, and corroborating imaging was not provided.',
      'A prior injection was performed, but the degree and duration of relief were not documented.',
    ],
    support: [
      'Radicular findings on examination are corroborated by imaging, and six weeks of therapy and medication have not helped.',
    ],
  });
}

function surgery(ctx: ItemContext): ItemDraft {
  const { rng, region, side } = ctx;
  const s = rng.pick(region.surgery);
  const text = region.sided ? `${cap(side)} ${s.base}` : cap(s.base);
  return draft({
    text: rng.chance(0.5) ? `${text} ${s.extra}` : text,
    category: 'surgery',
    topic: 'the surgery',
    mtus: [{ name: region.mtus, sections: ['Surgical Considerations'] }],
    nonMtus: [
      odg(ctx, 'Surgery'),
      ...(region.key === 'wrist'
        ? ["Green's Operative Hand Surgery, 7th edition, Chapter 28: Compression Neuropathies"]
        : []),
    ],
    legacy: region.acoem,
    notice: {
      source: 'American College of Occupational and Environmental Medicine (ACOEM) Practice Guidelines',
      sections: region.acoem.name.replace('ACOEM ', ''),
      pages: region.acoem.pages,
      partOfMtus: true,
    },
    guidance: [
      'The guidelines recommend surgical consultation and surgery for patients with activity limitation for more than a few months, failure of exercise programs, and clear imaging evidence of a lesion that surgery would benefit.',
    ],
    against: [
      'The imaging report was not provided, and the examination findings do not clearly match a surgical lesion.',
      'There is no documentation of a recent course of conservative care, including therapy and injections.',
    ],
    support: [
      'Imaging confirms a lesion that matches the examination, and more than three months of conservative care have failed.',
    ],
  });
}

function periop(ctx: ItemContext): ItemDraft {
  const { rng } = ctx;
  const text = rng.pick([
    'Labs to include: EKG',
    'Pre-operative labs: CBC',
    'Pre-operative labs: CMP and PT/PTT',
    'Associated surgical service: Cold therapy unit, 7 day rental',
    'Associated surgical service: Assistant surgeon',
    'Associated surgical service: Medical clearance',
    'Associated surgical service: Shoulder sling',
    'Pre-operative chest x-ray',
    'Post-operative physical therapy, 12 sessions',
  ]);
  const postop = text.startsWith('Post-operative');
  return draft({
    text,
    category: 'periop',
    topic: 'the associated service',
    prose: /\d+ (sessions|day)/.test(text),
    mtus: postop
      ? [
          {
            name: 'Postsurgical Treatment 2009',
            sections: [rng.pick(['Shoulder', 'Knee', 'Carpal tunnel syndrome'])],
          },
        ]
      : [
          {
            name: 'General Approaches 2004',
            sections: ['Cornerstones of Disability Prevention and Management'],
          },
        ],
    nonMtus: [
      odg(
        ctx,
        rng.pick([
          'Preoperative lab testing',
          'Preoperative testing, general',
          'Continuous-flow cryotherapy',
        ]),
      ),
      UPTODATE[0]!,
      `${rng.pick(['Other Medical Treatment Guidelines', 'Evidence summary'])} ${text.includes('Cold') ? URLS[2]! : text.includes('Assistant') ? URLS[0]! : URLS[3]!}`,
    ],
    legacy: { name: `${CP2015} Postsurgical treatment`, pages: '10-12' },
    notice: {
      source: 'Official Disability Guidelines (ODG)',
      sections: 'Low Back Chapter',
      pages: null,
      partOfMtus: false,
    },
    guidance: [
      'Preoperative testing is guided by the patient history, comorbidities, and the risk of the planned procedure.',
    ],
    against: [
      'The associated surgical procedure was not found medically necessary, so the associated service is not necessary either.',
      'The records do not describe comorbidities that would call for this test before a low risk procedure.',
    ],
    support: [
      'The surgery has been authorized, and the service is standard in the perioperative period for this procedure.',
    ],
  });
}

function dme(ctx: ItemContext, forced?: number): ItemDraft {
  const { rng, region, part } = ctx;
  const k = forced ?? rng.int(0, 4);
  const texts = [
    'TENS unit, 30 day trial rental',
    `${cap(region.key === 'lumbar' ? 'lumbar support' : `${part} brace`)}`,
    'Hot and cold therapy unit, purchase',
    'Hospital bed with side rails, rental',
    'Home cervical traction unit',
  ];
  const sections = [
    'TENS, chronic pain (transcutaneous electrical nerve stimulation)',
    'Initial Care',
    'Physical Methods',
    'Durable medical equipment (DME)',
    'Physical Methods',
  ];
  return draft({
    text: texts[k]!,
    category: 'dme',
    topic: 'the equipment',
    prose: k === 0,
    mtus: [{ name: k === 0 ? CHRONIC : region.mtus, sections: [sections[k]!] }],
    nonMtus: [
      odg(ctx, 'Durable medical equipment (DME)'),
      `${rng.pick(['Centers for Medicare & Medicaid Services coverage guidance', 'Other Medical Treatment Guidelines'])} ${URLS[1]!}`,
    ],
    legacy: { name: `${CP2015} Transcutaneous electrotherapy`, pages: '114-116' },
    notice: { source: CP2013, sections: 'Transcutaneous electrotherapy', pages: '114-116', partOfMtus: true },
    guidance: [
      'Durable medical equipment is recommended when it is primarily used to serve a medical purpose and is appropriate for use in the home.',
    ],
    against: [
      'The records do not describe how the equipment would be used or what functional goals it would serve.',
      'There is no documentation of a successful one-month trial before a purchase.',
    ],
    support: ['A documented trial showed reduced medication use and improved tolerance for walking.'],
  });
}

function psych(ctx: ItemContext): ItemDraft {
  const { rng } = ctx;
  const n = rng.pick([4, 6, 8]);
  const text = rng.pick([
    `Cognitive behavioral therapy, ${n} sessions`,
    'Psychological evaluation',
    `Biofeedback, ${word(n)} sessions`,
    `Psychotherapy once a week times ${n}`,
  ]);
  return draft({
    text,
    category: 'psych',
    topic: 'psychological treatment',
    prose: /\d|sessions/.test(text),
    mtus: [
      {
        name: CHRONIC,
        sections: [
          'Psychological evaluations',
          'Behavioral interventions',
          'Psychological evaluations, Psychological treatment',
        ],
      },
      { name: 'Stress-Related Conditions 2004', sections: ['General Approach'] },
    ],
    nonMtus: ['ODG Mental Illness & Stress chapter: Cognitive therapy for depression'],
    legacy: { name: `${CP2015} Behavioral interventions`, pages: '23' },
    notice: { source: CP2013, sections: 'Behavioral interventions', pages: '23', partOfMtus: true },
    guidance: [
      'The MTUS recommends psychological evaluation and an initial trial of 3-4 psychotherapy visits over 2 weeks, with up to 6-10 visits when objective functional improvement is shown.',
    ],
    against: [
      'The request exceeds the initial trial the guidelines recommend, and no functional goals are stated.',
    ],
    support: [
      'The records document depressive symptoms that are limiting recovery, and this is an initial trial.',
    ],
  });
}

function program(ctx: ItemContext, forced?: number): ItemDraft {
  const { rng } = ctx;
  const k = forced ?? rng.int(0, 4);
  const texts = [
    `Functional restoration program, ${rng.pick([80, 120, 160])} hours`,
    'Urine drug screen',
    `Gym membership, ${rng.pick(['3', '6', 'twelve'])} months`,
    `Home health aide, 4 hours a day times ${rng.pick([7, 14, 30])} days`,
    'Transportation to and from medical appointments',
  ];
  const mtus: MtusRef[][] = [
    [
      {
        name: CHRONIC,
        sections: [
          'Functional restoration programs (FRPs)',
          'Chronic pain programs (functional restoration programs)',
        ],
      },
    ],
    [
      { name: CHRONIC, sections: ['Drug testing'] },
      {
        name: OPIOID,
        sections: ['3.3.5 Opioids for Chronic Pain and Chronic Opioid Treatment: Urine Drug Testing'],
      },
    ],
    [{ name: 'Low Back Complaints 2004', sections: ['Initial Care'] }],
    [{ name: CHRONIC, sections: ['Home health services'] }],
    [{ name: 'General Approaches 2004', sections: [] }],
  ];
  const odgTopics = [
    'Functional restoration programs (FRPs)',
    'Urine drug testing (UDT)',
    'Gym memberships',
    'Home health services',
    'Transportation (to & from appointments)',
  ];
  return draft({
    text: texts[k]!,
    category: 'program',
    topic: ['the program', 'drug testing', 'a gym membership', 'home health services', 'transportation'][k]!,
    prose: k !== 1 && k !== 4,
    mtus: mtus[k]!,
    nonMtus: [odg(ctx, odgTopics[k]!)],
    legacy: {
      name: `${CP2015} ${['Functional restoration programs', 'Drug testing', 'Exercise', 'Home health services', 'Introduction'][k]}`,
      pages: ['49', '43', '46-47', '51', '1'][k]!,
    },
    notice: {
      source: CP2013,
      sections:
        ['Functional restoration programs', 'Drug testing', 'Exercise', 'Home health services', null][k] ??
        null,
      pages: ['30-32', '43', '46-47', '51', null][k] ?? null,
      partOfMtus: true,
    },
    guidance: [
      'The guidelines recommend this service only when the documentation shows a clear medical need that cannot be met in another way.',
    ],
    against: [
      'The documentation does not show a medical need for the service, and no specific goals are described.',
      'There is no indication that less intensive options were tried first.',
    ],
    support: ['The records document a clear medical need and specific, measurable goals for the service.'],
  });
}

const CATEGORY_UPTODATE: Partial<Record<Category, string>> = {
  opioid: UPTODATE[4]!,
  periop: UPTODATE[0]!,
  psych: 'UpToDate: Psychological treatment of chronic pain in adults',
};

/** A long URL (over a line wide, hyphenated) about the item's topic. */
function topicUrl(ctx: ItemContext, topic: string): string {
  const slug = `${topic.replace(/^(the|a|an) /, '')} for the ${ctx.region.part}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const host = ctx.rng.pick([
    'www.example.org/clinical-guidance',
    'guidelines.example.net/evidence-summaries',
  ]);
  return `https://${host}/${slug}-recommendations-for-injured-workers-${ctx.year}-update`;
}

function withFallbacks(ctx: ItemContext, d: ItemDraft): ItemDraft {
  return {
    ...d,
    fallbackUptodate: CATEGORY_UPTODATE[d.category] ?? ctx.region.uptodate,
    fallbackUrl: topicUrl(ctx, d.topic),
  };
}

/** Share of unforced items drawn from the held-out names; 0 (the default) leaves every seed's letter as it was. */
let heldoutShare = 0;

/**
 * Runs `make` (a synchronous generation, e.g. `() => generateLetter(seed)`) with `share` of the items
 * drawn without a forced kind taken from HELDOUT_ITEMS, the names the category rules are checked against
 * and never written from. Outside it no held-out name is drawn and no extra random number is taken.
 */
export function withHeldoutItems<T>(share: number, make: () => T): T {
  const before = heldoutShare;
  heldoutShare = share;
  try {
    return make();
  } finally {
    heldoutShare = before;
  }
}

/** A held-out name, with the guideline and rationale pools of a generated item of its kind. */
function heldoutItem(ctx: ItemContext): ItemDraft {
  const h = ctx.rng.pick(HELDOUT_ITEMS);
  const base = makeItemDraft(ctx, h.kind);
  const hash = /#\s*(\d+)/.exec(h.text);
  return {
    ...base,
    text: h.text,
    // Its own topic, so that the generator's no-repeated-topic redraw does not turn it away.
    topic: h.text
      .toLowerCase()
      .replace(/[,(#].*$/, '')
      .trim(),
    hashQty: hash ? Number(hash[1]) : null,
    qtySuffix: null,
    prose: /\b\d+ (?:sessions|visits|days|hours|weeks|trips)\b|\bx \d+\b|\b\d+x\d+\b/.test(h.text),
    colon: h.text.includes(':'),
  };
}

/** A disputed item for this context; `category` forces a kind. */
export function makeItem(ctx: ItemContext, category?: Category): ItemDraft {
  if (category === undefined && heldoutShare > 0 && ctx.rng.chance(heldoutShare)) {
    return withFallbacks(ctx, heldoutItem(ctx));
  }
  return withFallbacks(ctx, makeItemDraft(ctx, category));
}

/**
 * An item on the neck and the hand/wrist (or elbow and wrist), for which reviewers cite several MTUS
 * guidelines in one sentence: "MTUS Neck and Upper Back Complaints 2004, Section(s): ..., and Forearm,
 * Wrist, and Hand Complaints 2004, Section(s): ...".
 */
export function makeMultiRegionItem(ctx: ItemContext): ItemDraft {
  const { rng, side } = ctx;
  const forearm: MtusRef = {
    name: 'Forearm, Wrist, and Hand Complaints 2004',
    sections: ['Special Studies', 'Physical Methods', 'Special Studies, Summary'],
  };
  const k = rng.int(0, 3);
  const wrist = REGIONS.find((r) => r.key === 'wrist')!;
  const options: { text: string; first: MtusRef; third?: MtusRef; topic: string; category: Category }[] = [
    {
      text: `MRI of the cervical spine and ${side} wrist`,
      first: { name: 'Neck and Upper Back Complaints 2004', sections: ['Special Studies'] },
      topic: 'imaging',
      category: 'imaging',
    },
    {
      text: 'EMG/NCV of the bilateral upper extremities',
      first: { name: 'Neck and Upper Back Complaints 2004', sections: ['Special Studies'] },
      topic: 'electrodiagnostic testing',
      category: 'electro',
    },
    {
      text: `Chiropractic treatment for the cervical and lumbar spine, ${side} wrist/hand, ${rng.int(2, 3)} times a week for ${rng.pick([4, 6])} weeks`,
      first: { name: 'Neck and Upper Back Complaints 2004', sections: ['Initial Care', 'Physical Methods'] },
      third: { name: 'Low Back Complaints 2004', sections: ['Physical Methods'] },
      topic: 'chiropractic care',
      category: 'therapy',
    },
    {
      text: `MRI of the ${side} elbow and wrist`,
      first: { name: 'Elbow Complaints 2007', sections: ['Diagnostic Criteria', 'Special Studies'] },
      topic: 'imaging',
      category: 'imaging',
    },
  ];
  const o = options[k]!;
  const base = makeItemDraft({ ...ctx, region: wrist }, o.category);
  return withFallbacks(ctx, {
    ...base,
    text: o.text,
    topic: o.topic,
    hashQty: null,
    qtySuffix: null,
    colon: false,
    prose: o.category === 'therapy',
    mtus: o.third ? [o.first, forearm, o.third] : [o.first, forearm],
    nonMtus: [
      `Official Disability Guidelines (ODG), Neck & Upper Back, and Forearm, Wrist and Hand chapters: ${o.category === 'therapy' ? 'Chiropractic Guidelines' : o.category === 'electro' ? 'Electromyography (EMG)' : 'Magnetic resonance imaging (MRI)'}`,
    ],
  });
}

function makeItemDraft(ctx: ItemContext, category?: Category): ItemDraft {
  const c =
    category ??
    ctx.rng.weighted<Category>(
      [
        'opioid',
        'medication',
        'therapy',
        'imaging',
        'electro',
        'injection',
        'surgery',
        'periop',
        'dme',
        'psych',
        'program',
      ],
      [12, 16, 18, 14, 6, 6, 5, 6, 6, 4, 7],
    );
  switch (c) {
    case 'opioid':
      return medication(ctx, true);
    case 'medication':
      return medication(ctx, false);
    case 'therapy':
      return therapy(ctx);
    case 'imaging':
      return imaging(ctx);
    case 'electro':
      return electro(ctx);
    case 'injection':
      return injection(ctx);
    case 'surgery':
      return surgery(ctx);
    case 'periop':
      return periop(ctx);
    case 'dme':
      return dme(ctx);
    case 'psych':
      return psych(ctx);
    case 'program':
      return program(ctx);
  }
}

/** An item with a colon inside its text. */
export function makeColonItem(ctx: ItemContext): ItemDraft {
  const { rng } = ctx;
  if (rng.chance(0.4)) {
    const d = medication({ ...ctx, era: 'fdl-2016' }, true);
    const count = d.hashQty ?? 60;
    const supply = rng.pick([15, 30]);
    return withFallbacks(ctx, {
      ...d,
      text: `Percocet 10/325mg #${count} day supply: ${supply}`,
      hashQty: count,
      qtySuffix: null,
      colon: true,
    });
  }
  for (let i = 0; i < 20; i++) {
    const d = periop(ctx);
    if (d.colon) return withFallbacks(ctx, d);
  }
  return withFallbacks(ctx, { ...periop(ctx), text: 'Labs to include: EKG', colon: true, prose: false });
}

function inpatientRehab(ctx: ItemContext): ItemDraft {
  return draft({
    text: 'Inpatient rehabilitation',
    category: 'program',
    topic: 'inpatient rehabilitation',
    mtus: [
      { name: 'General Approaches 2004', sections: ['Cornerstones of Disability Prevention and Management'] },
    ],
    nonMtus: [
      'Official Disability Guidelines (ODG), Knee & Leg chapter: Skilled nursing facility (SNF) care',
      'Official Disability Guidelines (ODG), Hip & Pelvis chapter: Inpatient rehabilitation criteria',
    ],
    legacy: { name: `${CP2015} Functional restoration programs`, pages: '49' },
    notice: {
      source: 'Official Disability Guidelines (ODG)',
      sections: 'Knee & Leg Chapter',
      pages: null,
      partOfMtus: false,
    },
    guidance: [
      'Acute inpatient rehabilitation is reserved for patients who need, and can tolerate, at least three hours a day of intensive therapy with close physician oversight; others can be treated in a skilled nursing facility.',
    ],
    against: [
      `The records do not show that the injured worker can tolerate three hours of therapy a day, and the ${ctx.part} condition can be managed at a lower level of care.`,
    ],
    support: [
      'The injured worker needs daily physician oversight and intensive therapy that a skilled nursing facility cannot provide.',
    ],
  });
}

/** A modified request: the three parts of the item. */
export function makeModified(ctx: ItemContext, wording: 'remaining' | 'authorized'): ModifiedDraft {
  const { rng, part } = ctx;
  if (wording === 'authorized') {
    const k = rng.int(0, 3);
    const pairs: [string, string, () => ItemDraft][] = [
      [
        `Functional restoration program, ${rng.pick([120, 160])} hours`,
        'a multidisciplinary evaluation for a functional restoration program',
        () => program(ctx, 0),
      ],
      [
        `Inpatient rehabilitation for ${rng.pick([10, 14])} days for the ${part}`,
        'Skilled nursing facility stay for 7 days with physical therapy once a day',
        () => inpatientRehab(ctx),
      ],
      [`MRI of the ${part} with and without contrast`, `X-rays of the ${part}, 2 views`, () => imaging(ctx)],
      ['TENS unit, purchase', 'TENS unit, 30 day rental', () => dme(ctx, 0)],
    ];
    const [original, authorized, make] = pairs[k]!;
    const item = withFallbacks(ctx, {
      ...make(),
      text: original,
      hashQty: null,
      qtySuffix: null,
      colon: false,
      prose: false,
    });
    return { original, authorized, remaining: null, item };
  }
  const k = rng.int(0, 3);
  if (k === 0) {
    const drug = rng.pick([
      'Norco 10/325mg',
      'Oxycodone 10mg',
      'Hydrocodone/APAP 7.5/325mg',
      'Tramadol ER 150mg',
    ]);
    const total = rng.pick([90, 120, 180]);
    const allowed = rng.pick([30, 45, 60]);
    const item = withFallbacks(ctx, medication({ ...ctx, era: 'fdl-2016' }, true));
    return {
      original: `${drug} #${total}`,
      authorized: `${drug} #${allowed}`,
      remaining: `${drug} #${total - allowed}`,
      item: {
        ...item,
        text: `${drug} #${total - allowed}`,
        hashQty: total - allowed,
        qtySuffix: null,
        colon: false,
      },
    };
  }
  if (k === 1 || k === 2) {
    const label = k === 1 ? 'Physical therapy' : 'Acupuncture';
    const total = rng.pick([12, 18]);
    const allowed = rng.pick([4, 6]);
    const item = withFallbacks(ctx, therapy(ctx, k === 1 ? 'pt' : 'acu'));
    const w = rng.chance(0.5);
    const n = (x: number) => (w ? word(x) : String(x));
    return {
      original: `${label} to the ${part} ${n(total)} sessions`,
      authorized: `${label} to the ${part} ${n(allowed)} sessions`,
      remaining: `${label} to the ${part} ${n(total - allowed)} sessions`,
      item: {
        ...item,
        text: `${label} to the ${part} ${n(total - allowed)} sessions`,
        topic: label.toLowerCase(),
        prose: true,
        hashQty: null,
        qtySuffix: null,
        colon: false,
      },
    };
  }
  const s = rng.pick(ctx.region.surgery);
  const base = ctx.region.sided ? `${cap(ctx.side)} ${s.base}` : cap(s.base);
  const item = withFallbacks(ctx, surgery(ctx));
  const original = `${rng.chance(0.4) ? 'Retrospective: ' : ''}${base} ${s.extra}`;
  return {
    original,
    authorized: base,
    remaining: s.extra,
    item: { ...item, text: s.extra, colon: original.includes(':') },
  };
}

export const GENERIC_AGAINST = [
  'There is no documentation of objective functional improvement with the prior course of treatment.',
  'The submitted records do not describe a trial and failure of conservative care.',
  'There are no exceptional factors documented that would support a departure from the guideline recommendations.',
  'The progress notes do not identify specific functional goals for this request.',
  'The most recent examination is brief and does not document findings relevant to the request.',
];

export const GENERIC_SUPPORT = [
  'The records document a clear functional deficit and a treatment plan with measurable goals.',
  'Conservative care has been tried for more than six weeks without sufficient relief.',
  'The examination findings are consistent with the condition this request is meant to address.',
];

export const CONCLUSIONS_NOT = [
  'Therefore',
  'As such',
  'Given the above',
  'Consequently',
  'Based on the above',
];

export const OTHER_ENDINGS_UPHELD = [
  'Medical necessity for the request has not been established at this time.',
  'The request is not supported by the guidelines.',
  'The request cannot be recommended at this time.',
];

export const OTHER_ENDINGS_OVERTURNED = [
  'The request is consistent with the guideline recommendations and is appropriate.',
  'The request is supported by the guidelines.',
];

export const HOW_MADE_BOILERPLATE =
  'MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no affiliation with the employer, employee, providers or the claims administrator. He/she has been in active clinical practice for more than five years and is currently working at least 24 hours a week in active practice. The expert reviewer was selected based on his/her clinical experience, education, background, and expertise in the same or similar specialties that evaluate and/or treat the medical condition and disputed items/Service. He/she is familiar with governing laws and regulations, including the strength of evidence hierarchy that applies to Independent Medical Review determinations.';
