/**
 * What counts as a secret in configuration text, and how it is hidden. A message about the
 * configuration may quote what the operator wrote ("got …"), but never a password, a token or a key:
 * `config check` output and start-up errors end up in terminals, CI logs and tickets.
 */

/** Words that make a field or query parameter name a secret ("pushKey", "access_token", "DB_PASSWORD"). */
const SECRET_WORDS = new Set([
  'apikey',
  'auth',
  'authorization',
  'bearer',
  'cookie',
  'credential',
  'credentials',
  'dsn',
  'jwt',
  'key',
  'pass',
  'passphrase',
  'passwd',
  'password',
  'pwd',
  'secret',
  'session',
  'sig',
  'signature',
  'token',
]);

/** What stands in for a hidden value. */
export const HIDDEN = '***';

/**
 * Whether a name (a field, a query parameter, an environment variable) names a secret. The name is
 * split into words at case changes and at `-`, `_` and `.`, so "pushKey" and "access_token" are
 * secrets while "monkey" and "author" are not.
 */
export function isSecretName(name: string): boolean {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .some((word) => SECRET_WORDS.has(word.toLowerCase()));
}

/**
 * Hides every credential in a piece of text: the userinfo of any URL (`https://user:pw@host` becomes
 * `https://***@host`) and the value of any secret-looking query parameter (`?token=abc` becomes
 * `?token=***`). Everything else is kept, so the message still shows what was wrong.
 */
export function redactText(text: string): string {
  return (
    text
      // Greedy up to the last '@' before the path: a password may itself contain an unencoded '@'.
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"']*@/gi, `$1${HIDDEN}@`)
      .replace(/([?&;])([^=&;#\s"']+)=([^&;#\s"']*)/g, (whole, sep: string, name: string) =>
        isSecretName(safeDecode(name)) ? `${sep}${name}=${HIDDEN}` : whole,
      )
  );
}

/** The names of the secret-looking query parameters of a URL, in order, each once. */
export function secretQueryParameters(url: string): string[] {
  const query = /\?([^#]*)/.exec(url)?.[1];
  if (!query) return [];
  const names = query
    .split(/[&;]/)
    .map((pair) => safeDecode(pair.split('=')[0] ?? ''))
    .filter((name) => name !== '' && isSecretName(name));
  return [...new Set(names)];
}

/** Whether a URL carries userinfo (`user@` or `user:password@`) before its host. */
export function hasUserinfo(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
