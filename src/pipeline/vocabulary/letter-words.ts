// Written by `npm run vocabulary` from the synthetic letters' content (src/synth/vocabulary.ts): do not edit.
// The words of the letters' items, guidelines, specialties and states, so that OCR checks know them
// without loading the generator.
const WORDS = `
a abduction acoem acromioclavicular active activity acupuncture acute addiction additional administrator adult
adults aeds affected affiliation after aide allograft american an and anesthesiology ankle anterior anti
antidepressants apap applies apply appointments approach approaches aquatic arc area arizona arthrogram
arthroscopic arthroscopy articular as assistant associate associated at atrophy back background based be bed
beds bedtime been behavioral between biceps bilateral biofeedback block blocks box brace branch breakthrough
bulge bus by c california cancer cardiovascular care carolina carpal cart case catching cbc centers certified
cervical cervicalgia chapter chest chiropractic chondroplasty chronic claims clavicle clearance clerk clinical
cmp cognitive cold college collision colorado com combative common compared compartment complaints complete
compression computed condition conditions conduction considerations continuous contrast contusion cord
cornerstones correctional corticosteroid course coverage crate crepitus criteria cryotherapy ct cubital cuff
cumulative currently custodian cyclobenzaprine daily day days de debridement decompression decreased
degenerative degrees deliveries delivery depression dermatome determinations diagnostic diminished directed
disability disc discectomy discrimination disease disputed distal dme dorsal dos drawer driver drug drugs
duloxetine durable duty edition education effectiveness effusion eight ekg elbow electric electrical
electrodiagnostic electromyography electrotherapy emergency emg employee employer end environmental epicondyle
epicondylitis epidural epilepsy equipment er esis evaluate evaluation evaluations every evidence example
exceed excision exercise experience expert expertise extension extensor external extremities extremity facet
fall falling familiar family fascia fasciitis federal fibrocartilage file fingers first five flexion flexor
floor florida flow fluoroscopy food foot for foraminotomy forearm four fracture from frps full functional
fusion gabapentin general georgia gi governing green grip gripping grocery ground guarding guidance guidelines
gym hand hands has hawkins he health healthy heat heavy her hierarchy hip his home hose hospice hospital hot
hours https hydrocodone ice illinois illness imaging impingement in include including independent indications
inflammation inflammatories inflammatory initial injection injections injury insertion instability instruction
intact intermittent internal interventions intra introduction is items jack job joint keyboard knee l lab
laboratory labs ladder laminectomy landscaper lateral laws least left leg legs library lidocaine lidoderm
lifting ligament limited line list loaded low lower lumbar machine magnetic maintenance making management
manipulation manual massachusetts massage maximus mcmurray medial medicaid medical medicare medications
medicine meloxicam membership memberships meniscectomy meniscus mental metatarsal methods mg michigan
microdiscectomy mild modalities modification modified monitoring months more motion motor mouse mouth mr mri
mtus muscle muscles naproxen ncs ncv neck needed neer nerve net neurological neurology neuromuscular
neuropathies nevada new next no non nonpharmacologic norco normal north not nsaids numbness nursing
occupational odg of off officer official ohio omeprazole on once one online open operative operator opioid
opioids or oral oregon org orthopedic osteotomy other outpatient over overhead oxycodone pain painful pallet
palliative paraspinal partial patch patches patella patellar patellofemoral patient pennsylvania per
perioperative peroneal phalen physical physician plantar plating point positive post posterior postsurgical
practice pre preoperative prescribing presentation prevention preventive procedure procedures prognosis
program programs prolonged protrusion providers psychiatry psychological psychotherapy pt ptt public pulling
purchase pushing quadriceps quantity quervain radiating radiculitis radiculopathy radiography rails raise ramp
range ray rays reaching rear reassessed recommendations reconstruction reduced reflex regulations
rehabilitation related relaxants release rental repair repetitive resisted resonance restoration restraining
retrospective review reviewer rhomboid right risk rotation rotator routine s same scan school screen selected
semi sensation sent service services sessions setting she shelf shortening shoulder shoulders side sign
similar site six sling slip small sodium south spasm special specialties specific spinal spine sports sprain
spurling stable standing steroid steroidal stimulation stocking straight strain strength stress studies
subacromial subacute subspecialty summaries summary supply support surgeon surgery surgical swelling symptoms
syndrome synovectomy systematic tablet talofibular tapering tear ten tenderness tendinitis tendinopathy tendon
tenodesis tenosynovectomy tenosynovitis tens test testing texas th than that the thenar therapeutic therapy
thickness thoracic three times tinel to tomography traction tramadol transcutaneous transportation trapezius
trauma treat treatment trial triangular trigger tripping tunnel twelve twice two udt ulnar ultram ultrasound
under undergoing uneven unit up update updated upper uptodate urine use utah vehicle version views virginia
visit visits warehouse was washington weakness week weeks wet while with without work working wrist www
wyoming x years york
`;

export const LETTER_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter((w) => w !== ''));
