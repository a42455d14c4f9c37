// The example mesh from examples/mesh.yaml and a fixed set of workloads, shared by the compiler tests.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceFile, WorkloadEndpoint } from '../src/index.ts';

export const EXAMPLE_FILE = join(import.meta.dirname, '../../../examples/mesh.yaml');

export function exampleSource(): SourceFile {
  return { file: 'examples/mesh.yaml', text: readFileSync(EXAMPLE_FILE, 'utf8') };
}

export const EXAMPLE_WORKLOADS: WorkloadEndpoint[] = [
  {
    id: 'frontend-1',
    service: 'frontend',
    namespace: 'shop',
    version: 'v1',
    address: '10.0.0.1',
    port: 15_443,
  },
  {
    id: 'catalog-v1-a',
    service: 'catalog',
    namespace: 'shop',
    version: 'v1',
    address: '10.0.0.2',
    port: 15_443,
  },
  {
    id: 'catalog-v1-b',
    service: 'catalog',
    namespace: 'shop',
    version: 'v1',
    address: '10.0.0.3',
    port: 15_443,
  },
  {
    id: 'catalog-v2-a',
    service: 'catalog',
    namespace: 'shop',
    version: 'v2',
    address: '10.0.0.4',
    port: 15_443,
  },
  {
    id: 'inventory-1',
    service: 'inventory',
    namespace: 'shop',
    version: 'v1',
    address: '10.0.0.5',
    port: 15_443,
  },
  {
    id: 'reviews-1',
    service: 'reviews',
    namespace: 'shop',
    version: 'v1',
    address: '10.0.0.6',
    port: 15_443,
  },
  {
    id: 'ratings-1',
    service: 'ratings',
    namespace: 'shop',
    version: 'v1',
    address: '10.0.0.7',
    port: 15_443,
  },
];
