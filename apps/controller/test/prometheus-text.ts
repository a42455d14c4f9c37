// A strict reader of the Prometheus text exposition format (0.0.4), enough to prove /metrics
// parses: HELP and TYPE once per family and before its samples, well-formed names, labels and
// values, and every sample in a declared family (histogram/summary suffixes included).

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: string;
  help: string;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count', ''],
};

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const fail = (line: number, why: string): never => {
    throw new Error(`line ${line + 1}: ${why}`);
  };
  if (!text.endsWith('\n'))
    fail(text.split('\n').length - 1, 'the exposition must end with a newline');
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      if (line === '') return;
      if (line.startsWith('#')) {
        const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
        if (meta === null) return; // Other comments are allowed and mean nothing.
        const [, keyword = '', name = '', rest = ''] = meta;
        if (!METRIC_NAME.test(name)) fail(i, `bad metric name ${name}`);
        const family = families.get(name) ?? { name, type: '', help: '', samples: [] };
        families.set(name, family);
        if (keyword === 'TYPE') {
          if (family.type !== '') fail(i, `second TYPE for ${name}`);
          if (family.samples.length > 0) fail(i, `TYPE for ${name} after its samples`);
          if (!TYPES.has(rest)) fail(i, `unknown type ${rest}`);
          family.type = rest;
        } else {
          if (family.help !== '') fail(i, `second HELP for ${name}`);
          family.help = rest;
        }
        return;
      }
      const sample = readSample(line) ?? fail(i, `not a sample: ${line}`);
      const family = familyOf(families, sample.name) ?? fail(i, `${sample.name} has no TYPE`);
      family.samples.push(sample);
    });
  return families;
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  const exact = families.get(sampleName);
  if (exact !== undefined && exact.type !== '') return exact;
  for (const family of families.values()) {
    const suffixes = SUFFIXES[family.type] ?? [];
    if (suffixes.some((s) => s !== '' && sampleName === family.name + s)) return family;
  }
  return undefined;
}

function readSample(line: string): Sample | undefined {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (head?.[1] === undefined) return undefined;
  const name = head[1];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = /^([^=]+)="/.exec(rest);
      if (label?.[1] === undefined || !LABEL_NAME.test(label[1])) return undefined;
      rest = rest.slice(label[0].length);
      let value = '';
      for (;;) {
        const c = rest[0];
        if (c === undefined) return undefined;
        rest = rest.slice(1);
        if (c === '"') break;
        if (c === '\\') {
          const escaped = rest[0];
          rest = rest.slice(1);
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else return undefined;
        } else value += c;
      }
      if (label[1] in labels) return undefined;
      labels[label[1]] = value;
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) return undefined;
    }
    rest = rest.slice(1);
  }
  const parts = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (parts?.[1] === undefined) return undefined;
  const value = readValue(parts[1]);
  return value === undefined ? undefined : { name, labels, value };
}

function readValue(text: string): number | undefined {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** The value of the one sample of `name` whose labels include `labels`. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = familyOf(families, name);
  const matches = family?.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches === undefined || matches.length === 0) return undefined;
  if (matches.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches several`);
  return matches[0]?.value;
}
