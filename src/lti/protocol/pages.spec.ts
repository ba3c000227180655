import * as vm from 'node:vm';
import { webcrypto } from 'node:crypto';
import { html, jsonScript, raw } from '../../common/html';
import { autoPostForm, storageLaunchPage, storageLoginPage } from './pages';

type Listener = (e: { data: unknown; origin: string }) => void;

interface Sent {
  to: string;
  message: Record<string, unknown>;
  targetOrigin: string;
}

/**
 * A fake browser for the inline platform-storage scripts: the tool page's `window` inside an LMS
 * frame, a parent answering `lti.capabilities`, and a storage frame answering put/get (LTI Client
 * Side postMessages v0.1). Only what the scripts touch is modelled.
 */
function fakeBrowser(opts: { platformOrigin: string; capabilities: boolean; storageFrame: string; replyOrigin?: string }) {
  const listeners: Listener[] = [];
  const sent: Sent[] = [];
  const store = new Map<string, unknown>();
  let replaced: string | null = null;
  const form: Record<string, { value: string }> & { submitted?: boolean; submit?: () => void } = {};
  const deliver = (data: unknown, origin: string) => setTimeout(() => [...listeners].forEach((l) => l({ data, origin })), 1);
  const frame = (name: string) => ({
    postMessage(message: Record<string, unknown>, targetOrigin: string) {
      sent.push({ to: name, message, targetOrigin });
      const reply = (extra: Record<string, unknown>) => deliver({ subject: `${String(message.subject)}.response`, message_id: message.message_id, ...extra }, opts.replyOrigin ?? opts.platformOrigin);
      if (name === 'parent' && message.subject === 'lti.capabilities') {
        if (opts.capabilities) {
          reply({ supported_messages: [{ subject: 'lti.put_data', frame: opts.storageFrame }, { subject: 'lti.get_data', frame: opts.storageFrame }] });
        }
        return;
      }
      if (targetOrigin !== opts.platformOrigin) {
        return; // the browser drops a message for another origin
      }
      if (message.subject === 'lti.put_data') {
        store.set(String(message.key), message.value);
        reply({ key: message.key, value: message.value });
      } else if (message.subject === 'lti.get_data') {
        reply({ key: message.key, value: store.get(String(message.key)) ?? null });
      }
    },
  });
  const parent = { ...frame('parent'), frames: { [opts.storageFrame]: frame(opts.storageFrame) } as Record<string, unknown> };
  const window = {
    parent,
    opener: null,
    addEventListener: (_t: string, l: Listener) => listeners.push(l),
    removeEventListener: (_t: string, l: Listener) => listeners.splice(listeners.indexOf(l), 1),
    location: { replace: (u: string) => (replaced = u) },
  };
  const elements: Record<string, unknown> = {};
  const document = { getElementById: (id: string) => elements[id] };
  return {
    sent,
    store,
    form,
    get replaced() {
      return replaced;
    },
    run(page: { toString(): string }) {
      const html = page.toString();
      const json = /<script type="application\/json" id="([^"]+)">([\s\S]*?)<\/script>/.exec(html) as RegExpExecArray;
      elements[json[1]] = { textContent: json[2] };
      for (const name of ['id_token', 'state', 'lti_storage_binding']) {
        form[name] = { value: '' };
      }
      form.submit = () => {
        form.submitted = true;
      };
      elements.relaunch = form;
      const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
      vm.runInNewContext(scripts.join('\n'), { window, document, crypto: webcrypto, setTimeout, clearTimeout, JSON, Promise, Array, Uint32Array, Error });
    },
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds (the scripts are asynchronous), at most 3 s. */
async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 3000;
  while (!cond() && Date.now() < end) {
    await wait(5);
  }
}

describe('LTI pages', () => {
  const platformOrigin = 'https://sso.lms.example';
  const login = { authUrl: 'https://sso.lms.example/auth?x=1', state: 'st-1', binding: 'secret-binding', storageTarget: 'post_message_forwarding', platformOrigin };

  it('should store the binding through lti.put_data in the frame lti.capabilities names, then go to the authorization endpoint', async () => {
    const b = fakeBrowser({ platformOrigin, capabilities: true, storageFrame: 'post_message_forwarding' });
    b.run(storageLoginPage(login));
    await until(() => b.replaced !== null);
    expect(b.store.get('state-st-1')).toBe('secret-binding');
    const put = b.sent.find((s) => s.message.subject === 'lti.put_data') as Sent;
    expect(put).toMatchObject({ to: 'post_message_forwarding', targetOrigin: platformOrigin, message: { key: 'state-st-1', value: 'secret-binding' } });
    expect(b.replaced).toBe(login.authUrl);
  });

  it('should still go on (cookie only) when the platform never answers', async () => {
    const b = fakeBrowser({ platformOrigin, capabilities: false, storageFrame: 'nothing-here' });
    b.run(storageLoginPage({ ...login, storageTarget: 'nothing-here', platformOrigin: 'https://elsewhere.example' }));
    await until(() => b.replaced !== null);
    expect(b.replaced).toBe(login.authUrl);
    expect(b.store.size).toBe(0);
  });

  it('should read the binding back with lti.get_data and re-post the launch with it', async () => {
    const b = fakeBrowser({ platformOrigin, capabilities: true, storageFrame: 'post_message_forwarding' });
    b.store.set('state-st-1', 'secret-binding');
    b.run(storageLaunchPage({ action: 'https://tool/lti/launch', idToken: 'a.b.c', state: 'st-1', storageTarget: 'post_message_forwarding', platformOrigin }));
    await until(() => b.form.submitted === true);
    expect(b.form.submitted).toBe(true);
    expect(b.form.id_token.value).toBe('a.b.c');
    expect(b.form.state.value).toBe('st-1');
    expect(b.form.lti_storage_binding.value).toBe('secret-binding');
  });

  it('should ignore a get_data answer from another origin', async () => {
    const b = fakeBrowser({ platformOrigin, capabilities: true, storageFrame: 'post_message_forwarding', replyOrigin: 'https://attacker.example' });
    b.store.set('state-st-1', 'secret-binding');
    b.run(storageLaunchPage({ action: 'https://tool/lti/launch', idToken: 'a.b.c', state: 'st-1', storageTarget: 'post_message_forwarding', platformOrigin }));
    await until(() => b.form.submitted === true);
    expect(b.form.submitted).toBe(true);
    expect(b.form.lti_storage_binding.value).toBe('');
  });

  it('should escape values in auto-post forms and JSON scripts', () => {
    const form = autoPostForm('https://lms/return?a=1&b="2"', { JWT: '<x>"' }).toString();
    expect(form).toContain('action="https://lms/return?a=1&amp;b=&quot;2&quot;"');
    expect(form).toContain('value="&lt;x&gt;&quot;"');
    const value = { v: '</script><script>alert(1)</script><!-- & \u2028' };
    const script = jsonScript('i', value).toString();
    expect(script).not.toContain('</script><script>');
    expect(script).not.toContain('<!--');
    expect(JSON.parse(/<script type="application\/json" id="i">(.*)<\/script>/s.exec(script)?.[1] ?? '')).toEqual(value);
  });

  it('should escape every value put into an html template unless it is marked as trusted', () => {
    const name = `<img src=x onerror="alert('1')">&`;
    expect(html`<p title="${name}">${name}</p>`.toString()).toBe('<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p>');
    expect(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.toString()).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(html`<b>${raw('<i>ours</i>')}${null}${undefined}${false}${0}</b>`.toString()).toBe('<b><i>ours</i>0</b>');
  });
});
