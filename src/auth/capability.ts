/**
 * The public CapabilityStatement at `<FHIR base>/metadata`, so far only what the authorization server
 * can say: FHIR R4, a server, secured by SMART on FHIR, with the OAuth endpoints in the (deprecated,
 * still read) oauth-uris extension that SMART v1 clients and fhirclient fall back to. The FHIR API
 * (issue 10) adds the resources it serves.
 */

const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

/** The CapabilityStatement, with the endpoints of the issuer (`<publicUrl>/auth`). */
export function capabilityStatement(issuer: string, fhirBase: string): Record<string, unknown> {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-01',
    kind: 'instance',
    software: { name: 'Inzage' },
    implementation: { description: 'Inzage: consent-enforcing FHIR gateway', url: fhirBase },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: true,
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'SMART-on-FHIR',
                },
              ],
              text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)',
            },
          ],
          extension: [
            {
              url: OAUTH_URIS,
              extension: [
                { url: 'authorize', valueUri: `${issuer}/authorize` },
                { url: 'token', valueUri: `${issuer}/token` },
                { url: 'introspect', valueUri: `${issuer}/introspect` },
                { url: 'revoke', valueUri: `${issuer}/revoke` },
              ],
            },
          ],
        },
        resource: [],
      },
    ],
  };
}
