import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { MalformedRequest, ResourceNotFound } from '../errors';
import type { FhirResult, InteractionContext } from './context';
import { shownVersions } from './versions';

/**
 * history of one resource (`Type/id/_history`): every version judged on its own, as if it were read
 * by vread, and none unless the current version is shown (leak vector 14, see versions.ts): an older
 * version that named another patient, sat in another category or carried a label the decision
 * excludes is dropped, without a stub and without a count. What is left is a `history` Bundle in the gateway's URLs: no total, no link of the upstream's, no deleted
 * versions (an entry without a resource). A resource none of whose versions is shown gets the one
 * 404, as a read would. The history of a whole type or of the system is refused in normalise (405).
 *
 * `_since`, `_at` and `_count` are not offered (400): the versions of one resource are few, and
 * are all sent in one Bundle, every page of the upstream's history followed.
 */
export async function history(context: InteractionContext): Promise<FhirResult> {
  const { request, decision, settings } = context;
  const type = request.resourceType!;
  const id = request.id!;
  if (request.parameters.length > 0 || request.cursor !== undefined)
    throw new MalformedRequest('the history of a resource takes no parameters');
  if (!decision.allowed) throw new ResourceNotFound({ detail: `decision: ${decision.extent}` });

  const shown = await shownVersions(context, type, id);
  if (shown.length === 0) throw new ResourceNotFound({ detail: `no version of ${type}/${id} is shown` });

  const body: Bundle = {
    resourceType: 'Bundle',
    type: 'history',
    link: [{ relation: 'self', url: `${settings.fhirBase}/${type}/${id}/_history` }],
    entry: newestFirst(shown).map((v) => entryOf(v, settings.fhirBase)),
  };
  return {
    status: 200,
    resource: body,
    shown: shown.map((v) => `${type}/${id}/_history/${v.meta!.versionId!}`),
  };
}

const moment = (r: Resource) => Date.parse(r.meta?.lastUpdated ?? '') || 0;

/** Newest first, as FHIR orders a history: by version number when both are numbers, else by time. */
function newestFirst(versions: Resource[]): Resource[] {
  const key = (r: Resource) => r.meta?.versionId ?? '';
  return [...versions].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(y) - Number(x);
    return moment(b) - moment(a);
  });
}

/**
 * One version as a history entry. A history Bundle's entries need request and response (bdl-3,
 * bdl-4); the gateway states them itself, from the version, rather than pass the upstream's on.
 */
function entryOf(version: Resource, fhirBase: string): BundleEntry {
  const versionId = version.meta!.versionId!;
  const created = versionId === '1';
  return {
    fullUrl: `${fhirBase}/${version.resourceType}/${version.id}`,
    resource: version,
    request: {
      method: created ? 'POST' : 'PUT',
      url: created ? version.resourceType : `${version.resourceType}/${version.id}`,
    },
    response: {
      status: created ? '201 Created' : '200 OK',
      etag: `W/"${versionId}"`,
      ...(version.meta?.lastUpdated ? { lastModified: version.meta.lastUpdated } : {}),
    },
  };
}
