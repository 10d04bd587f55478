import { capabilityStatement as securityStatement } from '../auth';

/**
 * The public CapabilityStatement at `/fhir/metadata`: the SMART security part from the
 * authorization server, and what this FHIR API offers.
 */
export function capabilityStatement(issuer: string, fhirBase: string): Record<string, unknown> {
  return securityStatement(issuer, fhirBase);
}
