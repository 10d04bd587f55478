/**
 * EHR launch handles (SMART `launch` parameter). A portal app that may launch (`mayLaunch`) asks for
 * one for its signed-in user and another registered app; the handle is random, lives two minutes,
 * is bound to that app and that user's link (so to one patient), and is used once. It is kept in
 * auth_model through the adapter, so any instance can redeem it.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store';
import { authAdapter } from './adapter';

export const LAUNCH_SECONDS = 120;
const MODEL = 'SmartLaunch';

export interface LaunchContext {
  /** The app that will be launched; only it may redeem the handle. */
  readonly clientId: string;
  /** The account link the launch is for: its user and patient. */
  readonly linkId: string;
  /** The app that asked for the launch. */
  readonly launchedBy: string;
}

export async function createLaunch(store: Queryable, context: LaunchContext): Promise<string> {
  const handle = randomBytes(24).toString('base64url');
  await authAdapter(store)(MODEL).upsert(handle, { ...context }, LAUNCH_SECONDS);
  return handle;
}

/** The launch for `clientId`, if the handle is known, live, unused and issued for that client. */
export async function findLaunch(
  store: Queryable,
  handle: string,
  clientId: string,
): Promise<LaunchContext | undefined> {
  const payload = await authAdapter(store)(MODEL).find(handle);
  if (payload === undefined || payload.consumed !== undefined) return undefined;
  if (payload.clientId !== clientId) return undefined;
  return {
    clientId: String(payload.clientId),
    linkId: String(payload.linkId),
    launchedBy: String(payload.launchedBy),
  };
}

/** Marks the handle used: a second authorization with it is refused. */
export async function consumeLaunch(store: Queryable, handle: string): Promise<void> {
  await authAdapter(store)(MODEL).consume(handle);
}
