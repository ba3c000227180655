import * as mime from 'mime-types';

/** Types browsers must get right for course content; mime-types covers the rest. */
const OVERRIDES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  cjs: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  wasm: 'application/wasm',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  vtt: 'text/vtt; charset=utf-8',
  svg: 'image/svg+xml',
  woff2: 'font/woff2',
  woff: 'font/woff',
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  css: 'text/css; charset=utf-8',
  swf: 'application/x-shockwave-flash',
};

export function contentTypeFor(fileName: string): string {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (OVERRIDES[ext]) {
    return OVERRIDES[ext];
  }
  const type = mime.lookup(fileName);
  if (!type) {
    return 'application/octet-stream';
  }
  return mime.contentType(type) || type;
}

/** Every extension with a known type and the Content-Type answered for it (deploy/nginx/content-types.conf is made from it). */
export function knownContentTypes(): Array<[string, string]> {
  const extensions = new Set([...Object.keys(mime.types), ...Object.keys(OVERRIDES)]);
  return [...extensions].sort().map((ext) => [ext, contentTypeFor(`file.${ext}`)]);
}
