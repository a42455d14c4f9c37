// The CLI's connection to the operator API: server and API token from flags, the environment,
// or the credentials file `weft login` writes.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../api/root.ts';
import { DEFAULT_API_ADDRESS, DEFAULT_API_PORT } from '../env.ts';

export const DEFAULT_SERVER = `http://${DEFAULT_API_ADDRESS}:${DEFAULT_API_PORT}`;
const CREDENTIALS_FILE = join(homedir(), '.weft', 'credentials.json');
/** What `-n` means when it is not given: WEFT_NAMESPACE, as kubectl's context namespace. */
export const DEFAULT_NAMESPACE = process.env.WEFT_NAMESPACE ?? 'default';
const PRIVATE_FILE_MODE = 0o600;

export interface Credentials {
  readonly server: string;
  readonly token?: string;
}

export async function readCredentials(): Promise<Credentials> {
  let saved: Partial<Credentials> = {};
  try {
    saved = JSON.parse(
      await readFile(process.env.WEFT_CREDENTIALS ?? CREDENTIALS_FILE, 'utf8'),
    ) as Partial<Credentials>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const server = process.env.WEFT_SERVER ?? saved.server ?? DEFAULT_SERVER;
  const token = process.env.WEFT_TOKEN ?? saved.token;
  return token === undefined ? { server } : { server, token };
}

export async function saveCredentials(credentials: Credentials): Promise<string> {
  const file = process.env.WEFT_CREDENTIALS ?? CREDENTIALS_FILE;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  return file;
}

export function apiClient(credentials: Credentials) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${credentials.server}/trpc`,
        transformer: superjson,
        headers: () =>
          credentials.token === undefined ? {} : { authorization: `Bearer ${credentials.token}` },
      }),
    ],
  });
}

/** What the server said, as one line or the list of configuration problems. */
export function describeApiError(error: unknown): string[] {
  if (error instanceof TRPCClientError) {
    const issues = (
      error.data as
        | {
            meshIssues?: {
              file?: string;
              line?: number;
              column?: number;
              path: string;
              message: string;
              resource?: string;
              document?: number;
            }[];
          }
        | undefined
    )?.meshIssues;
    if (issues != null && issues.length > 0) {
      return issues.map((i) =>
        `${i.file ?? ''}${i.line === undefined ? '' : `:${i.line}:${i.column ?? 1}`} ${i.resource ?? ''} ${i.path}: ${i.message}`.trim(),
      );
    }
    return [error.message];
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED')
    return [
      'cannot reach the controller (is `weft controller` running? set WEFT_SERVER or use weft login --server)',
    ];
  return [String(error)];
}
