/**
 * The names of the twelve client settings a config can enforce, in Kasm's order (camelCase).
 *
 * @example
 * ```ts
 * import { clientSettingNames } from 'castgate';
 * clientSettingNames.includes('allowAudio'); // true
 * ```
 */
export const clientSettingNames = [
  'allowAudio',
  'audioDefaultOn',
  'allowDownloads',
  'allowClipboardDown',
  'allowClipboardUp',
  'allowMicrophone',
  'allowUploads',
  'allowGamepad',
  'allowSharing',
  'imeModeDefaultOn',
  'allowWebcam',
  'allowPrinting',
] as const;

/**
 * One of the twelve client settings.
 *
 * @example
 * ```ts
 * import type { ClientSettingName } from 'castgate';
 * const name: ClientSettingName = 'allowUploads';
 * ```
 */
export type ClientSettingName = (typeof clientSettingNames)[number];

/**
 * All twelve client settings, each on or off.
 *
 * @example
 * ```ts
 * import type { ClientSettings } from 'castgate';
 * const canCopyOut = (s: ClientSettings) => s.allowClipboardDown;
 * ```
 */
export type ClientSettings = { readonly [K in ClientSettingName]: boolean };

/**
 * The session options of a casting config, as the plan hands them to the host.
 *
 * @example
 * ```ts
 * import type { SessionOptions } from 'castgate';
 * const options: SessionOptions = { disableControlPanel: true, disableTips: true, enableSharing: false, disableFixedResolution: false };
 * ```
 */
export interface SessionOptions {
  readonly disableControlPanel: boolean;
  readonly disableTips: boolean;
  readonly enableSharing: boolean;
  readonly disableFixedResolution: boolean;
  readonly launcherBackgroundUrl?: string;
}

/**
 * The RemoteApp to start: its name as Kasm writes it, the argument list, and the one Windows command
 * line that `CommandLineToArgvW` splits back into exactly `argv`.
 *
 * @example
 * ```ts
 * import type { RemoteAppLaunch } from 'castgate';
 * const app: RemoteAppLaunch = { name: '||Microsoft Excel', argv: ['C:\\a b.xlsx'], commandLine: '"C:\\a b.xlsx"' };
 * ```
 */
export interface RemoteAppLaunch {
  readonly name: string;
  readonly argv: readonly string[];
  readonly commandLine: string;
}

/**
 * The user a session runs as: anonymous (created by the provisioner, in All Users plus the config's
 * anonymous group) or the signed-in user.
 *
 * @example
 * ```ts
 * import type { LaunchUser } from 'castgate';
 * const user: LaunchUser = { anonymous: false, id: 'u-42', groupIds: [] };
 * ```
 */
export interface LaunchUser {
  readonly anonymous: boolean;
  readonly id?: string;
  readonly groupIds: readonly string[];
}

/**
 * Everything a host needs to start a session (SPEC §4). A property that does not apply is absent.
 *
 * @example
 * ```ts
 * import type { LaunchPlan } from 'castgate';
 * const start = (plan: LaunchPlan) => ({ image: plan.imageId, env: plan.env, network: plan.dockerNetwork });
 * ```
 */
export interface LaunchPlan {
  readonly imageId: string;
  readonly env: Readonly<Record<string, string>>;
  readonly dockerNetwork?: string;
  readonly sessionOptions: SessionOptions;
  readonly clientSettings?: ClientSettings;
  readonly remoteApp?: RemoteAppLaunch;
  readonly user: LaunchUser;
  readonly openInNewTab?: string;
  readonly persistentProfile: boolean;
}

/**
 * The id castgate gives Kasm's built-in "All Users" group, which every anonymous user joins: the
 * first of an anonymous plan's `user.groupIds`. Map it to your backend's own group id.
 *
 * @example
 * ```ts
 * import { allUsersGroupId, type LaunchPlan } from 'castgate';
 * const groupsFor = (plan: LaunchPlan) => plan.user.groupIds.map((id) => (id === allUsersGroupId ? 'kasm-all-users-uuid' : id));
 * ```
 */
export const allUsersGroupId = 'all-users';
