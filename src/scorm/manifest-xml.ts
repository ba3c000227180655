import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PackageError } from '../common/errors';

/** One attribute, with its name split so that lookups can ignore the prefix. */
export interface XmlAttr {
  /** As written, e.g. `adlcp:scormType`. */
  name: string;
  prefix: string;
  local: string;
  value: string;
  /** Namespace URI of a prefixed attribute; '' unprefixed (attributes take no default namespace); undefined when the prefix is never declared. */
  ns: string | undefined;
}

/**
 * A namespace-aware element. Lookups go by lower-cased local name (`key`) because real manifests use
 * arbitrary, undeclared or missing prefixes and mix up letter case (`scormtype`/`scormType`,
 * `datafromlms`/`dataFromLMS`); the namespace URI is kept for version detection.
 */
export interface XmlElement {
  name: string;
  prefix: string;
  local: string;
  /** Lower-cased local name, the key every lookup uses. */
  key: string;
  /** Namespace URI in scope; '' for no namespace; undefined when the prefix is never declared. */
  ns: string | undefined;
  attrs: XmlAttr[];
  children: XmlElement[];
  /** The element's own text (text and CDATA children concatenated, entities decoded, not trimmed). */
  text: string;
  /** Namespace declarations made on this element (prefix '' is the default namespace). */
  declares: Map<string, string>;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Parses manifest bytes into an element tree.
 *
 * Why this way: fast-xml-parser's `removeNSPrefix` would lose `xml:base` and the prefix of
 * `adlcp:scormtype`, so names are split here and namespaces resolved by hand. Entity processing is
 * switched off in the parser (`processEntities: false`) so that a DOCTYPE can define entities but
 * never expand them (no "billion laughs"); the five predefined entities and character references are
 * decoded here instead. The validator runs first because it reports a line and column.
 */
export function parseXml(bytes: Buffer, fileName = 'imsmanifest.xml'): XmlElement {
  const text = decodeXmlBytes(bytes);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (valid !== true) {
    throw new PackageError('manifest_malformed', `${fileName} ${describeInvalidXml(text, valid.err)}. Fix the file or export the course again.`);
  }
  let nodes: unknown[];
  try {
    const parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      processEntities: false,
      htmlEntities: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      cdataPropName: '#cdata',
      allowBooleanAttributes: true,
      maxNestedTags: 200,
    });
    nodes = parser.parse(text) as unknown[];
  } catch (err) {
    throw new PackageError('manifest_malformed', `${fileName} could not be parsed as XML: ${(err as Error).message}`);
  }
  const roots = buildChildren(nodes, new Map([['xml', XML_NS]]));
  if (roots.elements.length !== 1) {
    throw new PackageError('manifest_malformed', `${fileName} must have exactly one root element, but has ${roots.elements.length}.`);
  }
  return roots.elements[0];
}

/**
 * What is wrong, in words. The validator's own message is kept where it points at a place; it is
 * replaced where it does not: "Start tag expected" (no column) for a file with no element at all,
 * and "Invalid '[…]' found" (always line 1, column 1) for elements never closed.
 */
function describeInvalidXml(text: string, err: { msg: string; line: number; col?: number }): string {
  if (text.trim() === '') {
    return text === '' ? 'is empty' : 'holds only white space';
  }
  if (err.col === undefined) {
    return 'has no root element (only an XML declaration, comments or a DOCTYPE); it must hold a <manifest> element';
  }
  const unclosed = /^Invalid '(\[.*\])' found\.$/.exec(err.msg);
  if (unclosed) {
    const names = (JSON.parse(unclosed[1]) as string[]).map((n) => `<${n}>`).join(', ');
    return `ends before the elements ${names} are closed; the file may be cut short`;
  }
  return `is not well-formed XML: ${err.msg} (line ${err.line}, column ${err.col})`;
}

/**
 * Bytes → string: strips a UTF-8 BOM, honours UTF-16 BOMs and an ISO-8859-1/Windows-1252 encoding
 * declaration; everything else is read as UTF-8 (what the XML spec assumes without a declaration).
 */
export function decodeXmlBytes(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  }
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const head = bytes.subarray(start, start + 200).toString('latin1');
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1]?.toLowerCase();
  if (declared && /^(iso-8859-1|latin-?1|windows-1252|cp1252)$/.test(declared)) {
    return new TextDecoder('windows-1252').decode(bytes.subarray(start));
  }
  const decoded = bytes.subarray(start).toString('utf8');
  return decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
}

/** Decodes the five predefined XML entities and character references; leaves anything else as is. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) {
    return s;
  }
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[ref] ?? whole;
  });
}

function splitName(name: string): { prefix: string; local: string } {
  const colon = name.indexOf(':');
  return colon > 0 ? { prefix: name.slice(0, colon), local: name.slice(colon + 1) } : { prefix: '', local: name };
}

function buildChildren(nodes: unknown[], scope: Map<string, string>): { elements: XmlElement[]; text: string } {
  const elements: XmlElement[] = [];
  let text = '';
  for (const node of nodes) {
    if (!node || typeof node !== 'object') {
      continue;
    }
    const obj = node as Record<string, unknown>;
    const tag = Object.keys(obj).find((k) => k !== ':@');
    if (tag === undefined) {
      continue;
    }
    if (tag === '#text') {
      text += decodeEntities(String(obj[tag]));
      continue;
    }
    if (tag === '#cdata') {
      const inner = obj[tag];
      if (Array.isArray(inner)) {
        for (const part of inner) {
          const value = (part as Record<string, unknown>)['#text'];
          text += typeof value === 'string' || typeof value === 'number' ? String(value) : '';
        }
      }
      continue;
    }
    if (tag.startsWith('?') || tag.startsWith('!') || tag === '#comment') {
      continue;
    }
    const rawAttrs = (obj[':@'] ?? {}) as Record<string, unknown>;
    const declares = new Map<string, string>();
    const plain: Array<{ name: string; value: string }> = [];
    for (const [name, raw] of Object.entries(rawAttrs)) {
      const value = decodeEntities(typeof raw === 'string' ? raw : raw === true ? '' : String(raw));
      if (name === 'xmlns') {
        declares.set('', value.trim());
      } else if (name.startsWith('xmlns:')) {
        declares.set(name.slice(6), value.trim());
      } else {
        plain.push({ name, value });
      }
    }
    const childScope = declares.size > 0 ? new Map([...scope, ...declares]) : scope;
    const attrs = plain.map(({ name, value }): XmlAttr => {
      const split = splitName(name);
      return { name, ...split, value, ns: split.prefix === '' ? '' : childScope.get(split.prefix) };
    });
    const { prefix, local } = splitName(tag);
    const ns = prefix === '' ? (childScope.get('') ?? '') : childScope.get(prefix);
    const children = Array.isArray(obj[tag]) ? buildChildren(obj[tag] as unknown[], childScope) : { elements: [], text: '' };
    elements.push({ name: tag, prefix, local, key: local.toLowerCase(), ns, attrs, children: children.elements, text: children.text, declares });
  }
  return { elements, text };
}

/** Child elements with the given local name (case-insensitive, any prefix). */
export function childrenNamed(el: XmlElement | undefined, local: string): XmlElement[] {
  const key = local.toLowerCase();
  return el ? el.children.filter((c) => c.key === key) : [];
}

/** The first child element with the given local name (case-insensitive, any prefix). */
export function childNamed(el: XmlElement | undefined, local: string): XmlElement | undefined {
  const key = local.toLowerCase();
  return el?.children.find((c) => c.key === key);
}

/** Follows a path of local names, taking the first match at each step. */
export function pathNamed(el: XmlElement | undefined, ...locals: string[]): XmlElement | undefined {
  let cur = el;
  for (const l of locals) {
    cur = childNamed(cur, l);
  }
  return cur;
}

/**
 * An attribute by local name, ignoring prefix and letter case; an unprefixed attribute wins over a
 * prefixed one. `xml:*` attributes are only found by {@link xmlBase}.
 */
export function attrNamed(el: XmlElement | undefined, local: string): string | undefined {
  if (!el) {
    return undefined;
  }
  const key = local.toLowerCase();
  const matches = el.attrs.filter((a) => a.prefix !== 'xml' && a.local.toLowerCase() === key);
  return (matches.find((a) => a.prefix === '') ?? matches[0])?.value;
}

/** The element's `xml:base`, trimmed; undefined when absent or empty. */
export function xmlBase(el: XmlElement | undefined): string | undefined {
  const v = el?.attrs.find((a) => a.prefix === 'xml' && a.local.toLowerCase() === 'base')?.value.trim();
  return v ? v : undefined;
}

/** Element text with runs of whitespace collapsed and ends trimmed (titles, adlcp values). */
export function cleanText(el: XmlElement | undefined): string {
  return el ? el.text.replace(/\s+/g, ' ').trim() : '';
}

/**
 * Prefixes used on elements or attributes where no `xmlns:prefix` is in scope, in order of first use.
 * The lookups here ignore prefixes, so such a manifest is read; but it is not namespace-well-formed
 * XML, and a stricter LMS or validator may refuse the package.
 */
export function undeclaredPrefixes(root: XmlElement): string[] {
  const found = new Set<string>();
  for (const el of walkElements(root)) {
    if (el.ns === undefined) {
      found.add(el.prefix);
    }
    for (const a of el.attrs) {
      if (a.ns === undefined) {
        found.add(a.prefix);
      }
    }
  }
  return [...found];
}

/** Depth-first walk over an element and all its descendants. */
export function* walkElements(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) {
    yield* walkElements(c);
  }
}

/**
 * A plain JSON form of an element for storage (the raw `imsss:sequencing` tree): prefixes dropped,
 * attributes as `@name`, child elements as arrays under their local name, text as `#text`.
 */
export function toPlainObject(el: XmlElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of el.attrs) {
    if (a.prefix !== 'xmlns' && a.prefix !== 'xsi') {
      out[`@${a.local}`] = a.value;
    }
  }
  for (const c of el.children) {
    // A child named like an Object.prototype member must not reach the prototype.
    const key = c.local in Object.prototype ? `_${c.local}` : c.local;
    const list = Object.prototype.hasOwnProperty.call(out, key) ? (out[key] as unknown[]) : [];
    list.push(toPlainObject(c));
    out[key] = list;
  }
  const text = el.text.trim();
  if (text) {
    out['#text'] = text;
  }
  return out;
}
