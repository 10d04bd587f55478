import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import { verifyPassword } from '../../src/auth';
import { asJson, smallExport } from '../ecd/fixtures';
import { CLI, freePort, runCli } from '../support/processes';

const ECD_SCOPE = 'system/Patient.cu system/RelatedPerson.cu system/Consent.cu';

/** The ECD integrator's side, as the built command line does it, against a running gateway. */
describe('inzage ecd push, inzage smart keygen and hash-secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inzage-push-'));
  let gateway: RunningGateway;
  let jwkFile: string;
  const pemFile = join(dir, 'amerhof.pem');
  const exportFile = join(dir, 'export.json');

  beforeAll(async () => {
    const keygen = await runCli(['smart', 'keygen', '--alg', 'ES384', '--out', dir, '--kid', 'meerzicht-1']);
    expect(keygen.code).toBe(0);
    const publicJwk = JSON.parse(keygen.stdout.split('\n').find((l) => l.startsWith('{'))!) as Record<
      string,
      unknown
    >;
    jwkFile = join(dir, 'meerzicht-1.private.jwk.json');
    // An RSA key as a PEM file, as many integrators have one: its public JWK registered by hand.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(pemFile, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const rsaJwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'amerhof-1' };
    writeFileSync(exportFile, asJson(smallExport()));

    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: 0 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: [
          { id: 'meerzicht', name: 'Zorgcentrum Meerzicht', preset: 'meerlanden' },
          { id: 'amerhof', name: 'Stichting Amerhof', preset: 'amerpoort' },
        ],
        smart: {
          clients: [
            {
              id: 'meerzicht-ecd',
              name: 'ECD Meerzicht',
              type: 'backend',
              organisation: 'meerzicht',
              scopes: ECD_SCOPE,
              jwks: [publicJwk as never],
            },
            {
              id: 'amerhof-ecd',
              name: 'ECD Amerhof',
              type: 'backend',
              organisation: 'amerhof',
              scopes: ECD_SCOPE,
              jwks: [rsaJwk as never],
            },
          ],
        },
        log: { level: 'silent' },
      },
      'test',
      {},
    );
    gateway = await startGateway(config, { log: createLogger('silent'), readinessChecks: [] });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const push = (...args: string[]) => runCli(['ecd', 'push', exportFile, '--gateway', gateway.url, ...args]);

  it('ECD-PUSH-1: keygen writes the private key readable by its owner only, and prints the public JWK', () => {
    expect(statSync(jwkFile).mode & 0o777).toBe(0o600);
    const privateJwk = JSON.parse(readFileSync(jwkFile, 'utf8')) as Record<string, unknown>;
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-384', kid: 'meerzicht-1', alg: 'ES384' });
    expect(typeof privateJwk.d).toBe('string');
  });

  it('ECD-PUSH-2: a dry run with a JWK key (ES384) prints the counts and changes nothing; then the push applies', async () => {
    const dry = await push('--client', 'meerzicht-ecd', '--key', jwkFile, '--dry-run');
    expect([dry.code, dry.stderr]).toEqual([0, '']);
    expect(dry.stdout).toContain(
      `Dry run of ${exportFile} for organisation 'meerzicht': nothing was changed`,
    );
    expect(dry.stdout).toMatch(/Patient\s+2\s+0\s+0\s+0/);
    const applied = await push('--client', 'meerzicht-ecd', '--key', jwkFile, '--organisation', 'meerzicht');
    expect([applied.code, applied.stderr]).toEqual([0, '']);
    expect(applied.stdout).toContain(`Imported ${exportFile} for organisation 'meerzicht' (import `);
  });

  it('ECD-PUSH-3: a PEM key (RS384) needs --kid; with it the token is got and the push reaches the gateway', async () => {
    const without = await push('--client', 'amerhof-ecd', '--key', pemFile, '--dry-run');
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('give --kid');
    const other = await push('--client', 'amerhof-ecd', '--key', pemFile, '--kid', 'amerhof-1', '--dry-run');
    // Amerhof's client pushing Meerzicht's export: the gateway's own words come through.
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('the gateway refused the push (HTTP 422)');
    expect(other.stderr).toContain("this client may only sync organisation 'amerhof'");
  });

  it("ECD-PUSH-4: another organisation named is the gateway's 403, in its words", async () => {
    const res = await push('--client', 'meerzicht-ecd', '--key', jwkFile, '--organisation', 'amerhof');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("HTTP 403): this client does not belong to organisation 'amerhof'");
  });

  it('ECD-PUSH-5: a client the gateway does not know, or a key it does not know, is refused clearly', async () => {
    const unknown = await push('--client', 'nobody', '--key', jwkFile);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("the gateway refused client 'nobody' (HTTP 401, invalid_client");
    const wrongKey = await push('--client', 'amerhof-ecd', '--key', jwkFile);
    expect(wrongKey.stderr).toContain("the gateway refused client 'amerhof-ecd'");
  });

  it('ECD-PUSH-6: a gateway that does not answer, a missing file or key: one plain line', async () => {
    const port = await freePort();
    const down = await runCli([
      'ecd',
      'push',
      exportFile,
      '--gateway',
      `http://127.0.0.1:${port}`,
      '--client',
      'x',
      '--key',
      jwkFile,
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`the gateway does not answer at http://127.0.0.1:${port}`);
    const noFile = await runCli([
      'ecd',
      'push',
      join(dir, 'nothing.json'),
      '--client',
      'x',
      '--key',
      jwkFile,
    ]);
    expect(noFile.stderr).toContain('is not a file');
    const noKey = await push('--client', 'x', '--key', join(dir, 'nothing.pem'));
    expect(noKey.stderr).toContain('cannot read the key file');
  });

  it('ECD-PUSH-7: hash-secret --generate prints a secret and its scrypt hash; from standard input only the hash', async () => {
    const generated = await runCli(['smart', 'hash-secret', '--generate']);
    expect(generated.code).toBe(0);
    const secret = /^secret: (\S+)$/m.exec(generated.stdout)![1]!;
    const hash = /^secretHash: (\S+)$/m.exec(generated.stdout)![1]!;
    expect(await verifyPassword(secret, hash)).toBe(true);

    const fromStdin = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'smart', 'hash-secret']);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out));
      child.stdin.end('my confidential app secret\n');
    });
    expect(fromStdin).not.toContain('my confidential app secret');
    const stdinHash = /^secretHash: (\S+)$/m.exec(fromStdin)![1]!;
    expect(await verifyPassword('my confidential app secret', stdinHash)).toBe(true);
  });
});
