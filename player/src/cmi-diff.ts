type Json = { [key: string]: unknown };

function isObj(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Dotted-path leaves of a CMI JSON object. */
export function flatten(obj: Json, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObj(v)) {
      flatten(v, key, out);
    } else {
      out[key] = v;
    }
  }
  return out;
}

/**
 * Only the leaves that differ from `base` (the last acknowledged commit), nested again. Used for the
 * unload commit, which must fit the ~64 KB keepalive/beacon budget (player/README.md); the server
 * merges partial commits into the stored data.
 */
export function diffCmi(current: Json, base: Json | undefined): Json {
  const now = flatten(current);
  const before = base ? flatten(base) : {};
  const out: Json = {};
  for (const [path, value] of Object.entries(now)) {
    if (before[path] === value) {
      continue;
    }
    const parts = path.split('.');
    let node = out;
    for (let i = 0; i < parts.length - 1; i++) {
      node = (node[parts[i]] = isObj(node[parts[i]]) ? node[parts[i]] : {}) as Json;
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
}
