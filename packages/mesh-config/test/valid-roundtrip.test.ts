// The example mesh validates, and writing resources back to YAML and reading them again changes nothing.

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadMeshConfig } from '../src/index.ts';
import { exampleSource } from './example-mesh.ts';

describe('valid configuration', () => {
  it('examples/mesh.yaml has no issues and holds every kind', () => {
    const { issues, resources } = loadMeshConfig([exampleSource()]);
    expect(issues).toEqual([]);
    const kinds = new Set(resources.map((r) => r.resource.kind));
    expect([...kinds].sort()).toEqual([
      'AccessPolicy',
      'HTTPRoute',
      'Mesh',
      'Rollout',
      'Service',
      'TrafficPolicy',
    ]);
  });

  it('round-trips through YAML unchanged', () => {
    const first = loadMeshConfig([exampleSource()]).resources.map((r) => r.resource);
    const text = first.map((resource) => stringify(resource)).join('---\n');
    const second = loadMeshConfig([{ file: 'roundtrip.yaml', text }]);
    expect(second.issues).toEqual([]);
    expect(second.resources.map((r) => r.resource)).toEqual(first);
  });

  it('reads resources split across several files as one set', () => {
    const [meshAndServices, rest] = exampleSource().text.split(/^# The canary.*$/m);
    const result = loadMeshConfig([
      { file: 'services.yaml', text: meshAndServices ?? '' },
      { file: 'routes.yaml', text: rest ?? '' },
    ]);
    expect(result.issues).toEqual([]);
    expect(result.resources.length).toBe(loadMeshConfig([exampleSource()]).resources.length);
  });
});
