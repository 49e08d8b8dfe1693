// A stable text form of a parsed probe (settings and target fields), so a reload can tell a changed
// probe from an unchanged one even when schemas produced regular expressions, dates or maps.

export function fingerprint(value: unknown): string {
  return encode(value, new Set());
}

function encode(value: unknown, seen: Set<object>): string {
  if (value === undefined) return 'u';
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return `<${String(value)}>`;
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  try {
    if (value instanceof RegExp) return `re:${value.toString()}`;
    if (value instanceof Date) return `date:${value.getTime()}`;
    if (Array.isArray(value)) return `[${value.map((v) => encode(v, seen)).join(',')}]`;
    if (value instanceof Map) {
      return `map{${[...value.entries()].map(([k, v]) => `${encode(k, seen)}:${encode(v, seen)}`).sort().join(',')}}`;
    }
    if (value instanceof Set) return `set{${[...value].map((v) => encode(v, seen)).sort().join(',')}}`;
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${encode(v, seen)}`).join(',')}}`;
  } finally {
    seen.delete(value);
  }
}
