import type { DrugClass } from '../../schemas/category.js';

/**
 * Drugs seen in workers' compensation pharmacy disputes: generic name -> class, with the brand names
 * prescribers write. Maintained by hand; `imr report uncategorised` shows what it misses.
 */
const DRUGS: Record<DrugClass, Record<string, readonly string[]>> = {
  opioids: {
    hydrocodone: [
      'norco',
      'vicodin',
      'lortab',
      'hysingla',
      'zohydro',
      'hydrocodone/apap',
      'hydrocodone/acetaminophen',
    ],
    oxycodone: ['percocet', 'oxycontin', 'roxicodone', 'endocet', 'xtampza', 'oxycodone/apap'],
    tramadol: ['ultram', 'ultracet', 'conzip', 'ryzolt', 'tramadol er', 'tramadol/apap'],
    tapentadol: ['nucynta'],
    morphine: ['ms contin', 'kadian', 'avinza', 'morphine sulfate'],
    hydromorphone: ['dilaudid', 'exalgo'],
    oxymorphone: ['opana'],
    methadone: ['dolophine'],
    fentanyl: ['duragesic', 'fentanyl patch'],
    buprenorphine: ['butrans', 'belbuca', 'suboxone', 'subutex', 'zubsolv'],
    codeine: ['tylenol #3', 'tylenol #4', 'tylenol with codeine', 'apap/codeine'],
    meperidine: ['demerol'],
    levorphanol: [],
  },
  muscle_relaxants: {
    cyclobenzaprine: ['flexeril', 'amrix', 'fexmid'],
    carisoprodol: ['soma'],
    methocarbamol: ['robaxin'],
    tizanidine: ['zanaflex'],
    baclofen: ['lioresal'],
    metaxalone: ['skelaxin'],
    orphenadrine: ['norflex'],
    chlorzoxazone: ['parafon forte', 'lorzone'],
    dantrolene: ['dantrium'],
  },
  nsaids: {
    ibuprofen: ['motrin', 'advil'],
    naproxen: ['naprosyn', 'anaprox', 'aleve', 'naproxen sodium'],
    diclofenac: [
      'voltaren',
      'voltaren xr',
      'cambia',
      'zorvolex',
      'zipsor',
      'arthrotec',
      'diclofenac sodium',
      'diclofenac potassium',
    ],
    meloxicam: ['mobic'],
    celecoxib: ['celebrex'],
    etodolac: ['lodine'],
    nabumetone: ['relafen'],
    ketorolac: ['toradol'],
    indomethacin: ['indocin'],
    piroxicam: ['feldene'],
    oxaprozin: ['daypro'],
    fenoprofen: ['nalfon'],
    ketoprofen: [],
    sulindac: ['clinoril'],
    diflunisal: ['dolobid'],
    flurbiprofen: ['ansaid'],
  },
  topical_analgesics: {
    lidocaine: ['lidoderm', 'lidopro', 'lidocaine patch', 'lidocaine ointment'],
    'diclofenac topical': ['voltaren gel', 'flector', 'pennsaid', 'diclofenac gel', 'diclofenac patch'],
    capsaicin: ['zostrix', 'qutenza', 'capsaicin cream', 'capsaicin patch'],
    'methyl salicylate/menthol': ['terocin', 'menthoderm', 'bengay', 'methoderm', 'biofreeze', 'dendracin'],
  },
  anticonvulsants: {
    gabapentin: ['neurontin', 'gralise', 'horizant'],
    pregabalin: ['lyrica'],
    topiramate: ['topamax'],
    carbamazepine: ['tegretol'],
    oxcarbazepine: ['trileptal'],
    lamotrigine: ['lamictal'],
    levetiracetam: ['keppra'],
  },
  antidepressants: {
    amitriptyline: ['elavil'],
    nortriptyline: ['pamelor'],
    duloxetine: ['cymbalta'],
    venlafaxine: ['effexor'],
    desvenlafaxine: ['pristiq'],
    sertraline: ['zoloft'],
    fluoxetine: ['prozac'],
    citalopram: ['celexa'],
    escitalopram: ['lexapro'],
    paroxetine: ['paxil'],
    bupropion: ['wellbutrin'],
    trazodone: ['desyrel', 'oleptro'],
    mirtazapine: ['remeron'],
    desipramine: ['norpramin'],
  },
  sleep_aids: {
    zolpidem: ['ambien', 'ambien cr', 'intermezzo'],
    eszopiclone: ['lunesta'],
    zaleplon: ['sonata'],
    temazepam: ['restoril'],
    suvorexant: ['belsomra'],
    ramelteon: ['rozerem'],
    doxepin: ['silenor'],
    melatonin: [],
  },
  ppis: {
    omeprazole: ['prilosec'],
    esomeprazole: ['nexium'],
    lansoprazole: ['prevacid'],
    pantoprazole: ['protonix'],
    rabeprazole: ['aciphex'],
    dexlansoprazole: ['dexilant'],
  },
  compounds: {},
  other: {
    docusate: ['colace'],
    sennosides: ['senokot', 'senna'],
    ondansetron: ['zofran'],
    promethazine: ['phenergan'],
    acetaminophen: ['tylenol', 'apap'],
    diazepam: ['valium'],
    alprazolam: ['xanax'],
    clonazepam: ['klonopin'],
    lorazepam: ['ativan'],
    prednisone: [],
    methylprednisolone: ['medrol'],
    sumatriptan: ['imitrex'],
    ranitidine: ['zantac'],
    famotidine: ['pepcid'],
    misoprostol: ['cytotec'],
    lubiprostone: ['amitiza'],
    naloxegol: ['movantik'],
    methylnaltrexone: ['relistor'],
    dexamethasone: ['decadron'],
    bupivacaine: ['marcaine'],
    menthol: [],
    camphor: [],
    ketamine: [],
    amantadine: [],
    hydroxyzine: ['vistaril', 'atarax'],
    cetirizine: ['zyrtec'],
    testosterone: ['androgel'],
    sildenafil: ['viagra'],
    modafinil: ['provigil'],
    nicotine: [],
  },
};

export interface DrugEntry {
  /** Generic name, lower case. */
  name: string;
  drugClass: DrugClass;
}

/** Every name (generic and brand), lower case, to its entry; longest names first for matching. */
export const DRUG_NAMES: ReadonlyArray<readonly [string, DrugEntry]> = Object.entries(DRUGS)
  .flatMap(([drugClass, drugs]) =>
    Object.entries(drugs).flatMap(([generic, brands]) =>
      [generic, ...brands].map(
        (name) => [name, { name: generic, drugClass: drugClass as DrugClass }] as const,
      ),
    ),
  )
  .sort((a, b) => b[0].length - a[0].length);
