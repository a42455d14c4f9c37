// The users the browser tests sign in as; global-setup.ts creates them, the admin exists already.

export const USERS = {
  admin: { username: 'admin', role: 'ADMIN' },
  operator: { username: 'olive', password: 'operator password 1', role: 'OPERATOR' },
  viewer: { username: 'victor', password: 'viewer password 1', role: 'VIEWER' },
} as const;
