// What operators do to the mesh configuration: apply, delete, roll back, diff. Each change is
// validated as a whole set before anything is written, and lands as one audited revision.

import {
  type BackendRef,
  type ConfigIssue,
  compareIssues,
  diffResourceSets,
  type LoadedResource,
  MeshConfigError,
  mergeResources,
  type Resource,
  type ResourceChange,
  type RouteRule,
  removeResources,
  resourceKey,
  validateResourceSet,
} from '@weft/mesh-config';
import { NotFoundError, PreconditionError } from '../errors.ts';
import type { AuditRecord } from '../repositories/audit.ts';
import type { ChangeOutcome, RevisionRepository } from '../repositories/revisions.ts';

function assertValid(resources: Resource[]): Resource[] {
  const issues = validateResourceSet(resources.map((resource) => ({ resource })));
  if (issues.length > 0) throw new MeshConfigError(issues);
  return resources;
}

function auditOf(
  actor: string,
  action: string,
  changes: ResourceChange[],
  revision: number,
): AuditRecord {
  return {
    actor,
    action,
    target: changes.length === 1 && changes[0] ? changes[0].key : 'mesh',
    outcome: 'OK',
    detail: {
      revision,
      changes: changes.map((c) => ({
        key: c.key,
        action: c.action,
        before: c.before,
        after: c.after,
      })),
    },
  };
}

/**
 * What is wrong with `current` once `applied` is merged in, judged as one set: the applied
 * documents keep their file and line, and two of them with one name are reported, not merged.
 */
export function mergeIssues(
  current: readonly Resource[],
  applied: readonly LoadedResource[],
): ConfigIssue[] {
  const replaced = new Set(applied.map((r) => resourceKey(r.resource)));
  const kept = current
    .filter((r) => !replaced.has(resourceKey(r)))
    .map((resource) => ({ resource }));
  return validateResourceSet([...kept, ...applied]).sort(compareIssues);
}

/** `current` with `applied` merged in (by kind, namespace and name), or a MeshConfigError. */
export function mergeChecked(
  current: readonly Resource[],
  applied: readonly LoadedResource[],
): Resource[] {
  const issues = mergeIssues(current, applied);
  if (issues.length > 0) throw new MeshConfigError(issues);
  return mergeResources(
    current,
    applied.map((r) => r.resource),
  );
}

export function applyResources(
  revisions: RevisionRepository,
  resources: readonly Resource[],
  actor: string,
  message = 'apply',
): Promise<ChangeOutcome> {
  return applyLoaded(
    revisions,
    resources.map((resource) => ({ resource })),
    actor,
    message,
  );
}

/** Applies documents read from a file: problems name their lines. */
export function applyLoaded(
  revisions: RevisionRepository,
  loaded: readonly LoadedResource[],
  actor: string,
  message = 'apply',
): Promise<ChangeOutcome> {
  return revisions.change(
    { author: actor, message, source: 'APPLY' },
    (current) => mergeChecked(current, loaded),
    (changes, id) => auditOf(actor, 'config.apply', changes, id),
  );
}

export function deleteResources(
  revisions: RevisionRepository,
  keys: readonly string[],
  actor: string,
  message = 'delete',
): Promise<ChangeOutcome> {
  return revisions.change(
    { author: actor, message, source: 'DELETE' },
    (current) => {
      const known = new Set(
        current.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`),
      );
      const missing = keys.find((key) => !known.has(key));
      if (missing !== undefined) throw new NotFoundError(missing);
      return assertValid(removeResources(current, keys));
    },
    (changes, id) => auditOf(actor, 'config.delete', changes, id),
  );
}

/** Restores the set of revision `target` as a new revision; history is never rewritten. */
export async function rollbackTo(
  revisions: RevisionRepository,
  target: number,
  actor: string,
): Promise<ChangeOutcome> {
  const revision = await revisions.get(target);
  if (revision === undefined) throw new NotFoundError(`revision ${target}`);
  return revisions.change(
    {
      author: actor,
      message: `rollback to revision ${target}`,
      source: 'ROLLBACK',
      restoredFrom: target,
    },
    () => assertValid(revision.resources),
    (changes, id) => auditOf(actor, 'config.rollback', changes, id),
  );
}

/** The changes that lead from revision `from` to revision `to` (0 is the empty mesh). */
export async function diffRevisions(
  revisions: RevisionRepository,
  from: number,
  to: number,
): Promise<ResourceChange[]> {
  const load = async (id: number) => {
    if (id === 0) return [];
    const revision = await revisions.get(id);
    if (revision === undefined) throw new NotFoundError(`revision ${id}`);
    return revision.resources;
  };
  return diffResourceSets(await load(from), await load(to));
}

/**
 * The canary slider: sets the weight of each named version in every rule of an HTTPRoute that
 * sends to it. Versions the route does not mention are refused, as is a split with no weight.
 */
export function setCanaryWeights(
  revisions: RevisionRepository,
  target: { namespace: string; route: string; weights: Readonly<Record<string, number>> },
  actor: string,
): Promise<ChangeOutcome> {
  const key = `HTTPRoute/${target.namespace}/${target.route}`;
  return revisions.change(
    {
      author: actor,
      message: `canary ${Object.entries(target.weights)
        .map(([v, w]) => `${v}=${w}`)
        .join(' ')}`,
      source: 'CANARY',
    },
    (current) => {
      const route = current.find(
        (r) =>
          r.kind === 'HTTPRoute' &&
          r.metadata.namespace === target.namespace &&
          r.metadata.name === target.route,
      );
      if (route?.kind !== 'HTTPRoute') throw new NotFoundError(key);
      const mentioned = new Set(
        route.spec.rules.flatMap((rule) => rule.backendRefs.map((b) => b.version)),
      );
      const unknown = Object.keys(target.weights).filter((version) => !mentioned.has(version));
      if (unknown.length > 0) throw new NotFoundError(`version ${unknown.join(', ')} in ${key}`);
      const rules = route.spec.rules.map((rule) => ({
        ...rule,
        backendRefs: rule.backendRefs.map((b) =>
          b.version !== undefined && target.weights[b.version] !== undefined
            ? { ...b, weight: target.weights[b.version] as number }
            : b,
        ),
      }));
      return assertValid(
        current.map((r) => (r === route ? { ...route, spec: { ...route.spec, rules } } : r)),
      );
    },
    (changes, id) => auditOf(actor, 'routes.setCanaryWeights', changes, id),
  );
}

/**
 * A rollout step: in every rule of the route that sends to the service's stable version, the
 * stable and canary versions get these weights, the canary joining a rule it is not yet in.
 * Rules that do not send to the stable version (a header opt-in, say) are left alone.
 */
export function setRolloutWeights(
  revisions: RevisionRepository,
  target: {
    namespace: string;
    route: string;
    service: string;
    stableVersion: string;
    canaryVersion: string;
    stableWeight: number;
    canaryWeight: number;
    message: string;
  },
  actor: string,
): Promise<ChangeOutcome> {
  const key = `HTTPRoute/${target.namespace}/${target.route}`;
  const isVersion = (b: BackendRef, version: string) =>
    b.name === target.service &&
    (b.namespace ?? target.namespace) === target.namespace &&
    b.version === version;
  const sendsTo = (rule: RouteRule, version: string) =>
    rule.backendRefs.some((b) => isVersion(b, version));
  return revisions.change(
    { author: actor, message: target.message, source: 'ROLLOUT' },
    (current) => {
      const route = current.find(
        (r) =>
          r.kind === 'HTTPRoute' &&
          r.metadata.namespace === target.namespace &&
          r.metadata.name === target.route,
      );
      if (route?.kind !== 'HTTPRoute') throw new NotFoundError(key);
      if (!route.spec.rules.some((rule) => sendsTo(rule, target.stableVersion)))
        throw new PreconditionError(
          `${key} has no rule that sends to ${target.service} ${target.stableVersion}, the stable version`,
        );
      const rules = route.spec.rules.map((rule) => {
        if (!sendsTo(rule, target.stableVersion)) return rule;
        const backendRefs = rule.backendRefs.map((b) => {
          if (isVersion(b, target.stableVersion)) return { ...b, weight: target.stableWeight };
          if (isVersion(b, target.canaryVersion)) return { ...b, weight: target.canaryWeight };
          return b;
        });
        if (!sendsTo(rule, target.canaryVersion))
          backendRefs.push({
            name: target.service,
            version: target.canaryVersion,
            weight: target.canaryWeight,
          });
        return { ...rule, backendRefs };
      });
      return assertValid(
        current.map((r) => (r === route ? { ...route, spec: { ...route.spec, rules } } : r)),
      );
    },
    (changes, id) => auditOf(actor, 'rollouts.setWeights', changes, id),
  );
}
