import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { config, stores, t0 } from '../helpers/cast.js';

describe('provision guard and the launch plan (SPEC §4)', () => {
  it('hands the provisioner a plan with every session option and, when enforced, all twelve client settings', async () => {
    const s = stores();
    const cfg = config({
      imageId: 'img-excel',
      launcherBackgroundUrl: 'https://cdn.example/bg.png',
      disableControlPanel: true,
      disableTips: true,
      enableSharing: true,
      disableFixedResolution: true,
      kasmUrl: 'https://start.example/',
      enforceClientSettings: true,
      clientSettings: { allowAudio: true, allowUploads: true, allowWebcam: true },
    });
    const d = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s);
    expect(d.launch).toEqual({
      imageId: 'img-excel',
      env: { KASM_URL: 'https://start.example/' },
      sessionOptions: {
        disableControlPanel: true, disableTips: true, enableSharing: true, disableFixedResolution: true,
        launcherBackgroundUrl: 'https://cdn.example/bg.png',
      },
      clientSettings: {
        allowAudio: true, audioDefaultOn: false, allowDownloads: false, allowClipboardDown: false, allowClipboardUp: false,
        allowMicrophone: false, allowUploads: true, allowGamepad: false, allowSharing: false, imeModeDefaultOn: false,
        allowWebcam: true, allowPrinting: false,
      },
      user: { anonymous: true, groupIds: ['all-users'] },
      persistentProfile: false,
    });
    expect(s.sessions.plans).toEqual([d.launch]);
  });

  it('leaves clientSettings, dockerNetwork, remoteApp and openInNewTab absent (not null) when they do not apply', async () => {
    const d = await evaluateCast(config({ clientSettings: { allowAudio: true } }), { ip: '192.0.2.1', now: t0 }, stores());
    expect(d.launch).toBeDefined();
    for (const key of ['clientSettings', 'dockerNetwork', 'remoteApp', 'openInNewTab']) expect(d.launch).not.toHaveProperty(key);
  });

  it('creates no anonymous user for a denied request', async () => {
    const s = stores();
    await evaluateCast(config({ sessionsRemaining: 0 }), { ip: '192.0.2.1', now: t0 }, s);
    expect(s.sessions.plans).toEqual([]);
  });

  it('answers provision_failed (502) when the provisioner answers without ids', async () => {
    const s = stores();
    s.sessions.provision = () => Promise.resolve({} as { id: string; userId: string });
    expect((await evaluateCast(config(), { ip: '192.0.2.1', now: t0 }, s)).error).toMatchObject({ code: 'provision_failed', status: 502 });
  });
});
