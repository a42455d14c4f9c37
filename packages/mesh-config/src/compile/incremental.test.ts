// Incremental compiles equal full ones: random meshes and registries changed step by step by
// random edits (every kind of resource, the registry, revocations, the trust bundle), each step
// compiled both ways, must give the same snapshots, refuse the same broken sets, and recompile
// only the proxies whose inputs changed.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Resource, resourceSchema } from '../resources/index.ts';
import { compileSnapshots } from './compile.ts';
import { IncrementalCompiler } from './incremental.ts';
import type { CompileInput } from './inputs.ts';
import type { WorkloadEndpoint } from './workload.ts';

const SERVICES = ['a/alpha', 'a/beta', 'a/gamma', 'b/delta', 'b/eps'] as const;
const VERSIONS = ['v1', 'v2', 'v3'] as const;
const WORKLOAD_IDS = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'] as const;
const LOCAL_PORTS = [9001, 9002, 9003] as const;

type ServiceId = (typeof SERVICES)[number];

interface World {
  mesh: { trustDomain: string; defaultAction: 'allow' | 'deny'; timeout?: string } | undefined;
  services: Map<ServiceId, { versions: string[]; upstreams: ServiceId[]; port: number }>;
  /** Route name (in the parent's namespace) -> route */
  routes: Map<string, { parent: ServiceId; weights: number[]; mirror?: ServiceId; host?: string }>;
  trafficPolicies: Map<ServiceId, 'roundRobin' | 'random' | 'leastRequest'>;
  accessPolicies: Map<string, { target: ServiceId; action: 'allow' | 'deny'; from: ServiceId }>;
  workloads: Map<string, WorkloadEndpoint>;
  revoked: string[];
  trustBundle: string;
  /** This step only: a resource that refers to a missing service. */
  broken: boolean;
}

const service = fc.constantFrom(...SERVICES);
/** Deletions are rarer than edits, so meshes grow. */
const deleted = fc.nat(4).map((n) => n === 0);
const serviceEdit = (target: fc.Arbitrary<ServiceId>, removed: fc.Arbitrary<boolean>) =>
  fc.record({
    op: fc.constant('service' as const),
    service: target,
    deleted: removed,
    versions: fc.subarray([...VERSIONS]),
    upstreams: fc.subarray([...SERVICES]),
    port: fc.constantFrom(8080, 8081),
  });
const workloadEdit = (id: fc.Arbitrary<string>, removed: fc.Arbitrary<boolean>) =>
  fc.record({
    op: fc.constant('workload' as const),
    id,
    deleted: removed,
    service,
    version: fc.option(fc.constantFrom(...VERSIONS), { nil: undefined }),
    labels: fc.option(fc.constant({ tier: 'gold' }), { nil: undefined }),
    address: fc.constantFrom('10.0.0.1', '10.0.0.2'),
    port: fc.constantFrom(15_001, 15_002),
  });
const edit = fc.oneof(
  fc.record({
    op: fc.constant('mesh' as const),
    mesh: fc.option(
      fc.record(
        {
          trustDomain: fc.constantFrom('weft.local', 'other.test'),
          defaultAction: fc.constantFrom('allow' as const, 'deny' as const),
          timeout: fc.constantFrom('1s', '5s'),
        },
        { requiredKeys: ['trustDomain', 'defaultAction'] },
      ),
      { nil: undefined },
    ),
  }),
  { arbitrary: serviceEdit(service, deleted), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constant('route' as const),
      name: fc.constantFrom('r1', 'r2', 'r3'),
      deleted,
      parent: service,
      weights: fc.array(fc.nat(100), { minLength: 1, maxLength: 3 }),
      mirror: fc.option(service, { nil: undefined }),
      host: fc.option(fc.constantFrom('shop.example', 'api.example'), { nil: undefined }),
    }),
    weight: 2,
  },
  fc.record({
    op: fc.constant('trafficPolicy' as const),
    target: service,
    balancer: fc.option(fc.constantFrom('roundRobin' as const, 'random' as const), {
      nil: undefined,
    }),
  }),
  fc.record({
    op: fc.constant('accessPolicy' as const),
    name: fc.constantFrom('p1', 'p2', 'p3'),
    deleted,
    target: service,
    action: fc.constantFrom('allow' as const, 'deny' as const),
    from: service,
  }),
  { arbitrary: workloadEdit(fc.constantFrom(...WORKLOAD_IDS), deleted), weight: 4 },
  fc.record({ op: fc.constant('revoke' as const), serial: fc.constantFrom('0A', '0B', '0C') }),
  fc.record({ op: fc.constant('trust' as const), bundle: fc.constantFrom('', 'PEM-1', 'PEM-2') }),
  fc.record({ op: fc.constant('broken' as const) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;
/** Where each run starts: every service defined, every workload registered. */
const setup = fc
  .tuple(
    fc.tuple(...SERVICES.map((s) => serviceEdit(fc.constant(s), fc.constant(false)))),
    fc.tuple(...WORKLOAD_IDS.map((id) => workloadEdit(fc.constant(id), fc.constant(false)))),
  )
  .map(([services, workloads]): Edit[] => [...services, ...workloads]);

function emptyWorld(): World {
  return {
    mesh: undefined,
    services: new Map(),
    routes: new Map(),
    trafficPolicies: new Map(),
    accessPolicies: new Map(),
    workloads: new Map(),
    revoked: [],
    trustBundle: '',
    broken: false,
  };
}

function applyEdit(world: World, e: Edit): void {
  world.broken = false;
  switch (e.op) {
    case 'broken':
      world.broken = true;
      return;
    case 'mesh':
      world.mesh = e.mesh;
      return;
    case 'service':
      if (e.deleted) world.services.delete(e.service);
      else
        world.services.set(e.service, {
          versions: e.versions,
          upstreams: e.upstreams.filter((u) => u !== e.service),
          port: e.port,
        });
      return;
    case 'route':
      if (e.deleted) world.routes.delete(e.name);
      else
        world.routes.set(e.name, {
          parent: e.parent,
          weights: e.weights,
          ...(e.mirror === undefined ? {} : { mirror: e.mirror }),
          ...(e.host === undefined ? {} : { host: e.host }),
        });
      return;
    case 'trafficPolicy':
      if (e.balancer === undefined) world.trafficPolicies.delete(e.target);
      else world.trafficPolicies.set(e.target, e.balancer);
      return;
    case 'accessPolicy':
      if (e.deleted) world.accessPolicies.delete(e.name);
      else world.accessPolicies.set(e.name, { target: e.target, action: e.action, from: e.from });
      return;
    case 'workload': {
      if (e.deleted) {
        world.workloads.delete(e.id);
        return;
      }
      const [namespace = '', name = ''] = e.service.split('/');
      world.workloads.set(e.id, {
        id: e.id,
        service: name,
        namespace,
        address: e.address,
        port: e.port,
        ...(e.version === undefined ? {} : { version: e.version }),
        ...(e.labels === undefined ? {} : { labels: e.labels }),
      });
      return;
    }
    case 'revoke':
      world.revoked = world.revoked.includes(e.serial)
        ? world.revoked.filter((s) => s !== e.serial)
        : [...world.revoked, e.serial];
      return;
    case 'trust':
      world.trustBundle = e.bundle;
  }
}

const ref = (id: string) => {
  const [namespace = '', name = ''] = id.split('/');
  return { namespace, name };
};

/**
 * The world as resources. References to services that do not exist are dropped, except after a
 * `broken` edit, whose one step adds a route to a missing service: a set both compiles must
 * refuse alike, after which the incremental one must carry on from its last good state.
 */
function render(world: World): CompileInput {
  const docs: unknown[] = [];
  const exists = (id: ServiceId) => world.services.has(id);
  const envelope = (kind: string, namespace: string, name: string, spec: unknown) =>
    docs.push({ apiVersion: 'weft.dev/v1alpha1', kind, metadata: { name, namespace }, spec });
  if (world.mesh !== undefined) {
    envelope('Mesh', 'default', 'default', {
      trustDomain: world.mesh.trustDomain,
      access: { defaultAction: world.mesh.defaultAction },
      ...(world.mesh.timeout === undefined ? {} : { defaults: { timeout: world.mesh.timeout } }),
    });
  }
  for (const [id, s] of world.services) {
    const { namespace, name } = ref(id);
    envelope('Service', namespace, name, {
      ports: [{ port: s.port }],
      versions: s.versions.map((v) => ({ name: v })),
      upstreams: s.upstreams.filter(exists).map((u, i) => ({
        service: ref(u),
        ...(i < LOCAL_PORTS.length ? { localPort: LOCAL_PORTS[i] } : {}),
      })),
    });
  }
  for (const [name, r] of world.routes) {
    if (!exists(r.parent)) continue;
    const mirror = r.mirror !== undefined && exists(r.mirror) ? r.mirror : undefined;
    const parent = ref(r.parent);
    const versions = world.services.get(r.parent)?.versions ?? [];
    envelope('HTTPRoute', parent.namespace, name, {
      parentRefs: [{ name: parent.name }],
      ...(r.host === undefined ? {} : { hostnames: [r.host] }),
      rules: [
        {
          // One path per route name: two routes on one parent never claim the same match.
          matches: [{ path: { type: 'PathPrefix', value: `/${name}` } }],
          backendRefs: r.weights.map((weight, i) => ({
            name: parent.name,
            ...(versions[i] === undefined ? {} : { version: versions[i] }),
            weight: i === 0 ? Math.max(weight, 1) : weight,
          })),
          ...(mirror === undefined
            ? {}
            : {
                filters: [
                  {
                    type: 'RequestMirror',
                    requestMirror: { backendRef: ref(mirror), percent: 10 },
                  },
                ],
              }),
        },
      ],
    });
  }
  for (const [target, balancer] of world.trafficPolicies) {
    if (!exists(target)) continue;
    const { namespace, name } = ref(target);
    envelope('TrafficPolicy', namespace, name, {
      targetRef: { name },
      loadBalancer: { type: balancer },
    });
  }
  for (const [name, p] of world.accessPolicies) {
    if (!exists(p.target)) continue;
    const target = ref(p.target);
    const from = ref(p.from);
    envelope('AccessPolicy', target.namespace, name, {
      targetRef: { name: target.name },
      action: p.action,
      from: [
        exists(p.from)
          ? { service: from.name, namespace: from.namespace }
          : { namespace: from.namespace },
      ],
    });
  }
  if (world.broken) {
    envelope('HTTPRoute', 'a', 'broken', {
      parentRefs: [{ name: 'missing' }],
      rules: [{ backendRefs: [{ name: 'missing' }] }],
    });
  }
  const resources = docs.map((d) => resourceSchema.parse(d)) as Resource[];
  // As the controller does: a proxy whose Service is not configured yet gets nothing.
  const workloads = [...world.workloads.values()].filter((w) =>
    world.services.has(`${w.namespace}/${w.service}` as ServiceId),
  );
  return {
    resources,
    workloads,
    version: 'r',
    revokedSerials: world.revoked,
    trustBundle: world.trustBundle,
  };
}

type Outcome = { ok: true; snapshots: ReadonlyMap<string, unknown> } | { ok: false; error: string };

function attempt(compile: () => ReadonlyMap<string, { hash: string }>): Outcome {
  try {
    const snapshots = compile();
    // Versions differ by design (an unchanged snapshot keeps its own): compare the content.
    return {
      ok: true,
      snapshots: new Map(
        [...snapshots].map(([id, s]) => [id, { ...s, version: undefined }] as const),
      ),
    };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

describe('IncrementalCompiler', () => {
  it('gives, after any sequence of edits, what a full compile gives', () => {
    let valid = 0;
    let skipped = 0;
    let total = 0;
    fc.assert(
      fc.property(setup, fc.array(edit, { minLength: 5, maxLength: 40 }), (start, edits) => {
        const world = emptyWorld();
        for (const e of start) applyEdit(world, e);
        const incremental = new IncrementalCompiler();
        [undefined, ...edits].forEach((e, step) => {
          if (e !== undefined) applyEdit(world, e);
          const input = { ...render(world), version: `r${step}` };
          const full = attempt(() => compileSnapshots(input));
          let compiled: readonly string[] = [];
          const partial = attempt(() => {
            const result = incremental.compile(input);
            compiled = result.compiled;
            return result.snapshots;
          });
          expect(partial).toEqual(full);
          if (full.ok) {
            valid += 1;
            skipped += full.snapshots.size - compiled.length;
            total += full.snapshots.size;
          }
        });
      }),
      { numRuns: 150 },
    );
    // The generator must reach valid meshes, and the compiler must actually skip work in them.
    expect(valid).toBeGreaterThan(500);
    expect(skipped).toBeGreaterThan(total / 5);
  }, 120_000);

  it('recompiles only the callers of a service whose route changed, and keeps the others as they were', () => {
    const world = emptyWorld();
    for (const e of [
      {
        op: 'service',
        service: 'a/alpha',
        deleted: false,
        versions: [],
        upstreams: ['a/beta'],
        port: 8080,
      },
      {
        op: 'service',
        service: 'a/beta',
        deleted: false,
        versions: ['v1', 'v2'],
        upstreams: [],
        port: 8080,
      },
      {
        op: 'service',
        service: 'a/gamma',
        deleted: false,
        versions: [],
        upstreams: [],
        port: 8080,
      },
      { op: 'route', name: 'r1', deleted: false, parent: 'a/beta', weights: [90, 10] },
    ] as Edit[])
      applyEdit(world, e);
    for (const [id, svc] of [
      ['w0', 'a/alpha'],
      ['w1', 'a/beta'],
      ['w2', 'a/gamma'],
    ] as const)
      applyEdit(world, {
        op: 'workload',
        id,
        deleted: false,
        service: svc,
        version: 'v1',
        address: '10.0.0.1',
        port: 15_001,
      } as Edit);
    const compiler = new IncrementalCompiler();
    const first = compiler.compile({ ...render(world), version: 'r1' });
    expect(first.compiled).toEqual(['w0', 'w1', 'w2']);

    applyEdit(world, {
      op: 'route',
      name: 'r1',
      deleted: false,
      parent: 'a/beta',
      weights: [50, 50],
    } as Edit);
    const second = compiler.compile({ ...render(world), version: 'r2' });
    expect(second.compiled).toEqual(['w0']);
    expect(second.changedInputs).toEqual(new Set(['routes:a/beta']));
    expect(second.snapshots.get('w0')?.version).toBe('r2');
    expect(second.snapshots.get('w1')).toBe(first.snapshots.get('w1'));

    // The registry: a new beta instance reaches beta's callers, and itself.
    applyEdit(world, {
      op: 'workload',
      id: 'w3',
      deleted: false,
      service: 'a/beta',
      version: 'v2',
      address: '10.0.0.2',
      port: 15_002,
    } as Edit);
    const third = compiler.compile({ ...render(world), version: 'r3' });
    expect([...third.compiled].sort()).toEqual(['w0', 'w3']);

    // Revocations reach everyone; an unchanged input compiles nothing.
    applyEdit(world, { op: 'revoke', serial: '0A' } as Edit);
    expect(compiler.compile({ ...render(world), version: 'r4' }).compiled).toHaveLength(4);
    expect(compiler.compile({ ...render(world), version: 'r5' }).compiled).toEqual([]);
  });
});
