/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests of `/metrics`: every line
 * must be a `# HELP`, a `# TYPE`, a blank line or a sample of a family declared before it; histogram
 * families must have cumulative buckets ending in `+Inf` equal to `_count`. Throws on anything else.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  help: string | undefined;
  type: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN' || text === 'Nan') return NaN;
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`bad sample value in: ${line}`);
  return Number(text);
}

/** Parses `{a="x",b="y\"z"}` starting at `text[0] === '{'`; returns the labels and the rest of the line. */
function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  for (let guard = 0; guard < 1000; guard++) {
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (name === null || text[i + name[0].length] !== '=' || text[i + name[0].length + 1] !== '"') throw new Error(`bad label in: ${line}`);
    i += name[0].length + 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    if (Object.prototype.hasOwnProperty.call(labels, name[0])) throw new Error(`duplicate label ${name[0]} in: ${line}`);
    labels[name[0]] = value;
    i++;
    if (text[i] === ',') i++;
  }
  throw new Error(`too many labels in: ${line}`);
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  const exact = families.get(sampleName);
  if (exact !== undefined) return exact;
  const suffix = /_(bucket|sum|count)$/.exec(sampleName);
  if (suffix === null) return undefined;
  const base = families.get(sampleName.slice(0, -suffix[0].length));
  return base !== undefined && (base.type === 'histogram' || base.type === 'summary') ? base : undefined;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const declare = (name: string): Family => {
    if (!METRIC_NAME.test(name)) throw new Error(`bad metric name ${name}`);
    let family = families.get(name);
    if (family === undefined) {
      family = { name, help: undefined, type: undefined, samples: [] };
      families.set(name, family);
    }
    return family;
  };
  if (!text.endsWith('\n')) throw new Error('exposition does not end with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment !== null) {
      const family = declare(comment[2] ?? '');
      if (family.samples.length > 0) throw new Error(`${comment[1]} after samples: ${line}`);
      if (comment[1] === 'HELP') {
        if (family.help !== undefined) throw new Error(`second HELP: ${line}`);
        family.help = comment[3] ?? '';
      } else {
        if (family.type !== undefined || !TYPES.has(comment[3] ?? '')) throw new Error(`bad TYPE: ${line}`);
        family.type = comment[3];
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (name === null) throw new Error(`bad sample line: ${line}`);
    let rest = line.slice(name[0].length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    if (!rest.startsWith(' ')) throw new Error(`bad sample line: ${line}`);
    const value = parseValue(rest.slice(1).split(' ')[0] ?? '', line);
    const family = familyOf(families, name[0]);
    if (family === undefined || family.type === undefined || family.help === undefined) throw new Error(`sample without HELP/TYPE: ${line}`);
    family.samples.push({ name: name[0], labels, value });
  }
  for (const family of families.values()) {
    if (family.help === undefined || family.type === undefined) throw new Error(`family ${family.name} lacks HELP or TYPE`);
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort(([a], [b]) => (a < b ? -1 : 1)));
}

function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: { le: number; count: number }[]; count?: number }>();
  for (const sample of family.samples) {
    const key = seriesKey(sample.labels);
    let entry = series.get(key);
    if (entry === undefined) {
      entry = { buckets: [] };
      series.set(key, entry);
    }
    if (sample.name === `${family.name}_bucket`) {
      const le = sample.labels['le'];
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      entry.buckets.push({ le: parseValue(le, le), count: sample.value });
    } else if (sample.name === `${family.name}_count`) {
      entry.count = sample.value;
    }
  }
  for (const [key, { buckets, count }] of series) {
    for (let i = 1; i < buckets.length; i++) {
      const [prev, cur] = [buckets[i - 1], buckets[i]];
      if (prev === undefined || cur === undefined || !(cur.le > prev.le) || cur.count < prev.count) throw new Error(`${family.name}${key}: buckets not cumulative/ascending`);
    }
    const last = buckets.at(-1);
    if (last === undefined || last.le !== Infinity || last.count !== count) throw new Error(`${family.name}${key}: +Inf bucket missing or not equal to _count`);
  }
}

/** The value of the sample `name` whose labels are exactly `labels` (undefined when absent). */
export function sampleValue(families: Map<string, Family>, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const family = familyOf(families, name);
  const want = seriesKey(labels) + JSON.stringify(labels['le'] ?? null);
  const found = family?.samples.find((s) => s.name === name && seriesKey(s.labels) + JSON.stringify(s.labels['le'] ?? null) === want);
  return found?.value;
}
