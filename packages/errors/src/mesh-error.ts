// Base error of every Weft domain failure: a stable code for machines, a cause for humans.

export type MeshErrorCode = `MESH_ERR_${string}`;

export class MeshError extends Error {
  readonly code: MeshErrorCode;

  constructor(code: MeshErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
