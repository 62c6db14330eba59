import { describe, expect, it } from 'vitest';
import { categorizeItem, citationFamily } from '../../src/categories/index.js';

describe('categorizeItem: service categories', () => {
  const cases: [string, string | null, string | null][] = [
    ['MRI of the lumbar spine without contrast', 'imaging', null],
    ['Left knee X-ray, 3 views', 'imaging', null],
    ['EMG/NCV of the bilateral upper extremities', 'electrodiagnostics', null],
    ['Nerve conduction studies, right arm', 'electrodiagnostics', null],
    ['Physical therapy 2 times a week for 6 weeks, lumbar', 'physical_medicine', 'physical_therapy'],
    ['Occupational therapy for the right hand, 8 sessions', 'physical_medicine', 'occupational_therapy'],
    ['Chiropractic physiotherapy treatment 6 visits', 'physical_medicine', 'chiropractic'],
    ['Electro acupuncture two times a week for six weeks', 'physical_medicine', 'acupuncture'],
    ['Acupuncture visits with capsaicin patch', 'physical_medicine', 'acupuncture'],
    ['Massage therapy for the neck', 'physical_medicine', 'massage'],
    ['Myofascial release to the low back', 'physical_medicine', 'massage'],
    ['Extracorporeal shockwave therapy (ESWT)', 'physical_medicine', 'modalities'],
    ['Lumbar epidural steroid injection at L4-5 under fluoroscopy', 'injections', null],
    ['Toradol 60mg IM injection', 'injections', null],
    ['Bilateral L4-5 medial branch blocks', 'injections', null],
    ['TENS unit, 30 day trial', 'dme', null],
    ['Purchase of a front-wheeled walker', 'dme', null],
    ['Bilateral hearing aids', 'dme', null],
    ['Urine drug screen', 'labs_testing', null],
    ['Functional capacity evaluation', 'labs_testing', null],
    ['Right shoulder arthroscopy with subacromial decompression', 'surgery', null],
    ['Open carpal tunnel release, left', 'surgery', null],
    ['Associated surgical service: cold therapy unit rental', 'surgery', 'ancillary'],
    ['Pre-op labs: CBC', 'surgery', 'ancillary'],
    ['Post-op physical therapy 12 sessions', 'physical_medicine', 'physical_therapy'],
    ['Pain management consultation', 'evaluation_management', null],
    ['Follow-up visit with orthopedic surgeon', 'evaluation_management', null],
    ['Referral to a spine specialist', 'evaluation_management', null],
    ['Cognitive behavioral therapy, 6 sessions', 'behavioral_health', null],
    ['Psychological evaluation', 'behavioral_health', null],
    ['Functional restoration program, 80 hours', 'programs', null],
    ['Home health aide 4 hours a day', 'home_health', null],
    ['Transportation to and from medical appointments', 'transport', null],
    ['Skilled nursing facility stay, 14 days', 'other', 'facility stay'],
    ['Hyperbaric oxygen therapy', 'other', null],
    ['Zorbulator treatments', null, null],
  ];
  it.each(cases)('%s -> %s / %s', (text, category, subcategory) => {
    const c = categorizeItem(text);
    expect(c.category).toBe(category);
    if (subcategory !== null) expect(c.subcategory).toBe(subcategory);
    expect(c.rule === null).toBe(category === null);
  });
});

describe('categorizeItem: fixes from reading the categorised items', () => {
  const cases: [string, string, string | null][] = [
    // "home exercise program" is an instruction that comes with a therapy, not a programme.
    [
      'Physical therapy for the left knee, 8 sessions, with instruction in a home exercise program',
      'physical_medicine',
      'physical_therapy',
    ],
    [
      'Acupuncture for the right knee and cervical spine, 12 sessions, with instruction in a home exercise program',
      'physical_medicine',
      'acupuncture',
    ],
    ['Home exercise program', 'physical_medicine', 'physical_therapy'],
    [
      'Functional restoration program, 80 hours, with instruction in a home exercise program',
      'programs',
      null,
    ],
    // The therapy named first decides, not "to include therapeutic exercise".
    [
      'Acupuncture 2 times a week for 3 weeks of the lumbar spine, to include therapeutic exercise and modalities',
      'physical_medicine',
      'acupuncture',
    ],
    [
      'Massage therapy 2 times a week for 2 weeks of the left wrist, to include therapeutic exercise and modalities',
      'physical_medicine',
      'massage',
    ],
    [
      'Occupational therapy 1 times a week for 6 weeks of the right elbow, to include therapeutic exercise',
      'physical_medicine',
      'occupational_therapy',
    ],
    ['Therapeutic exercises, 6 sessions', 'physical_medicine', 'physical_therapy'],
    // Surgical words the rule missed (left uncategorised).
    ['L4-L5 microdiscectomy', 'surgery', null],
    ['with flexor tenosynovectomy', 'surgery', null],
    ['with allograft and plating at C6-C7', 'surgery', null],
  ];
  it.each(cases)('%s -> %s / %s', (text, category, subcategory) => {
    const c = categorizeItem(text);
    expect(c.category).toBe(category);
    expect(c.subcategory).toBe(subcategory);
  });
});

describe('categorizeItem: pharmacy', () => {
  const cases: [string, string, string | null, string | null, number | null][] = [
    ['Norco 10/325mg #60', 'opioids', 'hydrocodone', '10/325 mg', 60],
    ['Ultram 50mg #30', 'opioids', 'tramadol', '50 mg', 30],
    ['OxyContin 20 mg #60', 'opioids', 'oxycodone', '20 mg', 60],
    ['Butrans patch 10 mcg/hr #4', 'opioids', 'buprenorphine', '10 mcg/hr', 4],
    ['Flexeril 10mg #90', 'muscle_relaxants', 'cyclobenzaprine', '10 mg', 90],
    ['Soma 350 mg #30', 'muscle_relaxants', 'carisoprodol', '350 mg', 30],
    ['Naproxen sodium 550mg #60', 'nsaids', 'naproxen', '550 mg', 60],
    ['Diclofenac/misoprostol 75-0.2mg #60 with 2 refills', 'nsaids', 'diclofenac', '75-0.2 mg', 60],
    ['Three refills of Voltaren 75mg #60', 'nsaids', 'diclofenac', '75 mg', 60],
    ['Voltaren gel 1% 100 g', 'topical_analgesics', 'diclofenac topical', '1 %', null],
    ['Lidoderm 5% patch #30', 'topical_analgesics', 'lidocaine', '5 %', 30],
    ['Ketoprofen 10% cream', 'topical_analgesics', 'ketoprofen', '10 %', null],
    ['Gabapentin 600mg #90', 'anticonvulsants', 'gabapentin', '600 mg', 90],
    ['Lyrica 75 mg #60', 'anticonvulsants', 'pregabalin', '75 mg', 60],
    ['Cymbalta 60mg #30', 'antidepressants', 'duloxetine', '60 mg', 30],
    ['Ambien 10mg #30', 'sleep_aids', 'zolpidem', '10 mg', 30],
    ['Prilosec 20mg #60', 'ppis', 'omeprazole', '20 mg', 60],
    ['Post-op Colace 100mg #60', 'other', 'docusate', '100 mg', 60],
    [
      'Flurbiprofen 20%, Baclofen 5%, Menthol 2% in cream base',
      'compounds',
      'flurbiprofen + baclofen + menthol',
      '20%/5%/2%',
      null,
    ],
    ['Unknown medication 5mg #10', 'other', null, '5 mg', 10],
  ];
  it.each(cases)('%s', (text, drugClass, drug, strength, count) => {
    const c = categorizeItem(text);
    expect(c).toMatchObject({ category: 'pharmacy', drugClass, drug, strength, count });
  });

  it('takes the count from the item quantity when the text has no #N', () => {
    expect(categorizeItem('Tramadol ER 150mg', 30).count).toBe(30);
  });
});

describe('citationFamily', () => {
  it.each([
    ['MTUS Chronic Pain Medical Treatment 2016', 'mtus', 'Chronic Pain Medical Treatment'],
    ['MTUS Low Back Complaints 2004', 'mtus', 'Low Back Complaints'],
    ['Forearm, Wrist, and Hand Complaints 2004', 'mtus', 'Forearm, Wrist, and Hand Complaints'],
    ['MTUS Opioid Treatment 2016', 'mtus', 'Opioid Treatment'],
    ['Non-MTUS Citation Official Disability Guidelines (ODG), Low Back Chapter', 'odg', 'Low Back'],
    ['Non-MTUS Citation ODG Mental Illness and Stress', 'odg', 'Mental Illness and Stress'],
    [
      'Non-MTUS Citation Official Disability Guidelines (ODG), Neck & Upper Back chapter: MRI',
      'odg',
      'Neck and Upper Back',
    ],
    ['Non-MTUS Citation ACOEM Practice Guidelines, 3rd Edition', 'acoem', null],
    ["Non-MTUS Citation Green's Operative Hand Surgery, 6th ed", 'other', null],
    [null, 'none', null],
  ])('%s -> %s', (source, family, chapter) => {
    expect(citationFamily(source)).toEqual({ family, chapter });
  });
});
