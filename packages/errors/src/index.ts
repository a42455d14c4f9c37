// @weft/errors: the base every Weft domain error extends, shared by packages that share nothing else.

export { MeshError, type MeshErrorCode } from './mesh-error.ts';
