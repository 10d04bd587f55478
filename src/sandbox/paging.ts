import type { Bundle } from '@medplum/fhirtypes';
import { BadSearchParameter } from './errors';
import { lastValue, toSearchParams, type Query } from './query';

/** Like a real FHIR server, answer in pages, so the gateway's paging code meets real paging links. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

const WHOLE_NUMBER = /^\d+$/;

/** `_count` and `_offset` are whole numbers; anything else is refused rather than guessed at. */
function wholeNumber(query: Query, name: '_count' | '_offset'): number | undefined {
  const given = query[name];
  const values = given === undefined ? [] : Array.isArray(given) ? given : [given];
  for (const value of values) {
    if (!WHOLE_NUMBER.test(value)) {
      throw new BadSearchParameter(`${name} must be a whole number of 0 or more, not '${value}'`);
    }
  }
  const last = lastValue(given);
  return last === undefined ? undefined : Number(last);
}

/** Puts a page size on every search and caps it, as a production FHIR server would. */
export function withPageSize(query: Query): Query {
  wholeNumber(query, '_offset');
  const count = Math.min(wholeNumber(query, '_count') ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  return { ...query, _count: String(count) };
}

/**
 * Adds what the router leaves out of a search answer: fullUrl on every entry, and self / next /
 * previous links built from the query that was actually run. `search` is absent for answers that
 * are not searches (history).
 */
export function decorateBundle(bundle: Bundle, baseUrl: string, path: string, search?: Query): Bundle {
  const entry = bundle.entry?.map((e) =>
    e.resource?.id ? { fullUrl: `${baseUrl}/${e.resource.resourceType}/${e.resource.id}`, ...e } : e,
  );
  const link = search ? pageLinks(bundle, `${baseUrl}${path}`, search) : [];
  const { resourceType, type, total, entry: _entry, link: _link, ...rest } = bundle;
  return {
    resourceType,
    ...rest,
    type,
    ...(total !== undefined ? { total } : {}),
    ...(link.length ? { link } : {}),
    ...(entry?.length ? { entry } : {}),
  };
}

function pageLinks(bundle: Bundle, pageBase: string, search: Query): NonNullable<Bundle['link']> {
  const pageUrl = (offset: number): string => {
    const params = toSearchParams(search);
    params.delete('_offset');
    if (offset) params.set('_offset', String(offset));
    const text = params.toString();
    return `${pageBase}${text ? `?${text}` : ''}`;
  };
  const count = Number(lastValue(search._count) ?? DEFAULT_PAGE_SIZE);
  const offset = Number(lastValue(search._offset) ?? 0);
  const link: NonNullable<Bundle['link']> = [{ relation: 'self', url: pageUrl(offset) }];
  const paged = bundle.type === 'searchset' && count > 0;
  if (paged && bundle.total !== undefined && offset + count < bundle.total) {
    link.push({ relation: 'next', url: pageUrl(offset + count) });
  }
  if (paged && offset > 0) {
    link.push({ relation: 'previous', url: pageUrl(Math.max(0, offset - count)) });
  }
  return link;
}
