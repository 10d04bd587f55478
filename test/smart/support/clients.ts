/**
 * The suite's registered apps, as the checklist names them: PUB (public), SYM (client secret), ASYM
 * (private_key_jwt, RS384 and ES384 keys), PORTAL (a public portal app that may launch others), and
 * NARROW (registered for less than it will ask). All run as fhirclient apps on one local app server.
 */
import { hashPassword } from '../../../src/auth';
import type { SmartApp } from './app';
import type { ClientRegistration } from './gateway';
import { clientKey, type ClientKey } from './keys';

export const SYM_SECRET = 's3cr3t-but-long-enough-for-a-test';

/** What a full patient-facing app is registered for. */
export const PATIENT_APP_SCOPES =
  'launch launch/patient openid fhirUser profile offline_access patient/*.rs patient/*.read user/*.rs';

export interface TestClients {
  registrations: ClientRegistration[];
  rsKey: ClientKey;
  esKey: ClientKey;
}

export async function testClients(app: SmartApp): Promise<TestClients> {
  const rsKey = clientKey('RS384', 'asym-rs');
  const esKey = clientKey('ES384', 'asym-es');
  const app_ = (id: string) => ({ redirectUris: [app.redirectUri(id)], launchUri: app.launchUri(id) });
  const registrations: ClientRegistration[] = [
    { id: 'pub', name: 'PUB', type: 'public', ...app_('pub'), scopes: PATIENT_APP_SCOPES },
    {
      id: 'sym',
      name: 'SYM',
      type: 'confidential',
      ...app_('sym'),
      scopes: PATIENT_APP_SCOPES,
      secretHash: await hashPassword(SYM_SECRET),
    },
    {
      id: 'asym',
      name: 'ASYM',
      type: 'confidential',
      ...app_('asym'),
      scopes: PATIENT_APP_SCOPES,
      jwks: [rsKey.publicJwk, esKey.publicJwk] as never,
    },
    {
      id: 'portal',
      name: 'PORTAL',
      type: 'public',
      ...app_('portal'),
      scopes: 'openid fhirUser launch/patient patient/*.rs',
      mayLaunch: true,
    },
    {
      id: 'narrow',
      name: 'NARROW',
      type: 'public',
      ...app_('narrow'),
      scopes: 'openid fhirUser launch/patient offline_access patient/Observation.rs',
    },
  ];
  return { registrations, rsKey, esKey };
}
