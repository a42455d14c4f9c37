'use client';
// One resource's change between two revisions, as a line diff of its YAML.

import { diffLines } from 'diff';
import { stringify } from 'yaml';

export function ResourceDiff({
  change,
}: {
  change: { key: string; action: string; before: unknown; after: unknown };
}) {
  const before = change.before === null ? '' : stringify(change.before);
  const after = change.after === null ? '' : stringify(change.after);
  return (
    <div>
      <h3>
        <span
          className={`badge ${change.action === 'DELETED' ? 'bad' : change.action === 'CREATED' ? 'good' : 'warn'}`}
        >
          {change.action.toLowerCase()}
        </span>{' '}
        <span className="mono">{change.key}</span>
      </h3>
      <pre className="diff" data-testid="resource-diff">
        {diffLines(before, after).map((part, i) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity but their order
            key={i}
            className={part.added ? 'added' : part.removed ? 'removed' : undefined}
          >
            {part.value
              .replace(/\n$/, '')
              .split('\n')
              .map((line) => `${part.added ? '+ ' : part.removed ? '- ' : '  '}${line}`)
              .join('\n')}
            {'\n'}
          </span>
        ))}
      </pre>
    </div>
  );
}
