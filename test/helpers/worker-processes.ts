import { fork, type ChildProcess } from 'node:child_process';

/**
 * Runs one worker process (a TypeScript file, through tsx) per job, with the environment `envOf(i)`
 * adds, and drives the protocol the multi-process tests share: every worker sends `{ type: 'ready' }`
 * once connected; when all are ready, each gets `{ type: 'go', ...job }` at once, and answers with its
 * report `{ type: 'done', ... }`. Rejects when a worker exits before a message; kills what is left.
 */
export async function runWorkerProcesses<Report>(
  workerPath: string,
  jobs: readonly object[],
  envOf: (index: number) => Record<string, string>,
): Promise<Report[]> {
  const workers: ChildProcess[] = jobs.map((_, i) =>
    fork(workerPath, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...envOf(i) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const message = (worker: ChildProcess, type: string) =>
    new Promise<unknown>((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type) {
          worker.off('message', onMessage);
          resolve(m);
        }
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) => {
        reject(new Error(`worker exited (${code ?? 'signal'}) before sending ${type}`));
      });
    });
  try {
    await Promise.all(workers.map((worker) => message(worker, 'ready')));
    const reports = workers.map((worker) => message(worker, 'done'));
    workers.forEach((worker, i) => worker.send({ type: 'go', ...jobs[i] }));
    return (await Promise.all(reports)) as Report[];
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill();
  }
}
