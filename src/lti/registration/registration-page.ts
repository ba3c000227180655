import { AppError } from '../../common/errors';
import { html, SafeHtml } from '../../common/html';
import { toolPage, ToolPage } from '../protocol/tool-page';
import type { ServiceOutcome } from './registration-outcome';

/** What the outcome page shows after the LMS accepted the registration. */
export interface RegistrationOutcome {
  platformName: string;
  issuer: string;
  clientId: string;
  deploymentId: string | null;
  services: ServiceOutcome[];
  /** The customer a registration link bound the platform to. */
  customerName?: string;
  /** The DR `product_family_code`, for the LMS's own next steps (Moodle's). */
  productFamily?: string;
}

/**
 * The Dynamic Registration outcome (DR §3.7): the platform, each service granted or missing with what
 * that means, the LMS's next steps, and a Close button. `org.imsglobal.lti.close` is posted only when
 * the admin presses it (`registration-done.js`), so the LMS does not close the page before it is read.
 */
export function registrationDonePage(r: RegistrationOutcome): ToolPage {
  const missing = r.services.filter((s) => !s.granted);
  const rows = r.services.map(
    (s) => html`<tr data-service data-granted="${String(s.granted)}"><th scope="row">${s.name}</th>
<td data-label="Status"><span class="badge ${s.granted ? 'ok' : 'warn'}">${s.granted ? 'Granted' : 'Missing'}</span></td>
<td data-label="What it means">${s.meaning}<br><span class="small muted">${s.needs.map((n, i) => html`${i > 0 ? ', ' : ''}<code>${n}</code>`)}</span></td></tr>`,
  );
  const summary =
    missing.length === 0
      ? html`<div class="alert ok" role="status"><p>The LMS granted every service this tool asked for.</p></div>`
      : html`<div class="alert warn" role="status"><p>The LMS did not grant ${missing.length === 1 ? 'one service' : `${missing.length} services`}: ${missing.map((s, i) => html`${i > 0 ? ', ' : ''}<strong>${s.name}</strong>`)}. The tool works without ${missing.length === 1 ? 'it' : 'them'}, as said below; an LMS admin can enable ${missing.length === 1 ? 'it' : 'them'} in the tool’s settings in the LMS and register again.</p></div>`;
  return toolPage(
    'Tool registered',
    html`<h1>Registered with ${r.platformName}</h1>
${summary}
<section class="card"><h2>Registration</h2><dl class="facts">
<dt>LMS</dt><dd data-platform-name>${r.platformName}</dd>
<dt>Issuer</dt><dd><code>${r.issuer}</code></dd>
<dt>Client ID</dt><dd><code data-client-id>${r.clientId}</code></dd>
<dt>Deployment ID</dt><dd>${r.deploymentId === null ? html`<span class="muted">none yet: it is added on the first launch the admin approves</span>` : html`<code>${r.deploymentId}</code>`}</dd>
${r.customerName !== undefined && html`<dt>Customer</dt><dd data-customer>${r.customerName}</dd>`}</dl></section>
<section class="card"><h2>Services</h2>
<table class="data" data-testid="services"><thead><tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">What it means</th></tr></thead>
<tbody>${rows}</tbody></table></section>
${nextSteps(r.productFamily)}
<p class="actions"><button type="button" class="primary" id="close">Close</button></p>`,
    'registration-done',
  );
}

/** The LMS's own steps after this page, where they are known. */
function nextSteps(productFamily: string | undefined): SafeHtml | null {
  if (productFamily?.toLowerCase() !== 'moodle') {
    return html`<section class="card"><h2>Next</h2><p>Close this page, then check in the LMS that the tool is enabled for courses. Step-by-step notes per LMS: console, <em>Connect an LMS</em>.</p></section>`;
  }
  return html`<section class="card" data-next="moodle"><h2>Next, in Moodle</h2><ol>
<li>Press <strong>Close</strong>. The tool appears under <em>Manage tools</em>; press <strong>Activate</strong> on its card.</li>
<li>Moodle registers it as a <em>preconfigured</em> tool, which is in no activity chooser yet. On the tool’s card press the cog (<em>Edit</em>), set <strong>Tool configuration usage</strong> to <strong>Show in activity chooser and as a preconfigured tool</strong>, and save. (Or a teacher turns it on for one course: <em>More → LTI External tools</em>, <strong>Show in activity chooser</strong>.)</li>
<li>In a course: <em>Add an activity or resource</em> → <strong>SCORM LTI bridge</strong> → <strong>Select content</strong>, pick a course, save.</li></ol></section>`;
}

/**
 * A refused registration keeps its code, status and message (the exception filter answers the
 * readable error page and logs it) and gains what the admin needs in the LMS's frame: that nothing
 * was registered, and a Close button (the same script as the outcome page; no inline script).
 */
export function registrationRefused(e: unknown): unknown {
  if (!(e instanceof AppError)) {
    return e;
  }
  const extra = html`<p>This tool stored no registration. Once the cause above is dealt with, start the registration again from the LMS (if the LMS lists the tool anyway, delete it there first).</p>
<p><button type="button" id="close">Close</button></p><script type="module" src="/console/assets/registration-done.js"></script>`;
  return new AppError(e.code, e.message, e.status, e.details, e.pageHtml ? html`${e.pageHtml}${extra}` : extra);
}
