// A rollout's steps as a row of chips: done, in progress, still to come.

export function RolloutSteps({
  steps,
  step,
  active,
}: {
  steps: readonly string[];
  step: number;
  active: boolean;
}) {
  return (
    <ol
      className="row"
      style={{ listStyle: 'none', padding: 0, margin: '0.5rem 0' }}
      data-testid="rollout-steps"
    >
      {steps.map((description, i) => {
        const index = i + 1;
        const state =
          index < step || (!active && index <= step)
            ? 'good'
            : index === step && active
              ? 'warn'
              : 'idle';
        return (
          <li
            key={`${index}-${description}`}
            className={`badge ${state}`}
            aria-current={state === 'warn' ? 'step' : undefined}
          >
            {index}. {description}
          </li>
        );
      })}
    </ol>
  );
}
