/**
 * The message page outside an interaction (its cookie is gone, or oidc-provider's renderError), and
 * the language of a request without express (oidc-provider's koa context). Imports neither the
 * authorization server nor the interaction, so that the server can use it.
 */
import { LANGUAGE_COOKIE, cookieValue, switchUrl } from './language';
import { renderPage } from './render';
import { isLanguage, textsOf, type Language, type Texts } from './texts';

export function messagePage(
  language: Language,
  title: keyof Texts,
  message: keyof Texts,
  options: { technical?: string; path?: string } = {},
): string {
  const t = textsOf(language);
  return renderPage(
    'message',
    { lang: language, t, title: t[title], switchUrl: switchUrl(options.path ?? '', language) },
    { message: t[message], technical: options.technical },
  );
}

/** The language asked (`?lang`) or remembered (the cookie), else Dutch. */
export function requestLanguage(asked: unknown, cookieHeader: string | undefined): Language {
  if (isLanguage(asked)) return asked;
  const remembered = cookieValue(cookieHeader, LANGUAGE_COOKIE);
  return isLanguage(remembered) ? remembered : 'nl';
}
