// The roles an admin hands out, lowest first, as the controller names them.

import type { Role } from '../shell/session';

export const ROLES = ['VIEWER', 'OPERATOR', 'ADMIN'] as const satisfies readonly Role[];

export function roleLabel(role: Role): string {
  return role.charAt(0) + role.slice(1).toLowerCase();
}
