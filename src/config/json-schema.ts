import { z } from 'zod';
import { castConfigSchema, httpUrlSchema, validUntilSchema } from './schema.js';

/** One line per top-level field, shown by editors and admin UIs. */
const descriptions: Readonly<Record<keyof typeof castConfigSchema.shape, string>> = {
  name: 'The unique name of this config, for administration only.',
  key: 'The cast key in the link (/#/cast/<key>): 1-128 of A-Z a-z 0-9 _ -. A bearer secret for anonymous configs: use 16+ random characters.',
  imageId: 'The workspace (image) the sessions run.',
  launcherBackgroundUrl: 'Background image URL for the workspaces launcher.',
  allowResume: 'Resume a signed-in user’s running session instead of creating a new one.',
  allowAnonymous: 'Serve requests without sign-in, creating an anonymous user for each new session.',
  requireCaptcha: 'Require a captcha from anonymous requests.',
  anonymousGroupId: 'The group anonymous users join, besides All Users.',
  sessionsRemaining: 'How many more sessions this link serves; absent means no limit, 0 means none left.',
  ipRateLimit: 'At most `sessions` sessions per client address (IPv6: per /64) within `withinSeconds`.',
  kasmUrl: 'The KASM_URL environment variable of created sessions.',
  dynamicKasmUrl: 'Let the link set KASM_URL with a kasm_url query parameter.',
  kasmUrlAllowedHosts: 'Hosts a dynamic kasm_url may point at (example.com, *.example.com).',
  dynamicDockerNetwork: 'Let the link choose the Docker network with a docker_network query parameter.',
  allowedDockerNetworks: 'The Docker networks a dynamic docker_network may name (the whole allow-list when set).',
  errorUrl: 'Send users here on an error, with error=<code> and message=<text> in the query.',
  disableControlPanel: 'Hide the session control panel.',
  disableTips: 'Do not show the tips dialogue.',
  enableSharing: 'Start sessions with sharing on.',
  disableFixedResolution: 'Keep the resolution dynamic in sharing mode.',
  allowedReferrers: 'Domains the link may be opened from (example.com, *.example.com); empty means any. Anti-hotlinking, not authentication.',
  allowMissingReferrer: 'Let requests without a Referer through when allowedReferrers is set.',
  enforceClientSettings: 'Apply clientSettings to sessions, overriding the user’s group settings.',
  clientSettings: 'Client settings applied when enforceClientSettings is on; unset ones are off.',
  remoteApp: 'The RDP RemoteApp to start and how URL parameters become its arguments.',
  validUntil: 'The link stops working at this instant (ISO 8601 with an offset).',
  maxLiveSessions: 'At most this many sessions of this link run at once (leases renewed by the host).',
  maxLiveSessionsPerClient: 'At most this many sessions per client address (IPv6: per /64) run at once.',
  requireSignedLink: 'Serve only requests carrying a valid signed link token (signCastLink).',
};

/**
 * The JSON Schema (draft 2020-12) of the config input that `parseCastConfig` accepts, generated
 * from {@link castConfigSchema} by zod 4: for editors and admin UIs. An object at its root with
 * `properties`, `additionalProperties: false` on every object, the same numeric and length bounds
 * as the zod schema, URL fields as `format: uri` and `validUntil` as a `format: date-time` string.
 * Checks it cannot express (RE2 patterns, referrer normalisation, duplicates, prototype keys, size
 * caps) are still `parseCastConfig`'s. Answers a new object on every call.
 *
 * @example
 * ```ts
 * import { castConfigJsonSchema } from 'castgate';
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('cast-config.schema.json', JSON.stringify(castConfigJsonSchema(), null, 2));
 * ```
 */
export function castConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(castConfigSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === validUntilSchema) {
        for (const key of Object.keys(jsonSchema)) Reflect.deleteProperty(jsonSchema, key);
        Object.assign(jsonSchema, { type: 'string', format: 'date-time' });
      } else if (zodSchema === httpUrlSchema) {
        jsonSchema.format = 'uri';
      }
    },
  }) as Record<string, unknown>;
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  for (const [name, description] of Object.entries(descriptions)) {
    const property = properties[name];
    if (property !== undefined) property.description = description;
  }
  return { $schema: schema.$schema, title: 'castgate casting config', ...schema };
}
