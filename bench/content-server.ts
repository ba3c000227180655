/**
 * The test app with the content bench's course (bench/content.ts), in a process of its own
 * (bench/request-lines.ts): its stdout goes wherever the parent points it. Sends `{ url, pid }`,
 * the 2 KB page's URL, once it can be fetched. LOG_LEVEL and LOG_FORMAT come from the environment.
 */
import { createTestApp } from '../test/support/app';
import { importContent } from './content';

async function main(): Promise<void> {
  const t = await createTestApp({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'log', LOG_FORMAT: process.env.LOG_FORMAT ?? 'text' });
  const { prefix } = await importContent(t);
  process.send?.({ url: `${t.contentUrl}${prefix}bench/page.html`, pid: process.pid });
}

void main();
