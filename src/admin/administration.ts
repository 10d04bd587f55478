import { createHash } from 'node:crypto';
import { Router } from 'express';
import { adminApiRouter } from './api';
import { createAdminApi, type AdminApi } from './audit-routes';
import { CONSOLE_PAGES, consoleRouter } from './console';
import type { ConsolePage } from './console';
import type { AdminServices, AnyAdminOperation } from './operation';
import { ADMIN_OPERATIONS } from './operations';

export interface AdministrationOptions {
  readonly services: AdminServices;
  /** The authorization server's cookie keys: the console's CSRF key is derived from them. */
  readonly cookieKeys: readonly string[];
  /** For tests: other operations or pages (default: all of them). */
  readonly operations?: readonly AnyAdminOperation[];
  readonly pages?: readonly ConsolePage[];
}

/**
 * The care organisation's administration (issue 12): the admin API and its OpenAPI document, the
 * console, and the audit routes for reviewers, as one router for app.ts.
 */
export function createAdministration(options: AdministrationOptions): AdminApi {
  const first = options.cookieKeys[0];
  if (first === undefined) throw new Error('no cookie keys to derive the console key from');
  const sessionKey = createHash('sha256').update(`inzage admin console\n${first}`).digest();
  const operations = options.operations ?? ADMIN_OPERATIONS;
  const { services } = options;
  const router = Router();
  if (services.tokens)
    router.use(
      createAdminApi({
        store: services.store,
        trail: services.trail,
        tokens: services.tokens,
        publicUrl: services.publicUrl,
        ...(services.auditKey ? { auditKey: services.auditKey } : {}),
      }).router,
    );
  router.use(adminApiRouter({ services, operations, sessionKey }));
  router.use(consoleRouter({ services, operations, pages: options.pages ?? CONSOLE_PAGES, sessionKey }));
  return { router };
}
