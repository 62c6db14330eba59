import nlp from 'compromise';
import type { DrugClass, ItemCategory, ServiceCategory } from '../../schemas/category.js';
import { COMMON_WORDS } from '../pipeline/vocabulary/common-words.js';
import { DRUG_NAMES, type DrugEntry } from './drugs.js';

interface Rule {
  id: string;
  category: ServiceCategory;
  subcategory?: string;
  /** Where the rule matches in the lower-cased text, -1 when it does not. */
  find: (text: string) => number;
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
  /\b(?:cream|gel|patch(?:es)?|ointment|lotion|topical|transdermal|(?<!nasal )spray|roll-?on|liniment)\b/;
/**
 * Drug forms: a strength, a dosage form, a medical food, a prescription word. Any of these makes an item
 * pharmacy even when its drug is unknown (a brand the dictionary lacks). "medication management" is a visit.
 */
const PHARMACY_FORM = new RegExp(
  [
    /\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|meq|iu)\b/,
    /\b(?:tablets?|tabs?|capsules?|caps|softgels?|gel ?caps?|lozenges?|troches?|suppositor(?:y|ies)|refills?)\b/,
    /\b(?:oral|sublingual) (?:suspension|solution|liquid|film|spray)s?\b|\bsuspensions?\b|\bsyrups?\b|\belixirs?\b/,
    /\bnasal sprays?\b|\binhalers?\b|\bdose ?paks?\b|\bdose packs?\b|\bodt\b|\bsublingual\b/,
    /\bmedical foods?\b|\bconvenience (?:kits?|packs?)\b|\bcream base\b|\bcompound(?:ed)?\b/,
    /\bmedications?\b(?! (?:management|monitoring|review|reconciliation|consult|evaluation|visits?))/,
    /\bprescriptions?\b|\brx\b|\b\d+(?:\.\d+)?\s*%/,
  ]
    .map((r) => r.source)
    .join('|'),
);
/**
 * Weaker signs of a drug, taken only when no service rule matched: "#60", "240 ml", "powder", a vitamin or
 * supplement ("Vitamin D level" is a test, "Vitamin D" alone a prescription).
 */
const WEAK_PHARMACY_FORM =
  /\bvitamins?\b|\b(?:dietary |nutritional )?supplements?\b|\bglucosamine\b|\bchondroitin\b|\bfish oil\b|\bprobiotics?\b|#\s*\d+\b|\b\d+(?:\.\d+)?\s*(?:ml|cc)\b|\b(?:powder|solution|bottles?|packets?|vials?)\b|\b\d+[- ]day supply\b/;
const MEDICAL_FOOD = /\bmedical foods?\b/;
const KIT = /\bkits?\b/;

/**
 * Words that are plain English or medical vocabulary (not the synthetic letters' words, which may one day
 * hold the held-out item names the rules are checked against). A kit named by a word outside it is a
 * branded drug kit ("<brand> kit"), not equipment ("home exercise kit").
 */
let plainWords: ReadonlySet<string> | null = null;
function isPlainWord(word: string): boolean {
  if (!plainWords) {
    const set = new Set(COMMON_WORDS);
    const model = (nlp as unknown as { model: () => { one: { lexicon: Record<string, unknown> } } }).model();
    for (const w of Object.keys(model.one.lexicon)) set.add(w);
    plainWords = set;
  }
  const w = word.replace(/['\u2019]s$/, '');
  if (w.length <= 3 || plainWords.has(w)) return true;
  return (
    (w.endsWith('s') && plainWords.has(w.slice(0, -1))) ||
    (w.endsWith('es') && plainWords.has(w.slice(0, -2)))
  );
}
const hasBrandWord = (text: string) => (text.match(/[a-z]+/g) ?? []).some((w) => !isPlainWord(w));

/**
 * The head noun of an item: the last word before the first comma, bracket, preposition or number
 * ("Hinged knee brace for the left knee" -> "brace"), and where it starts.
 */
const HEAD_END = /[,;:([]| (?:for|with|to|of|x|at|in|on|per|prior|times|from|including|-)\b| \d/;
function headNoun(text: string): { word: string; at: number } | null {
  const cut = text.search(HEAD_END);
  const head = (cut === -1 ? text : text.slice(0, cut)).trimEnd();
  const m = /([a-z]+)$/.exec(head);
  return m?.[1] ? { word: m[1], at: m.index } : null;
}

/** Nouns that make an item a piece of equipment or a supply when they head it. */
const DEVICE_NOUNS = new Set(
  `brace splint orthosis orthoses orthotic orthotics support boot sleeve stocking hose sock garment
  insole insert cup pad kit supplies unit device machine chair cushion seat bed mattress overlay pillow wedge
  roll lift ramp rail bar bench commode walker rollator cane crutch crutches wheelchair scooter lamp table
  ball band bicycle bike exerciser aid shoe stimulator pump vest belt binder strap wrap collar sling glove
  wipe brief underpad diaper dressing bandage gauze tape catheter electrode battery batteries pack strip
  lancet organizer mouse keyboard desk headset riser footrest stool monitor stand holder rack humidifier
  nebulizer cpap bipap concentrator mask trapeze harness positioner protector guard equipment
  reacher grabber system immobilizer stabilizer corset truss cast liner underwear sponge bag tubing syringe
  bidet handrail railing armrest headrest workstation computer laptop software`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
function deviceHead(text: string): number {
  const head = headNoun(text);
  if (!head) return -1;
  const w = head.word;
  const singular = w.endsWith('ies')
    ? `${w.slice(0, -3)}y`
    : w.endsWith('es')
      ? w.slice(0, -2)
      : w.slice(0, -1);
  return DEVICE_NOUNS.has(w) ||
    (w.endsWith('s') && (DEVICE_NOUNS.has(singular) || DEVICE_NOUNS.has(w.slice(0, -1))))
    ? head.at
    : -1;
}

const re =
  (r: RegExp) =>
  (text: string): number =>
    text.search(r);
const alt = (...rs: RegExp[]) => new RegExp(rs.map((r) => r.source).join('|'));

/** Procedure words by their suffix (arthroplasty, fasciotomy, arthrodesis, tenolysis...). */
const PROCEDURE_SUFFIX =
  /\b[a-z]{3,}(?:plast(?:y|ies)|otom(?:y|ies)|ectom(?:y|ies)|desis|dese[sz]|pex(?:y|ies)|rrhaph(?:y|ies)|ostom(?:y|ies)|centesis|tripsy)\b|\b(?![a-z]*fluoro)[a-z]{3,}scop(?:y|ies|ic)\b|\b(?:neuro|teno|adhesio|epiduro|arthro|capsulo|viscero|entero|facio|fascio)lysis\b|\blysis of\b/;
/** Named and abbreviated operations common in workers' compensation. */
const NAMED_PROCEDURE =
  /\b(?:acdf|accf|tlif|plif|alif|xlif|llif|olif|dlif|orif|crpp|tka|tha|tsa|uka|lrti|oats)\b|\btommy john\b|\bbankart\b|\blatarjet\b|\bbristow\b|\bmumford\b|\bweaver[- ]dunn\b|\bbrostr[oö]m\b|\bslap (?:repair|lesion repair)\b|\binterbody\b|\bmicrofracture\b|\bcarpal tunnel release\b|\bctr\b/;
/** General words for an operation. */
const PROCEDURE_NOUN =
  /\b(?:repair|reconstruction|excision|resection|fixation|fusion|implantation|transposition|correction|realignment|revision|augmentation|grafting|nailing|pinning|debridement|explant(?:ation)?|amputation|closed reduction)\b|(?<!core |dynamic |segmental )\bstabili[sz]ation\b(?! (?:exercises?|program|training|therapy))|\b(?:tendon|nerve|muscle|toe|tissue|ligament) transfers?\b|\b(?:joint|knee|hip|shoulder|disc|disk|ankle|elbow|total|partial|valve) replacement\b|\breplacement (?:arthroplasty|surgery|of the)\b|\b(?:capsular|retinacular|ligament(?:ous)?|compartment|contracture|pulley|sheath|adhesions?|joint) release\b/;
/** Surgical assistants and intra-operative services. */
const SURGICAL_ASSIST =
  /\bassistant surgeon\b|\bco-?surgeon\b|\bsurgical (?:assist(?:ant)?|tech(?:nician)?)s?\b|\bfirst assist(?:ant)?\b|\brn ?first assist|\brnfa\b|\bpa-c\b(?!.*\b(?:visit|follow|consult|evaluation|exam)\b)|\b(?:intra-?operative )?neuromonitoring\b|\bionm\b/;

/** Tests and studies: "-gram", "-graphy", "-metry", study, panel, screen, levels, monitoring. */
const TEST_WORDS = alt(
  /\bstud(?:y|ies)\b|\bpanels?\b|\bscreen(?:s|ing)?\b|\bassays?\b|\bcultures?\b|\bbiops(?:y|ies)\b/,
  /\b(?!(?:pro|dia|kilo|milli|micro|centi|tele|holo|insta|ana|pan|mono|histo|epi|para)grams?\b)[a-z]{3,}grams?\b/,
  /\b[a-z]{3,}(?:graphy|metry)\b/,
  /\b(?:serum|blood|plasma|urine|drug|hormone|enzyme|vitamin [a-z0-9]+)(?: [a-z-]+)? levels?\b/,
  /\b(?:blood count|metabolic|lipid|liver function|renal function|hepatic function|thyroid function|coagulation|a1c|eeg|eng|ncv\/emg|vng|fce|ekg|ecg)\b/,
  /\b(?:holter|cardiac|event|ambulatory|heart) monitor(?:ing)?\b/,
);
/** Ordered: the first rule that matches decides. Each id names the rule in reports and audits. */
const RULES: readonly Rule[] = [
  {
    id: 'injection',
    category: 'injections',
    find: re(
      alt(
        /\binject(?:ion|ions|ed)?\b|\bepidural\b|\besi\b|\bfacet\b|\bmedial branch\b|\bblocks?\b(?! of)|\bradiofrequency\b|\brhizotomy\b|\bablation\b|\bplatelet[- ]rich\b|\bprp\b|\bviscosupplement|\b(?:synvisc|orthovisc|euflexxa|supartz|hyalgan|gel-one|monovisc)\b|\bbotox\b|\bbotulinum\b|\bprolotherapy\b|\bcortisone shot\b|\bsteroid shot\b|\bstem cell\b/,
        // Routes of administration by needle.
        /\bim\b|\bintramuscular\b|\bintra-?articular\b|\bsubcutaneous\b|\bintravenous\b|\binfusions?\b/,
      ),
    ),
  },
  {
    id: 'electrodiagnostic',
    category: 'electrodiagnostics',
    find: re(
      /\bemgs?\b|\bncvs?\b|\bncss?\b|\bedx\b|\bnerve conduction\b|\belectroneuro|\bf-wave|\bh-reflex|\belectromyogra|\belectrodiagnostic|\bssep\b|\bsomatosensory evoked\b|\bevoked potentials?\b|\bqst\b|\bquantitative sensory\b|\bsurface emg\b/,
    ),
  },
  {
    // Before the services a ride goes to: "Transportation to physical therapy" is transport.
    id: 'transport',
    category: 'transport',
    find: re(
      /\btransport(?:ation)?\b|\btaxi\b|\bambulance\b|\bmileage\b|\btravel\b|\brides?\b|\brideshare\b|\bparatransit\b|\b(?:round[- ])?trips?\b/,
    ),
  },
  {
    id: 'behavioural',
    category: 'behavioral_health',
    find: re(
      /\bpsych|\bcognitive behavio|\bcbt\b|\bbiofeedback\b|\bcounsel+ing\b|\bmental health\b|\bpartial hospitali[sz]ation\b|\bhypnotherap|\bgroup therapy\b|\bbehavio(?:u)?ral\b|\bdepression\b|\banxiety\b|\bneuropsych/,
    ),
  },
  {
    id: 'programme',
    category: 'programs',
    find: re(
      /\bfunctional restoration\b|\bfrp\b|\bmultidisciplinary\b|\binterdisciplinary\b|\bpain (?:management )?program|\bwork (?:hardening|conditioning)\b|\bdetox|\bweight (?:loss|management) program|\bmemberships?\b|\bhelp program\b|\brehabilitation program\b|(?<!home exercise )\bprogram\b/,
    ),
  },
  {
    id: 'facility-stay',
    category: 'other',
    subcategory: 'facility stay',
    find: re(
      /\binpatient\b|\bskilled nursing\b|\bsnf\b|\bhospital (?:stay|admission)\b|\badmission\b|\blength of stay\b|\bnursing facility\b|\bresidential\b/,
    ),
  },
  {
    // An implanted stimulator or pump is an operation, not equipment.
    id: 'implant',
    category: 'surgery',
    find: re(
      /\b(?:spinal cord|dorsal column|dorsal root ganglion|peripheral nerve|intrathecal|implant(?:ed|able)?)\b[^,;]*\b(?:stimulators?|pumps?|generators?|leads?)\b/,
    ),
  },
  {
    // A consultation or a transfer of care is a visit whatever it is about ("surgical consultation").
    id: 'consultation',
    category: 'evaluation_management',
    find: re(
      /\bconsult(?:ation)?s?\b|\btransfer(?:red|ring)? (?:of )?care\b|\btoc\b|\bsecond opinion\b|\binitial (?:comprehensive |orthopedic |medical )?(?:exam|examination|evaluation|visit|assessment)s?\b|\bnew patient\b|\bclearance\b|\bsurg(?:ical|ery) (?:evaluation|re-?evaluation|opinion)\b/,
    ),
  },
  { id: 'device', category: 'dme', find: deviceHead },
  {
    id: 'surgery',
    category: 'surgery',
    find: re(
      alt(
        /\bsurg(?:ery|ical)\b|\barthroscop|\barthroplast|\bfusion\b|\b(?:micro-?)?dis[ck]ectomy\b|\blaminectomy\b|\blaminotomy\b|\bforaminotomy\b|\bdecompression\b(?! therapy)|\bmeniscectomy\b|\bchondroplasty\b|\b(?:teno)?synovectomy\b|\b(?:allo|auto|bone )graft\b|\bplating\b|\bosteotomy\b|\b(?:orif|open reduction)\b|\b(?:hardware|implant) removal\b|\bremoval of (?:hardware|implant)|\bacromioplasty\b|\btenotomy\b|\btenodesis\b|\bcapsulotomy\b|\bneurolysis\b|\bkyphoplasty\b|\bvertebroplasty\b|\b(?:spinal cord|dorsal column) stimulator\b|\bintrathecal pump\b|\b(?:carpal|cubital|tarsal) tunnel\b.*\brelease\b|\btrigger (?:finger|thumb)\b.*\brelease\b|\b(?:open|endoscopic|surgical)\b.*\brelease\b|\b(?:tendon|nerve|de quervain'?s?|lateral)\b.*\brelease\b|\banesthesia\b|\bstitches\b/,
        PROCEDURE_SUFFIX,
        NAMED_PROCEDURE,
        PROCEDURE_NOUN,
        SURGICAL_ASSIST,
      ),
    ),
  },
  {
    id: 'imaging',
    category: 'imaging',
    find: re(
      /\bmri'?s?\b|\bmra\b|\bmagnetic resonance\b|\bct\b|\bcat scan\b|\bcomputed tomography\b|\bx-?rays?\b|\bradiograph|\bbone scan\b|\bpet scan\b|\bdexa\b|\bbone density\b|\bmyelogra|\barthrogra|\bdiscogra|\bangiogra|\bvenogra|\barteriogra|\bdiagnostic ultrasound\b|\bultrasound (?:of|guided)\b|\bsonogra|\bdoppler\b|\bduplex\b|\bfilms?\b|\b(?:\d|two|three|four|five) views?\b|\bscan\b|\bimaging\b|\bfluoroscop|\bvideofluoro/,
    ),
  },
  {
    id: 'lab-test',
    category: 'labs_testing',
    find: re(
      alt(
        /\blabs?\b|\blaboratory\b|\bcbc\b|\bcmp\b|\bbmp\b|\bpt\/ptt\b|\binr\b|\burinalysis\b|\bua\b|\burine\b|\bdrug (?:screen|test)|\btoxicology\b|\bblood (?:test|work|draw)|\bhba1c\b|\belectrocardiogra|\bechocardiogra|\bstress test\b|\bsleep (?:study|studies)\b|\bpolysomnogra|\bgenetic\b|\bdna\b|\bpharmacogen|\bcytokine\b|\ballergy test|\baudiogra|\bhearing test\b|\bpulmonary function\b|\bspirometr|\bfunctional capacity evaluation\b|\bvideonystagmo|\btest(?:ing|s)?\b/,
        TEST_WORDS,
      ),
    ),
  },
  {
    id: 'dme',
    category: 'dme',
    find: re(
      /\b(?:tens|ems|nmes|interferential|if|h-wave|muscle stimulator|neuromuscular stimulator|stimulator)\b.*\b(?:unit|device|rental|purchase|supplies|electrodes|trial|batteries)\b|\bunit\b|\bwheelchair\b|\bscooter\b|\bcommode\b|\b(?:shower|bath|bath\/shower) chair\b|\bwalker\b|\bcane\b|\bcrutch(?:es)?\b|\bbrace\b|\bsplint\b|\bsling\b|\bultrasling\b|\borthotics?\b|\borthosis\b|\bhospital bed\b|\bmattress\b|\bpillow\b|\bcold therapy\b|\bcryotherapy unit\b|\bvascutherm\b|\bgame ready\b|\bcpm\b|\bcontinuous passive motion\b|\bhearing aids?\b|\blumbar support\b|\bback support\b|\bcollar\b|\bcompression (?:stockings|garment|sleeve|wraps?)\b|\bwraps?\b|\bpad\b|\bhot\/cold\b|\bheat(?:ing)? pad\b|\bdme\b|\bdurable medical\b|\bequipment\b|\bsupplies\b|\brental\b|\bpurchase\b|\bgrab bars?\b|\braised toilet\b|\breacher\b|\bglucometer\b|\bcpap\b|\bprosthe|\bh-?wave\b|\b(?:lso|tlso|ctlso|cto|afo|kafo|hkafo|whfo)s?\b/,
    ),
  },
  {
    id: 'chiropractic',
    category: 'physical_medicine',
    subcategory: 'chiropractic',
    find: re(
      /\bchiro(?:practic|practor)?s?\b|\bchiropract|\bmanipulation\b|\bmanipulative\b|\badjustments?\b|\bosteopath|\bomt\b|\bcmt\b|\bd\.?c\.? (?:visits?|treatments?|sessions?|care)\b/,
    ),
  },
  {
    id: 'physical-therapy',
    category: 'physical_medicine',
    subcategory: 'physical_therapy',
    find: re(
      /\bphysical therap|\bphysiotherap|\bphysio\b|\bpt\b(?!\/ptt)|\b(?:aqua(?:tic)?|pool|water)[- ](?:based )?(?:therapy|exercises?|rehab)|\bwork therapy\b|\bvestibular (?:therapy|rehab)/,
    ),
  },
  {
    id: 'occupational-therapy',
    category: 'physical_medicine',
    subcategory: 'occupational_therapy',
    find: re(/\boccupational therap|\bot\b|\bhand therap/),
  },
  {
    id: 'acupuncture',
    category: 'physical_medicine',
    subcategory: 'acupuncture',
    find: re(/\bacupunct|\belectro-?acupunct|\bcupping\b|\bdry needling\b/),
  },
  {
    id: 'massage',
    category: 'physical_medicine',
    subcategory: 'massage',
    find: re(/\bmassage\b|\bmyofascial\b|\bsoft tissue mobili|\bmanual therapy\b|\brolfing\b/),
  },
  {
    id: 'modality',
    category: 'physical_medicine',
    subcategory: 'modalities',
    find: re(
      /\binfrared\b|\bheat\b|\bice\b|\bultrasound\b|\belectrical (?:muscle )?stimulation\b|\be-?stim\b|\bmuscle stimulation\b|\binterferential\b|\bshock ?wave\b|\beswt\b|\btraction\b|\bparaffin\b|\bneurostimulation\b|\blaser therapy\b|\bcold laser\b|\blow level laser\b|\bdiathermy\b|\biontophoresis\b|\bphonophoresis\b|\bkinesio\b|\btaping\b|\bhydrotherapy\b|\bwhirlpool\b|\bdecompression therapy\b|\b(?:cryo|electro|thermo|photo|mechano)therap/,
    ),
  },
  {
    // After the named therapies: "Acupuncture ..., to include therapeutic exercise" is acupuncture.
    id: 'exercise',
    category: 'physical_medicine',
    subcategory: 'physical_therapy',
    find: re(/\bhome exercise\b|\btherapeutic exercises?\b/),
  },
  {
    id: 'home-health',
    category: 'home_health',
    find: re(
      /\bhome (?:health|care|nursing|assistance|aide|attendant)\b|\bcaregiver\b|\battendant\b|\bhousekeeping\b|\bhomemaker\b|\bnursing (?:care|visits?|services?)\b|\bnurse visits?\b|\bvisiting nurse\b|\bin-home\b|\bhome help\b|\b(?:personal|custodial|companion|respite) care\b|\brespite\b|\bchores?\b|\bmeal preparation\b/,
    ),
  },
  {
    id: 'language-services',
    category: 'other',
    find: re(/\btranslat|\binterpret/),
  },
  {
    id: 'other-device-procedure',
    category: 'other',
    find: re(
      /\bhyperbaric\b|\bvaccin|\bimmuni[sz]ation\b|\bdental\b|\bdentures?\b|\beyeglasses\b|\bglasses\b|\bcontact lenses\b/,
    ),
  },
  {
    // A therapy the named ones do not cover ("craniosacral therapy"), or training, treatments, classes
    // with a number of sessions or visits.
    id: 'therapy-other',
    category: 'physical_medicine',
    find: (text) => {
      // Compounds too: "cryotherapy", "mechanotherapy".
      const at = text.search(/therap(?:y|ies)\b|\brehab(?:ilitation)?\b/);
      if (at !== -1) return at;
      const counted =
        /\b\d+ ?x ?\d+\b|\bx ?\d+\b|\b(?:\d+|one|two|three|four|five|six|eight|ten|twelve) (?:sessions|visits|treatments|classes)\b|\btimes (?:a|per) week\b|\b\d+ times\b/;
      return counted.test(text)
        ? text.search(
            /\btraining\b|\btreatments?\b|\bexercises?\b|\bclasses\b|\binstruction\b|\blessons\b|\bsessions\b/,
          )
        : -1;
    },
  },
  {
    id: 'evaluation-management',
    category: 'evaluation_management',
    find: re(
      /\breferral\b|\brefer(?:red)? to\b|\bevaluation\b|\bre-?evaluat|\bre-?exam|\bre-?check\b|\bexams?\b|\bfollow[- ]?up\b|\boffice visits?\b|\bvisits?\b|\btele(?:health|medicine)\b|\bspecialist\b|\bmanagement\b|\bassessment\b|\btreat(?:ment)? with\b|\bpain management\b|\bdoctor\b|\bphysician\b|\bexamination\b|\b[a-z]+(?:ologist|iatrist|opedist|ician)s?\b|\bsurgeons?\b/,
    ),
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
    const i = rule.find(text);
    if (i !== -1 && i < at) at = i;
  }
  return at;
}

/**
 * The item as a prescription, or null. `weak`: the last resort after the service rules, where a count
 * ("#60") or a volume is enough to call an unknown name a drug.
 */
function pharmacy(
  text: string,
  original: string,
  quantity: number | null,
  weak = false,
): ItemCategory | null {
  const drugs = drugsIn(text);
  // A drug named after the service it goes with is part of that service, not a prescription.
  const drugAt = drugs.length > 0 ? text.search(DRUG_RE) : Number.POSITIVE_INFINITY;
  if (drugs.length > 0 && firstServiceAt(text) < drugAt) return null;
  const percentages = text.match(/\d+(?:\.\d+)?\s*%/g) ?? [];
  const compound =
    /\bcream base\b|\bcompound(?:ed)?\b/.test(text) || (drugs.length >= 2 && percentages.length >= 2);
  const form =
    PHARMACY_FORM.test(text) ||
    (KIT.test(text) && hasBrandWord(text)) ||
    (weak && WEAK_PHARMACY_FORM.test(text));
  if (drugs.length === 0 && !compound && !form) return null;
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
  let drugClass: DrugClass | null = first?.drugClass ?? (MEDICAL_FOOD.test(text) ? 'medical_foods' : 'other');
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

/** Therapies that decide when they open the item: "Physical therapy after rotator cuff repair". */
const LEADING = new Set(['chiropractic', 'physical-therapy', 'occupational-therapy', 'acupuncture']);

function byRules(text: string): ItemCategory {
  const leading = RULES.find((rule) => LEADING.has(rule.id) && rule.find(text) === 0);
  for (const rule of leading ? [leading] : RULES) {
    if (rule.find(text) !== -1) {
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
  if (injection.find(text) !== -1) return byRules(text);
  const byService = pharmacy(text, description, quantity) ?? byRules(text);
  if (byService.category !== null) return byService;
  return pharmacy(text, description, quantity, true) ?? NONE;
}
