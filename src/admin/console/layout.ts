import { STAFF_ROLE_LABELS } from '../roles';
import type { StaffCaller } from '../caller';
import { html, raw, type SafeHtml } from './html';
import { tr, type ConsoleLanguage } from './language';

export const CONSOLE_BASE = '/admin/console';
export const CONSOLE_STYLESHEET = `${CONSOLE_BASE}/style.css`;

export interface LayoutInput {
  readonly lang: ConsoleLanguage;
  readonly title: string;
  readonly body: SafeHtml;
  readonly staff: StaffCaller | undefined;
  readonly menu: readonly { href: string; label: string; current: boolean }[];
  readonly switchUrl: string;
  readonly csrf?: string;
  readonly notice?: string;
  readonly error?: string;
}

/** The console's page frame: skip link, header with the staff member and role, menu, main. */
export function consoleLayout(input: LayoutInput): string {
  const { lang } = input;
  const other = lang === 'nl' ? 'English' : 'Nederlands';
  const page = html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${input.title} · Inzage ${tr(lang, 'beheer', 'administration')}</title>
        <link rel="stylesheet" href="${CONSOLE_STYLESHEET}" />
      </head>
      <body>
        <a class="skip" href="#main">${tr(lang, 'Naar de inhoud', 'Skip to content')}</a>
        <header>
          <p class="site">Inzage ${tr(lang, 'beheer', 'administration')}</p>
          <p class="who">
            ${input.staff ? html`${input.staff.name} · ${STAFF_ROLE_LABELS[input.staff.role][lang]}` : ''}
            <a href="${input.switchUrl}" lang="${lang === 'nl' ? 'en' : 'nl'}">${other}</a>${
              input.staff && input.csrf
                ? html` <form class="inline" method="post" action="${CONSOLE_BASE}/logout">
                    <input type="hidden" name="_csrf" value="${input.csrf}" /><button
                      type="submit"
                      class="link"
                    >
                      ${tr(lang, 'Uitloggen', 'Log out')}
                    </button>
                  </form>`
                : ''
            }
          </p>
        </header>
        ${
          input.menu.length > 0
            ? html`<nav aria-label="${tr(lang, 'Menu', 'Menu')}">
                <ul>
                  ${input.menu.map(
                    (item) =>
                      html`<li>
                        <a href="${item.href}" ${item.current ? raw(' aria-current="page"') : ''}
                          >${item.label}</a
                        >
                      </li>`,
                  )}
                </ul>
              </nav>`
            : ''
        }
        <main id="main">
          <h1>${input.title}</h1>
          ${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
          ${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''} ${input.body}
        </main>
      </body>
    </html> `;
  return page.text;
}

/** The hidden CSRF field every console form carries. */
export function csrfField(csrf: string | undefined): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf ?? ''}" />`;
}

/** Plain, high-contrast (WCAG 2.1 AA), a focus outline on everything that takes focus; no inline style (CSP). */
export const CONSOLE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: #1a1a1a; background: #ffffff; }
body { margin: 0 auto; max-width: 64rem; padding: 1rem; }
a { color: #0b4f8a; }
a:visited { color: #5a2d82; }
:focus-visible { outline: 3px solid #c2410c; outline-offset: 2px; }
.skip { position: absolute; left: -10000px; }
.skip:focus { position: static; padding: 0.5rem; }
header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap; border-bottom: 1px solid #6b6b6b; }
.site { font-weight: 700; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; padding: 0; margin: 0.5rem 0 1rem; }
nav a[aria-current="page"] { font-weight: 700; }
h1 { font-size: 1.75rem; }
h2 { font-size: 1.3rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; border-bottom: 1px solid #8a8a8a; padding: 0.4rem 0.5rem; vertical-align: top; }
caption { text-align: left; font-weight: 700; padding: 0.25rem 0; }
.notice { border-left: 4px solid #1d6b2f; padding: 0.5rem 0.75rem; background: #e8f4ea; }
.error { border-left: 4px solid #b00020; padding: 0.5rem 0.75rem; background: #fdecee; color: #7a0016; font-weight: 600; }
.warning { border-left: 4px solid #8a5a00; padding: 0.5rem 0.75rem; background: #fff4d6; }
.field { margin: 0.75rem 0; display: flex; flex-direction: column; max-width: 32rem; }
label, legend { font-weight: 600; }
.hint { color: #4a4a4a; font-size: 0.95rem; }
input, select, textarea { font: inherit; padding: 0.4rem; border: 2px solid #4a4a4a; border-radius: 4px; }
fieldset { border: 1px solid #6b6b6b; border-radius: 4px; margin: 1rem 0; padding: 0.5rem 1rem; }
button { font: inherit; font-weight: 600; padding: 0.5rem 1rem; border: 2px solid #0b4f8a; border-radius: 4px; background: #0b4f8a; color: #ffffff; cursor: pointer; }
button.secondary { background: #ffffff; color: #0b4f8a; }
button.danger { background: #9b0015; border-color: #9b0015; }
button.link { background: none; border: none; color: #0b4f8a; text-decoration: underline; padding: 0; font-weight: normal; }
form.inline { display: inline; }
@media print { header, nav, .no-print { display: none; } body { max-width: none; } }
.letter { max-width: 42rem; }
.letter .code { font-family: ui-monospace, "Cascadia Mono", Menlo, monospace; font-size: 1.5rem; letter-spacing: 0.1em; }
.letter-code dt { font-weight: 600; }
.letter-code dd { margin: 0 0 0.5rem 0; }
@media print { body:has(.letter) main > h1 { display: none; } .letter { max-width: none; } }
`;
