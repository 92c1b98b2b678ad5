import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { parametersGuard } from '../../src/guards/parameters.js';
import type { CastQuery } from '../../src/contract/query.js';
import { config, contextFor, stores, t0 } from '../helpers/cast.js';

const decide = (cfg: ReturnType<typeof config>, query: CastQuery) => evaluateCast(cfg, { ip: '192.0.2.1', query, now: t0 }, stores());

describe('parameters guard: kasm_url (SPEC §3.4, THREATS §7)', () => {
  const dynamic = config({ dynamicKasmUrl: true, kasmUrl: 'https://static.example/' });

  it('uses the static kasmUrl as KASM_URL when no parameter is sent', async () => {
    expect((await decide(dynamic, {})).launch?.env).toEqual({ KASM_URL: 'https://static.example/' });
  });

  it('puts the serialised dynamic kasm_url into KASM_URL', async () => {
    const d = await decide(dynamic, { kasm_url: 'https://Docs.Example.com/path?x=1' });
    expect(d.launch?.env).toEqual({ KASM_URL: 'https://docs.example.com/path?x=1' });
  });

  it('answers "kasm_url parameter not allowed" when dynamicKasmUrl is off (THREATS 7.7)', async () => {
    const d = await decide(config(), { kasm_url: 'https://ok.example/' });
    expect(d.error).toEqual({ code: 'invalid_parameter', status: 400, parameter: 'kasm_url', message: 'kasm_url parameter not allowed' });
  });

  it.each([
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\nscript:alert(1)', '\u0000javascript:x',
    'data:text/html,<b>x</b>', 'file:///etc/passwd', 'chrome://settings', 'view-source:https://x.example',
    '--renderer-cmd-prefix=calc', '-1', '//evil.example/', 'https://ok.example/\r\nSet-Cookie: a=b',
    'https://user:pw@ok.example/', 'https://ok.example@evil.example/', `https://ok.example/${'a'.repeat(2030)}`,
    'https://ok.example/a b', 'https://ok.example/\u00a0', 'https://ok.example/\u2028',
  ])('refuses kasm_url=%j with invalid_parameter (THREATS 7.1–7.6)', async (value) => {
    const d = await decide(dynamic, { kasm_url: value });
    expect(d.error).toMatchObject({ code: 'invalid_parameter', parameter: 'kasm_url', status: 400 });
    expect(d.error?.message).not.toContain(value);
  });

  it('admits an encoded CR/LF, emitting the serialised href (THREATS 7.4)', async () => {
    const d = await decide(dynamic, { kasm_url: 'https://ok.example/%0D%0AX:1' });
    expect(d.launch?.env.KASM_URL).toBe('https://ok.example/%0D%0AX:1');
  });

  it('limits hosts with kasmUrlAllowedHosts, using the referrer matcher (THREATS 7.8)', async () => {
    const limited = config({ dynamicKasmUrl: true, kasmUrlAllowedHosts: ['intranet.example', '*.docs.example'] });
    for (const bad of ['http://169.254.169.254/', 'https://intranet.example.evil.net/', 'http://[::ffff:127.0.0.1]/', 'https://docs.example/']) {
      expect((await decide(limited, { kasm_url: bad })).error?.code).toBe('invalid_parameter');
    }
    expect((await decide(limited, { kasm_url: 'https://intranet.example/' })).allowed).toBe(true);
    expect((await decide(limited, { kasm_url: 'https://a.docs.example/x' })).allowed).toBe(true);
  });

  it('refuses a repeated or non-string kasm_url (THREATS 6.9, 6.10)', async () => {
    expect((await decide(dynamic, new URLSearchParams('kasm_url=https://a.example/&kasm_url=https://b.example/'))).error?.code).toBe('invalid_parameter');
    expect((await decide(dynamic, { kasm_url: ['https://a.example/', 'https://b.example/'] })).error?.code).toBe('invalid_parameter');
    const nested = { kasm_url: { toString: () => 'https://a.example/' } } as unknown as CastQuery;
    expect((await decide(dynamic, nested)).error?.code).toBe('invalid_parameter');
  });

  it('ignores parameters it does not use, such as error_url (THREATS 7.14)', async () => {
    expect((await decide(config(), { error_url: 'https://evil.example/', other: 'x' })).allowed).toBe(true);
  });

  it('opens a dynamic kasm_url in a new tab when a signed-in user resumes', async () => {
    const s = stores();
    const cfg = config({ dynamicKasmUrl: true });
    await evaluateCast(cfg, { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0 }, s);
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', user: { id: 'u-1' }, query: { kasm_url: 'https://news.example/' }, now: t0 }, s);
    expect(d.outcome).toBe('resumed');
    expect(d.launch?.openInNewTab).toBe('https://news.example/');
  });
});

describe('parameters guard: docker_network (SPEC §3.4, THREATS 7.9–7.11)', () => {
  const dynamic = config({ dynamicDockerNetwork: true });

  it('puts an acceptable network name into the plan', async () => {
    expect((await decide(dynamic, { docker_network: 'example_network' })).launch?.dockerNetwork).toBe('example_network');
  });

  it('answers "docker_network parameter not allowed" when the option is off', async () => {
    const d = await decide(config(), { docker_network: 'example_network' });
    expect(d.error).toMatchObject({ code: 'invalid_parameter', parameter: 'docker_network', message: 'docker_network parameter not allowed' });
  });

  it.each(['host', 'none', 'bridge', 'default', 'container:abc', '../x', 'net work', '-net', '.net', '', 'n'.repeat(129), 'ｎｅｔ'])(
    'refuses docker_network=%j', async (value) => {
      expect((await decide(dynamic, { docker_network: value })).error).toMatchObject({ code: 'invalid_parameter', parameter: 'docker_network' });
    },
  );

  it.each(['a', '7f', 'deadbeef', '0123456789ab', 'f'.repeat(64), '42'])(
    'refuses docker_network=%j: lower-case hex only, which Docker may resolve as a network-ID prefix (of host)',
    async (value) => {
      expect((await decide(dynamic, { docker_network: value })).error).toMatchObject({ code: 'invalid_parameter', parameter: 'docker_network' });
    },
  );

  it('accepts names that are not lower-case hex only: DEADBEEF, cafe-net, net1', async () => {
    for (const value of ['DEADBEEF', 'cafe-net', 'net1', 'abcdefg']) {
      expect((await decide(dynamic, { docker_network: value })).launch?.dockerNetwork).toBe(value);
    }
  });

  it('accepts a lower-case hex name when allowedDockerNetworks lists it', async () => {
    const listed = config({ dynamicDockerNetwork: true, allowedDockerNetworks: ['cafe', 'beef01'] });
    expect((await decide(listed, { docker_network: 'cafe' })).launch?.dockerNetwork).toBe('cafe');
    expect((await decide(listed, { docker_network: 'beef' })).error?.code).toBe('invalid_parameter');
  });

  it('treats allowedDockerNetworks as the whole allow-list, reserved names included only when listed', async () => {
    const listed = config({ dynamicDockerNetwork: true, allowedDockerNetworks: ['bridge', 'kiosk'] });
    expect((await decide(listed, { docker_network: 'bridge' })).allowed).toBe(true);
    expect((await decide(listed, { docker_network: 'kiosk' })).allowed).toBe(true);
    expect((await decide(listed, { docker_network: 'other' })).error?.code).toBe('invalid_parameter');
  });
});

describe('parameters guard: remote app (SPEC §5)', () => {
  const excel = config({
    remoteApp: {
      remoteAppName: '||Microsoft Excel',
      args: [{ urlParamName: 'file', required: true, valuePattern: '([a-zA-Z]:\\\\)([^\\x00-\\x1F\\*\\"/:<>\\?\\\\\\|]+\\\\)*([^\\x00-\\x1F\\*\\"/:<>\\?\\\\\\|]+\\.(xls|xlsx|csv))' }],
    },
  });

  it('puts the RemoteApp name, argv and quoted command line into the plan', async () => {
    const d = await decide(excel, new URLSearchParams({ file: 'C:\\Reports\\Q1 2030.xlsx' }));
    expect(d.launch?.remoteApp).toEqual({ name: '||Microsoft Excel', argv: ['C:\\Reports\\Q1 2030.xlsx'], commandLine: '"C:\\Reports\\Q1 2030.xlsx"' });
  });

  it('answers missing_parameter naming the parameter when a required one is absent', async () => {
    expect((await decide(excel, {})).error).toEqual({
      code: 'missing_parameter', status: 400, parameter: 'file', message: 'Invalid URL parameters provided for remoteApp.',
    });
  });

  it.each(['C:\\a.xlsx & calc.exe', 'C:\\evil.exe', 'C:\\x.xlsx.exe', 'C:\\x.xlsx\ncalc', '\\\\evil.example\\share\\C:\\x.xlsx'])(
    'answers invalid_parameter for %j', async (file) => {
      expect((await decide(excel, { file })).error).toMatchObject({ code: 'invalid_parameter', parameter: 'file' });
    },
  );

  it('refuses a duplicated parameter instead of validating one copy and using another (THREATS 6.9)', async () => {
    const d = await decide(excel, new URLSearchParams('file=C%3A%5Cok.xlsx&file=C%3A%5Cx%20%26%20calc'));
    expect(d.error).toMatchObject({ code: 'invalid_parameter', parameter: 'file' });
  });

  it('notes a % in a URL value in the trace when argPolicy is not strict', async () => {
    const loose = config({ remoteApp: { remoteAppName: '||Notepad', args: [{ urlParamName: 'f' }] } });
    const ctx = contextFor(loose, { ip: '192.0.2.1', query: { f: '%COMSPEC%' } });
    const verdict = await parametersGuard.check(ctx);
    expect(verdict).toMatchObject({ verdict: 'pass', note: expect.stringContaining('f') as unknown });
  });
});
