import type { Response } from 'express';
import { html, jsonScript, raw, SafeHtml } from '../../common/html';

/**
 * A 302 to an absolute URL we built (already encoded), without Express's content negotiation for the
 * redirect body: the OIDC login answer (Sec §5.1.1.2).
 */
export function redirect302(res: Response, url: string): void {
  res.statusCode = 302;
  res.setHeader('Location', url);
  res.setHeader('Content-Length', 0);
  res.end();
}

/** Small HTML pages of the LTI flows. Values are escaped; JSON for scripts is embedded safely. */

const STYLE = raw(`<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
code{background:#f1f1f1;padding:.1rem .3rem;border-radius:3px}button{font:inherit;padding:.4rem 1rem}</style>`);

function page(title: string, body: SafeHtml, referrer: 'no-referrer' | 'same-origin' = 'no-referrer'): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="${referrer}"><title>${title}</title>${STYLE}</head>
<body><main>${body}</main></body></html>`;
}

/**
 * An auto-submitting form POST (OIDC form_post, DL §2.3 response): the browser carries the values,
 * nothing travels in a URL. A button stays visible in case scripts are off.
 */
export function autoPostForm(action: string, fields: Record<string, string>, title = 'Continuing…'): SafeHtml {
  const inputs = Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  return page(
    title,
    html`<form id="autopost" method="post" action="${action}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>
<script>document.getElementById('autopost').submit();</script>`,
  );
}

/**
 * Login page used when the platform offers LTI platform storage (lti_storage_target; docs/lti-launch-checks.md,
 * 1EdTech "OIDC Login with LTI Client Side postMessages"): stores the state binding in the
 * platform's frame, then goes on to the authorization endpoint. If the platform does not answer in
 * 1 s it goes on anyway and the cookie set with this page is the binding.
 */
export function storageLoginPage(cfg: { authUrl: string; state: string; binding: string; storageTarget: string; platformOrigin: string }): SafeHtml {
  return page(
    'Signing in…',
    html`<p>Signing you in…</p>${jsonScript('lti-storage-login', cfg)}
<script>${STORAGE_LIB}
(function(){var c=JSON.parse(document.getElementById('lti-storage-login').textContent);
ltiStorage(c.storageTarget,c.platformOrigin).then(function(s){return s?s.put('state-'+c.state,c.binding):null})
.catch(function(){return null}).then(function(){window.location.replace(c.authUrl);});})();</script>`,
  );
}

/**
 * Launch page used when the state cookie did not arrive (third-party cookies blocked) but the login
 * stored the binding in platform storage: reads it back and re-posts the launch with it. The server
 * still does every check; this page only carries the browser binding (docs/lti-launch-checks.md, "Without third-party cookies").
 * Referrer policy `same-origin` so the re-post carries our `Origin`, which the server requires: a
 * forged cross-site form post of a known binding (login CSRF) arrives with another Origin.
 */
export function storageLaunchPage(cfg: { action: string; idToken: string; state: string; storageTarget: string; platformOrigin: string }): SafeHtml {
  return page(
    'Checking your sign-in…',
    html`<p>Checking your sign-in…</p>${jsonScript('lti-storage-launch', cfg)}
<form id="relaunch" method="post" action="${cfg.action}"><input type="hidden" name="id_token"><input type="hidden" name="state"><input type="hidden" name="lti_storage_binding"></form>
<script>${STORAGE_LIB}
(function(){var c=JSON.parse(document.getElementById('lti-storage-launch').textContent);var f=document.getElementById('relaunch');
f.id_token.value=c.idToken;f.state.value=c.state;
ltiStorage(c.storageTarget,c.platformOrigin).then(function(s){return s?s.get('state-'+c.state):''})
.catch(function(){return ''}).then(function(v){f.lti_storage_binding.value=v||'';f.submit();});})();</script>`,
    'same-origin',
  );
}

/** Minimal client for lti.capabilities / lti.put_data / lti.get_data (LTI Client Side postMessages v0.1). */
const STORAGE_LIB = raw(`function ltiStorage(target,origin){
var parentWin=window.parent!==window?window.parent:window.opener;if(!parentWin){return Promise.resolve(null);}
function ask(win,targetOrigin,subject,extra){return new Promise(function(resolve,reject){
var id=Array.prototype.join.call(crypto.getRandomValues(new Uint32Array(2)),'-');var t=setTimeout(function(){window.removeEventListener('message',on);reject(new Error('timeout'));},1000);
function on(e){var d=e.data||{};if(d.message_id!==id||d.subject!==subject+'.response'){return;}
if(targetOrigin!=='*'&&e.origin!==targetOrigin){return;}clearTimeout(t);window.removeEventListener('message',on);
if(d.error){reject(new Error(d.error.code||'error'));}else{resolve(d);}}
window.addEventListener('message',on);var m={subject:subject,message_id:id};for(var k in extra){m[k]=extra[k];}win.postMessage(m,targetOrigin);});}
function frameWin(name){if(!name||name==='_parent'){return parentWin;}try{return parentWin.frames[name]||parentWin;}catch(e){return parentWin;}}
return ask(parentWin,'*','lti.capabilities',{}).then(function(r){var msgs=r.supported_messages||[];
var put=msgs.filter(function(m){return m.subject==='lti.put_data'})[0];if(!put){return null;}
var win=frameWin(put.frame||target);
return{put:function(k,v){return ask(win,origin,'lti.put_data',{key:k,value:v});},
get:function(k){return ask(win,origin,'lti.get_data',{key:k}).then(function(r){return r.value;});}};},
function(){var win=frameWin(target);return{put:function(k,v){return ask(win,origin,'lti.put_data',{key:k,value:v});},
get:function(k){return ask(win,origin,'lti.get_data',{key:k}).then(function(r){return r.value;});}};});}`);

/** Shown when neither a cookie nor platform storage could bind the login to this browser. */
export function newWindowHtml(loginUrl: string): SafeHtml {
  return html`<p>Your browser blocked the cookie this tool needs inside the LMS frame, and the LMS did not offer
another way to keep your sign-in. Open the activity in its own window to continue:</p>
<p><a href="${loginUrl}" target="_blank" rel="noopener"><button type="button">Open in a new window</button></a></p>`;
}

/** The answer to a plain GET of a target link URI (Moodle probes it when an activity is saved). */
export function harmlessPage(title: string): SafeHtml {
  return page(title, html`<h1>${title}</h1><p>This address is opened by your LMS through an LTI 1.3 launch. Open the activity from your course in the LMS.</p>`);
}
