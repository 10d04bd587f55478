/**
 * What the adversarial suites look for in every answer of the gateway: traces of other clients (their
 * ids, their names), of employees where the preset masks them, and of the upstream (its URLs, its
 * secrets). An answer is clean when `tracesIn` finds nothing.
 */
import type { Patient, Practitioner, Resource } from '@medplum/fhirtypes';
import type { SandboxData } from '../../../src/sandbox';
import type { FhirAnswer } from './api';
import { UPSTREAM_SECRET } from './hostile-upstream';

export interface Observer {
  /** The sandbox client whose dossier the caller may see (its upstream id, `mz-c010`). */
  readonly clientId: string;
  /** Further sandbox clients whose traces are fine (none, usually). */
  readonly alsoAllowed?: readonly string[];
  /** Whether employees' names must be absent (A-2). */
  readonly employeesMasked?: boolean;
  /** Upstream base URLs that must not appear. */
  readonly upstreamUrls: readonly string[];
}

const CLIENT_ID = /\b(?:mz|ah)-c\d{3}\b/g;

/** Every trace in the answer that the observer may not see; empty when the answer is clean. */
export function tracesIn(data: SandboxData, answer: FhirAnswer | string, observer: Observer): string[] {
  const text = typeof answer === 'string' ? answer : `${headerText(answer.headers)}\n${answer.text}`;
  const allowed = new Set([observer.clientId, ...(observer.alsoAllowed ?? [])]);
  const traces = new Set<string>();
  for (const match of text.matchAll(CLIENT_ID)) if (!allowed.has(match[0])) traces.add(`client ${match[0]}`);
  for (const patient of data.resources.filter((r): r is Patient => r.resourceType === 'Patient')) {
    if (allowed.has(patient.id!)) continue;
    for (const name of patient.name ?? [])
      if (name.text && text.includes(name.text)) traces.add(`name ${name.text}`);
  }
  if (observer.employeesMasked)
    for (const name of employeeNames(data)) if (text.includes(name)) traces.add(`employee ${name}`);
  if (text.includes(UPSTREAM_SECRET)) traces.add('an upstream secret');
  for (const url of observer.upstreamUrls) if (text.includes(url)) traces.add(`upstream URL ${url}`);
  for (const host of ['upstream.invalid', 'elsewhere.invalid', 'db-internal'])
    if (text.includes(host)) traces.add(host);
  return [...traces];
}

/** The names of the sandbox's employees (Practitioner names, as text and as family name). */
export function employeeNames(data: SandboxData): string[] {
  const names = new Set<string>();
  for (const p of data.resources.filter((r): r is Practitioner => r.resourceType === 'Practitioner'))
    for (const name of p.name ?? []) {
      if (name.text) names.add(name.text);
      const full = [...(name.given ?? []), name.family].filter(Boolean).join(' ');
      if (full.includes(' ')) names.add(full);
    }
  return [...names];
}

/** The sandbox resources of one client (by the reference in any element). */
export function resourcesOf(data: SandboxData, clientId: string, type?: string): Resource[] {
  const reference = `"Patient/${clientId}"`;
  return data.resources.filter(
    (r) =>
      (type === undefined || r.resourceType === type) &&
      (r.resourceType === 'Patient' ? r.id === clientId : JSON.stringify(r).includes(reference)),
  );
}

/** The answer's status, headers (but X-Request-Id and Date) and body (but the request id), to compare two. */
export function comparable(answer: FhirAnswer): {
  status: number;
  headers: [string, string][];
  body: string;
} {
  const headers = [...(answer.headers as unknown as Iterable<[string, string]>)]
    .filter(([name]) => name !== 'x-request-id' && name !== 'date')
    .sort(([a], [b]) => a.localeCompare(b));
  const requestId = answer.headers.get('x-request-id') ?? '\u0000';
  return { status: answer.status, headers, body: answer.text.split(requestId).join('<request id>') };
}

/** The entries' resources of a Bundle answer. */
export function resourcesIn(answer: FhirAnswer): Resource[] {
  const entries = (answer.body?.entry ?? []) as { resource?: Resource }[];
  return entries.map((e) => e.resource).filter((r): r is Resource => r !== undefined);
}

function headerText(headers: Headers): string {
  return [...(headers as unknown as Iterable<[string, string]>)].map(([n, v]) => `${n}: ${v}`).join('\n');
}
