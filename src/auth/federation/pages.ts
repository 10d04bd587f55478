/**
 * The pages of federated login: the link-code page and the failure page. Dutch, with the English
 * below it (lang="en"), until the pages work brings the templates and the language switch. Nothing
 * here says why exactly a login failed: the reason goes to the log.
 */

interface Text {
  readonly nl: string;
  readonly en: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: Text, nl: string, en: string): string {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title.nl)}</title></head>
<body><main>
<h1>${escapeHtml(title.nl)}</h1>
<p>Dit portaal is niet bedoeld voor spoedeisende zaken. Bel bij spoed 112 of uw zorgverlener.</p>
${nl}
<section lang="en" aria-labelledby="english">
<h2 id="english">${escapeHtml(title.en)}</h2>
<p>This portal is not for urgent matters. In an emergency call 112 or your care provider.</p>
${en}
</section>
</main></body></html>`;
}

/** Why a federated login stopped, as the person is told. */
export type FailureReason = 'provider-error' | 'rejected' | 'unavailable' | 'expired' | 'no-access';

const FAILURES: Record<FailureReason, Text> = {
  'provider-error': {
    nl: 'Het inloggen bij de andere partij is afgebroken of geweigerd.',
    en: 'Logging in with the other party was cancelled or refused.',
  },
  rejected: {
    nl: 'Het antwoord van de andere partij kon niet worden gecontroleerd. Probeer het opnieuw.',
    en: "The other party's answer could not be verified. Please try again.",
  },
  unavailable: {
    nl: 'De andere partij is nu niet bereikbaar. Probeer het later opnieuw.',
    en: 'The other party cannot be reached now. Please try again later.',
  },
  expired: {
    nl: 'Deze inlogpoging is verlopen of onbekend. Ga terug naar de app en begin opnieuw.',
    en: 'This login attempt has expired or is unknown. Go back to the app and start again.',
  },
  'no-access': {
    nl: 'Met dit account kunt u nu geen toegang krijgen. Neem contact op met uw zorgorganisatie.',
    en: 'This account cannot get access now. Please contact your care organisation.',
  },
};

const TITLE: Text = { nl: 'Inloggen is niet gelukt', en: 'Login did not succeed' };

/** The page for a federated login that stopped; with `uid`, a way back to the other login. */
export function failurePage(reason: FailureReason, uid?: string): string {
  const text = FAILURES[reason];
  const back = (label: string) =>
    uid === undefined
      ? ''
      : `<p><a href="/auth/interaction/${escapeHtml(encodeURIComponent(uid))}">${escapeHtml(label)}</a></p>`;
  return page(
    TITLE,
    `<p role="alert">${escapeHtml(text.nl)}</p>${back('Terug naar inloggen')}`,
    `<p>${escapeHtml(text.en)}</p>${back('Back to login')}`,
  );
}

/** Why a link code was not accepted, as the person is told (never whether an account exists). */
export type LinkProblem = 'refused' | 'forged' | 'incomplete' | 'invalid' | 'too-many';

const LINK_PROBLEMS: Record<LinkProblem, Text> = {
  refused: {
    nl: 'Koppelen is niet gelukt. Controleer de koppelcode en uw gegevens, of vraag uw zorgorganisatie om een nieuwe code.',
    en: 'Linking did not succeed. Check the link code and your details, or ask your care organisation for a new code.',
  },
  forged: {
    nl: 'Dit formulier kwam niet van deze pagina. Probeer het opnieuw.',
    en: 'This form did not come from this page. Please try again.',
  },
  incomplete: {
    nl: 'Vul ook uw e-mailadres en mobiele nummer in: met deze code maakt u een nieuw account.',
    en: 'Please also fill in your e-mail address and mobile number: this code makes a new account.',
  },
  invalid: {
    nl: 'Het e-mailadres of mobiele nummer is niet goed geschreven.',
    en: 'The e-mail address or mobile number is not written correctly.',
  },
  'too-many': {
    nl: 'Te veel pogingen. Wacht een kwartier en probeer het opnieuw.',
    en: 'Too many attempts. Wait a quarter of an hour and try again.',
  },
};

/**
 * The link-code page: the provider proved who the person is there, and the code from the care
 * organisation says whom they are here. Form contract: POST `action` with `code`, and for a new
 * account `email` and `mobile`.
 */
export function linkPage(
  uid: string,
  provider: { id: string; name: string },
  csrf: string,
  problem?: LinkProblem,
): string {
  const providerName = provider.name;
  const action = `/auth/interaction/${encodeURIComponent(uid)}/federated/${encodeURIComponent(provider.id)}/link`;
  const alert = (text: string) => (problem ? `<p role="alert">${escapeHtml(text)}</p>` : '');
  const nl = `<p>U bent ingelogd bij ${escapeHtml(providerName)}. Koppel dit eenmalig aan uw dossier met de koppelcode die u van uw zorgorganisatie kreeg.</p>
${alert(problem ? LINK_PROBLEMS[problem].nl : '')}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<p><label for="code">Koppelcode / Link code</label>
<input id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" required></p>
<p>Nog geen account? Vul dan ook in: / No account yet? Also fill in:</p>
<p><label for="email">E-mailadres / E-mail address</label>
<input id="email" name="email" type="email" autocomplete="email"></p>
<p><label for="mobile">Mobiel nummer / Mobile number</label>
<input id="mobile" name="mobile" type="tel" autocomplete="tel"></p>
<button type="submit">Koppelen / Link</button>
</form>
<p><a href="/auth/interaction/${escapeHtml(encodeURIComponent(uid))}">Terug naar inloggen</a></p>`;
  const en = `<p>You are logged in with ${escapeHtml(providerName)}. Link this once to your record with the link code your care organisation gave you.</p>
${problem ? `<p>${escapeHtml(LINK_PROBLEMS[problem].en)}</p>` : ''}`;
  return page({ nl: 'Koppelen', en: 'Link your login' }, nl, en);
}
