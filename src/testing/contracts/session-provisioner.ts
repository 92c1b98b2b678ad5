import { notStrictEqual, ok, strictEqual } from 'node:assert/strict';
import type { LaunchPlan, LaunchUser } from '../../contract/launch-plan.js';
import type { SessionProvisioner } from '../../contract/stores.js';
import type { ContractCase } from './contract.js';

/** A launch plan as the engine hands it over: deep-frozen. */
function planFor(user: LaunchUser): LaunchPlan {
  return Object.freeze({
    imageId: 'contract-image',
    env: Object.freeze({ KASM_URL: 'https://example.com/' }),
    sessionOptions: Object.freeze({ disableControlPanel: false, disableTips: false, enableSharing: false, disableFixedResolution: false }),
    user: Object.freeze({ ...user, groupIds: Object.freeze([...user.groupIds]) }),
    persistentProfile: !user.anonymous,
  });
}

const anonymousPlan = planFor({ anonymous: true, groupIds: ['all-users', 'guests'] });
const signedIn = (id: string): LaunchPlan => planFor({ anonymous: false, id, groupIds: ['all-users'] });

/** Checks the shape of a provisioned session. */
function assertSession(session: { id: string; userId: string }): void {
  ok(typeof session.id === 'string' && session.id !== '', `a session id is a non-empty string, got ${JSON.stringify(session.id)}`);
  ok(typeof session.userId === 'string' && session.userId !== '', `a user id is a non-empty string, got ${JSON.stringify(session.userId)}`);
}

type Case = ContractCase<SessionProvisioner>;

const cases: Case[] = [
  {
    name: 'finds nothing running for a user it never started a session for (null or undefined)',
    async run(make) {
      const sessions = await make();
      ok((await sessions.findRunning({ configKey: 'contract-config', userId: 'nobody' })) == null);
    },
  },
  {
    name: 'provisions a signed-in plan for that user: the answer carries the plan\'s user id',
    async run(make) {
      const sessions = await make();
      const session = await sessions.provision({ configKey: 'contract-config', plan: signedIn('u-contract-1') });
      assertSession(session);
      strictEqual(session.userId, 'u-contract-1');
    },
  },
  {
    name: 'creates a fresh user for every anonymous plan, and a distinct session each time',
    async run(make) {
      const sessions = await make();
      const first = await sessions.provision({ configKey: 'contract-config', plan: anonymousPlan });
      const second = await sessions.provision({ configKey: 'contract-config', plan: anonymousPlan });
      assertSession(first);
      assertSession(second);
      notStrictEqual(first.userId, second.userId);
      notStrictEqual(first.id, second.id);
    },
  },
  {
    name: 'finds the running session of a signed-in user it provisioned (for resume), with that user id',
    async run(make) {
      const sessions = await make();
      const session = await sessions.provision({ configKey: 'contract-config', plan: signedIn('u-contract-2') });
      const running = await sessions.findRunning({ configKey: 'contract-config', userId: 'u-contract-2' });
      ok(running != null, 'the provisioned session is found');
      strictEqual(running.id, session.id);
      strictEqual(running.userId, 'u-contract-2');
    },
  },
  {
    name: 'keeps configs and users apart: another config or another user finds nothing',
    async run(make) {
      const sessions = await make();
      await sessions.provision({ configKey: 'contract-config', plan: signedIn('u-contract-3') });
      ok((await sessions.findRunning({ configKey: 'other-config', userId: 'u-contract-3' })) == null, 'another config');
      ok((await sessions.findRunning({ configKey: 'contract-config', userId: 'u-contract-4' })) == null, 'another user');
    },
  },
  {
    name: 'answers 20 concurrent provisions with 20 distinct sessions',
    async run(make) {
      const sessions = await make();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => sessions.provision({ configKey: 'contract-config', plan: i % 2 === 0 ? anonymousPlan : signedIn(`u-burst-${i}`) })),
      );
      for (const session of results) assertSession(session);
      strictEqual(new Set(results.map((s) => s.id)).size, 20);
    },
  },
];

/**
 * The contract every {@link SessionProvisioner} keeps (SPEC §2, §3.9, §A), as runner-neutral cases:
 * a signed-in plan is provisioned for its user, an anonymous plan gets a fresh user every time,
 * sessions have distinct non-empty ids, plans arrive frozen, and `findRunning` finds a signed-in
 * user's session on its config (what resume needs) and nothing for anyone else. A provisioner
 * that never resumes may leave out the case named "finds the running session…" (filter by name).
 *
 * @example
 * ```ts
 * import { it } from 'vitest';
 * import { createMemoryProvisioner } from 'castgate';
 * import { runContract, sessionProvisionerContract } from 'castgate/testing';
 * runContract(sessionProvisionerContract, () => createMemoryProvisioner(), it);
 * ```
 */
export const sessionProvisionerContract: readonly ContractCase<SessionProvisioner>[] = Object.freeze(cases);
