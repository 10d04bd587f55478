/**
 * One server of the FHIR benchmark in a process of its own, so that the load generator (autocannon,
 * in the parent) does not share an event loop with what it measures. Started by processes.ts:
 *   child.js sandbox <clients>                    the sandbox upstream
 *   child.js replay <sandbox url>                 the replay upstream (replay.ts)
 *   child.js gateway <clients> <upstream> <id>    the gateway, logged in as sandbox client <id>
 *   child.js gateway <clients> <upstream> <id> audit-on|audit-off [<database url>]
 *                                                 the same with or without the audit trail, on PGlite
 *                                                 or on that PostgreSQL database (audit.ts)
 * It reports `{ kind: 'progress', text }` and once `{ kind: 'ready', ... }` over IPC, and closes on
 * SIGTERM (so that a --cpu-prof profile is written).
 */
import { generateSandboxData, startSandboxServer } from '../../src/sandbox';
import { startBenchGateway } from './gateway';
import { paddedTo } from './padded';
import { startReplayUpstream } from './replay';

export type ChildReport =
  | { kind: 'progress'; text: string }
  | {
      kind: 'ready';
      url: string;
      accessToken?: string;
      patient?: string;
      generateSeconds?: number;
      loadSeconds?: number;
    };

function report(message: ChildReport): void {
  process.send?.(message);
}

const progress = (text: string) => report({ kind: 'progress', text });

function seconds(since: number): number {
  return (Date.now() - since) / 1000;
}

async function main(): Promise<void> {
  const [role, ...args] = process.argv.slice(2);
  let close: () => Promise<void>;
  if (role === 'sandbox') {
    const clients = Number(args[0]);
    const started = Date.now();
    const data = generateSandboxData({ clients, seed: 1 });
    const generateSeconds = seconds(started);
    progress(
      `sandbox: generated ${clients} clients (${data.resources.length} resources) in ${generateSeconds.toFixed(1)} s`,
    );
    const loading = Date.now();
    const server = await startSandboxServer({ data });
    close = server.close;
    report({ kind: 'ready', url: server.url, generateSeconds, loadSeconds: seconds(loading) });
  } else if (role === 'replay') {
    const replay = await startReplayUpstream(args[0]!);
    close = replay.close;
    report({ kind: 'ready', url: replay.url });
  } else if (role === 'gateway') {
    const clients = Number(args[0]);
    const started = Date.now();
    const generated = generateSandboxData({ clients: Math.min(clients, 2000), seed: 1 });
    const data = clients > 2000 ? paddedTo(generated, clients) : generated;
    progress(`gateway (${clients} clients): generated the ECD exports in ${seconds(started).toFixed(1)} s`);
    const gateway = await startBenchGateway({
      data,
      upstreamUrl: args[1]!,
      clientId: args[2]!,
      auditOff: args[3] === 'audit-off',
      databaseUrl: args[4],
      progress: (text) => progress(`gateway (${clients} clients): ${text}`),
    });
    close = gateway.close;
    report({ kind: 'ready', url: gateway.url, accessToken: gateway.accessToken, patient: gateway.patient });
  } else {
    throw new Error(`unknown role ${role}`);
  }
  process.once('SIGTERM', () => {
    close().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
