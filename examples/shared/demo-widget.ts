// An offline stand-in for a captcha provider's widget script, so the demo (and the browser test)
// show the real captcha page without network. It renders like Turnstile's implicit mode: every
// `.cf-turnstile` element gets a labelled checkbox, and ticking it fills the `cf-turnstile-response`
// field the form posts. It protects nothing: the token is public.

/**
 * The token the offline widget submits, and the only one {@link demoCaptchaVerifier} accepts.
 *
 * @example
 * ```ts
 * const form = { 'cf-turnstile-response': demoCaptchaToken };
 * ```
 */
export const demoCaptchaToken = 'demo-human-0123456789';

/**
 * Where the demo serves the widget script (a path on the demo's own site, so the page's CSP allows it as `'self'`).
 *
 * @example
 * ```ts
 * const captcha = { provider: 'turnstile', siteKey: 'demo', scriptUrl: demoWidgetPath } as const;
 * ```
 */
export const demoWidgetPath = '/demo-widget.js';

/**
 * The widget script's source, served as `text/javascript` at {@link demoWidgetPath}.
 *
 * @example
 * ```ts
 * app.get(demoWidgetPath, (_req, res) => res.type('text/javascript').send(demoWidgetScript));
 * ```
 */
export const demoWidgetScript = `(function () {
  var rendered = 0;
  function render(element) {
    if (element.getAttribute('data-rendered') === 'yes') return;
    element.setAttribute('data-rendered', 'yes');
    var id = 'castgate-demo-check-' + (++rendered);
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.id = id;
    var label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = ' I am a human (offline demo check)';
    var field = document.createElement('input');
    field.type = 'hidden';
    field.name = 'cf-turnstile-response';
    box.addEventListener('change', function () { field.value = box.checked ? ${JSON.stringify(demoCaptchaToken)} : ''; });
    element.appendChild(box);
    element.appendChild(label);
    element.appendChild(field);
  }
  var elements = document.querySelectorAll('.cf-turnstile');
  for (var i = 0; i < elements.length; i++) render(elements[i]);
})();
`;
