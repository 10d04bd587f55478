import { AUDIT_LOG_INTERACTIONS, AUDIT_LOG_TYPE } from '../audit-log/access';
import { InteractionNotSupported } from '../errors';
import type { FhirApiInteraction } from '../request';
import type { Interaction } from './context';
import { create } from './create';
import { remove } from './delete';
import { everything } from './everything';
import { history } from './history';
import { read } from './read';
import { search } from './search';

export type { FhirResult, FhirSettings, Interaction, InteractionContext, StreamedBundle } from './context';
export { auditedStream } from './context';

/**
 * The interactions the FHIR API offers, by name. The writes (`create`, `delete`) take only the
 * types in WRITABLE_TYPES: portal users write nothing into the dossier.
 */
export const INTERACTIONS: Partial<Record<FhirApiInteraction, Interaction>> = {
  read,
  vread: read,
  search,
  create,
  delete: remove,
  history,
  everything,
};

/**
 * The types each write interaction takes: the request channel's Task (M-9, M-10) and the grants,
 * a Consent created or deleted (withdrawn) through the consent engine (A-3, M-2).
 */
export const WRITABLE_TYPES: Partial<Record<FhirApiInteraction, ReadonlySet<string>>> = {
  create: new Set(['Task', 'Consent']),
  delete: new Set(['Consent']),
};

const WRITES = new Set<FhirApiInteraction>(['create', 'update', 'patch', 'delete', 'batch']);

/**
 * The interaction of a request, or 405 with an OperationOutcome. Asked before the scope check, so
 * that a write gets its 405 whatever the token's scopes (a write is refused for what it is, not for
 * whom), and nothing of it reaches the upstream: a write on any type but the request channel's Task
 * and the grants' Consent, a batch or transaction at the base, an operation other than
 * Patient/$everything; on AuditEvent, anything but read and search.
 */
export function interactionFor(interaction: FhirApiInteraction, resourceType?: string): Interaction {
  const writable =
    !WRITES.has(interaction) ||
    (resourceType !== undefined && (WRITABLE_TYPES[interaction]?.has(resourceType) ?? false));
  const handler =
    writable && Object.hasOwn(INTERACTIONS, interaction) ? INTERACTIONS[interaction] : undefined;
  // The access log is read and searched; its records are not versioned, and only the gateway writes.
  if (resourceType === AUDIT_LOG_TYPE && !AUDIT_LOG_INTERACTIONS.has(interaction))
    throw new InteractionNotSupported('the access log (AuditEvent) is read and searched, nothing else');
  if (!handler)
    throw new InteractionNotSupported(
      WRITES.has(interaction)
        ? 'the portal reads the dossier: it writes nothing into it'
        : `${interaction} is not supported`,
    );
  return handler;
}
