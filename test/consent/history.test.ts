import {
  createPolicyEngine,
  explainDecision,
  grantAccess,
  liftSuspension,
  suspendAccess,
  withdrawAccess,
  type PolicyEngine,
} from '../../src/consent';
import { administratorRegistrationsOf } from '../../src/ecd';
import { migrate, openStore, type Store } from '../../src/store';
import type { PatientReference, RelatedPersonReference } from '../../src/vocabulary';
import { ORGANISATIONS } from '../ecd/fixtures';
import { MEERZICHT_CLIENT, recordEcdClient } from '../support/ecd-records';

/**
 * A decision for a past moment rests on the facts as they were recorded then (the resources'
 * history, the suspensions in force then); live decisions rest on the facts of now.
 */
const RECORDED = new Date('2026-11-01T09:00:00+01:00');
const GRANTED = new Date('2026-11-10T10:00:00+01:00');
const READ = new Date('2026-11-20T14:00:00+01:00');
const WITHDRAWN = new Date('2026-11-25T09:00:00+01:00');
const AFTER = new Date('2026-11-26T09:00:00+01:00');
const staff = { kind: 'staff', account: 'privacy-officer' } as const;

describe('B13: decisions for a past moment use the Consent as it stood then', () => {
  let store: Store;
  let engine: PolicyEngine;
  let client: PatientReference;
  let daughter: RelatedPersonReference;

  beforeAll(async () => {
    store = await openStore({ driver: 'pglite' });
    await migrate(store);
    const { org, client: c, relations } = MEERZICHT_CLIENT;
    const recorded = await recordEcdClient(store, org, c, relations, RECORDED);
    client = recorded.patient;
    daughter = recorded.relation('r1');
    engine = createPolicyEngine(ORGANISATIONS, store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
  });

  afterAll(async () => {
    await store.close();
  });

  it('B13: grant, read permitted; withdraw; a decision before the withdrawal permits, one after denies', async () => {
    const grant = await grantAccess(engine, store, {
      by: client,
      patient: client,
      grantee: daughter,
      sections: ['reports'],
      at: GRANTED,
    });
    const read = { principal: daughter, patient: client, sections: ['reports'] as const, at: READ };
    expect((await engine.decide(read)).permit).toBe(true);

    await withdrawAccess(engine, store, { by: client, patient: client, consentId: grant.id, at: WITHDRAWN });

    const then = engine.decideWith(await engine.factsAsOf(client, READ), read);
    expect(then.permit).toBe(true);
    expect(then.basis).toContainEqual(expect.objectContaining({ consentId: grant.id, verdict: 'permit' }));
    expect(explainDecision(then)).toMatch(/^PERMIT/);

    const later = { ...read, at: AFTER };
    const after = engine.decideWith(await engine.factsAsOf(client, AFTER), later);
    expect(after.permit).toBe(false);
    expect(explainDecision(after)).toMatch(/^DENY/);
    expect(explainDecision(after)).toContain('no Consent grants the sections asked for');
  });

  it('B13: live decisions are unaffected: they use the facts of now (the withdrawn grant), and the cache', async () => {
    const live = await engine.decide({
      principal: daughter,
      patient: client,
      sections: ['reports'],
      at: READ,
    });
    expect(live.permit).toBe(false);
    expect(await engine.facts(client)).toBe(await engine.facts(client));
  });

  it('B13: before the client was recorded, the gateway did not know them', async () => {
    const facts = await engine.factsAsOf(client, new Date('2026-10-31T12:00:00+01:00'));
    expect(facts).toBeUndefined();
    const decision = engine.decideWith(facts, { principal: client, patient: client, at: READ });
    expect(decision.permit).toBe(false);
  });

  it('B13: a suspension counts for the moments it was in force, as recorded; lifted, it no longer does', async () => {
    const id = await suspendAccess(engine, store, {
      patient: client,
      startsAt: new Date('2026-11-12T00:00:00+01:00'),
      reason: 'suspected misuse',
      by: staff,
      at: new Date('2026-11-12T00:00:00+01:00'),
    });
    await liftSuspension(engine, store, { id, by: staff, at: new Date('2026-11-14T00:00:00+01:00') });
    const at = new Date('2026-11-13T12:00:00+01:00');
    const during = engine.decideWith(await engine.factsAsOf(client, at), {
      principal: client,
      patient: client,
      at,
    });
    expect(during.permit).toBe(false);
    expect(during.basis).toEqual([expect.objectContaining({ rule: 'M-5' })]);
    const afterLift = new Date('2026-11-15T12:00:00+01:00');
    expect(
      engine.decideWith(await engine.factsAsOf(client, afterLift), {
        principal: client,
        patient: client,
        at: afterLift,
      }).permit,
    ).toBe(true);
    // Live: lifted, so the client reads.
    expect((await engine.decide({ principal: client, patient: client, at })).permit).toBe(true);
  });
});
