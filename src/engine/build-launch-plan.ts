import type { CastConfig } from '../config/schema.js';
import { allUsersGroupId, clientSettingNames, type ClientSettings, type LaunchPlan, type LaunchUser, type SessionOptions } from '../contract/launch-plan.js';
import type { NormalizedRequest } from '../contract/request.js';

interface StaticPlanParts {
  readonly sessionOptions: SessionOptions;
  readonly clientSettings: ClientSettings | undefined;
  readonly anonymousUser: LaunchUser;
  readonly env: Readonly<Record<string, string>>;
}

const staticParts = new WeakMap<CastConfig, StaticPlanParts>();
const noGroups: readonly string[] = Object.freeze([]);

function staticPartsOf(config: CastConfig): StaticPlanParts {
  let parts = staticParts.get(config);
  if (parts === undefined) {
    const sessionOptions: SessionOptions = Object.freeze({
      disableControlPanel: config.disableControlPanel,
      disableTips: config.disableTips,
      enableSharing: config.enableSharing,
      disableFixedResolution: config.disableFixedResolution,
      ...(config.launcherBackgroundUrl === undefined ? {} : { launcherBackgroundUrl: config.launcherBackgroundUrl }),
    });
    const groupIds = config.anonymousGroupId === undefined ? [allUsersGroupId] : [allUsersGroupId, config.anonymousGroupId];
    parts = {
      sessionOptions,
      clientSettings: config.enforceClientSettings ? config.clientSettings ?? allOff : undefined,
      anonymousUser: Object.freeze({ anonymous: true, groupIds: Object.freeze(groupIds) }),
      env: Object.freeze(config.kasmUrl === undefined ? {} : { KASM_URL: config.kasmUrl }),
    };
    staticParts.set(config, parts);
  }
  return parts;
}

const allOff = Object.freeze(Object.fromEntries(clientSettingNames.map((name) => [name, false]))) as ClientSettings;

/**
 * Builds the {@link LaunchPlan} from the config, the request and what the guards established (a
 * dynamic `KASM_URL`, the Docker network, the RemoteApp). The config's own parts are built once per
 * config and shared (frozen).
 */
export function buildLaunchPlan(
  config: CastConfig,
  request: NormalizedRequest,
  facts: Readonly<Partial<LaunchPlan>>,
  openInNewTab?: string,
): LaunchPlan {
  const parts = staticPartsOf(config);
  const user: LaunchUser = request.user === null ? parts.anonymousUser : { anonymous: false, id: request.user.id, groupIds: noGroups };
  const plan: { -readonly [K in keyof LaunchPlan]: LaunchPlan[K] } = {
    imageId: config.imageId,
    env: facts.env === undefined ? parts.env : { ...parts.env, ...facts.env },
    sessionOptions: parts.sessionOptions,
    user,
    // Every signed-in user loads their persistent profile (SPEC §A); anonymous users have none.
    persistentProfile: request.user !== null,
  };
  if (facts.dockerNetwork !== undefined) plan.dockerNetwork = facts.dockerNetwork;
  if (parts.clientSettings !== undefined) plan.clientSettings = parts.clientSettings;
  if (facts.remoteApp !== undefined) plan.remoteApp = facts.remoteApp;
  if (openInNewTab !== undefined) plan.openInNewTab = openInNewTab;
  return plan;
}
