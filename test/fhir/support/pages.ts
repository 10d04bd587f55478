/**
 * Following a search's paging links as a portal app does: from the first page, each `next` link of
 * the gateway in turn, until there is none. The links must be the gateway's own (on its FHIR base).
 */
import type { FhirAnswer, FhirApiUnderTest } from './api';

export async function allPages(
  api: FhirApiUnderTest,
  token: string,
  path: string,
  init?: RequestInit,
  limit = 100,
): Promise<FhirAnswer[]> {
  const pages: FhirAnswer[] = [];
  let answer = await api.fhir(token, path, init);
  for (;;) {
    pages.push(answer);
    if (answer.status !== 200) return pages;
    const next = nextLink(answer);
    if (next === undefined) return pages;
    if (!next.startsWith(`${api.fhirBase}/`)) throw new Error(`a next link off the gateway: ${next}`);
    if (pages.length >= limit) throw new Error(`more than ${limit} pages`);
    answer = await api.fhir(token, next.slice(api.fhirBase.length));
  }
}

/** The `next` link of a search answer, if any. */
export function nextLink(answer: FhirAnswer): string | undefined {
  const links = (answer.body?.link ?? []) as { relation: string; url: string }[];
  return links.find((l) => l.relation === 'next')?.url;
}

/** The matches of a page (`search.mode` match), as `Type/id`. */
export function matchesOf(answer: FhirAnswer): string[] {
  const entries = (answer.body?.entry ?? []) as {
    resource: { resourceType: string; id: string };
    search?: { mode?: string };
  }[];
  return entries
    .filter((e) => e.search?.mode === 'match')
    .map((e) => `${e.resource.resourceType}/${e.resource.id}`);
}

/** The includes of a page (`search.mode` include), as `Type/id`. */
export function includesOf(answer: FhirAnswer): string[] {
  const entries = (answer.body?.entry ?? []) as {
    resource: { resourceType: string; id: string };
    search?: { mode?: string };
  }[];
  return entries
    .filter((e) => e.search?.mode === 'include')
    .map((e) => `${e.resource.resourceType}/${e.resource.id}`);
}
