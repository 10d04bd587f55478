/**
 * The page the login answers with during maintenance (M-8, A-12): Dutch unless English was asked
 * (`?lang=en`, or the login's language cookie), in the login pages' layout, with the moment the
 * portal is expected back and the organisation's own message when staff gave one.
 */
import { switchUrl } from './language';
import { requestLanguage } from './message-page';
import { renderPage } from './render';
import { textsOf, type Language } from './texts';

const TEXTS: Readonly<Record<Language, { title: string; message: string; until: string }>> = {
  nl: {
    title: 'Tijdelijk niet beschikbaar',
    message:
      'Het cliëntportaal is tijdelijk niet beschikbaar wegens onderhoud. U kunt nu niet inloggen en uw gegevens niet inzien. Probeer het later opnieuw.',
    until: 'Verwacht weer beschikbaar: {until}.',
  },
  en: {
    title: 'Temporarily unavailable',
    message:
      'The client portal is temporarily unavailable for maintenance. You cannot log in or see your records now. Please try again later.',
    until: 'Expected back: {until}.',
  },
};

export interface MaintenancePageInput {
  /** The request's path and query (for the language switch). */
  readonly path: string;
  /** `?lang` of the request. */
  readonly asked: unknown;
  readonly cookieHeader: string | undefined;
  readonly until?: Date;
  readonly message?: { readonly nl?: string; readonly en?: string };
}

/** The whole page, and its language. */
export function maintenancePage(input: MaintenancePageInput): { language: Language; html: string } {
  const language = requestLanguage(input.asked, input.cookieHeader);
  const texts = TEXTS[language];
  const until =
    input.until === undefined
      ? undefined
      : texts.until.replace(
          '{until}',
          new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'nl-NL', {
            timeZone: 'Europe/Amsterdam',
            dateStyle: 'full',
            timeStyle: 'short',
          }).format(input.until),
        );
  // The organisation's message in the page's language, else in the other one.
  const own = input.message?.[language];
  const other = language === 'en' ? 'nl' : 'en';
  const note = own ?? input.message?.[other];
  const noteLang = own === undefined && note !== undefined ? other : undefined;
  const html = renderPage(
    'maintenance',
    { lang: language, t: textsOf(language), title: texts.title, switchUrl: switchUrl(input.path, language) },
    { message: texts.message, until, note, noteLang },
  );
  return { language, html };
}
