import type { CastConfig } from 'castgate';
import type { CastCaptchaWidget, CastHttpOutput } from 'castgate/http';
import { demoCaptchaToken } from './demo-widget.js';

type CaptchaWidget = CastCaptchaWidget;

const entities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for an element body or a quoted attribute. */
function escape(text: string): string {
  return text.replace(/[&<>"']/gu, (character) => entities[character] ?? character);
}

/**
 * One thing to try in the demo: a label saying what should happen, a URL for the browser or a
 * curl command line, and the URL alone (for links).
 *
 * @example
 * ```ts
 * const step: DemoStep = { expect: '200: session ready', url: 'http://127.0.0.1:3000/cast/k' };
 * ```
 */
export interface DemoStep {
  readonly expect: string;
  readonly url: string;
  /** A curl line, when the step needs a header or a form a browser cannot add by hand. */
  readonly curl?: string;
}

/**
 * The steps to try for one sample config.
 *
 * @example
 * ```ts
 * const example: DemoExample = { name: 'Anonymous Chrome', key: 'anon-v7ZgRkJkHY9Uobsi6T', steps: [] };
 * ```
 */
export interface DemoExample {
  readonly name: string;
  readonly key: string;
  readonly steps: readonly DemoStep[];
}

/** Quotes one argument for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function curl(args: readonly string[], url: string): string {
  return ['curl -i', ...args, shellQuote(url)].join(' ');
}

function withQuery(url: string, query: Readonly<Record<string, string>>): string {
  return `${url}?${new URLSearchParams(query).toString()}`;
}

function firstPlainDomain(domains: readonly string[]): string | undefined {
  return domains.find((domain) => !domain.startsWith('*.'));
}

function stepsFor(config: CastConfig, url: string, captcha: CaptchaWidget | undefined, now: Date): DemoStep[] {
  const steps: DemoStep[] = [];
  if (config.validUntil !== undefined && config.validUntil <= now) {
    steps.push({ expect: `410: expired on ${config.validUntil.toISOString()}`, url });
    steps.push({ expect: '410 still: the time is the server\'s, never the client\'s', url: withQuery(url, { now: '1999-01-01' }) });
    return steps;
  }
  if (!config.allowAnonymous) {
    steps.push({ expect: '401: sign-in required', url });
    const signedIn = curl(['-H', shellQuote('x-demo-user: alice')], url);
    steps.push({ expect: '200: created for alice (the demo reads x-demo-user)', url, curl: signedIn });
    steps.push({ expect: 'run it again: 200, resumed (no new session)', url, curl: signedIn });
    return steps;
  }
  if (config.allowedReferrers.length > 0) {
    const domain = firstPlainDomain(config.allowedReferrers) ?? 'example.com';
    steps.push({ expect: `200: Referer https://${domain}/ is on the list`, url, curl: curl(['-H', shellQuote(`Referer: https://${domain}/page`)], url) });
    const refused = config.errorUrl === undefined ? '403: referrer_denied' : `302 to the config's errorUrl with error=referrer_denied`;
    steps.push({ expect: `${refused} (look-alike domain)`, url, curl: curl(['-H', shellQuote(`Referer: https://${domain}.evil.example/`)], url) });
    steps.push({ expect: `${refused} (no Referer; a browser opening the link directly sends none)`, url });
  }
  if (config.remoteApp !== undefined) {
    for (const arg of config.remoteApp.args) {
      if (arg.urlParamName !== 'file') continue;
      steps.push({ expect: '200: the Excel command line is built and quoted', url: withQuery(url, { file: 'C:\\Reports\\Q1 2026.xlsx' }) });
      steps.push({ expect: '400: invalid_parameter (not a spreadsheet)', url: withQuery(url, { file: 'C:\\Windows\\System32\\calc.exe' }) });
      steps.push({ expect: '400: invalid_parameter (a quote to break out of the argument)', url: withQuery(url, { file: 'C:\\Reports\\Q1.xlsx" /e calc' }) });
      steps.push({ expect: '400: missing_parameter (file is required)', url });
    }
  }
  if (config.requireCaptcha) {
    steps.push({ expect: '403: the captcha check page (open it in a browser)', url });
    if (captcha?.scriptUrl !== undefined) {
      steps.push({ expect: '200: the offline demo token passes', url, curl: curl(['-d', shellQuote(`cf-turnstile-response=${demoCaptchaToken}`)], url) });
      steps.push({ expect: '403: the check page again, "reCAPTCHA Failed"', url, curl: curl(['-d', shellQuote('cf-turnstile-response=wrong-token')], url) });
    }
  }
  if (config.ipRateLimit !== undefined && !config.requireCaptcha) {
    const { sessions, withinSeconds } = config.ipRateLimit;
    steps.push({
      expect: `open it ${sessions + 1} times: ${sessions} allowed, then 429 with Retry-After (${sessions} per ${withinSeconds} s per address)`,
      url,
      curl: curl([], url),
    });
  }
  if (config.sessionsRemaining !== undefined) {
    steps.push({ expect: `open it ${config.sessionsRemaining + 1} times: ${config.sessionsRemaining} sessions, then 429 "Session limit exceeded." (restart the demo to refill)`, url });
  }
  if (steps.length === 0) {
    steps.push({ expect: '200: session ready', url });
    steps.push({ expect: '200 as JSON: the launch plan', url, curl: curl(['-H', shellQuote('Accept: application/json')], url) });
  }
  return steps;
}

/**
 * The steps to try for each sample config, derived from what the config checks (expiry, referrers,
 * sign-in, remote app parameters, captcha, rate limit, quota), so the guide follows `configs.json`.
 *
 * @example
 * ```ts
 * for (const example of demoExamples('http://127.0.0.1:3000', configs.configs, undefined)) console.log(example.name);
 * ```
 */
export function demoExamples(origin: string, configs: readonly CastConfig[], captcha: CaptchaWidget | undefined, now = new Date()): DemoExample[] {
  return configs.map((config) => ({
    name: config.name,
    key: config.key,
    steps: stepsFor(config, `${origin}/cast/${encodeURIComponent(config.key)}`, captcha, now),
  }));
}

/**
 * The console text the demo prints at start-up: one block per sample config.
 *
 * @example
 * ```ts
 * console.log(formatDemoGuide('http://127.0.0.1:3000', examples));
 * ```
 */
export function formatDemoGuide(origin: string, examples: readonly DemoExample[]): string {
  const lines = [`Open ${origin}/ for clickable links, or try these (the pages show each guard's verdict):`, ''];
  for (const example of examples) {
    lines.push(`■ ${example.name}`);
    for (const step of example.steps) {
      lines.push(`    ${step.expect}`);
      lines.push(`      ${step.curl ?? step.url}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * The demo's index page: every sample config with its steps as links (curl lines shown as code).
 *
 * @example
 * ```ts
 * const page = demoIndexPage(examples, 'Express 5');
 * ```
 */
export function demoIndexPage(examples: readonly DemoExample[], framework: string): CastHttpOutput {
  const sections = examples.map(
    (example) => `<section class="box"><h2>${escape(example.name)}</h2><p class="hint">key <code>${escape(example.key)}</code></p><ul>${example.steps
      .map((step) => `<li>${escape(step.expect)}<br>${step.curl === undefined ? `<a href="${escape(step.url)}">${escape(step.url)}</a>` : `<code>${escape(step.curl)}</code>`}</li>`)
      .join('')}</ul></section>`,
  );
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>castgate demo</title>
<style>body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
.box { border: 1px solid #b0b0b8; border-radius: .5rem; padding: .5rem 1.25rem; margin: 1rem 0; } h2 { font-size: 1.1rem; }
li { margin: .4rem 0; word-break: break-all; } .hint { color: #4a4a4f; margin: 0; } a { color: #0b57d0; }</style></head>
<body><main><h1>castgate demo (${escape(framework)})</h1>
<p>Every link below goes through castgate's shipped HTTP adapter, against a sample config from <code>examples/configs.json</code>.
Nothing starts a real desktop: the sessions come from <code>createMemoryStores().sessions</code>, which records them and starts nothing.
Stores are in memory and reset when the demo restarts. For the demo only, the <code>x-demo-user</code> header plays the signed-in user.</p>
${sections.join('\n')}
</main></body></html>
`;
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
    body,
  };
}
