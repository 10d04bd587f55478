import { join } from 'node:path';
import type { ClientJwk, ConfigFile } from '../config';
import { ECD_SYNC_SCOPES } from '../ecd';
import { generateClientKey } from './smart-keys';

/** One sandbox organisation's ECD backend client, as the demo registers it and the banner shows it. */
export interface DemoEcdClient {
  organisationId: string;
  /** `<organisation>-ecd` */
  clientId: string;
  /** The client's private key (a JWK file, mode 0600) in the demo files directory. */
  keyFile: string;
}

type ClientRegistration = NonNullable<NonNullable<ConfigFile['smart']>['clients']>[number];

/**
 * The demo's ECD link: per sandbox organisation a backend client `<org>-ecd` with the ECD link
 * scopes, and its key pair made afresh into the demo files directory (never into the repository),
 * so that `inzage ecd push` can be tried exactly as an ECD integrator would use it.
 */
export async function demoEcdClients(
  filesDir: string,
  organisationIds: readonly string[],
): Promise<{ registrations: ClientRegistration[]; clients: DemoEcdClient[] }> {
  const registrations: ClientRegistration[] = [];
  const clients: DemoEcdClient[] = [];
  for (const organisationId of organisationIds) {
    const clientId = `${organisationId}-ecd`;
    const key = await generateClientKey(join(filesDir, 'ecd-keys'), clientId, 'ES384', { replace: true });
    registrations.push({
      id: clientId,
      name: `ECD of ${organisationId}`,
      type: 'backend',
      organisation: organisationId,
      scopes: ECD_SYNC_SCOPES.join(' '),
      jwks: [key.publicJwk as ClientJwk],
    });
    clients.push({ organisationId, clientId, keyFile: key.privateKeyFile });
  }
  return { registrations, clients };
}
