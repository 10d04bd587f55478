import type { Command } from 'commander';
import { generateSandboxData, sandboxSummary, startSandboxServer, type SandboxServer } from '../sandbox';
import { exitOnFailure } from './fail';
import { integer } from './program';

export interface SandboxCommandArgs {
  port: number;
  host: string;
  clients: number;
  seed: number;
}

/** `inzage sandbox`: only the sandbox upstream. */
export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('Run only the sandbox upstream: a FHIR R4 server with synthetic Dutch care data.')
    .option('-p, --port <port>', 'port', integer(0, 65535), 8081)
    .option('--host <host>', 'interface to bind to', '127.0.0.1')
    .option('--clients <n>', 'number of synthetic clients', integer(1, 2_000), 50)
    .option('--seed <n>', 'seed of the synthetic data generator', integer(0, 2 ** 31 - 1), 1)
    .action(
      exitOnFailure(async (opts: SandboxCommandArgs) => {
        await runSandboxCommand(opts);
      }),
    );
}

/**
 * Generates the data, starts the server and prints where it listens. The open server keeps the
 * process alive; the caller decides how to stop it.
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
