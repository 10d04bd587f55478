import { resolve } from 'node:path';
import type { OrganisationConfig } from '../config';
import type { ImportResult } from '../ecd';
import type { DemoEcdClient } from './demo-ecd';
import { demoLoginLines, type DemoLoginFacts } from './demo-login-banner';
import { demoStaffLines, type DemoStaffAccount } from './demo-staff';

/** One organisation's ECD backend client, and the export the printed dry run pushes. */
export interface DemoEcdPush extends DemoEcdClient {
  exportFile: string;
}

/** A client and a relation the client granted access to, as stored. */
export interface DemoShowcase {
  organisationId: string;
  patient: string;
  relatedPerson: string;
  role: string;
  sections: readonly string[];
}

export interface DemoBannerFacts {
  gatewayUrl: string;
  fhirBasePath: string;
  sandboxUrl: string;
  /** Undefined: in memory. */
  dataDir: string | undefined;
  filesDir: string;
  organisations: readonly OrganisationConfig[];
  summary: string;
  imports: readonly ImportResult[];
  ecdClients: readonly DemoEcdPush[];
  showcases: readonly DemoShowcase[];
  /** The configuration file naming the demo's database (absent in memory). */
  configFile: string | undefined;
  /** Put before each printed `npx inzage` command (to unset a DATABASE_URL of the shell). */
  commandPrefix: string;
  /** The portal apps and demo accounts. */
  login: DemoLoginFacts;
  /** The console's staff accounts. */
  staff: readonly DemoStaffAccount[];
}

/**
 * What the demo prints: where everything is, and commands that run as printed. The push commands
 * run while the demo does; `inzage explain` and `inzage ecd import` open the demo's database
 * themselves, which the embedded PGlite allows to one process at a time, so they run after it stopped.
 */
export function demoBanner(f: DemoBannerFacts): string {
  const npx = `${f.commandPrefix}npx inzage`;
  const lines = [
    '',
    'Inzage demo is running (synthetic data only; nothing leaves this machine).',
    '',
    `  Gateway            ${f.gatewayUrl}`,
    `  FHIR base          ${f.gatewayUrl}${f.fhirBasePath}`,
    `  SMART discovery    ${f.gatewayUrl}${f.fhirBasePath}/.well-known/smart-configuration`,
    `  Health             ${f.gatewayUrl}/healthz   readiness ${f.gatewayUrl}/readyz`,
    `  Sandbox upstream   ${f.sandboxUrl}`,
    `  Database           ${f.dataDir ? `PGlite in ${resolve(f.dataDir)}` : 'PGlite in memory'}`,
    `  Demo files         ${f.filesDir} (${f.configFile ? 'configuration, ' : ''}sandbox exports)`,
    '',
    `  Organisations      ${f.organisations.map((o) => `${o.name} [${o.preset}]`).join(', ')}`,
    `  Sandbox data       ${f.summary}`,
    ...f.imports.map(
      (r) =>
        `  ECD sync           ${r.organisationId}: ${r.counts.Patient.created + r.counts.Patient.updated} Patient, ` +
        `${r.counts.RelatedPerson.created + r.counts.RelatedPerson.updated} RelatedPerson, ` +
        `${r.counts.Consent.created + r.counts.Consent.updated} Consent written ` +
        `(${r.counts.Patient.unchanged + r.counts.RelatedPerson.unchanged + r.counts.Consent.unchanged} unchanged)`,
    ),
    '',
    ...ecdPushLines(f, npx),
    '',
    ...showcaseLines(f, npx),
    '',
    ...demoLoginLines(f.login),
    '',
    ...demoStaffLines(f.gatewayUrl, f.staff, npx),
    '',
    'Stop with Ctrl-C.',
    '',
  ];
  return lines.join('\n');
}

function showcaseLines(f: DemoBannerFacts, npx: string): string[] {
  const ids = f.showcases.map(
    (s) =>
      `    ${s.organisationId.padEnd(16)} client ${s.patient}; ${s.relatedPerson} (${s.role}), granted ${s.sections.join(', ')}`,
  );
  const head = ['  Ids to try         a client and a relation they granted access, as imported:', ...ids];
  if (!f.configFile) {
    return [
      ...head,
      '',
      '  Inspect            `inzage explain` and `inzage ecd import` need the database on disk: run the',
      '                     demo without --in-memory, stop it, and use the commands it prints.',
    ];
  }
  const config = shellWord(f.configFile);
  return [
    ...head,
    '',
    '  After stopping     (Ctrl-C: the embedded database opens in one process at a time), from this repository:',
    ...f.showcases.map(
      (s) =>
        `      ${npx} explain --config ${config} --user ${s.relatedPerson} --client ${s.patient} --request ${shellWord('GET /Appointment')}`,
    ),
    `                     (or another --request, such as ${shellWord('GET /Observation?category=vital-signs')})`,
    ...f.ecdClients.map(
      (k) => `      ${npx} ecd import ${shellWord(k.exportFile)} --config ${config} --dry-run`,
    ),
  ];
}

/**
 * The ECD link to try: each organisation's backend client and key, and an `inzage ecd push` that
 * dry-runs its export through SMART Backend Services while the demo runs.
 */
function ecdPushLines(f: DemoBannerFacts, npx: string): string[] {
  return [
    "  ECD push           each organisation's ECD pushes as its backend client (SMART Backend Services, a signed",
    '                     client assertion); a dry run checks and counts, changes nothing:',
    ...f.ecdClients.flatMap((c) => [
      `    ${c.organisationId.padEnd(16)} client ${c.clientId}, key ${c.keyFile}`,
      `      ${npx} ecd push ${shellWord(c.exportFile)} --gateway ${shellWord(f.gatewayUrl)} --client ${shellWord(c.clientId)} --key ${shellWord(c.keyFile)} --dry-run`,
    ]),
  ];
}

/** A word for a POSIX shell: as is when plain, else single-quoted. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
