import type { Response } from 'express';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * Answers an HTML page directly (status 200 unless set): what `res.type('html').send()` does minus the
 * ETag hash of the body and the freshness check, which the launch path's `no-store` pages never use
 * (issue 3 launch profile).
 */
export function sendHtml(res: Response, html: string): void {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}
