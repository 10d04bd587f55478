import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { FhirSearch } from '../../consent';
import { upstreamFailed } from '../errors';
import type { UpstreamView } from '../sources/upstream';

/**
 * Every page of one upstream search, in order: the first page, then each `next` link for as long as
 * the upstream sends one. A `next` link off the upstream's own base, one seen before (a loop), or
 * more pages than any dossier has fail the export (502): the gateway follows the upstream's paging,
 * it is not led by it. What the pages hold is unjudged; the caller judges every entry.
 */
export const MAX_PAGES = 1000;

export async function* upstreamPages(view: UpstreamView, search: FhirSearch): AsyncGenerator<BundleEntry> {
  let page: Bundle = await view.search(search);
  const visited = new Set<string>();
  for (let pages = 1; ; pages += 1) {
    for (const entry of page.entry ?? []) if (entry) yield entry;
    const next = page.link?.find((l) => l?.relation === 'next')?.url;
    if (typeof next !== 'string') return;
    const path = view.pathOnUpstream(next);
    if (path === undefined)
      throw upstreamFailed(`${search.resourceType}: a next link off the upstream's base`);
    if (visited.has(path)) throw upstreamFailed(`${search.resourceType}: the next links go round in a loop`);
    if (pages >= MAX_PAGES) throw upstreamFailed(`${search.resourceType}: more than ${MAX_PAGES} pages`);
    visited.add(path);
    page = await view.page(path);
  }
}
