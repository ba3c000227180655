/** Reading the tool's readable error page (src/common/error-page.ts) in tests. */

/** The stable error code shown on the page; null when the answer is no error page (a launch that went through). */
export function errorCode(res: { text: string }): string | null {
  return /data-error-code>([^<]+)</.exec(res.text)?.[1] ?? null;
}

/** The page's heading (the message), with the quotes the html template escaped read back. */
export function errorHeading(res: { text: string }): string {
  return (/<h1>([^<]*)<\/h1>/.exec(res.text)?.[1] ?? '').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
