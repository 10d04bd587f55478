/**
 * Every environment variable the gateway reads: what it holds and whether it is a secret. With
 * SETTINGS (defaults.ts) this is the one source of the configuration reference: `npm run docs:config`
 * writes the README's environment table and the header of config/inzage.example.yaml from it.
 *
 * Secrets live here and never in the file: a file is copied, committed and pasted into tickets. So a
 * secret-looking field in the file is refused, and the refusal names the variable that takes it
 * (`secretFor`), or says that no variable does yet.
 */

/** Prefix of the per-provider client secret variables of external identity providers. */
const IDP_SECRET_PREFIX = 'INZAGE_IDP_SECRET_';

export interface EnvironmentVariable {
  /** Its name; `<ORGANISATION>` stands for one variable per organisation. */
  readonly name: string;
  /** What it holds and what it changes (markdown: code in backticks). */
  readonly holds: string;
  /** A secret: never logged, never echoed, never shown by `config check`. */
  readonly secret: boolean;
  /** The setting of the file it overrides, when it does. */
  readonly overrides?: string;
  /**
   * Sections of the file (their top-level names) whose secret-looking fields this variable takes
   * instead: `database.password` is refused with a pointer to DATABASE_URL.
   */
  readonly secretFor?: readonly string[];
  /** One variable per identity provider, named by `identityProviderSecretVariable`. */
  readonly perIdentityProvider?: boolean;
}

export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  {
    name: 'DATABASE_URL',
    holds:
      'the PostgreSQL database, `postgres://user:password@host:5432/db`; when absent, the embedded PGlite database',
    secret: true,
    secretFor: ['database'],
  },
  {
    name: `${IDP_SECRET_PREFIX}<ID>`,
    holds:
      "the gateway's client secret at one external identity provider (`smart.identityProviders[]`, `admin.identityProviders[]`); `<ID>` is " +
      'the provider id in capitals with `_` for `-` (`digid-broker`: `INZAGE_IDP_SECRET_DIGID_BROKER`); without it ' +
      'the gateway is a public client of that provider, protected by PKCE alone',
    secret: true,
    secretFor: ['smart.identityproviders', 'admin.identityproviders'],
    perIdentityProvider: true,
  },
  {
    name: 'INZAGE_KEY_ENCRYPTION_KEY',
    holds:
      "32 bytes in base64 or hex (`openssl rand -base64 32`) that encrypt the authorization server's private " +
      'signing keys in the database (AES-256-GCM); without it they are stored unencrypted, and the gateway warns',
    secret: true,
  },
  {
    name: 'INZAGE_AUDIT_KEY',
    holds:
      'at least 32 bytes in base64 or hex (`openssl rand -base64 32`) that key the hash chain of the audit trail ' +
      '(HMAC-SHA-256), so that someone who can write to the database cannot rewrite the chain to match; every ' +
      'instance and `inzage audit verify` need the same key; without it the chain is plain SHA-256, and the gateway warns',
    secret: true,
  },
  {
    name: 'INZAGE_LINK_CODE_SECRET',
    holds:
      'at least 32 bytes (`openssl rand -base64 32`) that key the hashes of link codes, verification codes and ' +
      'second-factor secrets, kept outside the database so that a copy of it reveals none; required to register ' +
      'accounts and log in (the demo makes one)',
    secret: true,
  },
  { name: 'PORT', holds: 'the port to listen on', secret: false, overrides: 'server.port' },
  { name: 'LOG_LEVEL', holds: 'the log level', secret: false, overrides: 'log.level' },
  {
    name: 'INZAGE_CONFIG',
    holds: 'the configuration file, instead of `--config` (`serve`, `ecd import`, `explain`, `audit …`)',
    secret: false,
  },
  {
    name: 'INZAGE_TEST_RESULTS',
    holds:
      "where `npm test` keeps jest's JSON results, and where `inzage report` reads them when `--results` is not given",
    secret: false,
  },
];

/** The environment variable that holds the gateway's client secret at an identity provider. */
export function identityProviderSecretVariable(providerId: string): string {
  return `${IDP_SECRET_PREFIX}${providerId.toUpperCase().replace(/-/g, '_')}`;
}

/** Whether a variable name is one of the per-provider client secret variables. */
export function isIdentityProviderSecretVariable(name: string): boolean {
  return name.startsWith(IDP_SECRET_PREFIX);
}

/**
 * The variable that takes a secret someone wrote in the file at `section` (the top-level field it is
 * under, or the field itself at the top level), or undefined when no variable takes it yet.
 * `id` (of the identity provider the field is under) makes a per-item variable concrete:
 * INZAGE_IDP_SECRET_DIGID_BROKER rather than the template.
 */
export function variableForSecret(section: string, id?: string): string | undefined {
  const wanted = section.toLowerCase();
  const variable = ENVIRONMENT_VARIABLES.find((v) =>
    (v.secretFor ?? []).some((s) => wanted === s || wanted.startsWith(s)),
  );
  if (!variable) return undefined;
  if (variable.perIdentityProvider && id) return identityProviderSecretVariable(id);
  return variable.name;
}
