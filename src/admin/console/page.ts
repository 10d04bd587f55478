import type { Request, Response } from 'express';
import type { StaffCaller } from '../caller';
import type { AdminServices } from '../operation';
import type { StaffRole } from '../roles';
import type { SafeHtml } from './html';
import type { ConsoleLanguage } from './language';

/**
 * One route of the console. A page reads and changes only through `ctx.run` (the admin operations),
 * so that the console can do nothing the API and the commands cannot, with the same checks and the
 * same audit records.
 */
export interface ConsolePage {
  readonly method: 'get' | 'post';
  /** Below /admin/console: '/clients/:patientId'. */
  readonly path: string;
  /** A link in the menu (GET pages only), shown to these roles (all when absent). */
  readonly menu?: {
    readonly nl: string;
    readonly en: string;
    readonly order: number;
    readonly roles?: readonly StaffRole[];
  };
  /** True for the login pages: no session needed. */
  readonly public?: boolean;
  handle(ctx: ConsoleContext): Promise<void>;
}

export interface ConsoleContext {
  readonly req: Request;
  readonly res: Response;
  readonly lang: ConsoleLanguage;
  /** The logged-in staff member (undefined only on public pages). */
  readonly staff: StaffCaller | undefined;
  /** The session's CSRF token, for forms (`csrfField`). */
  readonly csrf: string | undefined;
  /** The session cookie's value (the login pages set and end it). */
  readonly sessionToken: string | undefined;
  readonly services: AdminServices;
  /** The key of the CSRF tokens (the login pages make the first one). */
  readonly sessionKey: Buffer;
  /**
   * Runs an admin operation for the logged-in staff member with fields as text (a form, a query):
   * role, input schema and audit record as over the API. Throws its GatewayError.
   */
  run<O = unknown>(operationId: string, fields: Readonly<Record<string, unknown>>): Promise<O>;
  /** Whether the staff member's role may run the operation (to show or hide a form). */
  may(operationId: string): boolean;
  /** Sends a whole page: the body in the console's layout. */
  page(title: string, body: SafeHtml, options?: { status?: number; notice?: string; error?: string }): void;
  /** Redirects after a POST (303), with a notice for the next page. */
  redirect(path: string, notice?: string): void;
  /** A link to a console path in the current language. */
  href(path: string): string;
}
