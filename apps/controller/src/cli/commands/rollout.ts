// `weft rollout start|status|pause|resume|promote|abort <service>`: automated canary rollouts.

import type { Command } from 'commander';
import { DEFAULT_NAMESPACE } from '../api-client.ts';
import { type Client, print, remote } from './remote-action.ts';

const DEFAULT_WAIT_SECONDS = 30 * 60;
const POLL_MS = 1_000;
const TERMINAL = new Set(['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'ABORTED']);

type View = Awaited<ReturnType<Client['rollouts']['status']['query']>>;
type Sample = View['analyses'][number]['canary'];

const PHASE_NAMES: Record<View['phase'], string> = {
  PROGRESSING: 'Progressing',
  PAUSED: 'Paused',
  SUCCEEDED: 'Succeeded',
  ROLLED_BACK: 'RolledBack',
  FAILED: 'Failed',
  ABORTED: 'Aborted',
};

const ms = (value: number | null) =>
  value === null ? '-' : value >= 10 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
const rate = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);
const figures = (s: Sample) => `${s.requests} req, ${rate(s.successRate)}, p99 ${ms(s.p99Ms)}`;
const time = (iso: string | null) =>
  iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** "Paused (gate) at step 3 of 6: pause until resumed". */
function stateLine(view: View): string {
  const phase =
    PHASE_NAMES[view.phase] + (view.pause === null ? '' : ` (${view.pause.toLowerCase()})`);
  const step = view.currentStep === null ? '' : `: ${view.currentStep}`;
  return `${phase} at step ${view.step} of ${view.totalSteps}${step}`;
}

function printStatus(view: View): void {
  const rows: [string, string][] = [
    [
      'ROLLOUT',
      `${view.namespace}/${view.service} run ${view.id} (Rollout ${view.rollout}, HTTPRoute ${view.route})`,
    ],
    ['STATE', stateLine(view)],
    [
      'WEIGHTS',
      `${view.stableVersion} ${view.weights.stable}% (stable)  ${view.canaryVersion} ${view.weights.canary}% (canary)`,
    ],
    ['STEPS', view.steps.map((s, i) => (i + 1 === view.step ? `[${s}]` : s)).join(' -> ')],
    ['STARTED', `${time(view.startedAt)} by ${view.startedBy}`],
    ['UPDATED', time(view.updatedAt)],
  ];
  if (view.finishedAt !== null) rows.push(['FINISHED', time(view.finishedAt)]);
  if (view.analysis !== null) {
    const a = view.analysis;
    const limits = [
      a.minSuccessRate === null ? undefined : `success >= ${rate(a.minSuccessRate)}`,
      a.maxP99LatencyMs === null ? undefined : `p99 <= ${ms(a.maxP99LatencyMs)}`,
      `>= ${a.minRequests} req`,
    ].filter((x) => x !== undefined);
    rows.push([
      'ANALYSIS',
      `every ${a.intervalSeconds} s: ${limits.join(', ')}; ${view.failures}/${a.failureLimit} failed${view.rollbackOnFailure ? ', then roll back' : ''}`,
    ]);
  }
  if (view.reason !== null) rows.push(['REASON', view.reason]);
  for (const [key, value] of rows) print(`${key.padEnd(9)} ${value}`);
  if (view.analyses.length === 0) return;
  print('');
  const header = [
    'TIME',
    'STEP',
    'WEIGHT',
    'VERDICT',
    `CANARY ${view.canaryVersion}`,
    `STABLE ${view.stableVersion}`,
  ];
  const lines = view.analyses
    .slice(-10)
    .map((a) => [
      time(a.at),
      String(Math.max(0, a.stepIndex + 1)),
      `${a.canaryWeight}%`,
      a.verdict,
      figures(a.canary),
      figures(a.stable),
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  for (const line of [header, ...lines])
    print(
      line
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  if (view.analyses.length > 10) print(`(${view.analyses.length - 10} earlier analyses: -o json)`);
}

/** Follows a run until it ends, a line per change; fails unless it ends promoted. */
async function follow(
  client: Client,
  target: { namespace: string; service: string },
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const view = await client.rollouts.status.query(target);
    const line = `${stateLine(view)}; ${view.canaryVersion} ${view.weights.canary}%${view.reason === null ? '' : ` (${view.reason})`}`;
    if (line !== last) print(line);
    last = line;
    if (TERMINAL.has(view.phase)) {
      if (view.phase !== 'SUCCEEDED')
        throw new Error(
          `rollout ended ${PHASE_NAMES[view.phase]}: ${view.reason ?? 'no reason given'}`,
        );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`rollout still running after ${timeoutMs / 1_000} s (${last})`);
}

export function registerRolloutCommands(program: Command): void {
  const rollout = program
    .command('rollout')
    .description('automated canary rollouts, judged by the mesh telemetry');

  rollout
    .command('start')
    .description('start the Rollout of a service, e.g. weft rollout start catalog v3 -n shop')
    .argument('<service>', 'the service the Rollout is for')
    .argument('[canaryVersion]', "the version to roll out (default: the Rollout's canaryVersion)")
    .option('-n, --namespace <namespace>', 'the namespace', DEFAULT_NAMESPACE)
    .option('--wait', 'follow the run until it ends; exit 1 unless it is promoted')
    .option(
      '--timeout <seconds>',
      'with --wait: give up after this long',
      String(DEFAULT_WAIT_SECONDS),
    )
    .action(
      remote(
        async (
          client,
          service: string,
          canaryVersion: string | undefined,
          options: { namespace: string; wait?: boolean; timeout: string },
        ) => {
          const view = await client.rollouts.start.mutate({
            namespace: options.namespace,
            service,
            ...(canaryVersion === undefined ? {} : { canaryVersion }),
          });
          print(
            `rollout ${view.id} of ${view.namespace}/${view.service}: ${view.canaryVersion} against ${view.stableVersion} in ${view.totalSteps} steps (${view.steps.join(' -> ')})`,
          );
          if (options.wait)
            await follow(
              client,
              { namespace: options.namespace, service },
              Number(options.timeout) * 1_000,
            );
        },
      ),
    );

  rollout
    .command('status')
    .description("a service's active rollout (else its latest): state, weights, analyses")
    .argument('<service>', 'the service')
    .option('-n, --namespace <namespace>', 'the namespace', DEFAULT_NAMESPACE)
    .option('-o, --output <format>', 'table or json', 'table')
    .action(
      remote(async (client, service: string, options: { namespace: string; output: string }) => {
        if (options.output !== 'table' && options.output !== 'json')
          throw new Error(`-o must be table or json, not "${options.output}"`);
        const view = await client.rollouts.status.query({ namespace: options.namespace, service });
        if (options.output === 'json') print(JSON.stringify(view, null, 2));
        else printStatus(view);
      }),
    );

  const commands = {
    pause: 'hold the rollout at its current step (analyses go on)',
    resume: 'continue a paused rollout, past a manual gate too',
    promote: 'skip the remaining steps: the canary takes 100%',
    abort: 'send all traffic back to the stable version; the run ends Aborted',
  } as const;
  for (const [name, description] of Object.entries(commands) as [keyof typeof commands, string][]) {
    rollout
      .command(name)
      .description(description)
      .argument('<service>', 'the service')
      .option('-n, --namespace <namespace>', 'the namespace', DEFAULT_NAMESPACE)
      .action(
        remote(async (client, service: string, options: { namespace: string }) => {
          const view = await client.rollouts[name].mutate({
            namespace: options.namespace,
            service,
          });
          print(
            `${view.namespace}/${view.service}: ${stateLine(view)}; ${view.stableVersion} ${view.weights.stable}%, ${view.canaryVersion} ${view.weights.canary}%`,
          );
        }),
      );
  }
}
