// Which instances the demo runs: one workload per line, each an unchanged service beside a proxy.

export interface DemoInstance {
  readonly id: string;
  readonly service: string;
  readonly version: string;
}

export const NAMESPACE = 'shop';

export const INSTANCES: readonly DemoInstance[] = [
  { id: 'frontend-v1', service: 'frontend', version: 'v1' },
  { id: 'catalog-v1', service: 'catalog', version: 'v1' },
  { id: 'catalog-v2', service: 'catalog', version: 'v2' },
  // The bad canary: slow and failing, for the rollout that must roll itself back.
  { id: 'catalog-v3', service: 'catalog', version: 'v3' },
  { id: 'inventory-v1', service: 'inventory', version: 'v1' },
  { id: 'reviews-v1', service: 'reviews', version: 'v1' },
  { id: 'ratings-v1', service: 'ratings', version: 'v1' },
];
