/**
 * The language of the pages: Dutch unless the person chose English with `?lang=en` (the switch on
 * every page), which is remembered in a cookie for the rest of the login.
 */
import type { Request, Response } from 'express';
import { isLanguage, type Language } from './texts';

export const LANGUAGE_COOKIE = 'inzage_lang';
const COOKIE_DAYS = 365;

/** A cookie's value from the request header (no cookie parser is mounted before oidc-provider). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The language asked for now (`?lang`), else the remembered one, else Dutch; remembers a new choice. */
export function languageOf(req: Request, res: Response, secureCookies: boolean): Language {
  const asked = req.query.lang;
  if (isLanguage(asked)) {
    res.cookie(LANGUAGE_COOKIE, asked, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      path: '/auth',
      maxAge: COOKIE_DAYS * 24 * 60 * 60 * 1000,
    });
    return asked;
  }
  const remembered = cookieValue(req.get('cookie'), LANGUAGE_COOKIE);
  return isLanguage(remembered) ? remembered : 'nl';
}

/** The same address (path and query) in the other language. */
export function switchUrl(pathAndQuery: string, language: Language): string {
  const url = new URL(pathAndQuery, 'http://page.invalid');
  url.searchParams.set('lang', language === 'nl' ? 'en' : 'nl');
  return `${url.pathname}${url.search}`;
}
