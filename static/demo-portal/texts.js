/* global document, window, sessionStorage */
// The texts of the public app's pages, in Dutch (the page's language) and English (the switch, as on
// the gateway's login pages). Pages put `data-t="key"` on elements; `DemoTexts.apply()` fills them
// with textContent. Everything shown goes through textContent or DOM APIs, never innerHTML.
'use strict';

(function () {
  const LANGUAGE_KEY = 'demo-portaal-lang';

  const nl = {
    brand: 'Demo-portaal',
    brandNote: '(publieke app, in de browser)',
    otherLanguage: 'English',
    otherLanguageLabel: 'Read this page in English',
    navDossier: 'Mijn dossier',
    navRequest: 'Verzoek indienen',
    navLogin: 'Opnieuw inloggen',
    footer: 'Synthetische gegevens, alleen op deze computer.',
    loginTitle: 'Inloggen bij het demo-portaal',
    loginIntro:
      'Deze app draait helemaal in uw browser, op een eigen adres, zoals de app van een portaalleverancier. Hij logt u in bij Inzage met SMART on FHIR (fhirclient) en laat daarna de onderdelen van het dossier zien die u mag zien.',
    loginButton: 'Inloggen met Inzage',
    redirecting: 'Doorsturen naar Inzage…',
    accountsHint:
      'De demo-accounts, hun wachtwoorden en de TOTP-geheimen staan in de uitvoer van inzage demo.',
    confidentialApp: 'Naar de vertrouwelijke app (op een server)',
    loggingIn: 'Bezig met inloggen…',
    loginFailed: 'Inloggen is niet gelukt',
    dossierTitle: 'Uw dossier',
    dossierIntro:
      'Dit zijn de onderdelen van het dossier. U ziet alleen wat u mag zien: wat ontbreekt, is niet voor u of er is (nog) niets.',
    sessionHeading: 'Over deze sessie',
    factUser: 'Ingelogd als (fhirUser)',
    factPatient: 'Dossier van (patient)',
    factScopes: 'Toegekende scopes',
    factExpires: 'Token geldig tot',
    factRefresh: 'Vernieuwingstoken',
    yes: 'ja',
    no: 'nee',
    loading: 'Laden…',
    basicDetails: 'Basisgegevens',
    reports: 'Rapportages',
    measurements: 'Metingen',
    carePlan: 'Zorgplan',
    appointments: 'Afspraken',
    medication: 'Medicatie',
    documents: 'Documenten',
    goals: 'Doelen',
    noAccessOrNone: 'U heeft geen toegang tot dit onderdeel of er zijn geen gegevens.',
    noScope: 'U heeft geen toegang tot dit onderdeel: deze app heeft er geen toestemming (scope) voor.',
    loadFailed: 'Dit onderdeel kon niet worden geladen.',
    name: 'Naam',
    birthDate: 'Geboortedatum',
    gender: 'Geslacht',
    organisation: 'Zorgorganisatie',
    male: 'man',
    female: 'vrouw',
    other: 'anders',
    unknown: 'onbekend',
    status: 'Status',
    period: 'Periode',
    from: 'vanaf',
    dose: 'Dosering',
    shownOf: 'getoond',
    requestTitle: 'Verzoek indienen',
    requestIntro:
      'Kloppen uw gegevens niet, ontbreekt er iets, wilt u dat iets wordt gewist of wilt u uw gegevens meenemen? Dien hier een verzoek in. De zorgorganisatie beslist en laat weten waarom.',
    requestKind: 'Wat wilt u?',
    correction: 'Gegevens laten corrigeren (iets klopt niet)',
    completion: 'Gegevens laten aanvullen (er ontbreekt iets)',
    erasure: 'Gegevens laten wissen',
    transfer: 'Gegevens laten overdragen (een kopie meenemen)',
    description: 'Omschrijving',
    descriptionHint: 'Welke gegevens, en wat moet er veranderen?',
    submit: 'Verzoek indienen',
    submitting: 'Bezig met indienen…',
    submitted: 'Uw verzoek is ingediend.',
    submitFailed: 'Uw verzoek kon niet worden ingediend:',
    chooseKind: 'Kies wat u wilt.',
    describe: 'Geef een omschrijving.',
    myRequests: 'Mijn verzoeken',
    noRequests: 'U heeft nog geen verzoeken ingediend, of u mag ze hier niet zien.',
    requestsFailed: 'Uw verzoeken konden niet worden geladen:',
    reasons: 'Toelichting van de zorgorganisatie',
    filedOn: 'Ingediend op',
    navLog: 'Wie heeft mijn dossier ingezien',
    logTitle: 'Wie heeft mijn dossier ingezien',
    logIntro:
      'Hier ziet u wie uw dossier heeft bekeken via het portaal: wanneer, wie, in welke rol, namens wie, wat er werd bekeken en of dat mocht. Ook geweigerde pogingen staan erbij. De zorgorganisatie houdt dit bij volgens NEN 7513.',
    logPeriod: 'Periode',
    logFrom: 'Van',
    logUntil: 'Tot en met',
    logShow: 'Tonen',
    logHeading: 'Inzages, nieuwste eerst',
    logNewer: 'Nieuwere inzages',
    logOlder: 'Oudere inzages',
    logWho: 'Wie',
    logRole: 'Rol',
    logOnBehalfOf: 'Namens',
    logWhat: 'Wat',
    logOutcome: 'Uitkomst',
    'outcome-allowed': 'toegestaan',
    'outcome-refused': 'geweigerd',
    'outcome-failed': 'mislukt',
    logNotSteward:
      'U kunt niet zien wie dit dossier heeft ingezien. Dat kan alleen de cliënt zelf, of degene die namens de cliënt optreedt: de wettelijk vertegenwoordiger (curator, mentor, voogd, ouder van een kind onder de 12) of de portaalbeheerder. Wat u zelf in het dossier bekijkt, staat wel in hun overzicht.',
    logNone: 'Er zijn in deze periode geen inzages vastgelegd.',
    logNoScope: 'Dit overzicht kan niet worden getoond: deze app heeft er geen toestemming (scope) voor.',
    logFailed: 'Het overzicht kon niet worden geladen.',
    logCount: 'Inzage {from} tot en met {to} van {total}.',
    logPeriodWrong: 'De begindatum ligt na de einddatum.',
    theClient: 'de cliënt',
    unknownRole: 'onbekend',
    unknownPerson: 'onbekend',
    didRead: 'Bekeken',
    didSearch: 'Gezocht en bekeken',
    didHistory: 'Eerdere versies bekeken',
    didEverything: 'Hele dossier opgevraagd',
    didCreate: 'Aangemaakt',
    didDelete: 'Ingetrokken',
    didOther: 'Actie',
    shownNothing: 'niets getoond',
    kindRelations: 'Relaties',
    kindConsents: 'Toestemmingen',
    kindRequests: 'Verzoeken',
    kindLog: 'Inzageoverzicht',
    kindObservations: 'Rapportages en metingen',
    kindOther: 'Overige gegevens',
    roles: {
      client: 'cliënt',
      administrator: 'portaalbeheerder',
      'legal-representative': 'wettelijk vertegenwoordiger',
      'parent-with-consent': 'ouder, met toestemming van de cliënt',
      delegate: 'gemachtigde',
      none: 'geen toegang',
      'first-contact-person': 'eerste contactpersoon',
      'second-contact-person': 'tweede contactpersoon',
      curator: 'curator',
      mentor: 'mentor',
      parent: 'ouder',
      guardian: 'voogd',
      'financial-administrator': 'bewindvoerder',
      other: 'relatie',
    },
    taskStatus: {
      draft: 'concept',
      requested: 'ingediend',
      received: 'ontvangen',
      accepted: 'geaccepteerd',
      rejected: 'afgewezen',
      ready: 'klaar',
      cancelled: 'ingetrokken',
      'in-progress': 'in behandeling',
      'on-hold': 'aangehouden',
      failed: 'mislukt',
      completed: 'afgerond',
      'entered-in-error': 'foutief ingevoerd',
    },
  };

  const en = {
    brand: 'Demo portal',
    brandNote: '(public app, in the browser)',
    otherLanguage: 'Nederlands',
    otherLanguageLabel: 'Lees deze pagina in het Nederlands',
    navDossier: 'My record',
    navRequest: 'File a request',
    navLogin: 'Log in again',
    footer: 'Synthetic data, on this machine only.',
    loginTitle: 'Log in to the demo portal',
    loginIntro:
      "This app runs entirely in your browser, on an address of its own, like a portal vendor's app. It logs you in with Inzage through SMART on FHIR (fhirclient), then shows the sections of the record you may see.",
    loginButton: 'Log in with Inzage',
    redirecting: 'Redirecting to Inzage…',
    accountsHint: 'The demo accounts, their passwords and TOTP secrets are in the output of inzage demo.',
    confidentialApp: 'To the confidential app (on a server)',
    loggingIn: 'Logging in…',
    loginFailed: 'Login failed',
    dossierTitle: 'Your record',
    dossierIntro:
      'These are the sections of the record. You see only what you may see: what is missing is not for you, or there is nothing (yet).',
    sessionHeading: 'About this session',
    factUser: 'Logged in as (fhirUser)',
    factPatient: 'Record of (patient)',
    factScopes: 'Granted scopes',
    factExpires: 'Token valid until',
    factRefresh: 'Refresh token',
    yes: 'yes',
    no: 'no',
    loading: 'Loading…',
    basicDetails: 'Basic details',
    reports: 'Reports',
    measurements: 'Measurements',
    carePlan: 'Care plan',
    appointments: 'Appointments',
    medication: 'Medication',
    documents: 'Documents',
    goals: 'Goals',
    noAccessOrNone: 'You have no access to this section, or there is no data.',
    noScope: 'You have no access to this section: this app has no permission (scope) for it.',
    loadFailed: 'This section could not be loaded.',
    name: 'Name',
    birthDate: 'Date of birth',
    gender: 'Gender',
    organisation: 'Care organisation',
    male: 'male',
    female: 'female',
    other: 'other',
    unknown: 'unknown',
    status: 'Status',
    period: 'Period',
    from: 'from',
    dose: 'Dosage',
    shownOf: 'shown',
    requestTitle: 'File a request',
    requestIntro:
      'Is something in your record wrong or missing, do you want something erased, or do you want to take your data with you? File a request here. The care organisation decides and tells you why.',
    requestKind: 'What do you want?',
    correction: 'Have data corrected (something is wrong)',
    completion: 'Have data completed (something is missing)',
    erasure: 'Have data erased',
    transfer: 'Have data transferred (take a copy)',
    description: 'Description',
    descriptionHint: 'Which data, and what should change?',
    submit: 'File the request',
    submitting: 'Filing…',
    submitted: 'Your request has been filed.',
    submitFailed: 'Your request could not be filed:',
    chooseKind: 'Choose what you want.',
    describe: 'Give a description.',
    myRequests: 'My requests',
    noRequests: 'You have filed no requests yet, or you may not see them here.',
    requestsFailed: 'Your requests could not be loaded:',
    reasons: "The care organisation's explanation",
    filedOn: 'Filed on',
    navLog: 'Who has looked at my record',
    logTitle: 'Who has looked at my record',
    logIntro:
      'Here you see who looked at your record through the portal: when, who, in which role, on whose behalf, what was looked at and whether that was allowed. Refused attempts are listed too. The care organisation keeps this log under NEN 7513.',
    logPeriod: 'Period',
    logFrom: 'From',
    logUntil: 'Up to and including',
    logShow: 'Show',
    logHeading: 'Views, newest first',
    logNewer: 'Newer views',
    logOlder: 'Older views',
    logWho: 'Who',
    logRole: 'Role',
    logOnBehalfOf: 'On behalf of',
    logWhat: 'What',
    logOutcome: 'Outcome',
    'outcome-allowed': 'allowed',
    'outcome-refused': 'refused',
    'outcome-failed': 'failed',
    logNotSteward:
      "You cannot see who looked at this record. Only the client can, or whoever acts in the client's place: the legal representative (curator, mentor, guardian, parent of a child under 12) or the portal administrator. What you look at in the record is in their overview.",
    logNone: 'No views were recorded in this period.',
    logNoScope: 'This overview cannot be shown: this app has no permission (scope) for it.',
    logFailed: 'The overview could not be loaded.',
    logCount: 'View {from} to {to} of {total}.',
    logPeriodWrong: 'The start date is after the end date.',
    theClient: 'the client',
    unknownRole: 'unknown',
    unknownPerson: 'unknown',
    didRead: 'Viewed',
    didSearch: 'Searched and viewed',
    didHistory: 'Earlier versions viewed',
    didEverything: 'Whole record requested',
    didCreate: 'Created',
    didDelete: 'Withdrawn',
    didOther: 'Action',
    shownNothing: 'nothing shown',
    kindRelations: 'Relations',
    kindConsents: 'Permissions',
    kindRequests: 'Requests',
    kindLog: 'Access log',
    kindObservations: 'Reports and measurements',
    kindOther: 'Other data',
    roles: {
      client: 'client',
      administrator: 'portal administrator',
      'legal-representative': 'legal representative',
      'parent-with-consent': "parent, with the client's consent",
      delegate: 'authorised person',
      none: 'no access',
      'first-contact-person': 'first contact person',
      'second-contact-person': 'second contact person',
      curator: 'curator',
      mentor: 'mentor',
      parent: 'parent',
      guardian: 'guardian',
      'financial-administrator': 'financial administrator',
      other: 'relation',
    },
    taskStatus: {
      draft: 'draft',
      requested: 'filed',
      received: 'received',
      accepted: 'accepted',
      rejected: 'rejected',
      ready: 'ready',
      cancelled: 'withdrawn',
      'in-progress': 'in progress',
      'on-hold': 'on hold',
      failed: 'failed',
      completed: 'completed',
      'entered-in-error': 'entered in error',
    },
  };

  /** `?lang=` when given (and remembered for the session), else the remembered one, else Dutch. */
  function language() {
    const asked = new URL(window.location.href).searchParams.get('lang');
    if (asked === 'nl' || asked === 'en') {
      sessionStorage.setItem(LANGUAGE_KEY, asked);
      return asked;
    }
    return sessionStorage.getItem(LANGUAGE_KEY) === 'en' ? 'en' : 'nl';
  }

  const lang = language();
  const texts = lang === 'en' ? en : nl;

  /** The text of `key` in the page's language. */
  function t(key) {
    const text = texts[key];
    if (typeof text !== 'string') throw new Error(`no text ${key}`);
    return text;
  }

  /** A date (YYYY-MM-DD) or moment as people read it in the page's language. */
  function when(value) {
    if (typeof value !== 'string' || value === '') return '';
    const locale = lang === 'en' ? 'en-GB' : 'nl-NL';
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const moment = new Date(dateOnly ? `${value}T12:00:00` : value);
    if (Number.isNaN(moment.getTime())) return value;
    return new Intl.DateTimeFormat(
      locale,
      dateOnly ? { dateStyle: 'long' } : { dateStyle: 'long', timeStyle: 'short' },
    ).format(moment);
  }

  /** A period: its start, and its end as a time alone when both fall on the same day. */
  function between(start, end) {
    if (!end) return when(start);
    const locale = lang === 'en' ? 'en-GB' : 'nl-NL';
    const [from, to] = [new Date(start), new Date(end)];
    const day = (d) => new Intl.DateTimeFormat(locale, { dateStyle: 'short' }).format(d);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || day(from) !== day(to))
      return `${when(start)} – ${when(end)}`;
    return `${when(start)} – ${new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(to)}`;
  }

  /** Fills `[data-t]`, sets the page's language and title, and points the switch at the other one. */
  function apply(titleKey) {
    document.documentElement.lang = lang;
    for (const element of document.querySelectorAll('[data-t]')) {
      element.textContent = t(element.getAttribute('data-t'));
    }
    if (titleKey) document.title = `${t(titleKey)} – ${t('brand')}`;
    const other = lang === 'en' ? 'nl' : 'en';
    const switchLink = document.getElementById('language');
    if (switchLink) {
      const target = new URL(window.location.href);
      // Not the login's code and state: the other language reloads a session already made.
      target.searchParams.delete('code');
      target.searchParams.delete('state');
      target.searchParams.set('lang', other);
      switchLink.href = `${target.pathname}${target.search}`;
      switchLink.lang = other;
      switchLink.hreflang = other;
      switchLink.setAttribute('aria-label', t('otherLanguageLabel'));
      switchLink.textContent = t('otherLanguage');
    }
  }

  window.DemoTexts = {
    lang,
    t,
    when,
    between,
    apply,
    taskStatus: (code) => texts.taskStatus[code] ?? code,
    role: (code) => texts.roles[code] ?? code,
  };
})();
