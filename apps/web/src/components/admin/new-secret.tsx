'use client';
// A secret the controller shows once (an API token, a join token): copy it now or never.

import { useState } from 'react';

export function NewSecret({
  title,
  secret,
  hint,
  onDone,
}: {
  title: string;
  secret: string;
  hint?: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="panel new-secret" role="status" data-testid="new-secret">
      <strong>{title}</strong>
      <p className="muted">
        Copy it now: it is stored only as a hash and cannot be shown again.{hint ? ` ${hint}` : ''}
      </p>
      <div className="row">
        <code className="mono secret" data-testid="secret">
          {secret}
        </code>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            navigator.clipboard.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
