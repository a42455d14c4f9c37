// Text a proxy sends that the controller stores as sent. A lone surrogate cannot be encoded as
// UTF-8 (SQLite would store U+FFFD, Prisma refuses it outright) and PostgreSQL text cannot hold
// NUL, so both are refused at the boundary rather than by the database.

import { z } from 'zod';

const LONE_SURROGATE = /\p{Cs}/u;

/** A string that round-trips through the database unchanged. */
export const storedText = () =>
  z.string().refine((value) => !value.includes('\0') && !LONE_SURROGATE.test(value), {
    error: 'must be text without NUL characters or lone surrogates',
  });
