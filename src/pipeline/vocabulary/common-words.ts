/**
 * Words an IMR letter's items and guideline citations are made of, beyond the project's dictionaries
 * (drugs, specialties, synthetic content): common English, medical and workers' compensation words, and
 * the abbreviations prescribers and reviewers write. Lower case; the OCR-suspect rules treat a word found
 * here (or its plural) as read right. Maintained by hand: add a word when a right field is flagged for it.
 */
const WORDS = `
a about above according across acute added addition additional adjunct adjustment administered administration
admission adult adults advanced affected after again against age aged agent aid aids all allowed alone along also
alternative alternatives although among amount an analysis and ankle annual another anterior any apply applied
approach approaches appropriate approved approximately area areas arm arms around as assessment assist assistance
assisted associated at attempt authorization authorized automated available average away back based baseline basis
be bed beds before being below benefit best between bilateral bilaterally blood body bone both brace brain brief
but by calendar can care case cases center central certain chapter chapters chart chest child chronic citation
citations clearance clinic clinical code codes cold combination combined complaint complaints complete
comprehensive computed computer concurrent condition conditions conservative consideration considerations consult
consultation consultations continue continued continuing continuous contrast control controlled coordinate cost
course criteria current daily damage data date day days deep degenerative degree delayed dental department
described detail determination device devices diagnosis diagnostic diagnostics diet different disability
discharge disease disorder disorders distal does dose doses dosing down drug drugs due duration during each early
edition education effect effective effects eight eighteen either elective electrical eleven eligible emergency end
environmental equipment established evaluation evaluations every evidence exam examination examinations exercise
exercises extended extension external extremities extremity facility factor failed false family fifteen fifty
final first five flexion follow following for form formal forty four fourteen fracture fractures frequency from
full function functional further general given glucose greater guidance guide guideline guidelines half hand hands
have head health heat heavy high history home hospital hour hours how if imaging immediate improvement in include
includes including increase independent indicated indication indications individual infection information initial
injured injury inner instruction insurance intensive internal intervention interventions into is joint joints just
kit knee knees laboratory large last lateral left leg legs length less level levels life light limb limbs limited
line lines local long low lower maintenance major management manual many maximum may measure measures medical
medically medication medications medicine method methods mid middle mild minimally minor minute minutes moderate
modified modify monitor monitoring month monthly months more most motion motor multiple muscle muscles must
national necessary necessity neck need needed needs nerve nerves new next nine nineteen no non none normal not
note number objective occupational of off office on once one ongoing online only open operative opinion option
options or oral order orders original other outpatient over overview pack pad pads pain panel part partial
patient patients per percent period permanent phase physical physician place plan plus point portion possible post
posterior practice pre prescribed prescription prevention previous primary prior procedure procedures program
programs progress provider purchase purpose quality quantity questionnaire radiating range rate re recent
recommendation recommendations recommended record records reduced reduction refill refills regimen region
regional rehabilitation related release relief remaining removal rental repair repeat replacement report request
requested requests required research rest restoration retrospective return review reviewed revision right risk
room routine same second section sections selection self semi series service services session sessions set seven
seventeen severe short side single sitting site six sixteen size small soft special specialist specific spinal
spine standard start state states status step studies study subsequent summary supervised supplies supply support
surgical system systems take taken target team technique techniques ten term test testing tests than that the
their then therapeutic therapies therapy these third thirteen thirty this three through time times to topical
total training transportation treatment treatments trial twelve twenty twice two type ultrasound under unit units
unspecified until up update updated upon upper urgent use used using version visit visits week weekly weeks
weight were when which while whole with within without work worker workers wrist year years
abdomen abdominal ablation abrasion abuse accessory acetabular achilles acromioclavicular acromion acromioplasty
activities activity acupressure addiction adhesive adhesions adjustable aerobic agonist alignment allodynia
ambulation ambulatory amputation analgesic analgesics anatomic anatomical anesthesia anesthetic aneurysm angiogram
ankles antagonist anti antibiotic antibiotics anticonvulsant antidepressant antidepressants antiemetic
antiinflammatory anxiety apparatus aquatic arthritis arthrodesis arthrogram arthrography arthroplasty
arthroscopic arthroscopy articular aspiration atrophy audiogram audiology augmentation autologous avascular back
bandage bariatric behavioral bicep biceps bilaterally biofeedback biologic biopsy bladder block blocks bmp bowel
brachial bracing brain bunion bursa bursitis calcaneal calcaneus caloric cane canes capsular capsule capsulitis
cardiac cardiology cardiovascular carpal cartilage cast casting catheter caudal cell cells cement cerebral
cervical chemistry chemo chiropractic chiropractor chondral chondroplasty chondromalacia circulation claudication
clavicle clinician coccyx cognitive collar collateral colonoscopy commode compartment compensation compound
compounded compounding compression concussion conduction congenital consultant contusion cortical corticosteroid
corticosteroids cream creams crutches cruciate cubital cuff cushion cyst debridement decompression deformity
dental depression depressive dermatology dermatome diabetes diabetic diagnosed diathermy digit digital disc discs
discectomy discogram discography disk dislocation dorsal drainage dressing dressings durable dynamic dysfunction
elbow elbows electric electro electrode electrodes electrodiagnostic electromyography electrotherapy endoscopic
endoscopy epicondylitis epidural ergonomic esophageal evoked excision extensor facet facets fascia fasciitis
fasciotomy femoral femur fibula fibromyalgia finger fingers fixation flexor fluoroscopic fluoroscopy foot
foraminal foraminotomy forearm fusion ganglion gastric gastroenterology gastrointestinal gel gels genetic
glenohumeral glenoid gluteal graft grip groin gym hallux hamstring hardware headache headaches hearing heel hernia
herniated herniation hip hips home hormone humeral humerus hydrotherapy hyperalgesia hypertension hypnotherapy
iliac immobilization implant implantation implants incision infrared inflammation inflammatory infusion inguinal
inhaler injection injections inpatient instability insomnia insulin intercostal interdisciplinary interferential
interlaminar internal intervertebral intra intraarticular intradiscal intramuscular intrathecal intravenous iontophoresis
ischemic joint kinesio kinesiotherapy knee kyphoplasty labral labrum laminectomy laminotomy laser lesion lesions
ligament ligaments liver lumbar lumbosacral lymph magnetic malunion mammogram manipulation manipulative massage
mattress medial median meniscal meniscectomy meniscus mental metabolic metacarpal metatarsal microdiscectomy
mobilization modalities modality motorized mri musculoskeletal myelogram myofascial nasal nausea nebulizer needle
needling nephrology nerve neural neurologic neurological neurology neuroma neuromuscular neuropathic neuropathy
neuropsychological neurostimulation neurosurgery neurotomy nonoperative nonsteroidal nonunion nuclear nurse
nursing nutrition nutritional obesity occipital occlusion ointment oncology opiate opiates opioid opioids
ophthalmology optometry orthopaedic orthopedic orthopedics orthosis orthotic orthotics osteoarthritis
osteopathic osteoporosis osteotomy otolaryngology outpatient paraffin paraspinal patch patches patella patellar
patellofemoral pathology pelvic pelvis percutaneous perineural peripheral peroneal pharmacy pharmacological
phonophoresis physiatry physiotherapy pillow piriformis plantar plasma platelet plate pneumatic podiatry polysomnogram
polysomnography pool postoperative postop posture preoperative preop prescriptions pressure prosthesis prosthetic
proximal psychiatric psychiatry psychological psychologist psychology psychotherapy pulmonary pulse pump
quadriceps radial radiculopathy radiofrequency radiograph radiographs radiography radiologic radiology radius
reconstruction rectal reflex rehab renal resection resonance respiratory rhizotomy rib ribs rotator sacral
sacroiliac sacrum scan scans scapula sciatic sciatica scoliosis screening screen sedation sensory shock shoe
shoes shoulder shoulders sinus skilled skin sleep sling slings soft sonogram specimen spinal splint splints
spondylosis sprain sprains stenosis sternum steroid steroids stimulation stimulator stimulators stockings
strain strains strapping strength strengthening stress subacromial subluxation supplement supplements surgeon
surgeons surgery surgeries suture sympathetic syndrome synovectomy synovitis tendinitis tendinopathy tendon
tendonitis tendons tenodesis tenotomy thermal thermotherapy thoracic thumb tibia tibial toe toes tomography
traction transcutaneous transdermal transforaminal trauma traumatic trigger tunnel ulnar ultrasonic ultrasonography
urinalysis urine urology vascular vein venous vertebra vertebrae vertebral vestibular viscosupplementation vision
vitamin walker walkers wheelchair whiplash wrap wraps wrists xray
ablative acetaminophen ache aches algorithm algorithms analgesia anesthesiology antispasmodic anxiolytic apap
benzodiazepine benzodiazepines capsules caps capsule chewable cr dispense dispensed er ir la liquid lozenge
lotion mg mcg ml mls mgs milligram milligrams microgram micrograms nsaid nsaids ointment pill pills powder
release relaxant relaxants sa sr suspension syrup tab tablet tablets tabs xr xl ds cc gm kg lb lbs
am pm bid tid qid qd qhs prn po hs q qam qpm qod hr hrs mo mos wk wks yr yrs
mri mris ct emg emgs ncv ncs ncvs eds esi esis tens ems nmes pt ot dme cbc cmp bmp ua ekg ecg eeg pet spect
frp fce acoem mtus odg ccr cfr dwc imr ur qme ame ptp pr ptt inr hba tsh esr crp psa cpt icd hcpcs dos rx
usa mmi tpd ttd slap acl mcl pcl lcl tfcc ac si sij rfa mbb ld adl adls bmi ivc ivf ccrs iv im sc ap lat ob gyn
ent orif tka tha tsa uka rtc cts cmc mcp pip dip mtp ip otc dx tx hx sx fx bx
st nd rd th
bath baths bathroom bathtub shower showers tub toilet toilets seat seats chair chairs rail rails grab bar bars
stair stairs step steps ramp ramps car cars vehicle vehicles van taxi ride rides trip trips mile miles door
doors floor floors house kitchen stove sink bedroom window table desk keyboard mouse phone computer screen
driver drivers lift lifts lifting bend bending stoop stooping kneel kneeling climb climbing push pushing pull
pulling carry carrying reach reaching grip gripping grasp grasping sit sitting stand standing walk walking
adjuvant acute agility allograft aquatherapy arthrocentesis audiometry autograft bedside biomechanical bloodwork
bodywork braces bursectomy capsaicin cardiopulmonary cauda cervicothoracic chemodenervation chemistries
cholesterol chondrocyte coccydynia cognitive compounded conditioning cortisone cryoflow cryotherapy curettage
decompressive denervation dextrose diagnostically diathermy discitis dorsiflexion dysphagia electroacupuncture
electromyogram ergonomics extracorporeal facetogenic fluoroscopically functioning genicular gymnastic hydrocollator
hyperstimulation impedance iontophoretic isokinetic kyphosis labs localized lordosis lumbosacral manometry
medial mins misuse myelography neuroplasty neurotomies orthopaedist osteopath pain pepper percussive periarticular
photon physiatrist preface procainamide prolotherapy psychometric pulsed radiofrequency rehabilitative
reflexology resonance sacroiliitis shockwave somatic somatosensory spirometry sterile substance supraspinatus
tendinosis thermography thermoplastic thoracolumbar tomographic transmittal transmittals trochanteric ultrasound
urinary uptodate vitamins viscosupplement wellness yoga cayenne dye dyes pilates
rue lue rle lle bue ble tpi tpis tpii eswt lllt ssep sseps ppi ppis prp ivig tlso lso cto ctlso afo kafo hkafo
tfesi ilesi cesi lesi mbnb rfta rfl pemf emg ncs ncv nct qst fce frp hep dme tens ems nmes ifc cpm cpap bipap
ct cta mra mrn dexa ekg ecg eeg ua uds utox cbc bmp cmp lft lfts pt ptt inr esr crp hgb hct bun tsh psa
acdf plif tlif alif xlif orif tkr thr tka tha tsa rsa acl mcl pcl lcl slap tfcc ecu fcr fcu apl epl edc cmc
mcp pip dip mtp ibs gerd copd chf dm htn osa ptsd gad mdd adhd mmpi bdi bai phq mmse moca
gabapentinoid gabapentinoids topicals triptan triptans antihistamine antihistamines laxative laxatives stool
softener softeners proton inhibitor inhibitors
official disability treatment workers comp web procedure summary online appendix table figure page pages
sec chap ch pp pg vol volume ed eds edition editions update updates reviewed revised http https www com org gov net
edu html htm pdf index php aspx
acute chronic subacute preoperative postoperative perioperative intraoperative
left right bilateral unilateral proximal distal superior inferior anterior posterior medial lateral upper lower
cervical thoracic lumbar sacral
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
it its he she his her they them we our you your i me my who whom whose what where why how there here was are
had has been do did done doing will would should could might shall can't cannot won't don't doesn't isn't
aren't wasn't weren't hasn't haven't hadn't to too very so such only own same few more most other some any each
every both all neither nor either because since unless whereas whether though although however therefore thus
hence also yet still already even ever never always often sometimes usually again further then once twice
first second third fourth fifth sixth seventh eighth ninth tenth last next previous prior following
per via vs versus etc ie eg approx approximately including included includes excluding
new old good poor better worse best worst high low higher lower highest lowest long short longer shorter
large small larger smaller big little major minor mild moderate severe significant significantly
accept accepted access accompanied account achieve achieved acquire act acting action actions active actual actually
add adding address addressed adequate adequately adjust adjusted administer admit admitted advice advise advised
affect affecting afford afterward agree agreed agreement aim allow allowing almost already alter altered amended
analyze analyzed answer apparent apparently appear appeared appears applicable application applications applies
appointment appraisal appreciate arise arising arranged arrangement assess assessed assign assigned assume
attached attend attended attention authorize avoid avoided aware background balance bar base bases basic became
become becomes began begin beginning behalf behavior behaviors behaviour belief believe beneficial benefits beyond
bring broad brought build call called calls came carry carried category cause caused causes causing certainly
certification certified change changed changes changing characteristic check checked choice chosen circumstances
cite cited cites citing claim claimed claims claimant clear clearly clinically close closed closely collect
come comes coming comment comments common commonly community compare compared comparison completed completion
component components concern concerned concerning conclude concluded conclusion conclusions conduct conducted
confirm confirmed consider considered considering consistent consistently constant constipation contain contained
contains content context contract contribute correct correctly could counsel count counts cover covered create
created critical cure day decide decided decision decisions decrease decreased define defined definite definitely
degree demonstrate demonstrated denial denied deny depend dependent depending describe describes description design
designed desired despite determine determined develop developed development diagnose differ difference differences
difficult difficulty direct directed directly discuss discussed discussion display document documentation documented
documents doing domain drive driving earlier easily effort efforts elevated eliminate else employ employee employer
employment enable encourage encouraged ended ensure enter entire entitled entry especially essential establish
estimate evaluate evaluated even event events evidence evident exact exactly example exceed exceeded exceeds except
excess exist existing expect expected experience experienced expert explain explained express extend extent
face facilities fact factors fail failure fair fall familiar far favor feature feel felt field file filed fill
find finding findings fine fit focus focused follow followed form formed forth forward found frequent frequently
fully gain gained gather gave generally get getting give gives giving go goal goals goes going gone got govern
governing great ground group groups grow guarantee handle happen hard hazard help helped helpful helps hierarchy
hold identified identify ill illness impact implement important improve improved improving incidence increased
increases increasing indeed indicate indicates indicating induced ineffective influence inform initiate initiated
initiating insufficient intended intent interest interpreted involve involved involves involving issue issued
issues item items keep kept kind know knowledge known lack lacking late later lead leading least leave leaving led
legal less let likely limit limitation limitations list listed little live made main maintain maintained make
makes making manage managed mandate manner mark marked match matter mean meaning meaningful means measured meet
meeting meets member members mention mentioned met might mind missing mode moderately modification modifications
move moved much name named narrow natural nature near nearly necessarily necessitate negative neither nevertheless
noted notes nothing notice now numerous obtain obtained obvious occur occurred occurring offer offered often
ongoing open opinions order ordered orally otherwise outcome outcomes outside overall page paid particular
particularly parts pass past pattern patterns pay perform performed performing perhaps person personal pertinent
place placed planned plans play please policy position positive potential potentially practical precaution
preceding precise preference prepared presence present presented presents prevent prevented primarily principle
principles probably problem problems proceed process produce product products professional proper properly
proposed protocol prove proved provide provided provides providing provision published put question questions
quick quickly raise raised rarely rather reach reached read reading ready real reason reasonable reasonably
reasons receive received receiving recognized recommend recommending recommends reconsider recur reduce reduces
refer reference referenced references referral referred reflect regard regarding regardless regular regularly
reject relative relatively relevant rely remain remains remove removed render rendered replace replaced reported
reports represent request requesting require requirement requirements requires requiring resolve resolved resolution
respect respond responded response responses responsible result resulted results resume returned reveal
revealed reviewer reviewers reviewing rule rules run safe safely safety said satisfy saw say says schedule
scheduled scope see seeking seem seemed seems seen select selected send sent separate set setting settings
several shall share shift show showed shown shows sign signed significance signs similar simple simply since
situation skill skills source sources speak specifically specified standards started states stated statement
statements steps stop stopped strong strongly subject submit submitted substantial substantiate substantiated
succeed success successful sufficient sufficiently suggest suggested suggests suitable supported supporting
supports sure sustained take takes taking task tasks tell tend terms thereafter thereby thing things think thought
throughout tolerance tolerate tolerated tool tools toward towards tracking treat treated treating tried tries try
trying turn typical typically unable unclear understand understanding unknown unlikely unnecessary unusual upheld
overturned usage useful usual utilization utilize valid validated value values various verified view warrant
warranted way ways well went whether widely will wish within word words worked working works worse would write
written wrong yes
abnormal abnormalities abnormality absence absent accident accidents adverse aggravated aggravation ailment
alcohol allergies allergy alleviate ambulate amplitude angle ankylosing antalgic apnea appetite arthralgia
asymptomatic attack awake balance bleeding blurred bruising burning burns calf cancer cardiovascular caregiver
cervicalgia chem chills clinic cognition complication complications compliance compliant congestive contracture
coronary cramping cramps crepitus dependence dependency deficit deficits dizziness drowsiness dysesthesia edema
effusion ejection elevation endurance exacerbation exacerbations fatigue fever flare flares fluid functioning gait
guarding hospitalization hospitalizations hypersensitivity impairment impairments improvement inability
incontinence insurer intake intolerance irritation kidney laxity lethargy lifting limp loss lumbago malaise
medicated mobility morbidity mortality myalgia myelopathy neuralgia numbness obstruction overdose palpation
paresthesia paresthesias pathology pharmacy pinch pneumonia prognosis psychosocial radicular reaching recovery
recurrence regimen relapse remission restriction restrictions rigidity seizure seizures sensation sensitivity
smoking soreness spasm spasms squatting stability stable standing stiffness strength swelling symptom symptomatic
symptoms tenderness tingling tolerance toxicity tremor ulcer walking weakness withdrawal
op ops oic cures rfa mme med meds pharmacist pharmacological pharmacotherapy titrate titration taper tapering
wean weaning dosage dosages
`;

/** The word list above as a set. */
export const COMMON_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter((w) => w !== ''));
