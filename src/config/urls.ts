import { hasUserinfo, secretQueryParameters } from './redact';

/**
 * A URL setting (`upstream.url`, `server.publicUrl`) is a base URL: scheme, host, optional path.
 * The schema's pattern says so; this says which part of a refused value is wrong, and never quotes
 * the value when the wrong part is a credential.
 */

/** An http(s) base URL: no userinfo, no query, no fragment, no spaces. */
export const BASE_URL_PATTERN = '^https?://[^\\s/?#@]+(/[^\\s?#]*)?$';

/** Where credentials for a URL setting go instead; only DATABASE_URL exists, and it is no URL setting. */
const CREDENTIALS_INSTEAD: Record<string, string> = {
  'upstream.url':
    'credentials come from the environment, and no environment variable takes upstream credentials yet (not supported)',
  'server.publicUrl': 'it is the address portal apps are sent to, and carries no credentials',
};

/**
 * What is wrong with a value the base URL pattern refused.
 * @returns the message, and whether the value may be quoted after it
 */
export function urlProblem(field: string, value: unknown): { message: string; quote: boolean } {
  const text = typeof value === 'string' ? value : '';
  const credentials = [
    ...(hasUserinfo(text) ? ['user:password@'] : []),
    ...secretQueryParameters(text).map((name) => `${name}=`),
  ];
  if (credentials.length > 0) {
    const instead =
      CREDENTIALS_INSTEAD[field] ??
      'credentials come from the environment, and no environment variable takes these yet (not supported)';
    return { message: `must not carry credentials (${credentials.join(', ')}); ${instead}`, quote: false };
  }
  if (!/^https?:\/\//i.test(text)) return { message: 'must be an http:// or https:// URL', quote: true };
  if (/\s/.test(text)) return { message: 'must not contain spaces', quote: true };
  if (/[?#]/.test(text)) {
    return {
      message: 'must be a base URL without a query string or fragment: paths are appended to it',
      quote: true,
    };
  }
  if (/^https?:\/\/[/?#]/i.test(text) || /^https?:\/\/$/i.test(text)) {
    return { message: 'must name a host (http://host/…)', quote: true };
  }
  return { message: 'must be an http:// or https:// URL', quote: true };
}
