import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { AUDIT_LOG_TYPE, NOT_THE_STEWARD } from '../audit-log/access';
import { auditLogSource } from '../audit-log/source';
import { MalformedRequest } from '../errors';
import { openPosition, sealPosition, type SearchPosition } from '../search/cursor';
import { gatewaySource } from '../search/gateway-source';
import { refuseSortOnMasked } from '../search/masked-sort';
import { resultParameters } from '../search/result-parameters';
import type { Found } from '../search/source';
import { subsetOf } from '../search/subset';
import { upstreamSource } from '../search/upstream-source';
import { GATEWAY_TYPES } from '../sources/gateway';
import { queryString } from '../sources/upstream';
import type { FhirResult, InteractionContext } from './context';

/**
 * search (GET, HEAD, POST _search and the compartment form alike: normalise made them one), first
 * page and further pages alike: a further page is a cursor, decided, narrowed and judged again
 * exactly as a first page, from where the last one stopped.
 *
 *   1. the position: a first page, or the cursor opened (410 unless it is this principal's, this
 *      client app's, for this type and compartment, unexpired and untouched);
 *   2. the result parameters taken out (`_count`, `_total`, `_summary`, `_elements`: the gateway's,
 *      applied on the judged set), the rest narrowed by the scopes and the decision;
 *   3. the page read from its source, judged entry by entry, refilled past what judge drops, with
 *      a next cursor only when one more visible match is known (search/upstream-source.ts);
 *   4. a total, when asked, counted by the gateway on the narrowed and judged set (never the
 *      upstream's), and `_elements`/`_summary` applied to the shown copies.
 *
 * What is not shown is dropped without a trace: no stub, no total or link of the upstream's.
 */
export async function search(context: InteractionContext): Promise<FhirResult> {
  const { request, decision, settings } = context;
  const type = request.resourceType!;
  checkCompartment(context);
  const position: SearchPosition =
    request.cursor === undefined
      ? { parameters: request.parameters, skip: 0 }
      : openPosition(context, request.cursor);
  const result = resultParameters(type, position.parameters, settings.pageSize, settings.maxPageSize);

  let found: Found = { matches: [], includes: [] };
  let total: number | undefined;
  if (decision.allowed) {
    refuseSortOnMasked(decision, type, result.filters);
    const source =
      type === AUDIT_LOG_TYPE
        ? auditLogSource(context, result.filters, position.page)
        : GATEWAY_TYPES.has(type)
          ? gatewaySource(context, result.filters)
          : await upstreamSource(context, result.filters);
    if (result.count > 0)
      found = await source.page(
        { ...(position.page === undefined ? {} : { page: position.page }), skip: position.skip },
        result.count,
      );
    if (result.total) total = await source.count();
  } else if (result.total) total = 0;

  const base = `${settings.fhirBase}/${pathOf(context)}`;
  const self =
    request.cursor === undefined
      ? `${base}${position.parameters.length > 0 ? `?${queryString(position.parameters)}` : ''}`
      : `${base}?_cursor=${encodeURIComponent(request.cursor)}`;
  const link: BundleLink[] = [{ relation: 'self', url: self }];
  if (found.next) {
    const token = sealPosition(context, {
      parameters: position.parameters,
      ...(found.next.page === undefined ? {} : { page: found.next.page }),
      skip: found.next.skip,
    });
    link.push({ relation: 'next', url: `${base}?_cursor=${encodeURIComponent(token)}` });
  }
  const entry: BundleEntry[] = [
    ...found.matches.map((r) => entryOf(subsetOf(r, result), 'match', settings.fhirBase)),
    ...found.includes.map((r) => entryOf(r, 'include', settings.fhirBase)),
  ];
  const shown = entry.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
  // The access log says why it is empty to whoever may not read it (their own standing only).
  if (!decision.allowed && type === AUDIT_LOG_TYPE) entry.push(NOT_THE_STEWARD);
  const body: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total === undefined ? {} : { total }),
    link,
    ...(entry.length > 0 ? { entry } : {}),
  };
  return {
    status: 200,
    resource: body,
    shown,
    // A further page's request names only its path: the record carries the search it continues.
    ...(request.cursor === undefined
      ? {}
      : {
          auditQuery: `search ${pathOf(context)}${
            position.parameters.length > 0 ? `?${queryString(position.parameters)}` : ''
          } (further page)`,
        }),
  };
}

/**
 * `Patient/x/Observation` is `Observation?patient=Patient/x` (the compartment parameter narrow
 * adds); another client's compartment is refused like any search for another patient.
 */
function checkCompartment(context: InteractionContext): void {
  const compartment = context.request.compartment;
  if (compartment && `Patient/${compartment.id}` !== context.principal.patient)
    throw new MalformedRequest('only the compartment of the patient in context can be searched');
}

/** The path of the search under the FHIR base, as the caller stated it. */
function pathOf(context: InteractionContext): string {
  const { compartment, resourceType } = context.request;
  return compartment ? `Patient/${compartment.id}/${resourceType}` : resourceType!;
}

function entryOf(resource: Resource, mode: 'match' | 'include', fhirBase: string): BundleEntry {
  return { fullUrl: `${fhirBase}/${resource.resourceType}/${resource.id}`, resource, search: { mode } };
}
