import { generateSandboxData } from './generator';
import { startSandboxServer } from './server';
import { sandboxSummary } from './summary';
import type { SandboxServer } from './types';

export interface SandboxCommandArgs {
  port: number;
  host: string;
  clients: number;
  seed: number;
}

/**
 * `inzage sandbox`: generates the data, starts the server and prints where it listens. The open
 * server keeps the process alive; the caller decides how to stop it.
 */
export async function runSandboxCommand(args: SandboxCommandArgs): Promise<SandboxServer> {
  const data = generateSandboxData({ clients: args.clients, seed: args.seed });
  const server = await startSandboxServer({ data, port: args.port, host: args.host });
  const summary = sandboxSummary(data);
  process.stdout.write(
    [
      '',
      'Inzage sandbox upstream (synthetic data only; no real persons).',
      '',
      `  FHIR base   ${server.url}`,
      `  Metadata    ${server.url}/metadata`,
      `  Try         ${server.url}/Patient?_count=5`,
      '',
      ...summary.lines,
      `  Seed ${args.seed}; the same seed and date give the same data.`,
      '',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  return server;
}
