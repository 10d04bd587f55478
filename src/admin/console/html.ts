/**
 * Escaped HTML for the console's server-rendered pages. Every value put into `html\`…\`` is escaped
 * unless it is itself SafeHtml (made by `html` or `raw`), so that a client's name, a reason typed by
 * staff or an error text can never become markup. `raw` is for markup the code itself wrote.
 */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function part(value: unknown): string {
  if (value instanceof SafeHtml) return value.text;
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(part).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += part(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup the code wrote itself; never for anything that came from outside. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
