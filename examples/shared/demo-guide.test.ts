import { describe, expect, it } from 'vitest';
import { loadConfigs } from './config-source.js';
import { demoExamples, demoIndexPage, formatDemoGuide } from './demo-guide.js';

describe('demo guide', async () => {
  const configs = await loadConfigs(new URL('../configs.json', import.meta.url));
  const examples = demoExamples('http://127.0.0.1:3000', configs, { provider: 'turnstile', siteKey: 'demo', scriptUrl: '/demo-widget.js' });

  it('gives every sample config at least one step', () => {
    expect(examples.map((example) => example.key)).toEqual(configs.map((config) => config.key));
    for (const example of examples) expect(example.steps.length).toBeGreaterThan(0);
  });

  it('shows the Excel example with a good and a bad file value, and the referrer example as a curl line', () => {
    const excel = examples.find((example) => example.key.startsWith('excel-'))!;
    const files = excel.steps.map((step) => new URL(step.url).searchParams.get('file'));
    expect(files).toContain('C:\\Reports\\Q1 2026.xlsx');
    expect(files).toContain('C:\\Windows\\System32\\calc.exe');
    const portal = examples.find((example) => example.key.startsWith('portal-'))!;
    expect(portal.steps[0]!.curl).toBe(`curl -i -H 'Referer: https://portal.example.com/page' 'http://127.0.0.1:3000/cast/${portal.key}'`);
  });

  it('uses keys of at least 16 random characters after the readable prefix', () => {
    for (const config of configs) expect(config.key).toMatch(/^[a-z]+-[A-Za-z0-9]{16,}$/u);
  });

  it('prints one block per config and renders an index page of links', () => {
    const text = formatDemoGuide('http://127.0.0.1:3000', examples);
    for (const config of configs) expect(text).toContain(`■ ${config.name}`);
    const page = demoIndexPage(examples, 'Express 5');
    expect(page.body).toContain(`<a href="http://127.0.0.1:3000/cast/${examples[0]!.key}">`);
  });
});
