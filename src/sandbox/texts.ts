/**
 * Dutch content of the synthetic dossiers: short, ordinary, and free of anything that could be
 * mistaken for a real person's record. Elderly-care reports address the client as mevrouw/meneer,
 * disability-care reports by first name, as the two sectors usually write.
 */

export const ELDERLY_REPORTS: readonly string[] = [
  '{Aanhef} heeft goed geslapen en zelfstandig ontbeten in de huiskamer.',
  '{Aanhef} was vanochtend wat onrustig. Na een kop koffie en een praatje ging het beter.',
  '{Aanhef} heeft meegedaan met de bewegingsactiviteit en genoot zichtbaar van de muziek.',
  'Douchen verliep rustig; de huid is nagekeken en ingesmeerd, geen bijzonderheden.',
  '{Aanhef} at weinig bij de warme maaltijd. Extra toetje en drinken aangeboden; vochtlijst bijgehouden.',
  'Bezoek gehad van familie. {Aanhef} was daarna vrolijk en spraakzaam.',
  '{Aanhef} was duizelig bij het opstaan. Bloeddruk gemeten en de arts geïnformeerd.',
  'Met begeleiding en rollator een wandeling in de tuin gemaakt. Ging goed.',
  '{Aanhef} gaf pijn aan in de rechterknie. Paracetamol gegeven volgens voorschrift; na een uur minder pijn.',
  'Medicatie op tijd ingenomen, geen bijzonderheden.',
  "{Aanhef} heeft 's nachts twee keer gebeld voor toiletbezoek. Verder een rustige nacht.",
  'De kapper is langs geweest; {aanhef} was erg tevreden.',
  "{Aanhef} was 's avonds wat verward en zocht de voordeur. Rustig teruggebracht naar de kamer.",
  'Gezellig meegedaan met sjoelen in de huiskamer.',
  'Gewicht iets afgenomen; met de diëtist overlegd over verrijkte voeding.',
  '{Aanhef} heeft de krant gelezen en over vroeger verteld.',
];

export const DISABILITY_REPORTS: readonly string[] = [
  '{naam} is naar de dagbesteding geweest en kwam tevreden terug.',
  '{naam} was bij het opstaan prikkelbaar. Met de vaste ochtendroutine en de dagplanner ging het daarna goed.',
  '{naam} heeft samen met de begeleider boodschappen gedaan en zelf afgerekend.',
  'Rustige dag. {naam} heeft veel muziek geluisterd op de kamer.',
  '{naam} raakte overprikkeld tijdens het avondeten in de groep. Even apart gegeten; daarna weer ontspannen.',
  '{naam} is met de groep gaan zwemmen en genoot ervan.',
  'Medicatie volgens de lijst gegeven, geen bijzonderheden.',
  '{naam} belde met thuis en vertelde enthousiast over het weekend.',
  '{naam} heeft goed geslapen en zelf de tafel gedekt bij het ontbijt.',
  'Samen met {naam} het weekschema met pictogrammen doorgenomen.',
  '{naam} had hoofdpijn in de middag. Rust genomen, later weer actief.',
  '{naam} heeft geholpen in de moestuin van de woning.',
  '{naam} was verdrietig na het bezoek. Getroost en samen een spelletje gedaan.',
  'Oefenen met zelfstandig tandenpoetsen gaat steeds beter.',
  '{naam} heeft een ruzie met een groepsgenoot zelf opgelost. Complimenten gegeven.',
  '{naam} heeft geknutseld en het werkstuk trots laten zien.',
];

export interface ProblemText {
  condition: string;
  goal: string;
  activity: string;
}

export const ELDERLY_PROBLEMS: readonly ProblemText[] = [
  {
    condition: 'Dementie bij de ziekte van Alzheimer',
    goal: 'Cliënt ervaart rust en structuur gedurende de dag.',
    activity: 'Vaste dagstructuur aanbieden; dagprogramma op het bord in de kamer.',
  },
  {
    condition: 'Verhoogd valrisico',
    goal: 'Cliënt valt niet in de komende drie maanden.',
    activity:
      "Rollator binnen handbereik; 's nachts de bewegingssensor aan; beweegprogramma met de fysiotherapeut.",
  },
  {
    condition: 'Diabetes mellitus type 2',
    goal: 'De bloedsuikerwaarden blijven binnen de afgesproken grenzen.',
    activity: 'Bloedsuiker meten volgens schema; koolhydraatbeperkt dieet.',
  },
  {
    condition: 'Hartfalen',
    goal: 'Cliënt houdt geen vocht vast.',
    activity: 'Dagelijks wegen; vochtbeperking van 1,5 liter per dag bewaken.',
  },
  {
    condition: 'Artrose van de knie',
    goal: 'Cliënt kan met weinig pijn korte stukken lopen.',
    activity: 'Pijnmedicatie volgens voorschrift; pijnscore dagelijks bijhouden.',
  },
  {
    condition: 'Slikproblemen',
    goal: 'Cliënt eet en drinkt veilig zonder zich te verslikken.',
    activity: 'Gemalen voeding en verdikte dranken; rechtop laten eten onder toezicht.',
  },
  {
    condition: 'Ondervoeding',
    goal: 'Het gewicht blijft stabiel of neemt toe.',
    activity: 'Verrijkte voeding aanbieden; wekelijks wegen.',
  },
  {
    condition: 'COPD',
    goal: 'Cliënt kan zonder benauwdheid meedoen aan activiteiten.',
    activity: 'Inhalatiemedicatie volgens schema; rustmomenten inplannen.',
  },
];

export const DISABILITY_PROBLEMS: readonly ProblemText[] = [
  {
    condition: 'Matige verstandelijke beperking',
    goal: 'Cliënt doorloopt de dag zelfstandig met visuele ondersteuning.',
    activity: 'Dagplanner met pictogrammen; elke ochtend samen doornemen.',
  },
  {
    condition: 'Lichte verstandelijke beperking',
    goal: 'Cliënt beheert zelf het weekgeld.',
    activity: 'Wekelijks samen het budget doornemen.',
  },
  {
    condition: 'Autismespectrumstoornis',
    goal: 'Cliënt herkent signalen van overprikkeling en neemt op tijd rust.',
    activity: 'Signaleringsplan bespreken; prikkelarme ruimte beschikbaar houden.',
  },
  {
    condition: 'Epilepsie',
    goal: 'Aanvallen worden op tijd herkend en goed opgevangen.',
    activity: 'Aanvallen registreren; noodmedicatie beschikbaar volgens het epilepsieprotocol.',
  },
  {
    condition: 'Slaapproblemen',
    goal: 'Cliënt slaapt minstens zes uur achter elkaar.',
    activity: 'Vast avondritueel; schermen uit na 21.00 uur.',
  },
  {
    condition: 'Gedragsproblemen bij overprikkeling',
    goal: 'Het aantal escalaties neemt af.',
    activity: 'Werken volgens het signaleringsplan; dagelijks evalueren.',
  },
  {
    condition: 'Downsyndroom',
    goal: 'Cliënt blijft lichamelijk actief en gezond.',
    activity: 'Twee keer per week zwemmen of sporten; jaarlijkse controle door de AVG.',
  },
  {
    condition: 'Cerebrale parese',
    goal: 'Cliënt verplaatst zich veilig in en om de woning.',
    activity: 'Rolstoeltraining met de fysiotherapeut; hulpmiddelen jaarlijks laten nakijken.',
  },
];

export const GENERAL_GOAL: Record<'elderly-care' | 'disability-care', ProblemText> = {
  'elderly-care': {
    condition: '',
    goal: 'Cliënt voelt zich thuis op de afdeling en heeft een zinvolle daginvulling.',
    activity: 'Minstens drie keer per week deelname aan een activiteit naar keuze.',
  },
  'disability-care': {
    condition: '',
    goal: 'Cliënt gaat met plezier naar school of dagbesteding.',
    activity: 'Vervoer en dagprogramma afstemmen met school of dagbesteding.',
  },
};

export interface MedicationText {
  text: string;
  atc: string;
  atcDisplay: string;
  dosage: string;
}

export const ELDERLY_MEDICATION: readonly MedicationText[] = [
  {
    text: 'Paracetamol 500 mg tablet',
    atc: 'N02BE01',
    atcDisplay: 'paracetamol',
    dosage: 'Zo nodig, maximaal 3 x per dag 1 tablet',
  },
  {
    text: 'Metoprolol 50 mg tablet met gereguleerde afgifte',
    atc: 'C07AB02',
    atcDisplay: 'metoprolol',
    dosage: "1 x per dag 1 tablet, 's ochtends",
  },
  {
    text: 'Omeprazol 20 mg capsule',
    atc: 'A02BC01',
    atcDisplay: 'omeprazol',
    dosage: '1 x per dag 1 capsule, voor het ontbijt',
  },
  {
    text: 'Furosemide 40 mg tablet',
    atc: 'C03CA01',
    atcDisplay: 'furosemide',
    dosage: "1 x per dag 1 tablet, 's ochtends",
  },
  {
    text: 'Simvastatine 40 mg tablet',
    atc: 'C10AA01',
    atcDisplay: 'simvastatine',
    dosage: "1 x per dag 1 tablet, 's avonds",
  },
  {
    text: 'Macrogol/elektrolyten poeder voor drank',
    atc: 'A06AD65',
    atcDisplay: 'macrogol, combinaties',
    dosage: '1 x per dag 1 sachet in een glas water',
  },
  {
    text: 'Metformine 500 mg tablet',
    atc: 'A10BA02',
    atcDisplay: 'metformine',
    dosage: '2 x per dag 1 tablet, bij de maaltijd',
  },
  {
    text: 'Colecalciferol 800 IE tablet',
    atc: 'A11CC05',
    atcDisplay: 'colecalciferol',
    dosage: '1 x per dag 1 tablet',
  },
  {
    text: 'Donepezil 10 mg tablet',
    atc: 'N06DA02',
    atcDisplay: 'donepezil',
    dosage: '1 x per dag 1 tablet, voor het slapengaan',
  },
  {
    text: 'Acetylsalicylzuur 80 mg tablet',
    atc: 'B01AC06',
    atcDisplay: 'acetylsalicylzuur',
    dosage: '1 x per dag 1 tablet',
  },
];

export const DISABILITY_MEDICATION: readonly MedicationText[] = [
  {
    text: 'Levetiracetam 500 mg tablet',
    atc: 'N03AX14',
    atcDisplay: 'levetiracetam',
    dosage: '2 x per dag 1 tablet',
  },
  {
    text: 'Valproïnezuur 300 mg tablet met gereguleerde afgifte',
    atc: 'N03AG01',
    atcDisplay: 'valproïnezuur',
    dosage: '2 x per dag 1 tablet',
  },
  {
    text: 'Risperidon 1 mg tablet',
    atc: 'N05AX08',
    atcDisplay: 'risperidon',
    dosage: "1 x per dag 1 tablet, 's avonds",
  },
  {
    text: 'Melatonine 1 mg tablet',
    atc: 'N05CH01',
    atcDisplay: 'melatonine',
    dosage: '1 x per dag 1 tablet, een uur voor het slapengaan',
  },
  {
    text: 'Methylfenidaat 10 mg tablet',
    atc: 'N06BA04',
    atcDisplay: 'methylfenidaat',
    dosage: '2 x per dag 1 tablet, bij ontbijt en lunch',
  },
  {
    text: 'Macrogol/elektrolyten poeder voor drank',
    atc: 'A06AD65',
    atcDisplay: 'macrogol, combinaties',
    dosage: '1 x per dag 1 sachet in een glas water',
  },
  {
    text: 'Colecalciferol 400 IE tablet',
    atc: 'A11CC05',
    atcDisplay: 'colecalciferol',
    dosage: '1 x per dag 1 tablet',
  },
  {
    text: 'Paracetamol 500 mg tablet',
    atc: 'N02BE01',
    atcDisplay: 'paracetamol',
    dosage: 'Zo nodig, maximaal 3 x per dag 1 tablet',
  },
  {
    text: 'Midazolam 10 mg/ml oromucosale oplossing',
    atc: 'N05CD08',
    atcDisplay: 'midazolam',
    dosage: 'Bij een aanval langer dan 5 minuten: 0,5 ml in de wangzak',
  },
  {
    text: 'Cetirizine 10 mg tablet',
    atc: 'R06AE07',
    atcDisplay: 'cetirizine',
    dosage: '1 x per dag 1 tablet',
  },
];

export type StaffKind = 'primary' | 'physician' | 'behavioural' | 'therapist';

export interface AppointmentText {
  description: string;
  with: StaffKind;
  minutes: number;
}

export const ELDERLY_APPOINTMENTS: readonly AppointmentText[] = [
  { description: 'Evaluatie zorgleefplan met cliënt en familie', with: 'primary', minutes: 45 },
  { description: 'Visite specialist ouderengeneeskunde', with: 'physician', minutes: 20 },
  { description: 'Fysiotherapie', with: 'therapist', minutes: 30 },
  { description: 'Gesprek met de psycholoog', with: 'behavioural', minutes: 45 },
  { description: 'Medicatiebeoordeling', with: 'physician', minutes: 30 },
];

export const DISABILITY_APPOINTMENTS: readonly AppointmentText[] = [
  { description: 'Evaluatie ondersteuningsplan', with: 'primary', minutes: 60 },
  { description: 'Spreekuur arts verstandelijk gehandicapten', with: 'physician', minutes: 20 },
  { description: 'Gesprek met de gedragsdeskundige', with: 'behavioural', minutes: 45 },
  { description: 'Fysiotherapie', with: 'therapist', minutes: 30 },
  { description: 'Weekgesprek met de persoonlijk begeleider', with: 'primary', minutes: 30 },
];

export interface StaffRoleText {
  kind: StaffKind;
  role: string;
}

/** Eight people per organisation: five care workers and three specialists. */
export const ELDERLY_STAFF: readonly StaffRoleText[] = [
  { kind: 'primary', role: 'Eerstverantwoordelijk verzorgende' },
  { kind: 'primary', role: 'Eerstverantwoordelijk verzorgende' },
  { kind: 'primary', role: 'Eerstverantwoordelijk verzorgende' },
  { kind: 'primary', role: 'Verzorgende IG' },
  { kind: 'primary', role: 'Verzorgende IG' },
  { kind: 'physician', role: 'Specialist ouderengeneeskunde' },
  { kind: 'behavioural', role: 'Psycholoog' },
  { kind: 'therapist', role: 'Fysiotherapeut' },
];

export const DISABILITY_STAFF: readonly StaffRoleText[] = [
  { kind: 'primary', role: 'Persoonlijk begeleider' },
  { kind: 'primary', role: 'Persoonlijk begeleider' },
  { kind: 'primary', role: 'Persoonlijk begeleider' },
  { kind: 'primary', role: 'Persoonlijk begeleider' },
  { kind: 'primary', role: 'Persoonlijk begeleider' },
  { kind: 'physician', role: 'Arts verstandelijk gehandicapten' },
  { kind: 'behavioural', role: 'Gedragsdeskundige (orthopedagoog)' },
  { kind: 'therapist', role: 'Fysiotherapeut' },
];
