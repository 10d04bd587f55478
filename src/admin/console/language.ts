/** The console is in Dutch; English is the second language (`?lang=en`, kept in a cookie). */
export type ConsoleLanguage = 'nl' | 'en';

export const LANGUAGE_COOKIE = 'inzage_console_lang';

/** A text in both languages: `tr(lang, 'Cliënt zoeken', 'Find a client')`. */
export function tr(lang: ConsoleLanguage, nl: string, en: string): string {
  return lang === 'en' ? en : nl;
}

/** A moment as staff read it, in Dutch time. */
export function formatMoment(lang: ConsoleLanguage, moment: string | Date | undefined): string {
  if (moment === undefined) return '';
  const date = typeof moment === 'string' ? new Date(moment) : moment;
  if (Number.isNaN(date.getTime())) return String(moment);
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'nl-NL', {
    timeZone: 'Europe/Amsterdam',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

/** A calendar date (YYYY-MM-DD) as staff read it. */
export function formatDate(lang: ConsoleLanguage, date: string | undefined): string {
  if (!date) return '';
  const d = new Date(`${date.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'nl-NL', {
    dateStyle: 'long',
    timeZone: 'UTC',
  }).format(d);
}
