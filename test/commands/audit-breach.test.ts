import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditRecordsOfRequest, findAuditRecords } from '../../src/audit';
import { OutboxFileSender } from '../../src/auth';
import { reportBreach, runAuditBreach, type AuditBreachOptions } from '../../src/commands/audit-breach';
import type { GatewayConfig } from '../../src/config';
import { createPolicyEngine } from '../../src/consent';
import { administratorRegistrationsOf } from '../../src/ecd';
import { startFhirApi, type FhirAnswer, type FhirApiUnderTest, type LoggedIn } from '../fhir/support/api';
import { ORGANISATIONS, freshEmail, type Person } from '../smart/support/gateway';

/**
 * `inzage audit breach`: after reads by two users through the FHIR API, the report for one
 * of them names that user's client and records only, and writes one notification per person
 * affected through the pluggable sender (the demo's outbox file).
 */
describe('inzage audit breach', () => {
  let api: FhirApiUnderTest;
  let clientX: `Patient/${string}`;
  let clientY: `Patient/${string}`;
  let curator: LoggedIn;
  let other: LoggedIn;
  let ownX: Person;
  let firstX: Person;
  /** The resources each user's requests showed, by AuditEvent id. */
  const shownBy = { curator: new Map<string, string[]>(), other: new Map<string, string[]>() };
  const dir = mkdtempSync(join(tmpdir(), 'inzage-breach-'));

  const jtiOf = (token: string): string =>
    String(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).jti);
  const store = () => api.gateway.running.store;
  const breach = (options: AuditBreachOptions, outbox?: string) =>
    reportBreach(
      store(),
      createPolicyEngine(ORGANISATIONS, store(), {
        administratorRegistrations: administratorRegistrationsOf,
      }),
      ORGANISATIONS,
      options,
      {
        trail: api.gateway.running.audit,
        reviewer: 'test-reviewer',
        ...(outbox ? { sender: new OutboxFileSender(outbox) } : {}),
      },
    );
  const remember = async (into: Map<string, string[]>, answer: FhirAnswer) => {
    expect(answer.status).toBe(200);
    const [record] = await auditRecordsOfRequest(store(), answer.headers.get('x-request-id')!);
    if (record?.entry.entities?.length) into.set(record.id, [...record.entry.entities]);
  };

  beforeAll(async () => {
    api = await startFhirApi();
    const x = api.data.scenarios.withCurator;
    const y = api.data.scenarios.administratorGrantedSections;
    clientX = api.gateway.patientOf(x);
    clientY = api.gateway.patientOf(y);
    // X: the curator is portal administrator; the client and the first contact person have accounts too.
    curator = await api.login(clientX, api.gateway.relationOf(x, 'curator'));
    ownX = await api.gateway.register(freshEmail('own-x'), clientX);
    firstX = await api.gateway.register(
      freshEmail('first-x'),
      clientX,
      api.gateway.relationOf(x, 'first-contact-person'),
    );
    other = await api.login(clientY);

    const vitals = await api.fhir(
      curator.accessToken,
      `/Observation?patient=${clientX}&category=vital-signs&_count=3`,
    );
    await remember(shownBy.curator, vitals);
    const first = String(vitals.body.entry[0].resource.id);
    await remember(shownBy.curator, await api.fhir(curator.accessToken, `/Observation/${first}`));
    await remember(shownBy.curator, await api.fhir(curator.accessToken, `/${clientX}`));
    await remember(
      shownBy.other,
      await api.fhir(other.accessToken, `/Observation?patient=${clientY}&category=vital-signs&_count=2`),
    );
    await remember(shownBy.other, await api.fhir(other.accessToken, `/${clientY}`));
    expect(shownBy.curator.size).toBe(3);
    expect(shownBy.other.size).toBe(2);
  });
  afterAll(async () => {
    await api?.close();
  });

  it("A-13: a breach report for one user's token lists exactly that user's client and records, not the other's", async () => {
    const outcome = await breach({ token: jtiOf(curator.accessToken), json: true });
    expect(outcome.exitCode).toBe(0);
    const report = JSON.parse(outcome.stdout);
    expect(report.clients.map((c: { patient: string }) => c.patient)).toEqual([clientX]);
    const [client] = report.clients;
    expect(client.touched).toBe(true);
    const accesses = new Map<string, string[]>(
      client.accesses.map((a: { auditEvent: string; entities: string[] }) => [a.auditEvent, a.entities]),
    );
    expect(accesses).toEqual(shownBy.curator);
    expect(client.resources).toEqual([...new Set([...shownBy.curator.values()].flat())].sort());
    expect(client.actors).toEqual([
      expect.objectContaining({
        person: curator.person.person,
        account: curator.person.linkId,
        clientApp: 'portal-app',
      }),
    ]);
    for (const other of shownBy.other.keys()) expect(outcome.stdout).not.toContain(other);
    expect(outcome.stdout).not.toContain(clientY);

    // The same in words.
    const text = await breach({ token: jtiOf(curator.accessToken) });
    expect(text.stdout).toContain(`${clientX}  touched: 3 request(s) showed`);
    expect(text.stdout).toContain(`by ${curator.person.person}`);
    for (const id of shownBy.curator.keys()) expect(text.stdout).toContain(`AuditEvent/${id}`);
    expect(text.stdout).not.toContain(clientY);

    // The account (or any of its links) finds the same records.
    const byAccount = JSON.parse((await breach({ account: curator.person.accountId, json: true })).stdout);
    expect(byAccount.clients.map((c: { patient: string }) => c.patient)).toEqual([clientX]);
    expect(byAccount.totals).toEqual(report.totals);
    // The app reaches both users' clients.
    const byApp = JSON.parse((await breach({ app: 'portal-app', json: true })).stdout);
    expect(
      byApp.clients
        .filter((c: { touched: boolean }) => c.touched)
        .map((c: { patient: string }) => c.patient)
        .sort(),
    ).toEqual([clientX, clientY].sort());
  });

  it('A-13: --notify writes one message per person affected (the client, the steward who is also the holder), in Dutch with an English line, and the report is recorded', async () => {
    const outbox = join(dir, 'outbox.jsonl');
    const outcome = await breach({ token: jtiOf(curator.accessToken), notify: true, outbox }, outbox);
    expect(outcome.exitCode).toBe(0);
    const messages = readFileSync(outbox, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { channel: string; to: string; text: string });
    expect(messages.map((m) => m.to).sort()).toEqual([curator.person.email, ownX.email].sort());
    expect(messages.every((m) => m.channel === 'email')).toBe(true);
    expect(messages.map((m) => m.to)).not.toContain(firstX.email);
    const toClient = messages.find((m) => m.to === ownX.email)!;
    expect(toClient.text).toContain('mogelijk door een onbevoegde ingezien (3 keer)');
    expect(toClient.text).toContain('Wie heeft mijn dossier ingezien');
    expect(toClient.text).toMatch(/\nEnglish: data in a dossier you have access to may have been viewed/);
    expect(toClient.text).not.toContain('Uw account');
    const toHolder = messages.find((m) => m.to === curator.person.email)!;
    expect(toHolder.text).toContain('Uw account is mogelijk door een ander gebruikt');
    expect(toHolder.text).toContain('your account may have been used by someone else');
    // No client's name or data in an e-mail.
    expect(toHolder.text).not.toContain('Observation');
    expect(outcome.stdout).toContain('Notifications: 2 written');

    const [recorded] = await findAuditRecords(store(), {
      kinds: ['breach-report'],
      newestFirst: true,
      limit: 1,
    });
    expect(recorded?.entry).toMatchObject({
      kind: 'breach-report',
      action: 'E',
      outcome: 'success',
      actor: { account: 'test-reviewer' },
      detail: { token: jtiOf(curator.accessToken), clients: 1, accesses: 3, notified: 2 },
    });
    expect(outcome.stdout).toContain(`Recorded as AuditEvent/${recorded!.id} (breach-report)`);
  });

  it('A-13: a window with no activity lists nothing, and notifies nobody', async () => {
    const outbox = join(dir, 'quiet.jsonl');
    const outcome = await breach(
      { from: '2020-01-01', to: '2020-01-02', notify: true, outbox, json: true },
      outbox,
    );
    expect(outcome.exitCode).toBe(0);
    const report = JSON.parse(outcome.stdout);
    expect(report).toMatchObject({ events: 0, requests: 0, clients: [], notifications: [] });
    expect(existsSync(outbox)).toBe(false);
    const text = await breach({ from: '2020-01-01', to: '2020-01-02' });
    expect(text.stdout).toContain('nothing in this scope: no records');
  });

  it('A-13: a report needs a scope, valid moments, and a sender to notify (exit 2 from the command)', async () => {
    await expect(breach({})).rejects.toMatchObject({ status: 400, code: 'ERR_INVALID_INPUT' });
    await expect(breach({ from: 'yesterday' })).rejects.toMatchObject({ status: 400 });
    await expect(breach({ token: 'x', notify: true })).rejects.toMatchObject({ status: 400 });
    // The command turns them into exit 2 with the reason (this one before the database is opened).
    expect(await runAuditBreach({} as GatewayConfig, { token: 'x', notify: true })).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: 'inzage: --notify needs --outbox <file>: the notifications are written there\n',
    });
  });
});
