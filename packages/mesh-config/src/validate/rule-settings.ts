// Settings inside one route rule that must agree: weights, timeouts, backoff.

import { parseDuration } from '../duration.ts';
import type { ResourceIndex, SemanticProblem } from './resource-index.ts';

export function checkRuleSettings(index: ResourceIndex): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  for (const { resource, loaded } of index.of('HTTPRoute')) {
    resource.spec.rules.forEach((rule, r) => {
      const rulePath = ['spec', 'rules', r];
      const total = rule.backendRefs.reduce((sum, backend) => sum + backend.weight, 0);
      if (total === 0) {
        problems.push({
          at: loaded,
          path: [...rulePath, 'backendRefs'],
          message:
            'the weights of a rule must add up to more than 0, or no request could be routed',
        });
      }
      const requestMs = parseDuration(rule.timeouts?.request ?? '');
      const perTry = rule.retry?.perTryTimeout ?? rule.timeouts?.backendRequest;
      const perTryMs = parseDuration(perTry ?? '');
      if (requestMs !== undefined && perTryMs !== undefined && perTryMs > requestMs) {
        const field =
          rule.retry?.perTryTimeout !== undefined
            ? ['retry', 'perTryTimeout']
            : ['timeouts', 'backendRequest'];
        problems.push({
          at: loaded,
          path: [...rulePath, ...field],
          message: `${perTry} is longer than the request timeout ${rule.timeouts?.request}, so it could never fire`,
        });
      }
      const backoff = rule.retry?.backoff;
      if (
        backoff !== undefined &&
        (parseDuration(backoff.base) ?? 0) > (parseDuration(backoff.max) ?? 0)
      ) {
        problems.push({
          at: loaded,
          path: [...rulePath, 'retry', 'backoff', 'base'],
          message: `the base backoff ${backoff.base} is longer than the max backoff ${backoff.max}`,
        });
      }
    });
  }
  return problems;
}
