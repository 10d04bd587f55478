import { InteractionNotSupported } from '../errors';
import type { FhirApiInteraction } from '../request';
import type { Interaction } from './context';
import { read } from './read';
import { search } from './search';

export type { FhirResult, FhirSettings, Interaction, InteractionContext } from './context';

/**
 * The interactions the FHIR API offers, by name. Writes are not among them: portal users write
 * nothing into the dossier (the request channel's Task is the one exception).
 */
export const INTERACTIONS: Partial<Record<FhirApiInteraction, Interaction>> = {
  read,
  vread: read,
  search,
};

/** The interaction of a request, or 405 with an OperationOutcome. */
export function interactionFor(interaction: FhirApiInteraction): Interaction {
  const handler = Object.hasOwn(INTERACTIONS, interaction) ? INTERACTIONS[interaction] : undefined;
  if (!handler)
    throw new InteractionNotSupported(
      interaction === 'create' ||
        interaction === 'update' ||
        interaction === 'patch' ||
        interaction === 'delete'
        ? 'the portal reads the dossier: it writes nothing into it'
        : `${interaction} is not supported`,
    );
  return handler;
}
