import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ChildReport } from './child';

/** A server of the benchmark in its own process, and how to stop it. */
export interface Started {
  url: string;
  accessToken?: string;
  patient?: string;
  generateSeconds?: number;
  loadSeconds?: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/**
 * Forks child.js (compiled next to this file) in a role; resolves when it is ready. With
 * BENCH_CPU_PROF set, gateway processes write a CPU profile to that directory when they stop.
 */
export function startChild(args: string[], log: (text: string) => void): Promise<Started> {
  const profile = process.env.BENCH_CPU_PROF;
  const execArgv = profile && args[0] === 'gateway' ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const child = fork(join(__dirname, 'child.js'), args, {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', (message: ChildReport) => {
      if (message.kind === 'progress') log(message.text);
      else resolve({ ...message, stop: stopper(child) });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} process ended (${code}) before it was ready`)));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** ../shared/bench/floor-proxy.mjs in front of `upstreamUrl`, filtering for `patientRef`. */
export async function startFloor(script: string, upstreamUrl: string, patientRef: string): Promise<Started> {
  const port = await freePort();
  const child = fork(script, [String(port), upstreamUrl, patientRef], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the floor proxy ended (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: stopper(child) };
}
