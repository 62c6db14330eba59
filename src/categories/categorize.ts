import type { DrugClass, ItemCategory, ServiceCategory } from '../../schemas/category.js';
import { DRUG_NAMES, type DrugEntry } from './drugs.js';

interface Rule {
  id: string;
  category: ServiceCategory;
  subcategory?: string;
  test: RegExp;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** One alternation of every drug name, longest first, on word boundaries (brands like "ms contin" too). */
const DRUG_RE = new RegExp(
  `(?<![a-z])(?:${DRUG_NAMES.map(([name]) => escapeRe(name)).join('|')})(?![a-z])`,
  'g',
);
const DRUG_BY_NAME = new Map<string, DrugEntry>(DRUG_NAMES);

/** Words that make a drug a topical one (an opioid patch stays an opioid). */
const TOPICAL_FORM =
  /\b(?:cream|gel|patch(?:es)?|ointment|lotion|topical|transdermal|spray|roll-?on|liniment)\b/;
const PHARMACY_FORM =
  /\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|meq)\b|\b(?:tablets?|tabs?|capsules?|caps|refills?|cream base|compound(?:ed)?|medication|prescription|rx)\b|\b\d+(?:\.\d+)?\s*%/;

/** Ordered: the first rule that matches decides. Each id names the rule in reports and audits. */
const RULES: readonly Rule[] = [
  {
    id: 'injection',
    category: 'injections',
    test: /\binject(?:ion|ions|ed)?\b|\bepidural\b|\besi\b|\bfacet\b|\bmedial branch\b|\bnerve blocks?\b|\b(?:stellate|sympathetic|occipital|genicular|sacroiliac|si joint|suprascapular)\b.*\bblocks?\b|\bradiofrequency\b|\brhizotomy\b|\bablation\b|\bplatelet[- ]rich\b|\bprp\b|\bviscosupplement|\b(?:synvisc|orthovisc|euflexxa|supartz|hyalgan|gel-one|monovisc)\b|\bbotox\b|\bbotulinum\b|\bprolotherapy\b|\bcortisone shot\b|\bsteroid shot\b|\bstem cell\b/,
  },
  {
    id: 'electrodiagnostic',
    category: 'electrodiagnostics',
    test: /\bemg\b|\bncv\b|\bncs\b|\bnerve conduction\b|\belectromyogra|\belectrodiagnostic|\bssep\b|\bsomatosensory evoked\b|\bevoked potentials?\b|\bqst\b|\bquantitative sensory\b|\bsurface emg\b/,
  },
  {
    id: 'behavioural',
    category: 'behavioral_health',
    test: /\bpsych|\bcognitive behavio|\bcbt\b|\bbiofeedback\b|\bcounsel+ing\b|\bmental health\b|\bpartial hospitali[sz]ation\b|\bhypnotherap|\bgroup therapy\b|\bbehavio(?:u)?ral\b|\bdepression\b|\banxiety\b|\bneuropsych/,
  },
  {
    id: 'programme',
    category: 'programs',
    test: /\bfunctional restoration\b|\bfrp\b|\bmultidisciplinary\b|\binterdisciplinary\b|\bpain (?:management )?program|\bwork (?:hardening|conditioning)\b|\bdetox|\bweight (?:loss|management) program|\bgym membership\b|\bhelp program\b|\brehabilitation program\b|(?<!home exercise )\bprogram\b/,
  },
  {
    id: 'facility-stay',
    category: 'other',
    subcategory: 'facility stay',
    test: /\binpatient\b|\bskilled nursing\b|\bsnf\b|\bhospital (?:stay|admission)\b|\badmission\b|\blength of stay\b|\bnursing facility\b|\bresidential\b/,
  },
  {
    id: 'surgery',
    category: 'surgery',
    test: /\bsurg(?:ery|ical)\b|\barthroscop|\barthroplast|\bfusion\b|\b(?:micro-?)?dis[ck]ectomy\b|\blaminectomy\b|\blaminotomy\b|\bforaminotomy\b|\bdecompression\b|\bmeniscectomy\b|\bchondroplasty\b|\b(?:teno)?synovectomy\b|\b(?:allo|auto|bone )graft\b|\bplating\b|\bdebridement\b|\bosteotomy\b|\bexcision\b|\bresection\b|\brepair\b|\breconstruction\b|\breplacement\b|\b(?:orif|open reduction)\b|\b(?:hardware|implant) removal\b|\bremoval of (?:hardware|implant)|\bacromioplasty\b|\btenotomy\b|\btenodesis\b|\bcapsulotomy\b|\bneurolysis\b|\bkyphoplasty\b|\bvertebroplasty\b|\b(?:spinal cord|dorsal column) stimulator\b|\bintrathecal pump\b|\bamputation\b|\b(?:carpal|cubital|tarsal) tunnel\b.*\brelease\b|\btrigger (?:finger|thumb)\b.*\brelease\b|\b(?:open|endoscopic|surgical)\b.*\brelease\b|\b(?:tendon|nerve|de quervain'?s?|lateral)\b.*\brelease\b|\bassistant surgeon\b|\bsurgical assistant\b|\banesthesia\b|\bstitches\b/,
  },
  {
    id: 'imaging',
    category: 'imaging',
    test: /\bmri'?s?\b|\bmra\b|\bmagnetic resonance\b|\bct\b|\bcat scan\b|\bcomputed tomography\b|\bx-?rays?\b|\bradiograph|\bbone scan\b|\bpet scan\b|\bdexa\b|\bbone density\b|\bmyelogra|\barthrogra|\bdiscogra|\bdiagnostic ultrasound\b|\bultrasound (?:of|guided)\b|\bsonogra|\bscan\b|\bimaging\b|\bfluoroscop|\bvideofluoro/,
  },
  {
    id: 'lab-test',
    category: 'labs_testing',
    test: /\blabs?\b|\blaboratory\b|\bcbc\b|\bcmp\b|\bbmp\b|\bpt\/ptt\b|\binr\b|\burinalysis\b|\bua\b|\burine\b|\bdrug (?:screen|test)|\btoxicology\b|\bblood (?:test|work|draw)|\bpanel\b|\bhba1c\b|\bekg\b|\becg\b|\belectrocardiogra|\bechocardiogra|\bstress test\b|\bsleep (?:study|studies)\b|\bpolysomnogra|\bgenetic\b|\bdna\b|\bpharmacogen|\bcytokine\b|\ballergy test|\baudiogra|\bhearing test\b|\bpulmonary function\b|\bspirometr|\bfunctional capacity evaluation\b|\bfce\b|\bvideonystagmo|\bvng\b|\btest(?:ing|s)?\b/,
  },
  {
    id: 'dme',
    category: 'dme',
    test: /\b(?:tens|ems|nmes|interferential|if|h-wave|muscle stimulator|neuromuscular stimulator|stimulator)\b.*\b(?:unit|device|rental|purchase|supplies|electrodes|trial|batteries)\b|\bunit\b|\bwheelchair\b|\bscooter\b|\bcommode\b|\b(?:shower|bath|bath\/shower) chair\b|\bwalker\b|\bcane\b|\bcrutch(?:es)?\b|\bbrace\b|\bsplint\b|\bsling\b|\bultrasling\b|\borthotics?\b|\borthosis\b|\bhospital bed\b|\bmattress\b|\bpillow\b|\bcold therapy\b|\bcryotherapy unit\b|\bvascutherm\b|\bgame ready\b|\bcpm\b|\bcontinuous passive motion\b|\bhearing aids?\b|\blumbar support\b|\bback support\b|\bcollar\b|\bcompression (?:stockings|garment|sleeve|wraps?)\b|\bwraps?\b|\bpad\b|\bhot\/cold\b|\bheat(?:ing)? pad\b|\bdme\b|\bdurable medical\b|\bequipment\b|\bsupplies\b|\brental\b|\bpurchase\b|\bgrab bars?\b|\braised toilet\b|\breacher\b|\bglucometer\b|\bcpap\b|\bprosthe/,
  },
  {
    id: 'chiropractic',
    category: 'physical_medicine',
    subcategory: 'chiropractic',
    test: /\bchiropract|\bmanipulation\b|\bmanipulative\b|\badjustments?\b|\bosteopathic manipulat|\bomt\b|\bcmt\b/,
  },
  {
    id: 'physical-therapy',
    category: 'physical_medicine',
    subcategory: 'physical_therapy',
    test: /\bphysical therap|\bphysiotherap|\bpt\b|\baqua(?:tic)? therapy\b|\bpool therapy\b|\bwork therapy\b|\bvestibular (?:therapy|rehab)/,
  },
  {
    id: 'occupational-therapy',
    category: 'physical_medicine',
    subcategory: 'occupational_therapy',
    test: /\boccupational therap|\bot\b|\bhand therap/,
  },
  {
    id: 'acupuncture',
    category: 'physical_medicine',
    subcategory: 'acupuncture',
    test: /\bacupunct|\belectro-?acupunct|\bcupping\b|\bdry needling\b/,
  },
  {
    id: 'massage',
    category: 'physical_medicine',
    subcategory: 'massage',
    test: /\bmassage\b|\bmyofascial\b|\bsoft tissue mobili|\bmanual therapy\b|\brolfing\b/,
  },
  {
    id: 'modality',
    category: 'physical_medicine',
    subcategory: 'modalities',
    test: /\binfrared\b|\bheat\b|\bice\b|\bultrasound\b|\belectrical (?:muscle )?stimulation\b|\be-?stim\b|\bmuscle stimulation\b|\binterferential\b|\bshock ?wave\b|\beswt\b|\btraction\b|\bparaffin\b|\bneurostimulation\b|\blaser therapy\b|\bcold laser\b|\blow level laser\b|\bdiathermy\b|\biontophoresis\b|\bphonophoresis\b|\bkinesio\b|\btaping\b|\bhydrotherapy\b|\bwhirlpool\b|\bdecompression therapy\b/,
  },
  {
    // After the named therapies: "Acupuncture ..., to include therapeutic exercise" is acupuncture.
    id: 'exercise',
    category: 'physical_medicine',
    subcategory: 'physical_therapy',
    test: /\bhome exercise\b|\btherapeutic exercises?\b/,
  },
  {
    id: 'home-health',
    category: 'home_health',
    test: /\bhome (?:health|care|nursing|assistance|aide|attendant)\b|\bcaregiver\b|\battendant care\b|\bhousekeeping\b|\bhomemaker\b|\bnursing care\b|\bin-home\b|\bhome help\b/,
  },
  {
    id: 'transport',
    category: 'transport',
    test: /\btransport(?:ation)?\b|\btaxi\b|\bambulance\b|\bmileage\b|\btravel\b|\bride\b|\bparatransit\b/,
  },
  {
    id: 'evaluation-management',
    category: 'evaluation_management',
    test: /\bconsult(?:ation)?s?\b|\breferral\b|\brefer(?:red)? to\b|\bevaluation\b|\bre-?evaluat|\bre-?exam|\bfollow[- ]?up\b|\boffice visits?\b|\bvisits?\b|\bsecond opinion\b|\bspecialist\b|\bmedical clearance\b|\bclearance\b|\bmanagement\b|\bassessment\b|\btreat(?:ment)? with\b|\bpain management\b|\bdoctor\b|\bphysician\b|\bexamination\b/,
  },
  {
    id: 'other-device-procedure',
    category: 'other',
    test: /\bhyperbaric\b|\bvaccin|\bimmuni[sz]ation\b|\bdental\b|\bdentures?\b|\beyeglasses\b|\bglasses\b|\bcontact lenses\b|\btranslat|\binterpret/,
  },
];

/** "Associated surgical service: X", "Pre-op X", "Post-op X": parts of a surgery unless X is a drug or therapy. */
const SURGICAL_PREFIX =
  /^(?:associated surgical services?|pre-?op(?:erative)?|post-?op(?:erative)?|peri-?op(?:erative)?)\b[\s:,-]*/;

const STRENGTH_RE =
  /(\d+(?:\.\d+)?(?:\s*[/-]\s*\d+(?:\.\d+)?)*)\s*(mg\/ml|mg\/hr|mcg\/hr|mg|mcg|µg|g|%|ml|units?|meq)(?![a-z])/i;
const COUNT_RE = /#\s*(\d{1,5})\b/;

function drugsIn(text: string): DrugEntry[] {
  const seen = new Map<string, DrugEntry>();
  for (const match of text.matchAll(DRUG_RE)) {
    const entry = DRUG_BY_NAME.get(match[0]);
    if (entry && !seen.has(entry.name)) seen.set(entry.name, entry);
  }
  return [...seen.values()];
}

/** Where the earliest service rule matches, for telling "Acupuncture with capsaicin patch" from a drug. */
function firstServiceAt(text: string): number {
  let at = Number.POSITIVE_INFINITY;
  for (const rule of RULES) {
    const m = rule.test.exec(text);
    if (m && m.index < at) at = m.index;
  }
  return at;
}

function pharmacy(text: string, original: string, quantity: number | null): ItemCategory | null {
  const drugs = drugsIn(text);
  // A drug named after the service it goes with is part of that service, not a prescription.
  const drugAt = drugs.length > 0 ? text.search(DRUG_RE) : Number.POSITIVE_INFINITY;
  if (drugs.length > 0 && firstServiceAt(text) < drugAt) return null;
  const percentages = text.match(/\d+(?:\.\d+)?\s*%/g) ?? [];
  const compound =
    /\bcream base\b|\bcompound(?:ed)?\b/.test(text) || (drugs.length >= 2 && percentages.length >= 2);
  if (drugs.length === 0 && !compound && !PHARMACY_FORM.test(text)) return null;
  const count = Number(COUNT_RE.exec(original)?.[1] ?? Number.NaN);
  const base = {
    category: 'pharmacy' as const,
    count: Number.isFinite(count) ? count : quantity,
  };
  if (compound) {
    return {
      ...base,
      subcategory: null,
      drugClass: 'compounds',
      drug: drugs.map((d) => d.name).join(' + ') || null,
      strength: percentages.length > 0 ? percentages.map((p) => p.replace(/\s+/g, '')).join('/') : null,
      rule: 'pharmacy-compound',
    };
  }
  // A combination product (diclofenac/misoprostol, hydrocodone/APAP) takes the class of its first drug.
  const first = drugs[0] ?? null;
  let drugClass: DrugClass | null = first?.drugClass ?? 'other';
  if (
    first &&
    TOPICAL_FORM.test(text) &&
    (drugClass === 'nsaids' ||
      drugClass === 'other' ||
      drugClass === 'anticonvulsants' ||
      drugClass === 'muscle_relaxants')
  ) {
    drugClass = 'topical_analgesics';
  }
  const strength = STRENGTH_RE.exec(original);
  return {
    ...base,
    subcategory: null,
    drugClass,
    drug: first?.name ?? null,
    strength: strength ? `${strength[1]!.replace(/\s+/g, '')} ${strength[2]!.toLowerCase()}`.trim() : null,
    rule: first ? 'pharmacy-dictionary' : 'pharmacy-form',
  };
}

const NONE: ItemCategory = {
  category: null,
  subcategory: null,
  drugClass: null,
  drug: null,
  strength: null,
  count: null,
  rule: null,
};

function byRules(text: string): ItemCategory {
  for (const rule of RULES) {
    if (rule.test.test(text)) {
      return { ...NONE, category: rule.category, subcategory: rule.subcategory ?? null, rule: rule.id };
    }
  }
  return NONE;
}

/**
 * The service category of a requested item (and for pharmacy its drug class, generic name, strength and
 * count), from its description as written. Injections come before drugs ("Toradol injection"), drugs
 * before everything else; `category: null` when no rule matches.
 */
export function categorizeItem(description: string, quantity: number | null = null): ItemCategory {
  const text = description.toLowerCase().replace(/\s+/g, ' ').trim();
  const prefix = SURGICAL_PREFIX.exec(text);
  if (prefix) {
    const rest = text.slice(prefix[0].length);
    const inner = categorizeItem(description.slice(description.length - rest.length), quantity);
    if (inner.category === 'pharmacy' || inner.category === 'physical_medicine') return inner;
    return { ...NONE, category: 'surgery', subcategory: 'ancillary', rule: 'surgical-ancillary' };
  }
  const injection = RULES[0]!;
  if (injection.test.test(text)) return byRules(text);
  return pharmacy(text, description, quantity) ?? byRules(text);
}
