/**
 * Sets `key` in a map that a long-running process keeps to a bound (docs/deployment.md, "What
 * instances share"): the entry goes last in the map's order (setting a key again moves it there, so
 * calling this on each use keeps the most recently used last), then entries are dropped from the
 * oldest on while the map holds more than `max`, or, with `expired`, while the oldest has expired.
 * The expiry walk stops at the first live entry, so it costs nothing per call once the old ones are
 * gone; it drops every expired entry when entries expire in the order they were set (a fixed
 * lifetime), and the cap bounds the rest.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number, expired?: (value: V) => boolean): void {
  map.delete(key);
  map.set(key, value);
  for (const [oldKey, old] of map) {
    if (map.size <= max && !expired?.(old)) {
      break;
    }
    map.delete(oldKey);
  }
}
