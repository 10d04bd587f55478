import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountSecret, OutboxFileSender, issueLinkCode, registerAccount } from '../../src/auth';
import { resolveConfig } from '../../src/config';
import { importEcdExport, patientId, readEcdJsonStream } from '../../src/ecd';
import { startGateway, type RunningGateway } from '../../src/commands';
import { createLogger } from '../../src/http';
import { generateSandboxData } from '../../src/sandbox';
import { Browser } from './support/browser';

const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' as const },
  { id: 'amerhof', name: 'Amerhof', preset: 'amerpoort' as const },
];
const SECRET = AccountSecret.fromText('a link code secret of at least thirty-two bytes');
const PASSWORD = 'correct horse battery staple';

describe('the SMART code flow, end to end (smoke)', () => {
  let gateway: RunningGateway;
  let base: string;
  let patient: `Patient/${string}`;
  const outbox = join(mkdtempSync(join(tmpdir(), 'inzage-smoke-')), 'outbox.jsonl');
  /** The last code the gateway sent (verification or login code). */
  const lastCode = () => /\b([0-9]{6})\b/.exec(readFileSync(outbox, 'utf8').trim().split('\n').pop()!)![1]!;

  beforeAll(async () => {
    const data = generateSandboxData({ clients: 10, seed: 1 });
    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: 0 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: ORGANISATIONS,
        smart: {
          clients: [
            {
              id: 'app',
              name: 'App',
              type: 'public',
              redirectUris: ['http://127.0.0.1:7777/cb'],
              scopes: 'launch/patient openid fhirUser offline_access patient/*.rs',
            },
          ],
        },
        log: { level: 'silent' },
      },
      'test',
      {},
    );
    gateway = await startGateway(config, {
      log: createLogger('silent'),
      readinessChecks: [],
      messageSender: new OutboxFileSender(outbox),
      accountSecret: SECRET,
    });
    base = gateway.url;
    for (const exp of data.exports) {
      await importEcdExport(gateway.store, readEcdJsonStream([JSON.stringify(exp)], 'x.json'), {
        organisations: ORGANISATIONS,
        source: 'test',
      });
    }
    const exp = data.exports[0]!;
    patient = `Patient/${patientId(exp.organisation.id, exp.clients[0]!.id)}`;
    const code = await issueLinkCode(
      gateway.store,
      {
        binding: { organisationId: exp.organisation.id, patient, person: patient },
        issuedBy: { kind: 'system', id: 'test' } as never,
        at: new Date(),
      },
      SECRET,
    );
    await gateway.store.transaction((tx) =>
      registerAccount(
        tx,
        {
          linkCode: code.code,
          email: 'client@example.org',
          mobile: '0612345678',
          password: PASSWORD,
          at: new Date(),
        },
        SECRET,
      ),
    );
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('SMART-SMOKE: discovery, authorize, login, code, token with patient and fhirUser', async () => {
    const discovery = (await (await fetch(`${base}/fhir/.well-known/smart-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(discovery.authorization_endpoint).toBe(`${base}/auth/authorize`);

    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const browser = new Browser();
    const authorize = new URL(discovery.authorization_endpoint!);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: 'http://127.0.0.1:7777/cb',
      scope: 'launch/patient openid fhirUser offline_access patient/*.rs patient/Nonsense.xyz',
      state: 'state-1',
      aud: `${base}/fhir`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    let res = await browser.go(authorize.href);
    expect(res.status).toBe(303);
    const interaction = new URL(res.headers.get('location')!, base).href;
    res = await browser.go(interaction);
    expect(res.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await res.text())![1]!;
    const post = (step: string, fields: Record<string, string>) =>
      browser.go(`${interaction}/${step}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, ...fields }).toString(),
      });
    // The registration made outside the pages left the contacts unverified: the login verifies them.
    expect((await post('login', { email: 'client@example.org', password: PASSWORD })).status).toBe(200);
    expect((await post('verify', { code: lastCode() })).status).toBe(200);
    expect((await post('verify', { code: lastCode() })).status).toBe(200);
    // The second factor (an SMS code: no TOTP enrolled), then the terms.
    expect((await post('second-factor', { code: lastCode() })).status).toBe(200);
    res = await post('terms', { accept: 'yes' });
    // Follow the redirects back through the provider until the app's callback.
    let location = res.headers.get('location');
    for (let i = 0; i < 6 && location && !location.startsWith('http://127.0.0.1:7777'); i++) {
      res = await browser.go(new URL(location, base).href);
      location = res.headers.get('location');
    }
    expect(location).toMatch(/^http:\/\/127\.0\.0\.1:7777\/cb\?code=/);
    const callback = new URL(location!);
    expect(callback.searchParams.get('state')).toBe('state-1');

    const token = await fetch(discovery.token_endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: 'http://127.0.0.1:7777/cb',
        code_verifier: verifier,
        client_id: 'app',
      }).toString(),
    });
    const body = (await token.json()) as Record<string, string>;
    expect(token.status).toBe(200);
    expect(body).toMatchObject({
      token_type: 'Bearer',
      patient: patient.slice('Patient/'.length),
      scope: expect.stringContaining('patient/*.rs'),
    });
    expect(body.scope!.split(' ').sort()).toEqual(
      ['fhirUser', 'launch/patient', 'offline_access', 'openid', 'patient/*.rs'].sort(),
    );
    expect(body.id_token).toEqual(expect.any(String));
    expect(body.refresh_token).toEqual(expect.any(String));
    const idToken = JSON.parse(Buffer.from(body.id_token!.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(idToken.fhirUser).toBe(patient);
  });
});
