import { html, jsonScript, SafeHtml } from '../common/html';
import type { PlayerBootstrap } from './bootstrap.types';

export type { PlayerBootstrap } from './bootstrap.types';

/** Content-Security-Policy of the player shell: its own script only; course frames on this origin (or https). */
export const PLAYER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self' https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** One bundle per SCORM version (player/build.mjs): a 1.2 course never downloads the 2004 sequencing engine. */
export const PLAYER_SCRIPTS = { '1.2': 'player-scorm12.js', '2004': 'player-scorm2004.js' } as const;

export function renderPlayerPage(b: PlayerBootstrap): SafeHtml {
  const single = b.scos.filter((s) => s.isVisible).length <= 1;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${b.title}</title>
<style>
html,body{margin:0;height:100%;font-family:system-ui,sans-serif}
#bridge-player{display:flex;flex-direction:column;height:100%}
#bridge-bar{display:flex;gap:.5rem;align-items:center;padding:.25rem .5rem;border-bottom:1px solid #ccc;background:#f6f6f6}
#bridge-bar[hidden],#bridge-bar button[hidden]{display:none}
#bridge-title{flex:1}
#bridge-main{display:flex;flex:1;min-height:0}
#bridge-toc{width:16rem;overflow:auto;border-right:1px solid #ccc;padding:.5rem}
#bridge-toc[hidden]{display:none}
#bridge-toc button{display:block;width:100%;text-align:left;background:none;border:0;padding:.25rem;cursor:pointer}
#bridge-toc button[aria-current="true"]{font-weight:bold;background:#e6eefc}
#bridge-frame{flex:1;border:0;width:100%;height:100%}
#bridge-message{padding:1rem;background:#fff4e5;border-bottom:1px solid #f0c36d}
#bridge-message[hidden]{display:none}
</style>
</head>
<body>
<div id="bridge-player">
<div id="bridge-message" role="alert" hidden></div>
<div id="bridge-bar" ${single && 'hidden'}>
<button type="button" id="bridge-prev">Previous</button>
<button type="button" id="bridge-next">Next</button>
<span id="bridge-title"></span>
<button type="button" id="bridge-suspend" hidden>Suspend</button>
<button type="button" id="bridge-exit" hidden>Exit course</button>
</div>
<div id="bridge-main">
<nav id="bridge-toc" aria-label="Table of contents" ${single && 'hidden'}></nav>
<iframe id="bridge-frame" title="Course content" allow="fullscreen; autoplay"></iframe>
</div>
</div>
${jsonScript('bridge-bootstrap', b)}
<script src="/player-assets/${PLAYER_SCRIPTS[b.scormVersion]}"></script>
</body>
</html>`;
}
