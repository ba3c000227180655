import { randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import * as yazl from 'yazl';

/**
 * The import benchmark's packages: a SCORM 1.2 course of a chosen size, made of ~2,000 small
 * HTML/JS files (seeded text, so the same every time) plus incompressible media, half stored and
 * half deflated, written as a stream so a 1 GB package is never held in memory.
 */

export const MB = 1000 * 1000;
const SMALL_FILES = 2000;

const MANIFEST = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench.course" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Benchmark course</title>
      <item identifier="item1" identifierref="sco1"><title>Lesson</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
`;

const WORDS =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua learner course module quiz score objective'.split(
    ' ',
  );

/** Small pseudo-random text (seeded, so packages are reproducible). */
function text(seed: number, bytes: number): string {
  let x = seed * 2654435761 || 1;
  const words: string[] = [];
  let len = 0;
  while (len < bytes) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const w = WORDS[(x >>> 0) % WORDS.length] + ((x >>> 0) % 7 === 0 ? String(x >>> 20) : '');
    words.push(w);
    len += w.length + 1;
  }
  return words.join(' ');
}

/** `bytes` of incompressible data, produced in 1 MiB chunks (never held whole). */
function randomStream(bytes: number): Readable {
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, 1024 * 1024);
      left -= n;
      this.push(randomFillSync(Buffer.allocUnsafe(n)));
    },
  });
}

/** Writes a SCORM 1.2 package of about `targetBytes` to `file`: ~2,000 small HTML/JS files plus media. */
export async function generatePackage(file: string, targetBytes: number): Promise<void> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(MANIFEST), 'imsmanifest.xml');
  zip.addBuffer(Buffer.from('<!doctype html><html><head><script src="js/m0000.js"></script></head><body><h1>Lesson</h1></body></html>'), 'index.html');
  let approx = 0;
  for (let i = 0; i < SMALL_FILES; i++) {
    const id = String(i).padStart(4, '0');
    if (i % 2 === 0) {
      const body = `<!doctype html><html><head><title>Page ${id}</title></head><body><p>${text(i + 1, 1500)}</p></body></html>`;
      zip.addBuffer(Buffer.from(body), `pages/p${id}.html`);
      approx += body.length / 3;
    } else {
      const body = `/* module ${id} */\nexport const text${i} = ${JSON.stringify(text(i + 1, 1200))};\n`;
      zip.addBuffer(Buffer.from(body), `js/m${id}.js`);
      approx += body.length / 3;
    }
  }
  const mediaBytes = Math.max(targetBytes - approx, MB);
  const chunk = Math.min(32 * MB, Math.max(MB, Math.round(mediaBytes / 20)));
  let made = 0;
  for (let i = 0; made < mediaBytes; i++) {
    const size = Math.min(chunk, Math.round(mediaBytes - made));
    // Alternate stored (what zip tools do for .mp4) and deflated (what naive tools do).
    const stored = i % 2 === 0;
    const name = stored ? `media/clip-${i}.mp4` : `media/audio-${i}.bin`;
    zip.addReadStreamLazy(name, { size, compress: !stored }, (cb) => cb(null, randomStream(size)));
    made += size;
  }
  zip.end();
  const tmp = `${file}.part`;
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(tmp);
    zip.outputStream.on('error', reject);
    out.on('error', reject);
    out.on('close', () => resolve());
    zip.outputStream.pipe(out);
  });
  await fs.promises.rename(tmp, file);
}
