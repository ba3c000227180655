import { WarningList } from '../scorm/manifest-warnings';

/**
 * Reading the parser's plain form of `imsss:sequencing` for the compiler (compile-sequencing.ts):
 * `sequencingCollection` entries and `IDRef` resolution, the imsss/adlseq split, and {@link Node},
 * which records what was read so that whatever was not is named in a `sequencing_unsupported` warning.
 */

/** An element in the parser's plain form (`manifest-xml.ts` `toPlainObject`). */
export type Plain = Record<string, unknown>;

/** The local names under `imsss:sequencing` that belong to the adlseq namespace (the rest are imsss). */
const ADLSEQ_ELEMENTS = new Set(['rollupConsiderations', 'constrainedChoiceConsiderations', 'adlseqObjectives']);

export function collectionIndex(raw: unknown, warnings: WarningList): Map<string, Plain> {
  const out = new Map<string, Plain>();
  const collection = asPlain(raw);
  for (const entry of asPlainList(collection?.sequencing)) {
    const id = typeof entry['@ID'] === 'string' ? entry['@ID'].trim() : '';
    if (id) {
      out.set(id, splitNamespaces(entry));
    } else {
      warnings.add('invalid_value', 'A <sequencing> of the <sequencingCollection> has no ID, so no item can use it; it is ignored.', 'sequencingCollection');
    }
  }
  return out;
}

/** The item's sequencing with its IDRef resolved: each child element from the item if it has one, else from the collection entry. */
export function effectiveSequencing(raw: unknown, collection: Map<string, Plain>, where: string, warnings: WarningList): Plain {
  const own = asPlain(raw);
  if (!own) {
    return {};
  }
  const local = splitNamespaces(own);
  const ref = typeof own['@IDRef'] === 'string' ? own['@IDRef'].trim() : '';
  if (!ref) {
    return local;
  }
  const shared = collection.get(ref);
  if (!shared) {
    warnings.add('unresolved_sequencing_ref', `The sequencing of ${where} refers to "${ref}", which is not in <sequencingCollection>; only its own elements are used.`);
    return local;
  }
  const merged: Plain = { ...shared };
  delete merged['@ID'];
  for (const [k, v] of Object.entries(local)) {
    merged[k] = v;
  }
  return merged;
}

/**
 * imsss:objectives and adlseq:objectives share a local name in the plain form. imsss:objectives
 * always holds a primaryObjective (schema), adlseq:objectives never does: the adlseq one is moved to
 * the key `adlseqObjectives`.
 */
export function splitNamespaces(plain: Plain): Plain {
  const out: Plain = { ...plain };
  const lists = asPlainList(plain.objectives);
  if (lists.length > 0) {
    const imsss = lists.filter((o) => o.primaryObjective !== undefined);
    const adlseq = lists.filter((o) => o.primaryObjective === undefined);
    delete out.objectives;
    if (imsss.length > 0) {
      out.objectives = imsss;
    }
    if (adlseq.length > 0) {
      out.adlseqObjectives = adlseq;
    }
  }
  return out;
}

export function asPlain(v: unknown): Plain | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Plain) : undefined;
}

export function asPlainList(v: unknown): Plain[] {
  return Array.isArray(v) ? v.flatMap((x) => (asPlain(x) ? [x as Plain] : [])) : [];
}

export function firstChild(plain: Plain, key: string): Plain | undefined {
  return asPlainList(plain[key])[0];
}

/**
 * One element of the plain form being compiled: reading an attribute or child marks it used, and
 * `done()` names everything left unread in a `sequencing_unsupported` warning.
 */
export class Node {
  private readonly used = new Set<string>();

  constructor(
    private readonly raw: Plain,
    private readonly name: string,
    private readonly where: string,
    private readonly warnings: WarningList,
  ) {}

  attr(local: string): string | undefined {
    this.used.add(`@${local}`);
    const v = this.raw[`@${local}`];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  }

  text(): string {
    this.used.add('#text');
    const v = this.raw['#text'];
    return typeof v === 'string' ? v.trim() : '';
  }

  bool(local: string, fallback: boolean): boolean {
    const v = this.attr(local);
    if (v === undefined) {
      return fallback;
    }
    if (/^(true|1)$/.test(v)) {
      return true;
    }
    if (/^(false|0)$/.test(v)) {
      return false;
    }
    this.invalid(`@${local}`, v);
    return fallback;
  }

  num(local: string, fallback: number, min: number, max: number): number {
    const v = this.attr(local);
    if (v === undefined) {
      return fallback;
    }
    const n = Number(v);
    if (Number.isFinite(n) && n >= min && n <= max) {
      return n;
    }
    this.invalid(`@${local}`, v);
    return fallback;
  }

  int(local: string, fallback: number): number {
    const v = this.attr(local);
    if (v === undefined) {
      return fallback;
    }
    const n = Number(v);
    if (Number.isInteger(n) && n >= 0) {
      return n;
    }
    this.invalid(`@${local}`, v);
    return fallback;
  }

  oneOf<T extends string, F extends T | undefined>(local: string, allowed: readonly T[], fallback: F): T | F {
    const v = this.attr(local);
    if (v === undefined) {
      return fallback;
    }
    if ((allowed as readonly string[]).includes(v)) {
      return v as T;
    }
    this.invalid(`@${local}`, v);
    return fallback;
  }

  child(local: string): Node | undefined {
    return this.children(local)[0];
  }

  children(local: string): Node[] {
    this.used.add(local);
    return asPlainList(this.raw[local]).map((c) => new Node(c, `${this.name}/${this.qualified(local)}`, this.where, this.warnings));
  }

  invalid(key: string, value: string): void {
    this.used.add(key);
    const what = key === '#text' ? this.name : `${this.name}${key}`;
    this.warnings.add('invalid_value', `The sequencing value "${value}" of ${what} (${this.where}) is not valid; the CAM default is used.`, this.where);
  }

  /** The element is read but cannot be given to the engine. */
  dropped(why: string): void {
    this.warnings.add('sequencing_unsupported', `The sequencing construct ${this.name} of ${this.where} is not supported: ${why}; it is ignored.`, this.where);
  }

  done(): void {
    for (const key of Object.keys(this.raw)) {
      if (this.used.has(key)) {
        continue;
      }
      const construct = key.startsWith('@') ? `${this.name}${key}` : key === '#text' ? `${this.name} text` : `${this.name}/${this.qualified(key)}`;
      this.warnings.add('sequencing_unsupported', `The sequencing construct ${construct} is not supported (${this.where}); it is ignored.`, this.where);
    }
  }

  /** A child's name with its namespace prefix: the adlseq elements and everything inside them are adlseq. */
  private qualified(local: string): string {
    if (local === 'adlseqObjectives') {
      return 'adlseq:objectives';
    }
    const inAdlseq = ADLSEQ_ELEMENTS.has(local) || /(^|\/)adlseq:[^/]*$/.test(this.name);
    return `${inAdlseq ? 'adlseq' : 'imsss'}:${local}`;
  }
}
