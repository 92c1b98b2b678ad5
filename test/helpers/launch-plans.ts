import type { LaunchPlan } from '../../src/contract/launch-plan.js';

/** A minimal launch plan for `user`, as the provisioner tests hand it over. */
export function planFor(user: LaunchPlan['user']): LaunchPlan {
  return {
    imageId: 'desktop',
    env: {},
    sessionOptions: { disableControlPanel: false, disableTips: false, enableSharing: false, disableFixedResolution: false },
    user,
    persistentProfile: !user.anonymous,
  };
}

export const anonymousPlan = planFor({ anonymous: true, groupIds: ['all-users', 'guests'] });
export const signedInPlan = planFor({ anonymous: false, id: 'u-42', groupIds: [] });
