import type { ServerResponse } from 'node:http';

/**
 * The one way this tool writes HTML: the `html` tagged template escapes every value put into it,
 * unless the value is itself `SafeHtml` (built by `html`, or a trusted fragment marked with `raw()`).
 * Pages are functions returning `SafeHtml`, and `sendHtml` takes only that, so a string that was
 * never escaped cannot reach a browser by accident.
 */
export class SafeHtml {
  constructor(private readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** A value an `html` template accepts: text is escaped, `SafeHtml` kept, lists joined, empty values dropped. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + strings[i + 1];
  }
  return new SafeHtml(out);
}

/** Marks text we wrote ourselves (a constant script or style) as HTML; never use it on input. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) {
    return value.toString();
  }
  if (Array.isArray(value)) {
    return (value as readonly HtmlValue[]).map(render).join('');
  }
  if (value === null || value === undefined || value === false) {
    return '';
  }
  return escapeHtml(String(value));
}

/** Escapes text for HTML element content and quoted attribute values. */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * JSON to put inside a `<script type="application/json">` element: `<`, `>` and `&` are escaped so
 * the text can neither close the element nor open a comment, and the two line separators JavaScript
 * parsers once refused are escaped too. `JSON.parse` reads it back unchanged.
 */
export function jsonForScript(value: unknown): SafeHtml {
  return raw(
    JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'),
  );
}

/** A `<script type="application/json" id="…">` element holding `value`, for a page's script to read. */
export function jsonScript(id: string, value: unknown): SafeHtml {
  return html`<script type="application/json" id="${id}">${jsonForScript(value)}</script>`;
}

/**
 * Answers an HTML page directly (status 200 unless set): what `res.type('html').send()` does minus the
 * ETag hash of the body and the freshness check, which the launch path's `no-store` pages never use
 * (issue 3 launch profile).
 */
export function sendHtml(res: ServerResponse, page: SafeHtml): void {
  const text = page.toString();
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
