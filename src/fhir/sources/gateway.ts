import { matchesSearchRequest, parseSearchRequest } from '@medplum/core';
import type { Consent, Resource, Task } from '@medplum/fhirtypes';
import {
  grantAccess,
  withdrawAccess,
  type FhirSearch,
  type GrantRequest,
  type PolicyEngine,
  type WithdrawalRequest,
} from '../../consent';
import { auditJournal, type ChangeOrigin, type ChangeRecorder } from '../../ecd';
import { Unavailable } from '../../errors';
import { readResource, resourceHistory, resourcesOfPatient } from '../../resources';
import type { Store } from '../../store';
import type { PatientReference } from '../../vocabulary';
import { fileRequest, type FiledRequest } from '../requests/channel';
import { queryString } from './upstream';

/**
 * What the gateway holds itself and serves from its own store: the client's Patient as mapped from
 * the ECD, RelatedPerson and Consent (the ECD link and the grants), the request channel's Tasks, and
 * later AuditEvent. The upstream's resources of these types are never served: the gateway is the
 * source of who the client is and who may see what.
 */
export const GATEWAY_TYPES: ReadonlySet<string> = new Set(['Patient', 'RelatedPerson', 'Consent', 'Task']);

export class GatewayResources {
  readonly #store: Store;
  readonly #changes: ChangeRecorder;

  /**
   * `changes` is the audit trail: every write below records its change inside its own transaction,
   * so that a grant, a withdrawal or a filed request is never kept without its record.
   */
  constructor(store: Store, changes: ChangeRecorder) {
    this.#store = store;
    this.#changes = unavailableWhenFailing(changes);
  }

  /** A current resource by type and id; an ended one (a vanished ECD record) counts as missing. */
  async read(resourceType: string, id: string): Promise<Resource | undefined> {
    const stored = await readResource(this.#store, resourceType as Resource['resourceType'], id);
    if (!stored || stored.endedAt !== null) return undefined;
    return stored.content;
  }

  /** Keeps a request of the request channel (M-9, M-10), checked by the create interaction. */
  fileRequest(request: FiledRequest, origin: ChangeOrigin): Promise<Task & { id: string }> {
    return fileRequest(this.#store, request, { trail: this.#changes, origin });
  }

  /** A grant (A-3, M-2) through the consent engine, which refuses anyone who may not grant now. */
  grantAccess(
    engine: PolicyEngine,
    request: GrantRequest,
    origin: ChangeOrigin,
  ): Promise<Consent & { id: string }> {
    return grantAccess(engine, this.#store, request, auditJournal(this.#changes, origin));
  }

  /** The withdrawal of a grant the gateway wrote, through the consent engine. */
  withdrawAccess(engine: PolicyEngine, request: WithdrawalRequest, origin: ChangeOrigin): Promise<Consent> {
    return withdrawAccess(engine, this.#store, request, auditJournal(this.#changes, origin));
  }

  /**
   * Every version of a current resource, newest first, unjudged. A resource that has ended (its ECD
   * record vanished, its grant ended) has no history here, as it has no current version: the same
   * as a missing one. Versions are what the store kept: meta.versionId and meta.lastUpdated set.
   */
  async history(resourceType: string, id: string): Promise<Resource[]> {
    const versions = await resourceHistory(this.#store, resourceType, id);
    const latest = versions.at(-1);
    if (!latest || latest.endedAt !== null) return [];
    return versions
      .filter((v) => v.endedAt === null)
      .map((v) => v.content)
      .reverse();
  }

  /**
   * The client's current resources of one type that match the search (FHIR search semantics of
   * @medplum/core), unjudged. The candidates are the client's own, so nothing of another client is
   * ever looked at; the caller judges each one still.
   */
  async search(patient: PatientReference, search: FhirSearch): Promise<Resource[]> {
    const patientId = patient.slice('Patient/'.length);
    const stored = await resourcesOfPatient(this.#store, patientId, [search.resourceType]);
    const filters = search.parameters.filter(
      (p) => !p.name.startsWith('_') || p.name === '_id' || p.name === '_lastUpdated',
    );
    const request = parseSearchRequest(`${search.resourceType}?${queryString(filters)}`);
    return stored
      .filter((s) => s.endedAt === null)
      .map((s) => s.content)
      .filter((resource) => matchesSearchRequest(resource, request));
  }
}

/**
 * A change whose record cannot be written is rolled back, and answered as step 8 answers a record
 * it cannot write: 503, try again (nothing was changed).
 */
function unavailableWhenFailing(changes: ChangeRecorder): ChangeRecorder {
  return {
    async recordIn(tx, entry) {
      try {
        return await changes.recordIn(tx, entry);
      } catch (err) {
        throw new Unavailable(
          'the audit trail cannot be written: nothing was changed; try again shortly',
          5,
          {
            code: 'ERR_AUDIT_UNAVAILABLE',
            detail: String((err as Error)?.message ?? err),
            cause: err,
          },
        );
      }
    },
  };
}
