// The canary slider's arithmetic: from "canary gets N%" to the weights of every backend version.

export interface Backend {
  readonly version: string | null;
  readonly weight: number;
}

/** The weights a slider position asks for: the canary gets `canaryPercent`, the stable the rest, others nothing. */
export function weightsFor(
  backends: readonly Backend[],
  stable: string,
  canary: string,
  canaryPercent: number,
): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const b of backends) if (b.version !== null) weights[b.version] = 0;
  weights[stable] = 100 - canaryPercent;
  weights[canary] = canaryPercent;
  return weights;
}

/** Each version's share in percent of the total weight (what the proxies will send). */
export function sharesOf(weights: Readonly<Record<string, number>>): Record<string, number> {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  return Object.fromEntries(
    Object.entries(weights).map(([version, w]) => [version, total === 0 ? 0 : (100 * w) / total]),
  );
}

export function currentWeights(backends: readonly Backend[]): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const b of backends) if (b.version !== null) weights[b.version] = b.weight;
  return weights;
}

/** "v1 90 → 70, v2 10 → 30"; versions whose weight stays are left out. */
export function describeChange(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): string[] {
  return Object.keys(after)
    .filter((version) => before[version] !== after[version])
    .map((version) => `${version}: ${before[version] ?? 0} → ${after[version]}`);
}
