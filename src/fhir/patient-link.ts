import type { Patient } from '@medplum/fhirtypes';
import type { OrganisationConfig } from '../config';
import { BULK_CHANGE_CHANNEL, CLIENT_CHANGE_CHANNEL, readResource } from '../resources';
import type { Queryable, Store } from '../store';
import { ecdClientSystem, type PatientReference } from '../vocabulary';
import { DossierNotLinked, upstreamFailed } from './errors';
import type { UpstreamClient } from './upstream-client';

/**
 * Where a client's dossier is at the upstream (item 2 of issue 10). The gateway's Patient (mapped
 * from the ECD) and the dossier's Patient upstream are two resources with two ids; what they share
 * is the ECD client number. The link is resolved through the upstream (`Patient?identifier=…`), the
 * answer checked by the gateway itself (an upstream that ignores the parameter must not make another
 * person's Patient the match), kept in fhir_patient_link, and resolved again when the gateway's
 * Patient carries another number. Not found, or found more than once: DossierNotLinked, and nothing
 * is read. This module owns fhir_patient_link.
 */
export interface PatientLink {
  /** The gateway's Patient (what the portal app knows). */
  readonly patient: PatientReference;
  /** The same client's Patient at the upstream. */
  readonly upstreamPatient: PatientReference;
  readonly upstreamId: string;
}

interface KeptLink {
  identifierSystem: string;
  identifierValue: string;
  upstreamId: string;
}

export class PatientLinks {
  readonly #store: Store;
  readonly #upstream: UpstreamClient;
  readonly #organisations: ReadonlyMap<string, OrganisationConfig>;
  /** Links known to this instance, dropped when the client's resources change (on any instance). */
  readonly #known = new Map<string, Promise<PatientLink>>();

  constructor(store: Store, upstream: UpstreamClient, organisations: readonly OrganisationConfig[]) {
    this.#store = store;
    this.#upstream = upstream;
    this.#organisations = new Map(organisations.map((o) => [o.id, o]));
  }

  /** Forget kept links when a client's (or every client's) resources change. */
  async listenForChanges(): Promise<() => Promise<void>> {
    const all = () => this.#known.clear();
    const stopOne = await this.#store.listen(
      CLIENT_CHANGE_CHANNEL,
      (patient) => this.#known.delete(patient),
      { onResubscribe: all },
    );
    const stopAll = await this.#store.listen(BULK_CHANGE_CHANNEL, all, { onResubscribe: all });
    return async () => {
      await stopOne();
      await stopAll();
    };
  }

  /** The link of a client's Patient, resolved when it is not known yet. */
  linkOf(patient: PatientReference): Promise<PatientLink> {
    const known = this.#known.get(patient);
    if (known) return known;
    const resolving = this.#resolve(patient);
    this.#known.set(patient, resolving);
    resolving.catch(() => this.#known.delete(patient));
    return resolving;
  }

  async #resolve(patient: PatientReference): Promise<PatientLink> {
    const id = patient.slice('Patient/'.length);
    const stored = await readResource<Patient>(this.#store, 'Patient', id);
    if (!stored || stored.endedAt !== null)
      throw new DossierNotLinked('not-found', { detail: `no current gateway Patient ${id}` });
    const organisation = this.#organisations.get(stored.organisationId);
    const number = stored.content.identifier?.find(
      (i) => i.system === ecdClientSystem(stored.organisationId),
    )?.value;
    if (!organisation || !number)
      throw new DossierNotLinked('not-found', { detail: `Patient ${id} has no ECD client number` });
    const system = organisation.clientNumberSystem ?? ecdClientSystem(organisation.id);

    const rows = await this.#store.query<{
      identifier_system: string;
      identifier_value: string;
      upstream_id: string;
    }>(
      'SELECT identifier_system, identifier_value, upstream_id FROM fhir_patient_link WHERE patient_id = $1',
      [id],
    );
    const kept: KeptLink | undefined = rows[0]
      ? {
          identifierSystem: rows[0].identifier_system,
          identifierValue: rows[0].identifier_value,
          upstreamId: rows[0].upstream_id,
        }
      : undefined;
    if (kept && kept.identifierSystem === system && kept.identifierValue === number)
      return linkOf(patient, kept.upstreamId);

    const upstreamId = await this.#find(system, number, id);
    try {
      await this.#store.transaction(async (tx) => {
        // The upstream Patient may still be kept as another gateway Patient's dossier. That link
        // gives way only when the client was renumbered: the upstream Patient now carries another
        // number than the one it was linked by, and the Patient it was linked to has ended or no
        // longer carries that number. The same number linked to two gateway Patients (a number
        // given to someone else while the upstream still files the old dossier under it), or a
        // Patient that still carries its number, holds on: then the dossier is not unambiguous.
        const holders = await tx.query<{ patient_id: string; identifier_value: string }>(
          `SELECT patient_id, identifier_value FROM fhir_patient_link
           WHERE upstream_id = $1 AND patient_id <> $2 FOR UPDATE`,
          [upstreamId, id],
        );
        for (const holder of holders) {
          if (
            holder.identifier_value === number ||
            (await stillCarries(tx, holder.patient_id, holder.identifier_value))
          )
            throw new DossierNotLinked('ambiguous', {
              detail: `upstream Patient ${upstreamId} is the dossier of Patient ${holder.patient_id} too`,
            });
          await tx.query('DELETE FROM fhir_patient_link WHERE patient_id = $1', [holder.patient_id]);
        }
        await tx.query(
          `INSERT INTO fhir_patient_link (patient_id, organisation_id, identifier_system, identifier_value, upstream_id, resolved_at)
           VALUES ($1, $2, $3, $4, $5, now())
           ON CONFLICT (patient_id) DO UPDATE SET organisation_id = EXCLUDED.organisation_id,
             identifier_system = EXCLUDED.identifier_system, identifier_value = EXCLUDED.identifier_value,
             upstream_id = EXCLUDED.upstream_id, resolved_at = EXCLUDED.resolved_at`,
          [id, organisation.id, system, number, upstreamId],
        );
      });
    } catch (err) {
      // Another instance linked the upstream Patient to another client at the same moment: two
      // clients never share one dossier; the next request looks again.
      if ((err as { code?: unknown }).code === '23505')
        throw new DossierNotLinked('ambiguous', {
          detail: `upstream Patient ${upstreamId} is linked to another client`,
          cause: err,
        });
      throw err;
    }
    return linkOf(patient, upstreamId);
  }

  /** The one upstream Patient carrying the number, checked here whatever the upstream filtered. */
  async #find(system: string, value: string, id: string): Promise<string> {
    const query = `/Patient?identifier=${encodeURIComponent(`${escape(system)}|${escape(value)}`)}&_count=2`;
    const answer = await this.#upstream.get(query);
    if (answer.status !== 200)
      throw upstreamFailed(`finding the dossier of Patient ${id}: the upstream answered ${answer.status}`);
    const bundle = answer.body as { resourceType?: unknown; entry?: unknown };
    if (bundle?.resourceType !== 'Bundle')
      throw upstreamFailed(`finding the dossier of Patient ${id}: not a Bundle`);
    const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
    const matches = new Set<string>();
    for (const entry of entries) {
      const resource = (entry as { resource?: Patient } | null)?.resource;
      if (resource?.resourceType !== 'Patient' || typeof resource.id !== 'string') continue;
      if (resource.identifier?.some((i) => i.system === system && i.value === value))
        matches.add(resource.id);
    }
    const more =
      Array.isArray((bundle as { link?: unknown }).link) &&
      (bundle as { link: { relation?: unknown }[] }).link.some((l) => l?.relation === 'next');
    if (matches.size === 0 && !more)
      throw new DossierNotLinked('not-found', { detail: `no upstream Patient has ${system}|${value}` });
    if (matches.size !== 1 || more)
      throw new DossierNotLinked('ambiguous', {
        detail: `${matches.size} upstream Patients have ${system}|${value}${more ? ' (and more pages)' : ''}`,
      });
    return [...matches][0]!;
  }
}

/** Whether a gateway Patient is current and still carries the ECD client number its link was made from. */
async function stillCarries(q: Queryable, patientId: string, number: string): Promise<boolean> {
  const stored = await readResource<Patient>(q, 'Patient', patientId);
  if (!stored || stored.endedAt !== null) return false;
  return (
    stored.content.identifier?.some(
      (i) => i.system === ecdClientSystem(stored.organisationId) && i.value === number,
    ) ?? false
  );
}

function linkOf(patient: PatientReference, upstreamId: string): PatientLink {
  return Object.freeze({ patient, upstreamPatient: `Patient/${upstreamId}` as PatientReference, upstreamId });
}

/** FHIR escapes `,`, `$`, `|` and `\` in a token value. */
function escape(text: string): string {
  return text.replace(/[\\,$|]/g, (c) => `\\${c}`);
}
