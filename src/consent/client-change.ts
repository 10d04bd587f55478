import { announceChange } from '../resources';
import type { Queryable, Store } from '../store';
import type { PatientReference } from '../vocabulary';
import type { PolicyEngine } from './engine';

/** Inside a change: says that this client's decision facts change with it. */
export type AnnounceClient = (patient: PatientReference) => Promise<void>;

/**
 * Runs a write that changes clients' decision facts (a grant, a withdrawal, a suspension, a lift) in
 * one transaction with its announcements, so that other instances hear of it only if it commits, and
 * then drops this instance's cached facts of those clients at once, so that the very next request
 * here decides on the new facts without waiting for the notification to come round.
 */
export async function changeClientFacts<T>(
  engine: PolicyEngine,
  store: Store,
  work: (tx: Queryable, announce: AnnounceClient) => Promise<T>,
): Promise<T> {
  const changed = new Set<PatientReference>();
  const result = await store.transaction((tx) =>
    work(tx, async (patient) => {
      changed.add(patient);
      await announceChange(tx, { patient });
    }),
  );
  for (const patient of changed) engine.invalidate(patient);
  return result;
}
