import type { MixRequest } from './load';

/**
 * The request mix, the same for every path through which it is sent: a read of the client's
 * Patient and of one Observation, a patient search with `_count` and its second page (by the
 * `next` link the answer gives; the first page again when it gives none, as the gateway without
 * cursors does), a search with `_include`, and an Appointment search.
 */
export interface MixTarget {
  /** The origin autocannon connects to. */
  origin: string;
  /** The FHIR base's path on it ('' for the floor proxy, '/fhir' otherwise). */
  prefix: string;
  /** `Patient/<id>` in the ids this target serves. */
  patient: string;
  headers: Record<string, string>;
}

export interface Mix {
  requests: MixRequest[];
  /** Per request: status and entries on one try, to show the mix does what it says. */
  checks: string[];
  /** Whether the second page came from a `next` link. */
  followedNext: boolean;
}

/** The parts of a FHIR answer the mix looks at. */
interface FhirJson {
  link?: { relation: string; url: string }[];
  entry?: unknown[];
}

async function get(target: MixTarget, path: string): Promise<{ status: number; body?: FhirJson }> {
  const res = await fetch(`${target.origin}${path}`, { headers: target.headers });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as FhirJson };
  } catch {
    return { status: res.status, body: undefined };
  }
}

export async function buildMix(target: MixTarget, observationId: string): Promise<Mix> {
  const p = target.prefix;
  const patient = encodeURIComponent(target.patient);
  const first = `${p}/Observation?patient=${patient}&_count=10`;
  const page1 = await get(target, first);
  const nextUrl = page1.body?.link?.find((l) => l.relation === 'next')?.url;
  let second = first;
  if (nextUrl) {
    const url = new URL(nextUrl);
    // The floor proxy forwards paths below the upstream's base: drop the base's path.
    second = p === '' ? url.pathname.replace(/^\/fhir/, '') + url.search : url.pathname + url.search;
  }
  const paths = [
    `${p}/${target.patient}`,
    `${p}/Observation/${observationId}`,
    first,
    second,
    `${p}/Observation?patient=${patient}&_include=Observation:performer&_count=10`,
    `${p}/Appointment?patient=${patient}&_count=10`,
  ];
  const checks: string[] = [];
  for (const path of paths) {
    const answer = await get(target, path);
    const entries = answer.body?.entry?.length;
    checks.push(`${answer.status}${entries !== undefined ? ` (${entries} entries)` : ''}`);
  }
  return {
    requests: paths.map((path) => ({ path, headers: target.headers })),
    checks,
    followedNext: !!nextUrl,
  };
}
