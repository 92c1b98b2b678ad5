import { randomFillSync } from 'node:crypto';
import { isIPv4 } from 'node:net';
import RE2 from 're2';
import { quoteWindowsArg, type CastConfig } from 'castgate';
import type { BenchTask } from '../harness.js';

/**
 * The name of the floor's task in both memory parts: the same work written out by hand with nothing
 * else, whose ratio bounds what any implementation could reach on that workload.
 */
export const floorName = 'hand-written floor (same work, nothing else)';

/** The workload a floor decides: the bench's config (an anonymous remote-app link), its limit and window, and how many sessions it remembers. */
export interface FloorWorkload {
  readonly config: CastConfig;
  readonly limit: number;
  readonly windowMs: number;
  /** Sessions kept, oldest forgotten first: 10,000 like `createMemoryStores()`' provisioner, 0 like a provisioner that keeps nothing. */
  readonly keepSessions: number;
}

/** One request as the memory parts make it. */
export interface FloorRequest {
  readonly ip: string;
  readonly referrer: string;
  readonly query: { readonly file?: string | undefined };
}

/** The default guards and what each answers on this path (the config leaves five with nothing to check). */
const traceSteps = [
  ['expiry', 'skip'],
  ['referrer', 'pass'],
  ['signedLink', 'skip'],
  ['authentication', 'pass'],
  ['parameters', 'pass'],
  ['captcha', 'skip'],
  ['resume', 'skip'],
  ['rateLimit', 'pass'],
  ['quota', 'pass'],
  ['liveSessions', 'skip'],
  ['provision', 'pass'],
] as const;

/**
 * A lower bound, not a product: the work of the memory parts' anonymous path written out by hand in
 * one synchronous function, with everything castgate does besides left out. It takes IPv4 only and
 * validates nothing; it reads the Referer's host with `indexOf`; it keeps a slot log per key without
 * reservations, sweeps, a key cap or eviction; a quota is one counter; nothing can fail, time out or
 * be given back; there are no guards, no pipeline and no options. What it keeps is what a decision
 * must produce: the referrer check, the RE2 pattern (its latest answer kept, as castgate keeps it)
 * and the quoted command line, an exact sliding window per client, a quota unit, a session with
 * random ids (remembered, up to `keepSessions`), and a decision with its launch plan and an eleven-guard
 * trace timed by six clock reads. Its throughput is therefore more than castgate's could be for this
 * work: its ratio to the baseline bounds the ratio any implementation of SPEC §3 can reach here.
 */
export function floorDecider(workload: FloorWorkload): (request: FloorRequest) => object | null {
  const { config, limit, windowMs, keepSessions } = workload;
  const remoteApp = config.remoteApp!;
  const arg = remoteApp.args[0]!;
  const pattern = new RE2(`^(?:${arg.valuePattern!})$`, 'u');
  const listed = new Set(config.allowedReferrers.filter((host) => !host.startsWith('*.')));
  const suffixes = config.allowedReferrers.filter((host) => host.startsWith('*.')).map((host) => host.slice(1));
  const keyPrefix = `cast:${config.key}:v4:`;
  const staticLaunch = {
    imageId: config.imageId,
    env: {},
    sessionOptions: { disableControlPanel: false, disableTips: false, enableSharing: false, disableFixedResolution: false },
    user: { anonymous: true, groupIds: ['all-users'] },
    persistentProfile: false,
  };
  const windows = new Map<string, number[]>();
  let quota = Number.MAX_SAFE_INTEGER;
  const sessions = new Map<string, object>();
  const order: string[] = [];
  let head = 0;
  const random = new Uint8Array(16 * 512);
  let hex = '';
  let taken = 512;
  const randomId = (prefix: string): string => {
    if (taken === 512) {
      randomFillSync(random);
      hex = Buffer.from(random).toString('hex');
      taken = 0;
    }
    const at = taken++ * 32;
    return prefix + hex.slice(at, at + 32);
  };
  let lastValue: string | undefined;
  let lastMatched = false;
  let decisions = 0;

  return ({ ip, referrer, query }) => {
    const t0 = performance.now();
    if (!isIPv4(ip)) return null;
    const hostStart = referrer.indexOf('//') + 2;
    const hostEnd = referrer.indexOf('/', hostStart);
    const host = referrer.slice(hostStart, hostEnd === -1 ? referrer.length : hostEnd).toLowerCase();
    if (!listed.has(host) && !suffixes.some((suffix) => host.endsWith(suffix))) return null;
    const t1 = performance.now();
    const file = query.file;
    if (typeof file !== 'string') return null;
    if (file !== lastValue) {
      lastValue = file;
      lastMatched = pattern.test(file);
    }
    if (!lastMatched) return null;
    const commandLine = quoteWindowsArg(file);
    const t2 = performance.now();
    const nowMs = Date.now();
    const key = keyPrefix + ip;
    const times = windows.get(key);
    if (times === undefined) {
      windows.set(key, [nowMs]);
    } else {
      let low = 0;
      let high = times.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (times[mid]! <= nowMs - windowMs) low = mid + 1;
        else high = mid;
      }
      if (low > 0) times.splice(0, low);
      if (times.length >= limit) return null;
      times.push(nowMs);
    }
    const t3 = performance.now();
    if (quota <= 0) return null;
    quota--;
    const t4 = performance.now();
    const session = { id: randomId('session-'), userId: randomId('anon-') };
    const launch = { ...staticLaunch, remoteApp: { name: remoteApp.remoteAppName, argv: [file], commandLine } };
    if (keepSessions > 0) {
      sessions.set(session.id, { session, plan: launch });
      order.push(session.id);
      if (sessions.size > keepSessions) sessions.delete(order[head++]!);
      if (head >= 4096) {
        order.splice(0, head);
        head = 0;
      }
    }
    const t5 = performance.now();
    const durations = [0, t1 - t0, 0, 0, t2 - t1, 0, 0, t3 - t2, t4 - t3, 0, t5 - t4];
    const trace = traceSteps.map(([guard, verdict], i) => ({ guard, verdict, durationMs: durations[i] }));
    return { allowed: true, decisionId: `floor-${++decisions}`, outcome: 'created', session, launch, trace };
  };
}

/**
 * The floor as a bench task beside castgate's and the baseline's: built before it is measured and
 * dropped after, deciding `next()`'s request on each call; a refusal counts in `onRefused`.
 */
export function floorTask(workload: FloorWorkload, next: () => FloorRequest, onRefused: () => void): BenchTask {
  let decide: ReturnType<typeof floorDecider> | undefined;
  return {
    beforeAll: () => {
      decide = floorDecider(workload);
    },
    afterAll: () => {
      decide = undefined;
    },
    fn: async () => {
      if (decide!(next()) === null) onRefused();
    },
  };
}
