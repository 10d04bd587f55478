import { InteractionNotSupported } from '../errors';
import type { FhirApiInteraction } from '../request';
import type { Interaction } from './context';
import { everything } from './everything';
import { history } from './history';
import { read } from './read';
import { search } from './search';

export type { FhirResult, FhirSettings, Interaction, InteractionContext, StreamedBundle } from './context';
export { auditedStream } from './context';

/**
 * The interactions the FHIR API offers, by name. Writes are not among them: portal users write
 * nothing into the dossier (the request channel's Task is the one exception).
 */
export const INTERACTIONS: Partial<Record<FhirApiInteraction, Interaction>> = {
  read,
  vread: read,
  search,
  history,
  everything,
};

/** The one type a portal user writes: the request channel's Task (M-9, M-10). */
export const REQUEST_CHANNEL_TYPE = 'Task';
const WRITES: ReadonlySet<FhirApiInteraction> = new Set(['create', 'update', 'patch', 'delete', 'batch']);

/**
 * The interaction of a request, or 405 with an OperationOutcome. Asked before the scope check, so
 * that a write gets its 405 whatever the token's scopes (a write is refused for what it is, not for
 * whom), and nothing of it reaches the upstream: a write on any type but the request channel's Task,
 * a batch or transaction at the base, an operation other than Patient/$everything.
 */
export function interactionFor(interaction: FhirApiInteraction, resourceType?: string): Interaction {
  const write = WRITES.has(interaction);
  const handler =
    (write && resourceType !== REQUEST_CHANNEL_TYPE) || !Object.hasOwn(INTERACTIONS, interaction)
      ? undefined
      : INTERACTIONS[interaction];
  if (!handler)
    throw new InteractionNotSupported(
      write ? 'the portal reads the dossier: it writes nothing into it' : `${interaction} is not supported`,
    );
  return handler;
}
