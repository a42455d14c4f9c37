import { describe, expect, it } from 'vitest';
import { formErrorsOf } from './form-errors';

/** What a TRPCClientError carries, as the controller's error formatter fills it. */
function trpcError(code: string, message: string, zodError: unknown = null) {
  return Object.assign(new Error(message), { data: { code, httpStatus: 400, zodError } });
}

describe('formErrorsOf', () => {
  it('has nothing to say without an error', () => {
    expect(formErrorsOf(null, ['username'])).toEqual({ fields: {}, form: undefined });
    expect(formErrorsOf(undefined, ['username'])).toEqual({ fields: {}, form: undefined });
  });

  it('puts each zod refusal next to the field it names', () => {
    const error = trpcError('BAD_REQUEST', '[{"code":"too_small"…}]', {
      formErrors: [],
      fieldErrors: {
        password: ['must be at least 12 characters'],
        username: ['must be 1-64 lowercase letters', 'too long'],
      },
    });
    expect(formErrorsOf(error, ['username', 'password', 'role'])).toEqual({
      fields: {
        password: 'must be at least 12 characters',
        username: 'must be 1-64 lowercase letters; too long',
      },
      form: undefined,
    });
  });

  it('says once, for the form, what no field of it explains', () => {
    const error = trpcError('BAD_REQUEST', 'bad', {
      formErrors: ['unrecognized key "probe"'],
      fieldErrors: { expiresInHours: ['must be at most 2160 hours'], role: [] },
    });
    expect(formErrorsOf(error, ['name'])).toEqual({
      fields: {},
      form: 'unrecognized key "probe"; expiresInHours: must be at most 2160 hours',
    });
  });

  it('puts a conflict next to the field holding the name, and other refusals on the form', () => {
    const taken = trpcError('CONFLICT', 'user "ana" already exists');
    expect(formErrorsOf(taken, ['username'], 'username')).toEqual({
      fields: { username: 'user "ana" already exists' },
      form: undefined,
    });
    expect(formErrorsOf(taken, ['username'])).toEqual({
      fields: {},
      form: 'user "ana" already exists',
    });
    const forbidden = trpcError('FORBIDDEN', 'users.create needs the admin role');
    expect(formErrorsOf(forbidden, ['username'], 'username').form).toBe(
      'users.create needs the admin role',
    );
    expect(formErrorsOf(new Error('Failed to fetch'), ['username']).form).toBe('Failed to fetch');
  });
});
