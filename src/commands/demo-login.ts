import { join } from 'node:path';
import { OutboxFileSender, type AccountSecret } from '../auth';
import type { Environment } from '../config';
import type { Logger } from '../http';
import type { SandboxData } from '../sandbox';
import type { Store } from '../store';
import { demoAccountSecret, registerDemoAccounts } from './demo-accounts';
import type { DemoLoginFacts } from './demo-login-banner';
import { startDemoPortal, type DemoPortal } from './demo-portal';

/**
 * Logging in to the demo: its portal apps (their own server and registrations), its link-code
 * secret, its outbox, and its accounts. Started before the gateway (the apps' registrations go into
 * its configuration), made ready after the sandbox import (the accounts need the people).
 */
export interface DemoLogin {
  /** The portal apps' registrations, for `smart.clients`. */
  readonly clients: DemoPortal['clients'];
  /** Where the login pages' e-mail and SMS go in the demo: a file in the demo files directory. */
  readonly outbox: OutboxFileSender;
  /**
   * The link-code secret the accounts are registered with. The gateway also finds it in
   * INZAGE_LINK_CODE_SECRET (put there when the demo made it up), so passing it is optional.
   */
  readonly secret: AccountSecret;
  /** Registers the accounts and connects the apps to the gateway; what the banner prints. */
  ready(
    gateway: { store: Store; url: string; fhirBasePath: string },
    data: SandboxData,
    commandPrefix: string,
    log: Logger,
  ): Promise<DemoLoginFacts>;
  /** Stops the apps' server and takes a made-up link-code secret out of the environment. */
  close(): Promise<void>;
}

export async function startDemoLogin(options: {
  appPort: number;
  env: Environment;
  filesDir: string;
}): Promise<DemoLogin> {
  const { secret, restore } = demoAccountSecret(options.env);
  let portal: DemoPortal;
  try {
    portal = await startDemoPortal({ port: options.appPort });
  } catch (err) {
    restore();
    throw err;
  }
  const outbox = new OutboxFileSender(join(options.filesDir, 'outbox.jsonl'));
  return {
    clients: portal.clients,
    outbox,
    secret,
    async ready(gateway, data, commandPrefix, log) {
      const logins = await registerDemoAccounts(gateway.store, data, secret);
      portal.connect(
        { fhirBase: `${gateway.url}${gateway.fhirBasePath}`, issuer: `${gateway.url}/auth` },
        log,
      );
      return { logins, portal, outboxFile: outbox.path, commandPrefix };
    },
    async close() {
      await portal.close();
      restore();
    },
  };
}
