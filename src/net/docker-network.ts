/**
 * A Docker network name as castgate accepts it (in a config's `allowedDockerNetworks` and a
 * request's `docker_network`): a letter or digit, then up to 127 letters, digits, `_`, `.` or `-`.
 */
export const dockerNetworkName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/u;
