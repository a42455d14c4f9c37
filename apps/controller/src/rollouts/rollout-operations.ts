// Carries out rollout transitions: starts runs, applies operator commands, advances runs on the
// runner's tick. Each decision comes from the state machine; weights go out as a config change
// (a ROLLOUT revision, announced to the push like any other), and the new state is saved with its
// audit rows. Work on runs is serialized in this process, so a tick and an operator's command
// never interleave.

import { MeshError } from '@weft/errors';
import type { Resource } from '@weft/mesh-config';
import { ConflictError, NotFoundError, PreconditionError } from '../errors.ts';
import type { ConfigOperations } from '../operations/config.ts';
import type { AuditRecord } from '../repositories/audit.ts';
import type { RevisionRepository } from '../repositories/revisions.ts';
import type { RolloutRun, RolloutRunRepository } from '../repositories/rollouts.ts';
import type { TelemetryRepository } from '../repositories/telemetry.ts';
import { planOf, type RolloutPlan } from './plan.ts';
import {
  advance,
  analysisDue,
  applyCommand,
  failRun,
  isTerminal,
  type OperatorCommand,
  type RolloutEvent,
  startRun,
  type Transition,
} from './state-machine.ts';
import { analyzeFromTelemetry } from './telemetry-analysis.ts';

export interface RolloutDeps {
  readonly runs: RolloutRunRepository;
  readonly revisions: RevisionRepository;
  readonly telemetry: TelemetryRepository;
  /** Where a step's weights go: a revision, announced to the push. */
  readonly config: ConfigOperations;
}

/** Revisions a run makes are authored by it, whoever asked for the step. */
export const rolloutAuthor = (plan: RolloutPlan): string => `rollout/${plan.service}`;

export class RolloutOperations {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: RolloutDeps,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(filter: { namespace?: string; service?: string; limit: number }): Promise<RolloutRun[]> {
    return this.deps.runs.list(filter);
  }

  /** The active run of a service, else its latest. */
  async status(namespace: string, service: string): Promise<RolloutRun> {
    const run =
      (await this.deps.runs.activeFor(namespace, service)) ??
      (await this.deps.runs.list({ namespace, service, limit: 1 }))[0];
    if (run === undefined) throw new NotFoundError(`a rollout of ${namespace}/${service}`);
    return run;
  }

  activeIds(): Promise<number[]> {
    return this.deps.runs.active().then((runs) => runs.map((run) => run.id));
  }

  start(
    input: { namespace: string; service: string; canaryVersion?: string },
    actor: string,
  ): Promise<RolloutRun> {
    return this.exclusive(async () => {
      const plan = await this.planFor(input);
      const active = await this.deps.runs.activeFor(plan.namespace, plan.service);
      if (active !== undefined) {
        throw new ConflictError(
          `an active rollout of ${plan.namespace}/${plan.service} (run ${active.id}, ${active.plan.canaryVersion} ${active.state.phase.toLowerCase()})`,
        );
      }
      const transition = startRun(plan, this.now());
      // Weights first: a route that cannot take them refuses the start, and no run is left behind.
      if (transition.action.type === 'setWeights') await this.applyWeights(plan, transition.action);
      return this.deps.runs.create(plan, transition.state, actor, (id) =>
        auditOf(plan, id, transition, actor),
      );
    });
  }

  command(
    target: { namespace: string; service: string },
    command: OperatorCommand,
    actor: string,
  ): Promise<RolloutRun> {
    return this.exclusive(async () => {
      const run = await this.deps.runs.activeFor(target.namespace, target.service);
      if (run === undefined)
        throw new NotFoundError(`an active rollout of ${target.namespace}/${target.service}`);
      const decided = applyCommand(run.plan, run.state, this.now(), command, actor);
      if ('refusal' in decided)
        throw new PreconditionError(
          `cannot ${command} the rollout of ${target.namespace}/${target.service}: ${decided.refusal}`,
        );
      const saved = await this.carryOut(run, decided, actor);
      if (saved === undefined)
        throw new PreconditionError(
          `the rollout of ${target.namespace}/${target.service} changed meanwhile; check its status and try again`,
        );
      return saved;
    });
  }

  /** One tick of one run: an analysis if one is due, then the next step if its time has come. */
  advance(id: number): Promise<RolloutRun | undefined> {
    return this.exclusive(async () => {
      const run = await this.deps.runs.get(id);
      if (run === undefined || isTerminal(run.state)) return run;
      const now = this.now();
      const analysis = analysisDue(run.plan, run.state, now)
        ? await analyzeFromTelemetry(this.deps.telemetry, run.plan, run.state, now)
        : undefined;
      const transition = advance(run.plan, run.state, now, analysis);
      if (transition.state === run.state) return run;
      return this.carryOut(run, transition, rolloutAuthor(run.plan));
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Applies the transition's weights, then saves its state; a route that refuses ends the run. */
  private async carryOut(
    run: RolloutRun,
    transition: Transition,
    actor: string,
  ): Promise<RolloutRun | undefined> {
    let done = transition;
    if (transition.action.type === 'setWeights') {
      try {
        await this.applyWeights(run.plan, transition.action);
      } catch (error) {
        if (!(error instanceof MeshError)) throw error;
        done = failRun(
          {
            ...transition.state,
            canaryWeight: run.state.canaryWeight,
            stableWeight: run.state.stableWeight,
          },
          this.now(),
          `could not set weights on HTTPRoute ${run.plan.namespace}/${run.plan.route}: ${error.message}`,
        );
      }
    }
    return this.deps.runs.save(
      run.id,
      run.generation,
      done.state,
      auditOf(run.plan, run.id, done, actor),
    );
  }

  private async applyWeights(
    plan: RolloutPlan,
    action: { canaryWeight: number; stableWeight: number; message: string },
  ): Promise<void> {
    await this.deps.config.setRolloutWeights(
      {
        namespace: plan.namespace,
        route: plan.route,
        service: plan.service,
        stableVersion: plan.stableVersion,
        canaryVersion: plan.canaryVersion,
        stableWeight: action.stableWeight,
        canaryWeight: action.canaryWeight,
        message: action.message,
      },
      rolloutAuthor(plan),
    );
  }

  /** The Rollout in force for the service, with the versions and route this run will use. */
  private async planFor(input: {
    namespace: string;
    service: string;
    canaryVersion?: string;
  }): Promise<RolloutPlan> {
    const { namespace, service } = input;
    const resources = await this.deps.revisions.current();
    const rollout = resources.find(
      (r) =>
        r.kind === 'Rollout' && r.metadata.namespace === namespace && r.spec.service === service,
    );
    if (rollout?.kind !== 'Rollout')
      throw new NotFoundError(`a Rollout for Service ${namespace}/${service}`);
    const serviceResource = resources.find(
      (r) =>
        r.kind === 'Service' && r.metadata.namespace === namespace && r.metadata.name === service,
    );
    if (serviceResource?.kind !== 'Service')
      throw new NotFoundError(`Service ${namespace}/${service}`);
    const versions = serviceResource.spec.versions.map((v) => v.name);

    // After a promotion the promoted version carries the traffic: it is the next run's stable.
    const promoted = await this.deps.runs.lastPromoted(namespace, service);
    const stableVersion =
      promoted !== undefined && versions.includes(promoted) ? promoted : rollout.spec.stableVersion;
    const canaryVersion = input.canaryVersion ?? rollout.spec.canaryVersion;
    if (!versions.includes(canaryVersion)) {
      throw new PreconditionError(
        `Service ${namespace}/${service} has no version "${canaryVersion}" (it has ${versions.join(', ') || 'none'}): declare it before rolling it out`,
      );
    }
    if (canaryVersion === stableVersion) {
      throw new PreconditionError(
        `${canaryVersion} is already the stable version of ${namespace}/${service}${promoted === canaryVersion ? ' (an earlier rollout promoted it)' : ''}: name another canary`,
      );
    }
    return planOf(rollout, {
      route: rollout.spec.route ?? routeOf(resources, namespace, service),
      stableVersion,
      canaryVersion,
    });
  }
}

/** The one HTTPRoute in the namespace that routes the service, when the Rollout names none. */
function routeOf(resources: readonly Resource[], namespace: string, service: string): string {
  const routes = resources.filter(
    (r) =>
      r.kind === 'HTTPRoute' &&
      r.metadata.namespace === namespace &&
      r.spec.parentRefs.some((p) => p.name === service && (p.namespace ?? namespace) === namespace),
  );
  const [only] = routes;
  if (only === undefined || routes.length > 1) {
    throw new PreconditionError(
      only === undefined
        ? `no HTTPRoute in ${namespace} routes Service ${service}; a rollout moves the weights of one`
        : `HTTPRoutes ${routes.map((r) => r.metadata.name).join(', ')} all route Service ${namespace}/${service}: name one in the Rollout's spec.route`,
    );
  }
  return only.metadata.name;
}

function auditOf(
  plan: RolloutPlan,
  run: number,
  transition: Transition,
  actor: string,
): AuditRecord[] {
  const { state } = transition;
  return transition.events.map((event: RolloutEvent) => ({
    actor,
    action: event.action,
    target: `Rollout/${plan.namespace}/${plan.rollout}`,
    outcome: event.action === 'rollouts.fail' ? 'FAILED' : 'OK',
    detail: {
      run,
      summary: event.summary,
      phase: state.phase,
      step: Math.min(state.stepIndex + 1, plan.steps.length),
      of: plan.steps.length,
      weights: {
        [plan.stableVersion]: state.stableWeight,
        [plan.canaryVersion]: state.canaryWeight,
      },
    },
  }));
}
