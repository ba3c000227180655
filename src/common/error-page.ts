import { html, SafeHtml } from './html';

/** A small readable page for people sitting in an LMS iframe; carries the stable error code. */
export function renderErrorPage(status: number, code: string, message: string, extra?: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${message}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.3rem}code{background:#f1f1f1;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><main><h1>${message}</h1>
<p>Error code: <code data-error-code>${code}</code> (HTTP ${status}).</p>${extra}
</main></body></html>`;
}
