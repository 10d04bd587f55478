/**
 * Every text of the login pages, in Dutch (first) and English. Pages take one catalogue and never
 * build sentences themselves, so a translation is always complete: the type makes English name
 * every key Dutch has.
 */

export const LANGUAGES = ['nl', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return value === 'nl' || value === 'en';
}

const nl = {
  siteName: 'Inzage cliëntportaal',
  skipLink: 'Naar de inhoud',
  otherLanguage: 'English',
  otherLanguageLabel: 'Read this page in English',
  urgent: 'Niet voor spoedeisende zaken: bel bij spoed 112 of uw zorgorganisatie.',
  continue: 'Verder',
  appIntro: 'U logt in om deze app toegang te geven:',
  errorHeading: 'Er ging iets mis',

  loginTitle: 'Inloggen',
  email: 'E-mailadres',
  password: 'Wachtwoord',
  login: 'Inloggen',
  badLogin: 'E-mailadres, wachtwoord of code klopt niet.',
  otherLogin: 'Of log in via',
  loginWith: 'Inloggen met',
  haveLinkCode: 'Ik heb een koppelcode',
  haveLinkCodeHint: 'Nog geen account, of wilt u een tweede koppeling toevoegen?',
  registered: 'Uw account is klaar. Log in met uw e-mailadres en wachtwoord.',

  secondFactorTitle: 'Tweede stap',
  totpIntro: 'Typ de code van zes cijfers uit uw authenticator-app.',
  smsIntro: 'We hebben een code van zes cijfers per sms gestuurd naar uw mobiele nummer dat eindigt op',
  code: 'Code',
  codeHint: 'Zes cijfers',
  sendNewCode: 'Stuur een nieuwe code',

  pickTitle: 'Kies een dossier',
  pickIntro: 'Uw account is gekoppeld aan meer dan één cliënt. Van wie wilt u het dossier inzien?',
  pickLegend: 'Dossier',
  asRole: 'u bent',
  self: 'cliënt zelf',

  termsTitle: 'Voorwaarden',
  termsIntro: 'Door in te loggen gaat u akkoord met de portaalvoorwaarden van',
  termsVersion: 'Versie',
  termsRead: 'Lees de volledige voorwaarden',
  termsEveryLogin: 'We vragen dit bij elke inlog. Gaat u niet akkoord, dan krijgt deze app geen toegang.',
  accept: 'Ik ga akkoord',
  refuse: 'Ik ga niet akkoord',

  registerTitle: 'Account maken met een koppelcode',
  registerIntro:
    'U hebt van de zorgorganisatie een koppelcode gekregen. Hebt u al een account? Vul dan uw bestaande e-mailadres en wachtwoord in: de koppeling wordt aan dat account toegevoegd.',
  linkCode: 'Koppelcode',
  linkCodeHint: 'Twaalf tekens, bijvoorbeeld ABCD-EFGH-JKMN',
  mobile: 'Mobiel nummer',
  mobileHint: 'Bijvoorbeeld 06 12345678',
  newPassword: 'Wachtwoord (minstens 12 tekens)',
  repeatPassword: 'Herhaal het wachtwoord',
  register: 'Account maken',
  passwordsDiffer: 'De twee wachtwoorden zijn niet gelijk.',
  weakPassword: 'Kies een wachtwoord van minstens 12 tekens dat niet veel gebruikt wordt.',
  invalidEmail: 'Vul een geldig e-mailadres in.',
  invalidMobile: 'Vul een geldig mobiel nummer in.',
  linkCodeRefused:
    'Deze koppelcode is niet (meer) geldig. Controleer de code of vraag de zorgorganisatie om een nieuwe.',
  linkAdded: 'De koppeling is aan uw account toegevoegd. Log in om verder te gaan.',

  verifyEmailTitle: 'Bevestig uw e-mailadres',
  verifyEmailIntro:
    'Als dit e-mailadres gebruikt kan worden, hebben we er een code van zes cijfers naartoe gestuurd. Typ die code hier.',
  verifyMobileTitle: 'Bevestig uw mobiele nummer',
  verifyMobileIntro: 'We hebben een code van zes cijfers per sms gestuurd naar het nummer dat eindigt op',
  wrongCode: 'De code klopt niet of is verlopen.',
  spentCode: 'Te veel onjuiste pogingen. Vraag een nieuwe code aan.',

  factorTitle: 'Kies uw tweede stap',
  factorIntro: 'Bij elke inlog vragen we na uw wachtwoord een tweede bevestiging. Hoe wilt u dat doen?',
  factorLegend: 'Tweede stap',
  factorTotp: 'Met een authenticator-app (aanbevolen)',
  factorSms: 'Met een code per sms',
  totpTitle: 'Authenticator-app instellen',
  totpSetupIntro: 'Voeg in uw authenticator-app een account toe met deze sleutel:',
  totpSecret: 'Sleutel',
  totpUri: 'Of gebruik deze koppeling',
  totpConfirm: 'Typ daarna de code van zes cijfers die de app toont.',

  tooManyTitle: 'Te veel pogingen',
  tooMany: 'Er zijn te veel pogingen gedaan. Probeer het opnieuw over',
  minutes: 'minuten',
  csrfTitle: 'Formulier verlopen',
  csrf: 'Dit formulier is verlopen of komt niet van deze pagina. Begin opnieuw vanuit de app.',
  sessionTitle: 'Inloggen verlopen',
  session: 'Deze inlogpoging is verlopen of onbekend. Begin opnieuw vanuit de app.',
  loginFailedTitle: 'Inloggen lukt niet',
  loginFailed: 'Het inloggen kan niet verder. Ga terug naar de app en probeer het opnieuw.',
  technical: 'Technische melding',
  sendFailed: 'We konden nu geen code versturen. Probeer het later opnieuw.',
};

export type Texts = Readonly<Record<keyof typeof nl, string>>;

const en: Texts = {
  siteName: 'Inzage client portal',
  skipLink: 'Skip to content',
  otherLanguage: 'Nederlands',
  otherLanguageLabel: 'Lees deze pagina in het Nederlands',
  urgent: 'Not for urgent matters: in an emergency call 112 or your care organisation.',
  continue: 'Continue',
  appIntro: 'You are logging in to give this app access:',
  errorHeading: 'Something went wrong',

  loginTitle: 'Log in',
  email: 'E-mail address',
  password: 'Password',
  login: 'Log in',
  badLogin: 'E-mail address, password or code is not right.',
  otherLogin: 'Or log in through',
  loginWith: 'Log in with',
  haveLinkCode: 'I have a link code',
  haveLinkCodeHint: 'No account yet, or do you want to add a second link?',
  registered: 'Your account is ready. Log in with your e-mail address and password.',

  secondFactorTitle: 'Second step',
  totpIntro: 'Type the six-digit code from your authenticator app.',
  smsIntro: 'We sent a six-digit code by text message to your mobile number ending in',
  code: 'Code',
  codeHint: 'Six digits',
  sendNewCode: 'Send a new code',

  pickTitle: 'Choose a record',
  pickIntro: 'Your account is linked to more than one client. Whose record do you want to see?',
  pickLegend: 'Record',
  asRole: 'you are',
  self: 'the client',

  termsTitle: 'Terms',
  termsIntro: 'By logging in you accept the portal terms of',
  termsVersion: 'Version',
  termsRead: 'Read the full terms',
  termsEveryLogin: 'We ask this at every login. If you do not accept, this app gets no access.',
  accept: 'I accept',
  refuse: 'I do not accept',

  registerTitle: 'Create an account with a link code',
  registerIntro:
    'The care organisation gave you a link code. Do you have an account already? Then fill in your existing e-mail address and password: the link is added to that account.',
  linkCode: 'Link code',
  linkCodeHint: 'Twelve characters, for example ABCD-EFGH-JKMN',
  mobile: 'Mobile number',
  mobileHint: 'For example 06 12345678',
  newPassword: 'Password (at least 12 characters)',
  repeatPassword: 'Repeat the password',
  register: 'Create account',
  passwordsDiffer: 'The two passwords are not the same.',
  weakPassword: 'Choose a password of at least 12 characters that is not commonly used.',
  invalidEmail: 'Fill in a valid e-mail address.',
  invalidMobile: 'Fill in a valid mobile number.',
  linkCodeRefused:
    'This link code is not valid (any more). Check the code or ask the care organisation for a new one.',
  linkAdded: 'The link was added to your account. Log in to continue.',

  verifyEmailTitle: 'Confirm your e-mail address',
  verifyEmailIntro:
    'If this e-mail address can be used, we sent a six-digit code to it. Type that code here.',
  verifyMobileTitle: 'Confirm your mobile number',
  verifyMobileIntro: 'We sent a six-digit code by text message to the number ending in',
  wrongCode: 'The code is not right or has expired.',
  spentCode: 'Too many wrong attempts. Request a new code.',

  factorTitle: 'Choose your second step',
  factorIntro:
    'At every login we ask for a second confirmation after your password. How do you want to do that?',
  factorLegend: 'Second step',
  factorTotp: 'With an authenticator app (recommended)',
  factorSms: 'With a code by text message',
  totpTitle: 'Set up your authenticator app',
  totpSetupIntro: 'Add an account in your authenticator app with this key:',
  totpSecret: 'Key',
  totpUri: 'Or use this link',
  totpConfirm: 'Then type the six-digit code the app shows.',

  tooManyTitle: 'Too many attempts',
  tooMany: 'There were too many attempts. Try again in',
  minutes: 'minutes',
  csrfTitle: 'Form expired',
  csrf: 'This form has expired or did not come from this page. Start again from the app.',
  sessionTitle: 'Login expired',
  session: 'This login has expired or is unknown. Start again from the app.',
  loginFailedTitle: 'Login failed',
  loginFailed: 'The login cannot continue. Go back to the app and try again.',
  technical: 'Technical message',
  sendFailed: 'We could not send a code now. Try again later.',
};

const CATALOGUE: Readonly<Record<Language, Texts>> = { nl, en };

/** The texts of one language. */
export function textsOf(language: Language): Texts {
  return CATALOGUE[language];
}

/**
 * Relation roles as people read them: COD472 codes (the role the ECD mapping writes) and the HL7 v3
 * family codes of a parent (more telling than COD472's 23, "family or relative").
 */
const ROLES: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  nl: {
    '01': 'eerste contactpersoon',
    '02': 'tweede contactpersoon',
    '03': 'curator',
    '11': 'voogd',
    '14': 'bewindvoerder',
    '15': 'mentor',
    '23': 'familie of naaste',
    '24': 'wettelijk vertegenwoordiger',
    PRN: 'ouder',
    MTH: 'moeder',
    FTH: 'vader',
  },
  en: {
    '01': 'first contact person',
    '02': 'second contact person',
    '03': 'curator',
    '11': 'guardian',
    '14': 'financial administrator',
    '15': 'mentor',
    '23': 'family member or relative',
    '24': 'legal representative',
    PRN: 'parent',
    MTH: 'mother',
    FTH: 'father',
  },
};

/** The role text for a COD472 or family code, undefined for codes this catalogue does not name. */
export function roleText(language: Language, code: string): string | undefined {
  return ROLES[language][code];
}
