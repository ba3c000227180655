/**
 * The launch bench's browsers: node:http with one keep-alive agent instead of fetch. The driver shares
 * the machine's cores with the servers it measures, and fetch (undici: WHATWG streams, Request and
 * Response objects) cost it several times the CPU of a plain request per launch; a browser keeps
 * its connections open too. Same requests, same headers and bodies, redirects not followed.
 */
import * as http from 'node:http';
import type { BrowserTransport, HttpResult } from '../test/support/emulator/types';

const agent = new http.Agent({ keepAlive: true });

export const keepAliveTransport: BrowserTransport = (url, request) =>
  new Promise<HttpResult>((resolve, reject) => {
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) {
      headers['Content-Length'] = Buffer.byteLength(request.body);
    }
    const req = http.request(url, { method: request.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
            out.append(name, v);
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8'), setCookies: res.headers['set-cookie'] ?? [] });
      });
    });
    req.on('error', reject);
    req.end(request.body);
  });
