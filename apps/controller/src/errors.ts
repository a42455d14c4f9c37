// The controller's domain errors; the API maps each to its status in api/trpc.ts.

import { MeshError } from '@weft/errors';

export class NotFoundError extends MeshError {
  constructor(what: string) {
    super('MESH_ERR_NOT_FOUND', `${what} does not exist`);
  }
}

export class ConflictError extends MeshError {
  constructor(what: string) {
    super('MESH_ERR_CONFLICT', `${what} already exists`);
  }
}

/** The request is sound, but the mesh is not in a state where it can be done yet. */
export class PreconditionError extends MeshError {
  constructor(message: string) {
    super('MESH_ERR_PRECONDITION', message);
  }
}

/** The caller did not prove who they are (a wrong password, say). */
export class UnauthenticatedError extends MeshError {
  constructor(message: string) {
    super('MESH_ERR_UNAUTHENTICATED', message);
  }
}

/** Too many failed attempts from this caller: try again later. */
export class TooManyAttemptsError extends MeshError {
  constructor(message: string) {
    super('MESH_ERR_TOO_MANY_ATTEMPTS', message);
  }
}
