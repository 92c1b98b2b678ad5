import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { ratio } from '../harness.js';
import { addressPool, fullPathConfig, poolSize } from './memory.js';

const serverScript = fileURLToPath(new URL('../http-server.ts', import.meta.url));
const benchTsconfig = fileURLToPath(new URL('../tsconfig.bench.json', import.meta.url));

async function startServer(args: string[]): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript, ...args], {
    env: { ...process.env, TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH ?? benchTsconfig },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => { reject(new Error(`bench server exited with ${String(code)}`)); });
    child.stdout.once('data', (chunk: Buffer) => { resolve(Number(chunk.toString().trim())); });
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

async function load(port: number, seconds: number, path: string): Promise<{ reqPerSec: number; non2xx: number }> {
  const addresses = addressPool();
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 64,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path,
        // Each request comes "through" the loopback proxy from another client, so the per-IP limit
        // measures allowed decisions; Express resolves req.ip from X-Forwarded-For for loopback only.
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, accept: 'application/json', referer: 'https://example.com/page', 'x-forwarded-for': addresses[n++ & (poolSize - 1)]! },
        }),
      },
    ],
  });
  return { reqPerSec: Math.round(result.requests.average), non2xx: result.non2xx };
}

/** The frameworks the HTTP bench runs castgate's adapter on, and the name of each baseline. */
export type HttpFramework = 'express' | 'fastify' | 'hono';
const baselineNames: Readonly<Record<HttpFramework, string>> = {
  express: 'bare Express 5 route, same JSON',
  fastify: 'bare Fastify 5 route, same JSON',
  hono: 'bare Hono route on @hono/node-server, same JSON',
};

/**
 * castgate's adapter for `framework` (full anonymous path, memory stores) under autocannon (64
 * connections) next to a bare route of the same framework answering the same JSON, each server in
 * its own process, alternating rounds, each server warmed up alike before its measured run.
 */
export async function benchHttp(smoke: boolean, framework: HttpFramework = 'express') {
  const seconds = smoke ? 1 : 10;
  const rounds = smoke ? 1 : 2;
  // Each server first serves this long unmeasured, as the other parts warm up before they measure:
  // the rounds then compare steady states, not how long each side's code takes to be optimised.
  const warmupSeconds = smoke ? 0 : 2;
  const path = `/cast/${fullPathConfig.key}?file=${encodeURIComponent('C:\\Reports\\Q1 2030.xlsx')}`;
  let castgateBest = 0;
  let floorBest = 0;
  let baselineBest = 0;
  let sample: unknown;
  /** Starts one side, warms it up, and answers its requests per second under load. */
  const measureSide = async (mode: 'castgate' | 'floor' | 'baseline'): Promise<number> => {
    const server = await startServer(mode === 'baseline' ? [framework, mode, JSON.stringify(sample)] : [framework, mode]);
    try {
      const probe = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: { accept: 'application/json', referer: 'https://example.com/page' } });
      if (probe.status !== 200) throw new Error(`the ${mode} route answered ${probe.status}: ${await probe.text()}`);
      if (mode === 'castgate') sample = await probe.json();
      if (warmupSeconds > 0) await load(server.port, warmupSeconds, path);
      const run = await load(server.port, seconds, path);
      if (run.non2xx > 0) throw new Error(`${run.non2xx} ${mode} answers were not 2xx: the bench must measure allowed decisions`);
      return run.reqPerSec;
    } finally {
      server.stop();
    }
  };
  // Alternate the servers and keep each one's best round: a shared machine's noise hits all three.
  for (let round = 0; round < rounds; round++) {
    castgateBest = Math.max(castgateBest, await measureSide('castgate'));
    floorBest = Math.max(floorBest, await measureSide('floor'));
    baselineBest = Math.max(baselineBest, await measureSide('baseline'));
  }
  return {
    castgate: { reqPerSec: castgateBest },
    baseline: { name: baselineNames[framework], reqPerSec: baselineBest },
    ratio: ratio(castgateBest, baselineBest),
    floor: { name: 'castgate adapter, hand-written floor for the engine', reqPerSec: floorBest, ratio: ratio(floorBest, baselineBest) },
    connections: 64,
    seconds,
    warmupSeconds,
    rounds,
  };
}
