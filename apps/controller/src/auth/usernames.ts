// What a username may be, wherever one enters: the API, `weft admin create`, WEFT_ADMIN_USERNAME.
// Names appear in the audit log, revision authors and the console, so they stay plain.

import { z } from 'zod';

export const usernameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
  error: 'must be 1-64 lowercase letters, digits, ".", "_" or "-"',
});
