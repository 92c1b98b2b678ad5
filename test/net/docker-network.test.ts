import { describe, expect, it } from 'vitest';
import { dockerNetworkName } from '../../src/net/docker-network.js';

describe('Docker network names', () => {
  it.each(['kiosk', 'k', 'net_1.prod-2', `a${'b'.repeat(127)}`])('accepts %s', (name) => {
    expect(dockerNetworkName.test(name)).toBe(true);
  });

  it.each(['', '-kiosk', '.kiosk', '_kiosk', 'kiosk net', 'kiosk/1', `a${'b'.repeat(128)}`, 'kiosk\n'])('refuses %j', (name) => {
    expect(dockerNetworkName.test(name)).toBe(false);
  });
});
