import type { LaunchPlan } from '../../src/contract/launch-plan.js';
import type { SessionProvisioner } from '../../src/contract/stores.js';

/**
 * A SessionProvisioner for tests that can be told to fail, hang or answer late: we cannot run a
 * remote desktop here, so this fake stands in for one (and only this one).
 */
export interface FakeProvisioner extends SessionProvisioner {
  readonly plans: LaunchPlan[];
  running: Map<string, { id: string; userId: string }>;
  mode: 'ok' | 'throw' | 'hang' | 'late';
  lateMs: number;
  findMode: 'ok' | 'throw';
  aborted: number;
}

export function fakeProvisioner(): FakeProvisioner {
  let counter = 0;
  const fake: FakeProvisioner = {
    plans: [],
    running: new Map(),
    mode: 'ok',
    lateMs: 50,
    findMode: 'ok',
    aborted: 0,
    findRunning({ configKey, userId }) {
      if (fake.findMode === 'throw') return Promise.reject(new Error('session backend down'));
      return Promise.resolve(fake.running.get(`${configKey}|${userId}`) ?? null);
    },
    provision({ configKey, plan, signal }) {
      signal?.addEventListener('abort', () => {
        fake.aborted++;
      });
      if (fake.mode === 'throw') return Promise.reject(new Error('no capacity'));
      if (fake.mode === 'hang') return new Promise(() => undefined);
      const session = { id: `s-${++counter}`, userId: plan.user.id ?? `anon-${counter}` };
      const done = () => {
        fake.plans.push(plan);
        fake.running.set(`${configKey}|${session.userId}`, session);
        return session;
      };
      if (fake.mode === 'late') return new Promise((resolve) => setTimeout(() => { resolve(done()); }, fake.lateMs));
      return Promise.resolve(done());
    },
  };
  return fake;
}
