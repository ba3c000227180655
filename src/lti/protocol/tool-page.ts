import type { Response } from 'express';
import { html, SafeHtml, sendHtml } from '../../common/html';
import { TOOL_ICON } from '../../console/console-assets';

/**
 * Content-Security-Policy of the LTI pages drawn in the console's look (the Dynamic Registration
 * outcome, the Deep Linking picker): the console's stylesheet and one script of its folder, nothing
 * inline, images only from here, forms only to here. No `frame-ancestors`: the LMS frames these pages.
 */
export const TOOL_PAGE_CSP = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'", "base-uri 'none'"].join('; ');

/** A page that carries its own CSP; `sendPage` sets it. Other pages (auto-posts, storage scripts) go out without one. */
export class ToolPage extends SafeHtml {
  readonly csp = TOOL_PAGE_CSP;
}

/** The browser scripts these pages may load, all in the console's folder (`src/console/public/`), type-checked there. */
export type ToolPageScript = 'registration-done' | 'course-picker';

/**
 * An LTI page in the console's look: the console's own stylesheet (shared, not copied), its header bar
 * and the tool's icon. Paths are relative to this origin, where the console serves them.
 */
export function toolPage(title: string, body: SafeHtml, script?: ToolPageScript): ToolPage {
  return new ToolPage(
    html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title}</title>
<link rel="icon" href="${TOOL_ICON.svg.path}" type="image/svg+xml"><link rel="stylesheet" href="/console/assets/console.css">
${script && html`<script type="module" src="/console/assets/${script}.js"></script>`}</head>
<body class="tool-page"><header class="top"><div class="brand">SCORM&nbsp;→&nbsp;LTI bridge</div></header>
<main id="main">${body}</main></body></html>`.toString(),
  );
}

/** Answers any LTI page; a `ToolPage` with its CSP. */
export function sendPage(res: Response, page: SafeHtml): void {
  if (page instanceof ToolPage) {
    res.setHeader('Content-Security-Policy', page.csp);
  }
  sendHtml(res, page);
}
