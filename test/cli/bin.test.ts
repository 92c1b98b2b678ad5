// The castgate bin as users run it: the BUILT dist/cli.js (rebuilt with tsup when older than src/) in
// a child process. test/cli/main.test.ts runs the CLI module in-process on the sources instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLinkToken } from '../../src/signed-links/verify.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const builtFiles = [cli, join(root, 'dist', 'index.js')];

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds with tsup when dist/cli.js or dist/index.js is missing or older than any source file. */
function ensureBuilt(): void {
  const sourcesMs = Math.max(newestSourceMs(join(root, 'src')), statSync(join(root, 'tsup.config.ts')).mtimeMs);
  const fresh = builtFiles.every((file) => existsSync(file) && statSync(file).mtimeMs >= sourcesMs);
  if (!fresh) execFileSync('npx', ['tsup', '--silent'], { cwd: root, stdio: 'ignore', timeout: 300_000 });
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function castgate(...args: string[]): Run {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const samples = join(root, 'examples', 'configs.json');
const excelKey = 'excel-W5nYSY2wG3YU4JLLtq';
const portalKey = 'portal-TJkeRD8ELiQjMkdj8S';
let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'castgate-cli-'));
  const good = { name: 'Demo', key: 'demo-Zq3v9Kp2Lm8Xr4Td', imageId: 'kasmweb/chrome', allowAnonymous: true, allowedReferrers: ['example.com'] };
  writeFileSync(file('one.json'), JSON.stringify(good));
  writeFileSync(
    file('problems.json'),
    JSON.stringify([
      good,
      { name: 'Broken', key: 'broken-Zq3v9Kp2Lm8Xr4Td', imageId: 'img', ipRateLimit: { sessions: 0, withinSeconds: 60 }, errorUrl: 'javascript:alert(1)' },
      { ...good, name: 'Copy' },
    ]),
  );
  writeFileSync(file('short-key.json'), JSON.stringify({ ...good, key: 'abc' }));
  writeFileSync(file('not-json.json'), '{ "name": ');
  const kasm = {
    casting_config_name: 'Kasm export',
    key: 'kasm-Zq3v9Kp2Lm8Xr4TdAb',
    image_id: '2a1b3c4d',
    allow_anonymous: true,
    allowed_referrers: 'Example.com\nportal.example.com\n',
    limit_ips: true,
    ip_request_limit: 1,
    ip_request_seconds: 60,
    remote_app_configs: '{}',
    valid_until: '2030-01-01 00:00:00',
    cast_config_id: 'read-only-id',
  };
  writeFileSync(file('kasm.json'), JSON.stringify(kasm));
  writeFileSync(file('kasm-bad.json'), JSON.stringify({ ...kasm, image_idd: 'typo', ip_request_seconds: -5 }));
  writeFileSync(
    file('kasm-warnings.json'),
    JSON.stringify({
      ...kasm,
      limit_sessions: true,
      session_remaining: -2,
      ip_request_limit: 50_000,
      remote_app_configs: { remote_app_name: '||Reader', args: [{ argument_name: '/p /safe', url_param_name: 'file', value_pattern: '\\.pdf' }] },
    }),
  );
  writeFileSync(file('captcha.json'), JSON.stringify({ ...good, allowedReferrers: [], requireCaptcha: true }));
}, 300_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the built bin: castgate validate', () => {
  it('prints one OK line and exits 0 for a valid file (the sample configs)', () => {
    const run = castgate('validate', samples);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${samples}: OK (9 configs)\n`);
  });

  it('prints every problem with its config index and path, and exits 1', () => {
    const run = castgate('validate', file('problems.json'));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('3 problems in 2 of 3 configs');
    expect(run.stdout).toContain('config [1] "broken-Zq3v9Kp2Lm8Xr4Td":');
    expect(run.stdout).toMatch(/✖ ipRateLimit\.sessions: .*\(too_small\)/u);
    expect(run.stdout).toMatch(/✖ errorUrl: .*\(invalid_url\)/u);
    expect(run.stdout).toContain('config [2] "demo-Zq3v9Kp2Lm8Xr4Td":');
    expect(run.stdout).toMatch(/✖ key: repeats the key of config \[0\].*\(duplicate_value\)/u);
    expect(run.stdout).not.toMatch(/^ {2}config \[0\]/mu);
  });

  it('warns, without failing, when an anonymous link has a short key', () => {
    const run = castgate('validate', file('short-key.json'));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('warning: key: an anonymous link');
  });

  it('reads Kasm field names with --kasm, and names the Kasm field at fault', () => {
    expect(castgate('validate', file('kasm.json'), '--kasm')).toMatchObject({ status: 0, stdout: expect.stringContaining('OK (1 Kasm config)') as unknown });
    const bad = castgate('validate', '--kasm', file('kasm-bad.json'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('image_idd');
    expect(bad.stdout).toContain('ip_request_seconds');
    const notCamel = castgate('validate', file('kasm.json'));
    expect(notCamel.status).toBe(1);
    expect(notCamel.stdout).toMatch(/casting_config_name.*\(unknown_key\)/u);
  });

  it('prints each Kasm import warning with its Kasm path and code, and exits 0 when there are no errors', () => {
    const run = castgate('validate', '--kasm', file('kasm-warnings.json'));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('OK (1 Kasm config)');
    expect(run.stdout).toMatch(/! warning: session_remaining: .*\(negative_session_remaining\)/u);
    expect(run.stdout).toMatch(/! warning: ip_request_limit: .*\(ip_request_limit_capped\)/u);
    expect(run.stdout).toMatch(/! warning: remote_app_configs\.args\[0\]\.argument_name: .*\(split_argument_name\)/u);
    expect(run.stdout).toMatch(/! warning: remote_app_configs\.args\[0\]\.value_pattern: .*\\\\\.pdf.*\(substring_pattern\)/u);
  });

  it('suggests --kasm for a file in Kasm’s format validated without it', () => {
    const run = castgate('validate', file('kasm.json'));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`hint: this looks like Kasm's own format (casting_config_name, image_id, ...): run castgate validate --kasm ${file('kasm.json')}`);
    expect(castgate('validate', file('problems.json')).stdout).not.toContain('hint:');
  });

  it('answers a mistyped option with one short line, not Node’s message and the whole help', () => {
    const run = castgate('validate', samples, '--kasn');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('castgate validate: unknown option --kasn (did you mean --kasm?)\nRun "castgate validate --help" for its options.\n');
    expect(castgate('explain', samples, '--ip').stderr).toBe(
      'castgate explain: option --ip needs a value (--ip <value>, or --ip=<value> for one that starts with -)\nRun "castgate explain --help" for its options.\n',
    );
    expect(castgate('explain', samples, '--json=yes', '--ip', '192.0.2.1').stderr).toContain('option --json takes no value');
    expect(castgate('explain', samples, '-x').stderr).toContain('unknown option -x\n');
  });

  it('prints the JSON Schema with --json-schema: an object schema with the config properties', () => {
    const run = castgate('validate', '--json-schema');
    expect(run.status).toBe(0);
    const schema = JSON.parse(run.stdout) as { type: string; properties: Record<string, unknown> };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'key', 'imageId', 'ipRateLimit', 'remoteApp']));
  });

  it('exits 1 for a file that is not JSON, and 2 for a missing file or a usage error', () => {
    expect(castgate('validate', file('not-json.json'))).toMatchObject({ status: 1, stdout: expect.stringContaining('not valid JSON') as unknown });
    const missing = castgate('validate', file('nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no such file');
    expect(castgate('validate').status).toBe(2);
    expect(castgate('validate', samples, '--strict-mode').status).toBe(2);
    expect(castgate('validate', '--json-schema', '--kasm').status).toBe(2);
    expect(castgate('validate', samples, samples).status).toBe(2);
  });
});

describe('the built bin: castgate explain', () => {
  it('explains an allowed request: exit 0, the launch plan and an aligned trace of all eleven guards', () => {
    const run = castgate('explain', samples, '--key', excelKey, '--ip', '203.0.113.9', '--query', 'file=C:\\Reports\\Q1 2026.xlsx');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ALLOWED  created  (HTTP 200)');
    expect(run.stdout).toMatch(/command line +"C:\\Reports\\Q1 2026\.xlsx"/u);
    const table = run.stdout.slice(run.stdout.indexOf('guard '));
    const rows = table.trim().split('\n');
    expect(rows.map((row) => row.split(/\s+/u)[0])).toEqual(['guard', 'expiry', 'referrer', 'signedLink', 'authentication', 'parameters', 'captcha', 'resume', 'rateLimit', 'quota', 'liveSessions', 'provision']);
    expect(new Set(rows.map((row) => row.indexOf(row.split(/\s+/u)[1]!)))).toEqual(new Set([rows[0]!.indexOf('verdict')]));
  });

  it('explains a referrer denial: exit 1, the code, status and message', () => {
    const run = castgate('explain', samples, '--key', portalKey, '--ip', '203.0.113.9', '--referrer', 'https://portal.example.com.evil.example/');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('DENIED  referrer_denied  (HTTP 403)');
    expect(run.stdout).toContain('Requests are not allowed from this domain.');
    expect(run.stdout).toMatch(/referrer +deny +referrer_denied/u);
  });

  it('prints the decision as JSON with --json', () => {
    const run = castgate('explain', samples, '--key', excelKey, '--ip', '203.0.113.9', '--query', 'file=C:\\Windows\\calc.exe', '--json');
    expect(run.status).toBe(1);
    const decision = JSON.parse(run.stdout) as { allowed: boolean; error: { code: string; parameter: string; status: number }; trace: unknown[] };
    expect(decision).toMatchObject({ allowed: false, error: { code: 'invalid_parameter', parameter: 'file', status: 400 } });
    expect(decision.trace.length).toBeGreaterThan(0);
  });

  it('evaluates at the time given with --now: a Kasm config past its valid_until is expired', () => {
    const later = castgate('explain', file('kasm.json'), '--kasm', '--ip', '203.0.113.9', '--referrer', 'https://example.com/', '--now', '2030-01-01T00:00:00Z');
    expect(later.status).toBe(1);
    expect(later.stdout).toContain('link_expired');
    const earlier = castgate('explain', file('kasm.json'), '--kasm', '--ip', '203.0.113.9', '--referrer', 'https://example.com/', '--now', '2029-12-31');
    expect(earlier.status).toBe(0);
  });

  it('shows the redirect URL of a config with errorUrl, and a signed-in user with --user', () => {
    const redirect = castgate('explain', samples, '--key', 'errorurl-uhe9BBhu4xdgfQNwKL', '--ip', '192.0.2.1');
    expect(redirect.stdout).toMatch(/redirectUrl +https:\/\/partner\.example\.com\/cast-error\?lang=en&error=referrer_denied&message=/u);
    const member = castgate('explain', samples, '--key', 'members-SjSukD86Gr2YhWH8BS', '--ip', '192.0.2.1', '--user', 'alice');
    expect(member.status).toBe(0);
    expect(member.stdout).toMatch(/user +alice/u);
  });

  it('explains a captcha link as a dry run: no token is captcha_required, a token passes unverified', () => {
    expect(castgate('explain', file('captcha.json'), '--ip', '192.0.2.1').stdout).toContain('captcha_required');
    const dryRun = castgate('explain', file('captcha.json'), '--ip', '192.0.2.1', '--captcha-token', 'tok-123');
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toMatch(/captcha +pass +.*not verified: dry run/u);
    expect(dryRun.stdout).toMatch(/provision +pass +.*not provisioned: dry run/u);
    expect(castgate('explain', file('captcha.json'), '--ip', '192.0.2.1', '--captcha-token', 'tok-123', '--captcha-pass').status).toBe(0);
  });

  it('answers invalid_request for an address castgate refuses (exit 1)', () => {
    const run = castgate('explain', file('one.json'), '--ip', '010.1.1.1', '--referrer', 'https://example.com/');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('invalid_request');
  });

  it('exits 2 on usage errors: no --ip, a bad --now, an array without --key, an unknown key, unknown options', () => {
    for (const args of [
      ['explain', samples, '--key', excelKey],
      ['explain', file('one.json'), '--ip', '192.0.2.1', '--now', '2030-02-30'],
      ['explain', file('one.json'), '--ip', '192.0.2.1', '--now', '2030-01-01T00:00:00'],
      ['explain', samples, '--ip', '192.0.2.1'],
      ['explain', samples, '--key', 'no-such-key', '--ip', '192.0.2.1'],
      ['explain', file('one.json'), '--ip', '192.0.2.1', '--verbose'],
      ['explain', '--ip', '192.0.2.1'],
      ['explain', file('problems.json'), '--key', 'broken-Zq3v9Kp2Lm8Xr4Td', '--ip', '192.0.2.1'],
      ['frobnicate'],
      [],
    ]) {
      const run = castgate(...args);
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr.length).toBeGreaterThan(0);
    }
  }, 60_000); // ten child processes: slow on a loaded machine
});

describe('castgate sign', () => {
  const secret = 'an admin link secret of 32+ bytes';
  const sign = (...args: string[]): Run => {
    const result = spawnSync(process.execPath, [cli, 'sign', ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, CAST_LINK_SECRET: secret, CAST_SHORT_SECRET: 'too short' },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const keys = new Map([['k1', new TextEncoder().encode(secret)]]);
  const at = Date.parse('2030-01-01T12:00:00Z');

  it('prints one token that the evaluator\'s linkKeys verify, with the expiry, params and single use asked for', async () => {
    const run = sign('demo-Zq3v9Kp2Lm8Xr4Td', '--kid', 'k1', '--secret-env', 'CAST_LINK_SECRET', '--expires', '2030-01-02T00:00:00Z',
      '--param', 'kasm_url=https://intranet.example/a?b=c', '--param', 'file=', '--single-use');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const check = await verifyLinkToken(lines[0], { configKey: 'demo-Zq3v9Kp2Lm8Xr4Td', keys, nowMs: at });
    expect(check).toMatchObject({
      ok: true,
      claims: { exp: Date.parse('2030-01-02T00:00:00Z') / 1000, params: { kasm_url: 'https://intranet.example/a?b=c', file: '' }, once: true },
    });
    expect(run.stdout).not.toContain(secret);
  });

  it('counts a duration from now: --expires 1h ends about an hour from now', async () => {
    const before = Math.floor(Date.now() / 1000);
    const run = sign('demo-Zq3v9Kp2Lm8Xr4Td', '--kid', 'k1', '--secret-env', 'CAST_LINK_SECRET', '--expires', '1h');
    const check = await verifyLinkToken(run.stdout.trim(), { configKey: 'demo-Zq3v9Kp2Lm8Xr4Td', keys, nowMs: Date.now() });
    expect(check.ok && check.claims.exp! - before).toBeGreaterThanOrEqual(3600);
    expect(check.ok && check.claims.exp! - before).toBeLessThan(3600 + 120);
  });

  it('prints the whole link with --url: the params and the token in its query', async () => {
    const run = sign('demo-Zq3v9Kp2Lm8Xr4Td', '--kid', 'k1', '--secret-env', 'CAST_LINK_SECRET', '--param', 'file=C:\\Q1.xlsx',
      '--url', 'https://desktops.example/cast/demo-Zq3v9Kp2Lm8Xr4Td?lang=en');
    expect(run.status).toBe(0);
    const url = new URL(run.stdout.trim());
    expect(url.searchParams.get('lang')).toBe('en');
    expect(url.searchParams.get('file')).toBe('C:\\Q1.xlsx');
    const check = await verifyLinkToken(url.searchParams.get('token'), { configKey: 'demo-Zq3v9Kp2Lm8Xr4Td', keys, nowMs: at });
    expect(check.ok).toBe(true);
  });

  it('exits 2 with a reason on usage errors, never printing the secret', { timeout: 120_000 }, () => {
    const base = ['demo-Zq3v9Kp2Lm8Xr4Td', '--kid', 'k1'];
    for (const args of [
      [...base],
      [...base, '--secret-env', 'CAST_UNSET_VARIABLE'],
      [...base, '--secret-env', 'CAST_SHORT_SECRET'],
      [...base, '--secret-env', 'CAST_LINK_SECRET', '--single-use'],
      [...base, '--secret-env', 'CAST_LINK_SECRET', '--expires', 'tomorrow'],
      [...base, '--secret-env', 'CAST_LINK_SECRET', '--param', 'novalue'],
      [...base, '--secret-env', 'CAST_LINK_SECRET', '--param', 'a=1', '--param', 'a=2'],
      [...base, '--secret-env', 'CAST_LINK_SECRET', '--url', 'not a url'],
      ['bad/key', '--kid', 'k1', '--secret-env', 'CAST_LINK_SECRET'],
      ['--kid', 'k1', '--secret-env', 'CAST_LINK_SECRET'],
    ]) {
      const run = sign(...args);
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr.length).toBeGreaterThan(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toContain(secret);
      expect(run.stderr).not.toContain('too short');
    }
  });
});

describe('the built bin: castgate test', () => {
  const web = {
    name: 'Web',
    key: 'web-Zq3v9Kp2Lm8Xr4Td',
    imageId: 'kasmweb/chrome',
    allowAnonymous: true,
    allowedReferrers: ['example.com'],
    ipRateLimit: { sessions: 2, withinSeconds: 60 },
  };
  const fromExample = { ip: '203.0.113.9', referrer: 'https://example.com/page', now: '2029-06-01T00:00:00Z' };
  const passing = {
    configs: {
      web,
      captcha: { name: 'Captcha', key: 'cap-Zq3v9Kp2Lm8Xr4Td', imageId: 'img', allowAnonymous: true, requireCaptcha: true },
      kasm: { file: 'configs/kasm.json', kasm: true },
      reports: { name: 'Reports', key: 'rep-Zq3v9Kp2Lm8Xr4Td', imageId: 'img', allowAnonymous: true, sessionsRemaining: 1 },
    },
    captcha: { pass: ['solved-token'] },
    cases: [
      { name: 'a visitor from example.com gets a session', config: 'web', request: fromExample, expect: { allowed: true } },
      { name: 'the same address meets the limit on its third request', config: 'web', request: fromExample, repeat: 2, expect: { code: 'rate_limited' } },
      { name: 'a look-alike domain is refused', config: 'web', request: { ip: '203.0.113.10', referrer: 'https://example.com.evil.net/' }, expect: { code: 'referrer_denied' } },
      { name: 'a listed captcha token passes', config: 'captcha', request: { ip: '198.51.100.1', captchaToken: 'solved-token' }, expect: { allowed: true } },
      { name: 'any other token fails', config: 'captcha', request: { ip: '198.51.100.2', captchaToken: 'guessed' }, expect: { code: 'captcha_failed' } },
      { name: 'the Kasm export has expired by 2030-06-01', config: 'kasm', request: { ip: '192.0.2.1', referrer: 'https://example.com/', now: '2030-06-01' }, expect: { code: 'link_expired' } },
      { name: 'a signed-in user takes the one session', config: 'reports', request: { ip: '192.0.2.7', user: 'alice', query: 'a=1' }, expect: { allowed: true } },
      { name: 'the quota is spent for the next case', config: 'reports', request: { ip: '192.0.2.8', user: { id: 'bob' } }, expect: { code: 'quota_exhausted' } },
      { name: 'a repeated parameter the config does not use is ignored', config: 'web', request: { ip: '192.0.2.9', referrer: 'https://example.com/', query: { a: ['1', '2'] } }, expect: { allowed: true } },
    ],
  };
  const failing = {
    configs: { web },
    cases: [
      { name: 'first visit', config: 'web', request: fromExample, expect: { allowed: true } },
      { name: 'expects a third visit to pass', config: 'web', request: fromExample, repeat: 2, expect: { allowed: true } },
      { name: 'expects the wrong code', config: 'web', request: { ip: '192.0.2.1', referrer: 'https://other.example/' }, expect: { code: 'rate_limited' } },
    ],
  };
  const fixture = (name: string, value: unknown) => {
    writeFileSync(file(name), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    return file(name);
  };
  const kasmExport = {
    casting_config_name: 'Kasm export',
    key: 'kasm-Zq3v9Kp2Lm8Xr4TdAb',
    image_id: '2a1b3c4d',
    allow_anonymous: true,
    allowed_referrers: 'example.com\n',
    valid_until: '2030-01-01 00:00:00',
  };

  beforeAll(() => {
    mkdirSync(file('configs'), { recursive: true });
    writeFileSync(file('configs/kasm.json'), JSON.stringify(kasmExport));
  });

  it('exits 0 when every case passes: a repeat meets the rate limit, a Kasm config file, a captcha pass token, the quota spent across cases', () => {
    const run = castgate('test', fixture('passing.json', passing));
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('✓ the same address meets the limit on its third request');
    expect(run.stdout).toContain('9 passed, 0 failed (9 cases)');
    expect(run.status).toBe(0);
  });

  it('reads a relative config file from the fixtures file\'s folder, not the working directory', () => {
    const path = fixture('passing.json', passing);
    const run = spawnSync(process.execPath, [cli, 'test', path], { cwd: tmpdir(), encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(0);
  });

  it('exits 1 when a case fails, showing for each failure what was expected, what came and the trace', () => {
    const run = castgate('test', fixture('failing.json', failing));
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('✓ first visit');
    const third = run.stdout.slice(run.stdout.indexOf('✗ expects a third visit to pass'));
    expect(third).toMatch(/config +web \(the last of 2 requests\)/u);
    expect(third).toMatch(/expected +allowed/u);
    expect(third).toMatch(/got +denied with rate_limited \(HTTP 429, retry after \d+ s\)/u);
    expect(third).toMatch(/rateLimit +deny +rate_limited/u);
    const wrong = run.stdout.slice(run.stdout.indexOf('✗ expects the wrong code'));
    expect(wrong).toMatch(/expected +denied with rate_limited/u);
    expect(wrong).toMatch(/got +denied with referrer_denied \(HTTP 403\): Requests are not allowed from this domain\./u);
    expect(wrong).toMatch(/referrer +deny +referrer_denied/u);
    expect(run.stdout).toContain('1 passed, 2 failed (3 cases)');
  });

  it('prints one JSON document with --json: each case with expected and got, the trace of each failure', () => {
    const run = castgate('test', fixture('failing.json', failing), '--json');
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      passed: number;
      failed: number;
      cases: { name: string; passed: boolean; expected: unknown; got: { allowed: boolean; code?: string; status: number }; trace?: { guard: string; verdict: string }[] }[];
    };
    expect(report).toMatchObject({ ok: false, passed: 1, failed: 2 });
    expect(report.cases.map((entry) => entry.passed)).toEqual([true, false, false]);
    expect(report.cases[0]).not.toHaveProperty('trace');
    expect(report.cases[1]).toMatchObject({ expected: { allowed: true }, got: { allowed: false, code: 'rate_limited', status: 429 } });
    expect(report.cases[1]!.trace).toContainEqual(expect.objectContaining({ guard: 'rateLimit', verdict: 'deny' }));
    const allPass = castgate('test', fixture('passing.json', passing), '--json');
    expect(allPass.status).toBe(0);
    expect(JSON.parse(allPass.stdout)).toMatchObject({ ok: true, passed: 9, failed: 0 });
  });

  it('exits 2 with one line naming the problem when the fixtures cannot be used', { timeout: 120_000 }, () => {
    const otherConfigs = Object.fromEntries(Object.entries(passing.configs).filter(([name]) => name !== 'web'));
    const unusable: [string, string | RegExp][] = [
      [file('no-such-fixtures.json'), 'no such file'],
      [fixture('broken.json', '{ "configs": '), 'not valid JSON'],
      [fixture('unknown-config.json', { ...passing, configs: otherConfigs }), 'cases[0].config: unknown config "web"'],
      [fixture('bad-shape.json', { configs: {}, cases: [{ name: 'x', config: 'web', request: { ip: '192.0.2.1' }, expect: { code: 'rate_limted' } }] }), 'cases[0].expect.code: is not a castgate error code (did you mean "rate_limited"?)'],
      [fixture('missing-config-file.json', { ...passing, configs: { ...passing.configs, kasm: { file: 'configs/none.json' } } }), /configs\.kasm: cannot read ".*none\.json": no such file/u],
    ];
    for (const [path, reason] of unusable) {
      const run = castgate('test', path);
      expect({ path, status: run.status }).toEqual({ path, status: 2 });
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(typeof reason === 'string' ? new RegExp(reason.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'), 'u') : reason);
      const json = castgate('test', path, '--json');
      expect(json.status).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: expect.any(String) as unknown });
    }
  });

  it('exits 2 for an invalid config, each problem with its path under configs', () => {
    const run = castgate('test', fixture('bad-config.json', { configs: { web: { ...web, ipRateLimit: { sessions: 0, withinSeconds: 60 } } }, cases: failing.cases }));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/configs\.web\.ipRateLimit\.sessions: .*\(too_small\)/u);
    const kasmWithoutFlag = castgate('test', fixture('kasm-no-flag.json', { ...passing, configs: { ...passing.configs, kasm: { file: 'configs/kasm.json' } } }));
    expect(kasmWithoutFlag.status).toBe(2);
    expect(kasmWithoutFlag.stderr).toContain('add "kasm": true');
  });

  it('exits 2 on usage errors, with a JSON document on stdout under --json', { timeout: 60_000 }, () => {
    expect(castgate('test').status).toBe(2);
    expect(castgate('test', 'a.json', 'b.json').status).toBe(2);
    const unknown = castgate('test', file('passing.json'), '--jsn');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown option --jsn (did you mean --json?)');
    const usage = castgate('test', '--json');
    expect(usage.status).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({ ok: false, error: 'test needs a fixtures file' });
  });
});

describe('the built bin: castgate --help', () => {
  it('prints help for the program and each command, exit 0', { timeout: 60_000 }, () => {
    expect(castgate('--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: castgate <command>') as unknown });
    expect(castgate('validate', '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('castgate validate <file> [--kasm]') as unknown });
    expect(castgate('explain', '-h')).toMatchObject({ status: 0, stdout: expect.stringContaining('--captcha-pass') as unknown });
    expect(castgate('sign', '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('--secret-env') as unknown });
    expect(castgate('test', '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('castgate test <fixtures.json> [--json]') as unknown });
  });
});
