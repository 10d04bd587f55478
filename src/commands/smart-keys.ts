import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { hashPassword } from '../auth';
import { exitOnFailure } from './fail';
import { commandGroup } from './program';

export interface GeneratedClientKey {
  /** The private JWK file (mode 0600). */
  privateKeyFile: string;
  /** The public JWK, for `smart.clients[].jwks`. */
  publicJwk: JWK;
}

/** A key pair for a SMART client (an ECD's backend client): the private JWK into `dir`, the public one back. */
export async function generateClientKey(
  dir: string,
  kid: string,
  alg: 'ES384' | 'RS384',
  options: { replace?: boolean } = {},
): Promise<GeneratedClientKey> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(kid))
    throw new Error('--kid: letters, digits, . _ and - only (at most 64)');
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const labels = { kid, alg, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), ...labels };
  mkdirSync(dir, { recursive: true });
  const privateKeyFile = join(resolve(dir), `${kid}.private.jwk.json`);
  // Never readable by others: whoever reads it can push as the organisation.
  writeFileSync(
    privateKeyFile,
    `${JSON.stringify({ ...(await exportJWK(privateKey)), ...labels }, null, 2)}\n`,
    {
      mode: 0o600,
      // An existing key is never overwritten by accident: it may be the one registered.
      flag: options.replace ? 'w' : 'wx',
    },
  );
  writeFileSync(join(resolve(dir), `${kid}.public.jwk.json`), `${JSON.stringify(publicJwk, null, 2)}\n`);
  return { privateKeyFile, publicJwk };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `inzage smart keygen` and `inzage smart hash-secret`: what a client registration needs. */
export function registerSmartKeys(program: Command): void {
  const smart = commandGroup(program, 'smart', 'SMART client registration: keys and secrets.');
  smart
    .command('keygen')
    .description(
      'Make a key pair for a backend client (an ECD): the private key to a file, the public JWK printed.',
    )
    .addOption(
      new Option('--alg <alg>', 'the signing algorithm').choices(['ES384', 'RS384']).default('ES384'),
    )
    .requiredOption('--out <dir>', 'where the key files go (the private one is readable by you only)')
    .requiredOption('--kid <kid>', 'the key id (registered with the public key)')
    .action(
      exitOnFailure(async (opts: { alg: 'ES384' | 'RS384'; out: string; kid: string }) => {
        const key = await generateClientKey(opts.out, opts.kid, opts.alg);
        process.stdout.write(
          [
            `Private key: ${key.privateKeyFile} (mode 0600; keep it with the ECD, never in the gateway's configuration)`,
            'Public key, for smart.clients[].jwks of the client:',
            JSON.stringify(key.publicJwk),
            '',
          ].join('\n'),
        );
      }),
    );
  smart
    .command('hash-secret')
    .description("Hash a confidential client's secret for smart.clients[].secretHash (scrypt).")
    .option(
      '--generate',
      'make a new random secret (printed once) instead of reading one from standard input',
    )
    .action(
      exitOnFailure(async (opts: { generate?: boolean }) => {
        const secret = opts.generate ? randomBytes(32).toString('base64url') : await readStdin();
        if (secret.length < 16)
          throw new Error('the secret must be at least 16 characters (or use --generate)');
        const hash = await hashPassword(secret);
        process.stdout.write(
          opts.generate ? `secret: ${secret}\nsecretHash: ${hash}\n` : `secretHash: ${hash}\n`,
        );
      }),
    );
}
