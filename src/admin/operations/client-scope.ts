import type { Patient } from '@medplum/fhirtypes';
import { NotFound } from '../../errors';
import { readResource, type StoredResource } from '../../resources';
import type { OperationContext } from '../operation';

/**
 * The client the operation is about, if it is one of the caller's organisation's; otherwise the
 * same NotFound as for an id nobody has, so that staff of one organisation learn nothing of
 * another's clients. Every operation on a client starts here.
 */
export async function clientOfCaller(
  context: OperationContext,
  patientId: string,
): Promise<StoredResource<Patient>> {
  const stored = await readResource<Patient>(context.services.store, 'Patient', patientId);
  if (stored === undefined || stored.organisationId !== context.caller.organisationId)
    throw new NotFound(`no client ${patientId}`, { code: 'ERR_ADMIN_NO_CLIENT' });
  return stored;
}

/** The client's name as staff read it: "Given Family", or the id when the ECD gave none. */
export function clientName(patient: Patient): string {
  const name = patient.name?.[0];
  const text = name?.text ?? [...(name?.given ?? []), name?.family].filter(Boolean).join(' ');
  return text || patient.id || '';
}
