import { randomBytes, createPrivateKey, type KeyObject } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { SignJWT } from 'jose';
import { ECD_SYNC_SCOPES, type ChangeCounts, type CountedKind, type ImportResult } from '../ecd';
import { formatImportResult } from './ecd-import';
import { exitOnFailure } from './fail';
import { commandGroup } from './program';

export interface EcdPushCommandOptions {
  /** The export (JSON) to push. */
  file: string;
  /** The gateway's base URL (default http://127.0.0.1:8080). */
  gateway: string;
  /** The organisation's registered ECD backend client. */
  client: string;
  /** The client's private key: a PEM file or a JWK (JSON) file. */
  keyFile: string;
  /** The key's id, when the key file does not say it (PEM). */
  kid?: string;
  /** The organisation pushed; by default the gateway takes the client's. */
  organisation?: string;
  dryRun: boolean;
}

/** Why a push did not happen, in words for the person at the terminal. */
export class EcdPushFailed extends Error {}

const DEFAULT_GATEWAY = 'http://127.0.0.1:8080';
/** An assertion lives briefly; SMART allows at most five minutes. */
const ASSERTION_SECONDS = 60;

/** `inzage ecd push FILE`: the ECD side of the ECD link, over SMART Backend Services. */
export function registerEcdPush(program: Command): void {
  commandGroup(program, 'ecd', 'The ECD link: client administration into Patient, RelatedPerson and Consent.')
    .command('push')
    .description(
      "Push an ECD export to a running gateway as the organisation's ECD backend client (SMART Backend Services).",
    )
    .argument('<file>', 'the export, a JSON file')
    .option('--gateway <url>', "the gateway's base URL", DEFAULT_GATEWAY)
    .requiredOption('--client <id>', "the organisation's registered ECD backend client (smart.clients[].id)")
    .requiredOption(
      '--key <file>',
      "the client's private key: a PEM file, or a JWK file (`inzage smart keygen`)",
    )
    .option('--kid <kid>', 'the key id registered for the key (default: the JWK file says it)')
    .option('--organisation <id>', "the organisation pushed (default: the client's)")
    .option('--dry-run', 'check everything and print what would change, but change nothing')
    .addHelpText(
      'after',
      `
Finds the token endpoint at <gateway>/fhir/.well-known/smart-configuration, signs a client assertion
with the key (RS384 for an RSA key, ES384 for a P-384 key), gets an access token with the ECD link
scopes (${ECD_SYNC_SCOPES.join(' ')}), streams the file to <gateway>/ecd/sync and prints the
counts as \`inzage ecd import\` does.`,
    )
    .action(
      exitOnFailure(
        async (
          file: string,
          opts: {
            gateway: string;
            client: string;
            key: string;
            kid?: string;
            organisation?: string;
            dryRun?: boolean;
          },
        ) => {
          const result = await runEcdPush({
            file,
            gateway: opts.gateway,
            client: opts.client,
            keyFile: opts.key,
            kid: opts.kid,
            organisation: opts.organisation,
            dryRun: !!opts.dryRun,
          });
          process.stdout.write(formatImportResult(result, file));
        },
      ),
    );
}

interface SigningKey {
  key: KeyObject;
  kid: string;
  alg: 'RS384' | 'ES384';
}

/** The private key of a PEM or JWK file, with its kid and the SMART algorithm for its type. */
export function readSigningKey(path: string, kid?: string): SigningKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EcdPushFailed(`cannot read the key file ${path}: ${(err as Error).message}`);
  }
  let key: KeyObject;
  let fileKid: string | undefined;
  try {
    if (text.trimStart().startsWith('{')) {
      const jwk = JSON.parse(text) as { kid?: unknown; d?: unknown };
      if (typeof jwk.d !== 'string') throw new Error('the JWK has no private part (d)');
      fileKid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
      key = createPrivateKey({ key: jwk as never, format: 'jwk' });
    } else {
      key = createPrivateKey(text);
    }
  } catch (err) {
    throw new EcdPushFailed(`${path} is not a private key (PEM or JWK): ${(err as Error).message}`);
  }
  const chosen = kid ?? fileKid;
  if (chosen === undefined)
    throw new EcdPushFailed(`${path} does not name its key id: give --kid (the kid registered for it)`);
  if (key.asymmetricKeyType === 'rsa') return { key, kid: chosen, alg: 'RS384' };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1')
    return { key, kid: chosen, alg: 'ES384' };
  throw new EcdPushFailed(
    `${path}: SMART Backend Services takes an RSA key (RS384) or a P-384 EC key (ES384), not this one`,
  );
}

async function request(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new EcdPushFailed(
      `the gateway does not answer at ${new URL(url).origin} (${what}: ${cause?.code ?? cause?.message ?? (err as Error).message})`,
    );
  }
}

async function jsonOf(res: Response): Promise<Record<string, unknown>> {
  try {
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The token endpoint, from the gateway's SMART discovery. */
async function tokenEndpoint(gateway: string): Promise<string> {
  const url = `${gateway}/fhir/.well-known/smart-configuration`;
  const res = await request(url, { headers: { accept: 'application/json' } }, 'discovery');
  const body = await jsonOf(res);
  if (!res.ok || typeof body.token_endpoint !== 'string')
    throw new EcdPushFailed(`${url} gave no SMART configuration (HTTP ${res.status})`);
  return body.token_endpoint;
}

/** A Backend Services access token with the ECD link scopes. */
async function accessToken(endpoint: string, client: string, key: SigningKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: randomBytes(24).toString('base64url') })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(client)
    .setSubject(client)
    .setAudience(endpoint)
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_SECONDS)
    .sign(key.key);
  const res = await request(
    endpoint,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: ECD_SYNC_SCOPES.join(' '),
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString(),
    },
    'token',
  );
  const body = await jsonOf(res);
  if (!res.ok || typeof body.access_token !== 'string') {
    const said = [body.error, body.error_description].filter((v) => typeof v === 'string').join(': ');
    throw new EcdPushFailed(
      `the gateway refused client '${client}' (HTTP ${res.status}${said ? `, ${said}` : ''}); ` +
        'check that it is registered as a backend client with this key and the ECD link scopes',
    );
  }
  return body.access_token;
}

function problemLines(body: Record<string, unknown>): string {
  const problems = Array.isArray(body.problems) ? (body.problems as Record<string, unknown>[]) : [];
  return problems
    .map((p) => {
      const where = [
        p.file,
        p.line === undefined ? undefined : `line ${String(p.line)}`,
        p.entity,
        p.recordId,
        p.field,
      ]
        .filter((v) => v !== undefined && v !== null)
        .join(', ');
      return `\n  ${where}: ${String(p.reason ?? '')}`;
    })
    .join('');
}

/** Pushes one export to a running gateway; what the gateway did (or, for a dry run, would do). */
export async function runEcdPush(options: EcdPushCommandOptions): Promise<ImportResult> {
  const gateway = options.gateway.replace(/\/+$/, '');
  try {
    if (!statSync(options.file).isFile()) throw new Error('not a file');
  } catch {
    throw new EcdPushFailed(
      `${options.file} is not a file: push one JSON export (CSV directories: \`inzage ecd import\`)`,
    );
  }
  const key = readSigningKey(options.keyFile, options.kid);
  const token = await accessToken(await tokenEndpoint(gateway), options.client, key);
  const url = new URL(`${gateway}/ecd/sync`);
  if (options.dryRun) url.searchParams.set('dryRun', 'true');
  if (options.organisation !== undefined) url.searchParams.set('organisation', options.organisation);
  const res = await request(
    url.href,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: Readable.toWeb(createReadStream(options.file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit,
    'push',
  );
  const body = await jsonOf(res);
  if (!res.ok) {
    const message = typeof body.message === 'string' ? body.message : `HTTP ${res.status}`;
    throw new EcdPushFailed(
      `the gateway refused the push (HTTP ${res.status}): ${message}${problemLines(body)}`,
    );
  }
  return {
    organisationId: String(body.organisation),
    dryRun: body.dryRun === true,
    records: Number(body.records),
    counts: body.counts as Record<CountedKind, ChangeCounts>,
    ...(body.importId === undefined ? {} : { importId: String(body.importId) }),
  };
}
