/**
 * `npm run bench -- fhir`: the FHIR API benchmark of issue 10, method in ../shared/docs/benchmarks.md.
 * One request mix (mix.ts), sent with autocannon from this process, in one run:
 *   (a) directly to the upstream, (b) through ../shared/bench/floor-proxy.mjs, (c) through the gateway
 *   with real tokens and full enforcement;
 * twice: against the sandbox (what a care organisation feels) and against the replay upstream
 * (fhir/replay.ts: the sandbox's answers from memory, so that the ratio to the floor prices the
 * gateway). Saturated throughput and p50/p99, the ratios, the added latency at 200 requests/s; then
 * the gateway's p50 with 100 and 10,000 clients in its own database, upstream unchanged. Every
 * server runs in a process of its own (fhir/child.ts). Runs alternate (A B C A B C); medians quoted.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildMix, type MixTarget } from './fhir/mix';
import { load, median, type Measured } from './fhir/load';
import { startChild, startFloor, type Started } from './fhir/processes';

const CLIENT = 'mz-c001';
const UPSTREAM_PATIENT = `Patient/${CLIENT}`;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 16;
/** The large gateway database of the scale comparison (smaller only to try the benchmark out). */
const LARGE = Number(process.env.BENCH_LARGE_CLIENTS ?? 10_000);
const RATE = 200;
/** A rate the gateway keeps up with on a shared 2-core machine, for latencies without queueing. */
const LOW_RATE = Number(process.env.BENCH_LOW_RATE ?? 50);
const ACCEPT = { accept: 'application/fhir+json' };

const log = (text: string) => console.log(`  .. ${text}`);
const ms = (n: number) => n.toFixed(2);

interface Leg {
  name: string;
  target: MixTarget;
}

function floorScript(): string {
  // dist/bench → the repository root → ../shared/bench/floor-proxy.mjs
  return (
    process.env.BENCH_FLOOR_PROXY ??
    resolve(join(__dirname, '..', '..'), '..', 'shared', 'bench', 'floor-proxy.mjs')
  );
}

function upstreamTarget(url: string): MixTarget {
  const u = new URL(url);
  return {
    origin: u.origin,
    prefix: u.pathname.replace(/\/$/, ''),
    patient: UPSTREAM_PATIENT,
    headers: ACCEPT,
  };
}

function gatewayTarget(gateway: Started): MixTarget {
  return {
    origin: gateway.url,
    prefix: '/fhir',
    patient: `Patient/${gateway.patient}`,
    headers: { ...ACCEPT, authorization: `Bearer ${gateway.accessToken}` },
  };
}

async function observationOf(sandboxUrl: string): Promise<string> {
  const res = await fetch(`${sandboxUrl}/Observation?patient=${UPSTREAM_PATIENT}&_count=1`, {
    headers: ACCEPT,
  });
  const body = (await res.json()) as { entry?: { resource: { id: string } }[] };
  const id = body.entry?.[0]?.resource.id;
  if (!id) throw new Error(`the sandbox has no Observation of ${UPSTREAM_PATIENT}`);
  return id;
}

/** Item 11: each request of the mix alone, one after another, straight to the sandbox. */
async function sandboxLatencies(sandboxUrl: string, observationId: string): Promise<void> {
  const mix = await buildMix(upstreamTarget(sandboxUrl), observationId);
  const origin = new URL(sandboxUrl).origin;
  console.log('\n### The sandbox alone: each request of the mix 40 times in a row (ms)\n');
  console.log('| request | p50 | max |');
  console.log('|---|---|---|');
  for (const request of mix.requests) {
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const started = performance.now();
      const res = await fetch(`${origin}${request.path}`, { headers: request.headers });
      await res.arrayBuffer();
      times.push(performance.now() - started);
    }
    console.log(`| ${decodeURIComponent(request.path)} | ${ms(median(times))} | ${ms(Math.max(...times))} |`);
  }
}

async function compare(upstreamName: string, legs: Leg[], observationId: string): Promise<void> {
  console.log(`\n### Against the ${upstreamName}\n`);
  const mixes = new Map<string, Awaited<ReturnType<typeof buildMix>>>();
  for (const leg of legs) {
    const mix = await buildMix(leg.target, observationId);
    mixes.set(leg.name, mix);
    console.log(
      `- ${leg.name}: ${mix.checks.join(', ')}${mix.followedNext ? '' : ' (no next link: first page twice)'}`,
    );
  }
  for (const leg of legs)
    await load(leg.target.origin, mixes.get(leg.name)!.requests, { connections: CONNECTIONS, seconds: 2 });

  const saturated = new Map<string, Measured[]>(legs.map((l) => [l.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const leg of legs) {
      const m = await load(leg.target.origin, mixes.get(leg.name)!.requests, {
        connections: CONNECTIONS,
        seconds: SECONDS,
      });
      saturated.get(leg.name)!.push(m);
      log(
        `${upstreamName}, round ${round}, ${leg.name}: ${m.requestsPerSecond.toFixed(0)} req/s, p50 ${ms(m.p50)}, p99 ${ms(m.p99)}${m.failed ? `, ${m.failed} failed` : ''}`,
      );
    }
  }
  const fixedAt = async (rate: number): Promise<Map<string, Measured[]>> => {
    const fixed = new Map<string, Measured[]>([
      [legs[0]!.name, []],
      [legs[2]!.name, []],
    ]);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const leg of [legs[0]!, legs[2]!]) {
        const m = await load(leg.target.origin, mixes.get(leg.name)!.requests, {
          connections: 8,
          seconds: SECONDS,
          rate,
        });
        fixed.get(leg.name)!.push(m);
        log(
          `${upstreamName}, ${rate} req/s, round ${round}, ${leg.name}: p50 ${ms(m.p50)}, p99 ${ms(m.p99)}${m.failed ? `, ${m.failed} failed` : ''}`,
        );
      }
    }
    return fixed;
  };
  const fixedRates = [
    { rate: RATE, fixed: await fixedAt(RATE) },
    { rate: LOW_RATE, fixed: await fixedAt(LOW_RATE) },
  ];

  const med = (name: string, pick: (m: Measured) => number, from = saturated) =>
    median(from.get(name)!.map(pick));
  const direct = med(legs[0]!.name, (m) => m.requestsPerSecond);
  console.log(
    `\n| path (${CONNECTIONS} connections, ${SECONDS} s, median of ${ROUNDS}) | requests/s | ratio to direct | p50 / p99 ms |`,
  );
  console.log('|---|---|---|---|');
  for (const leg of legs) {
    const rps = med(leg.name, (m) => m.requestsPerSecond);
    console.log(
      `| ${leg.name} | ${rps.toFixed(0)} | ${(rps / direct).toFixed(2)} | ${ms(med(leg.name, (m) => m.p50))} / ${ms(med(leg.name, (m) => m.p99))} |`,
    );
  }
  const floorRps = med(legs[1]!.name, (m) => m.requestsPerSecond);
  const gatewayRps = med(legs[2]!.name, (m) => m.requestsPerSecond);
  console.log(`\n- gateway / floor throughput: ${(gatewayRps / floorRps).toFixed(2)} (target at least 0.5)`);
  console.log(`- floor / direct throughput: ${(floorRps / direct).toFixed(2)}`);
  for (const { rate, fixed } of fixedRates) {
    const d50 = med(legs[0]!.name, (m) => m.p50, fixed);
    const d99 = med(legs[0]!.name, (m) => m.p99, fixed);
    const g50 = med(legs[2]!.name, (m) => m.p50, fixed);
    const g99 = med(legs[2]!.name, (m) => m.p99, fixed);
    console.log(
      `- at ${rate} requests/s: direct p50 ${ms(d50)} / p99 ${ms(d99)} ms, gateway p50 ${ms(g50)} / p99 ${ms(g99)} ms: added p50 ${ms(g50 - d50)} ms${rate === RATE ? ' (target under 2)' : ''}, added p99 ${ms(g99 - d99)} ms`,
    );
  }
}

async function scale(replayUrl: string, observationId: string): Promise<void> {
  console.log('\n### The gateway with 100 and with 10,000 clients in its own database (replay upstream)\n');
  log('starting two gateways (importing 10,000 clients into PGlite takes a few minutes)');
  const starting = await Promise.allSettled(
    [100, LARGE].map((n) => startChild(['gateway', String(n), replayUrl, CLIENT], log)),
  );
  const gateways = starting.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = starting.find((s) => s.status === 'rejected');
  if (failure) {
    await Promise.all(gateways.map((g) => g.stop()));
    throw failure.reason;
  }
  try {
    const names = ['100 clients', `${LARGE.toLocaleString('en')} clients`];
    const mixes = await Promise.all(gateways.map((g) => buildMix(gatewayTarget(g), observationId)));
    mixes.forEach((m, i) => console.log(`- ${names[i]}: ${m.checks.join(', ')}`));
    for (const [i, g] of gateways.entries())
      await load(g.url, mixes[i]!.requests, { connections: 8, seconds: 2 });
    const p50s: number[][] = [[], []];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [i, g] of gateways.entries()) {
        const m = await load(g.url, mixes[i]!.requests, { connections: 8, seconds: SECONDS, rate: LOW_RATE });
        p50s[i]!.push(m.p50);
        log(`${LOW_RATE} req/s, round ${round}, ${names[i]}: p50 ${ms(m.p50)}, p99 ${ms(m.p99)}`);
      }
    }
    const [small, large] = p50s.map(median) as [number, number];
    console.log(
      `\n- p50 at ${LOW_RATE} requests/s (the gateway saturates below ${RATE} here): ${ms(small)} ms with 100 clients, ${ms(large)} ms with ${LARGE.toLocaleString('en')}: ${(((large - small) / small) * 100).toFixed(1)}% (target within 10%)`,
    );
  } finally {
    await Promise.all(gateways.map((g) => g.stop()));
  }
}

export async function benchFhirApi(options: { clients: number }): Promise<void> {
  console.log(`\n## The FHIR API (sandbox of ${options.clients} clients, logged in as ${CLIENT})`);
  const started: Started[] = [];
  const keep = (s: Started) => (started.push(s), s);
  try {
    const sandbox = keep(await startChild(['sandbox', String(options.clients)], log));
    console.log(
      `- generateSandboxData({clients: ${options.clients}}): ${sandbox.generateSeconds?.toFixed(1)} s; loading the sandbox's repository: ${sandbox.loadSeconds?.toFixed(1)} s`,
    );
    const replay = keep(await startChild(['replay', sandbox.url], log));
    const observationId = await observationOf(sandbox.url);
    await sandboxLatencies(sandbox.url, observationId);

    const script = floorScript();
    const haveFloor = existsSync(script);
    if (!haveFloor)
      console.log(`\n(${script} not found: the floor proxy leg is skipped; set BENCH_FLOOR_PROXY)`);
    log('starting the gateways on the sandbox and on the replay upstream');
    const [onSandbox, onReplay] = await Promise.all(
      [sandbox.url, replay.url].map(async (url) =>
        keep(await startChild(['gateway', String(options.clients), url, CLIENT], log)),
      ),
    );
    for (const [name, upstream, gateway] of [
      ['sandbox', sandbox, onSandbox!],
      ['replay upstream', replay, onReplay!],
    ] as const) {
      const floor = haveFloor ? keep(await startFloor(script, upstream.url, UPSTREAM_PATIENT)) : undefined;
      const legs: Leg[] = [
        { name: 'direct', target: upstreamTarget(upstream.url) },
        ...(floor
          ? [
              {
                name: 'floor proxy',
                target: { ...upstreamTarget(upstream.url), origin: floor.url, prefix: '' },
              },
            ]
          : []),
        { name: 'gateway', target: gatewayTarget(gateway) },
      ];
      if (legs.length === 3) await compare(name, legs, observationId);
      else console.log(`(no floor: ${name} comparison skipped)`);
      await floor?.stop();
      await gateway.stop();
    }
    await scale(replay.url, observationId);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}
