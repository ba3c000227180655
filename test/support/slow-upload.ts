import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

/** POST /api/courses with the zip's first half sent now and the rest on `finish()`. */
export function slowUpload(t: { appUrl: string; auth: Record<string, string> }, zip: Buffer) {
  const boundary = 'stop-test-boundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="c.zip"\r\nContent-Type: application/zip\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = http.request(t.appUrl + '/api/courses', {
    method: 'POST',
    headers: { ...t.auth, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + zip.length + tail.length },
  });
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  response.catch(() => undefined); // awaited by the test
  const half = Math.floor(zip.length / 2);
  req.write(Buffer.concat([head, zip.subarray(0, half)]));
  return { response, finish: () => req.end(Buffer.concat([zip.subarray(half), tail])) };
}

/** Whether an upload is being written to the server's tmp folder (it has received part of a body). */
export function uploading(t: { config: { tmpDir: string } }): boolean {
  return fs.existsSync(t.config.tmpDir) && fs.readdirSync(t.config.tmpDir).some((name) => fs.statSync(path.join(t.config.tmpDir, name)).size > 0);
}
