'use client';
// Sign-in: the controller sets an HttpOnly session cookie; then back to where the user was going
// (a path on this console only: ?next= comes from the address bar, which anyone can write).

import { useMutation } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, Suspense, useState } from 'react';
import { returnPath } from '~/components/shell/return-path';
import { useTRPC } from '~/trpc/react';

function LoginForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const next = useSearchParams().get('next');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: () => router.replace(returnPath(next, window.location.origin)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ username, password });
  };
  return (
    <form className="login" onSubmit={submit}>
      <h1>Weft</h1>
      <p className="muted">Sign in to the mesh console</p>
      <label>
        Username
        <input
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      <button type="submit" disabled={login.isPending}>
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </button>
      <div className="form-error" role="alert">
        {login.error?.message}
      </div>
    </form>
  );
}

export default function LoginPage() {
  return (
    <div className="login-page">
      <Suspense>
        <LoginForm />
      </Suspense>
    </div>
  );
}
