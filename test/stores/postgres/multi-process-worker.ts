// A worker process of multi-process.test.ts: decides its share of the requests with evaluateCast on
// PostgreSQL stores shared with the other workers (through its own connections), and reports every outcome.
import { createMemoryStores, evaluateCast, parseCastConfig } from '../../../src/index.js';
import { createPostgresStores } from '../../../src/stores/postgres/index.js';
import { connect, type ServerClientKind } from './clients.js';

/** What the parent sends once every worker is ready. */
export interface WorkerJob {
  readonly type: 'go';
  readonly config: unknown;
  readonly ips: readonly string[];
  readonly nowMs: number;
}

/** What a worker answers: one outcome per request, in order (`created` or the denial code). */
export interface WorkerReport {
  readonly type: 'done';
  readonly outcomes: readonly { ip: string; outcome: string }[];
}

const url = process.env.CASTGATE_POSTGRES_URL ?? '';
const schema = process.env.CASTGATE_POSTGRES_SCHEMA ?? 'castgate';
const kind = (process.env.CASTGATE_POSTGRES_CLIENT ?? 'node-postgres Pool') as ServerClientKind;

const send = (message: unknown): void => {
  process.send?.(message);
};

const { client, close } = await connect(kind, url, { max: 4 });
// Generous deadlines: two shared cores run four workers; a timeout would under-serve, not test atomicity.
const stores = { ...createMemoryStores(), ...createPostgresStores(client, { schema, commandTimeoutMs: 15_000 }) };

process.once('message', (job: WorkerJob) => {
  const config = parseCastConfig(job.config);
  const now = new Date(job.nowMs);
  void Promise.all(
    job.ips.map(async (ip) => {
      const decision = await evaluateCast(config, { ip, now }, stores, { storeTimeoutMs: 20_000 });
      return { ip, outcome: decision.allowed ? decision.outcome : decision.error.code };
    }),
  ).then(async (outcomes) => {
    const report: WorkerReport = { type: 'done', outcomes };
    send(report);
    await close();
    process.disconnect();
  });
});
send({ type: 'ready' });
