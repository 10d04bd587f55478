import type { Consent } from '@medplum/fhirtypes';
import { isGatewayError } from '../../errors';
import { InteractionNotSupported, ResourceNotFound } from '../errors';
import { isOwnAccessDecision } from '../requests/own-access';
import { resourceResult, type FhirResult, type InteractionContext } from './context';
import { changeOrigin } from './create';

/**
 * delete, of one kind only: the withdrawal of a grant (A-3; M-2, M-3), `DELETE /fhir/Consent/<id>`.
 * The consent engine ends the Consent (status inactive, its period ended now; its history stays)
 * when the caller may grant now and the Consent is a grant the gateway wrote for this client;
 * answered 200 with the ended Consent. A grant recorded in the ECD is withdrawn in the ECD (409).
 * Who may not grant gets 403; a Consent that is not such a grant the one 404.
 */
export async function remove(context: InteractionContext): Promise<FhirResult> {
  const { request, decision, principal } = context;
  if (request.resourceType !== 'Consent' || !isOwnAccessDecision(decision))
    throw new InteractionNotSupported('the portal reads the dossier: it deletes nothing');
  // Someone without access to the dossier learns nothing of its Consents.
  if (!decision.allowed) throw new ResourceNotFound({ detail: `decision: ${decision.extent}` });
  let ended: Consent;
  try {
    ended = await context.gateway.withdrawAccess(
      decision.own.engine,
      { by: principal.user, patient: principal.patient, consentId: request.id!, at: context.at },
      changeOrigin(context),
    );
  } catch (err) {
    // Not a grant of this client: the one 404 of a missing resource, whatever the reason.
    if (isGatewayError(err) && err.code === 'ERR_GRANT_NOT_FOUND')
      throw new ResourceNotFound({ detail: err.message, cause: err });
    throw err;
  }
  return resourceResult(ended);
}
