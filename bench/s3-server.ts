/**
 * s3rver in a process of its own, for the content bench's BENCH_STORAGE=s3: its work stays out of
 * the bridge's process and CPU figures. Sends `{ endpoint }` once it listens; exits with its parent.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import S3rver from 's3rver';
import { TEST_BUCKET } from '../test/support/s3';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-s3-'));
const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: TEST_BUCKET, configs: [] }] });
void s3rver.run().then(({ address, port }) => process.send!({ endpoint: `http://${address}:${port}` }));
process.on('disconnect', () => {
  fs.rmSync(directory, { recursive: true, force: true });
  process.exit(0);
});
