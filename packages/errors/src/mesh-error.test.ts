import { describe, expect, it } from 'vitest';
import { MeshError } from './mesh-error.ts';

class ExampleError extends MeshError {
  constructor(cause: unknown) {
    super('MESH_ERR_EXAMPLE', 'an example failed', { cause });
  }
}

describe('MeshError', () => {
  it('carries its code, its cause and the name of the subclass thrown', () => {
    const cause = new Error('underneath');
    const error = new ExampleError(cause);
    expect(error).toBeInstanceOf(MeshError);
    expect(error.code).toBe('MESH_ERR_EXAMPLE');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ExampleError');
    expect(error.message).toBe('an example failed');
  });
});
