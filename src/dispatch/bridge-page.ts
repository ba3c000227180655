import { html, jsonScript, SafeHtml } from '../common/html';

/** The bridge page's policy: its own script, same-origin fetches and frames (the player). Any LMS may frame it. */
export const BRIDGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** What the bridge script reads: where to ask for the launch. */
export interface BridgeConfig {
  launchUrl: string;
  title: string;
}

/**
 * The page an imported package frames (content origin): it waits for the package page's hand-shake,
 * asks for the launch, then frames the player and relays its commits (player/src/dispatch-bridge.ts).
 */
export function renderBridgePage(c: BridgeConfig): SafeHtml {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${c.title}</title>
<style>
html,body{margin:0;height:100%;font:16px/1.5 system-ui,sans-serif;color:#1b1b1b}
#dispatch-player{border:0;width:100%;height:100%;display:block}
#dispatch-status{max-width:40rem;margin:3rem auto;padding:0 1rem}
#dispatch-status[hidden]{display:none}
#dispatch-status h1{font-size:1.3rem}
code{background:#f1f1f1;padding:.1rem .3rem;border-radius:3px}
</style>
</head>
<body>
<main id="dispatch-status" role="status"><p>Opening the course…</p></main>
${jsonScript('dispatch-bridge-config', c)}
<script src="/player-assets/dispatch-bridge.js"></script>
</body>
</html>`;
}
