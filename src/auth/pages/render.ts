/**
 * Renders the login pages with eta, escaping by default (`autoEscape`): every value a page shows
 * (a client's name, an e-mail address typed in, an error) is escaped unless a template says `<%~`,
 * which only the layout does, for the page it wraps. The templates are TypeScript string modules
 * (views/), loaded once by name, so the build (tsc to dist/) needs no copying of template files.
 */
import { Eta } from 'eta';
import { csrfField, field } from './views/forms';
import { layout } from './views/layout';
import * as steps from './views/steps';
import type { Language, Texts } from './texts';

/** The route of the stylesheet (CSP `style-src 'self'`: no inline style). */
export const STYLESHEET_PATH = '/auth/pages/style.css';

export type PageName = keyof typeof steps;

/** What every page gets; each page adds its own fields. */
export interface PageFrame {
  readonly lang: Language;
  readonly t: Texts;
  readonly title: string;
  /** The same page in the other language. */
  readonly switchUrl: string;
  readonly clientName?: string;
  readonly error?: string;
  readonly notice?: string;
  readonly csrf?: string;
}

const eta = new Eta({ autoEscape: true, autoTrim: false, cache: true });
eta.loadTemplate('@layout', layout);
eta.loadTemplate('@csrf', csrfField);
eta.loadTemplate('@field', field);
for (const [name, template] of Object.entries(steps)) eta.loadTemplate(`@${name}`, template);

/** One whole page: the step's template inside the layout. */
export function renderPage(name: PageName, frame: PageFrame, data: Record<string, unknown> = {}): string {
  const model = {
    ...frame,
    ...data,
    otherLang: frame.lang === 'nl' ? 'en' : 'nl',
    stylesheet: STYLESHEET_PATH,
  };
  const body = eta.render(`@${name}`, model);
  return eta.render('@layout', { ...model, body });
}
