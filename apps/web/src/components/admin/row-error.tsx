// Why the last action on a table row was refused, under it; nothing (no empty line) otherwise.

export function RowError({ error }: { error: { message: string } | string | null | undefined }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="form-error" role="alert">
      {typeof error === 'string' ? error : error.message}
    </div>
  );
}
