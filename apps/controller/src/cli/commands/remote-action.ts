// Shared by the commands that talk to a running controller: the client, errors printed as lines.

import { apiClient, describeApiError, readCredentials } from '../api-client.ts';
import { readSources, UnreadableFileError } from './read-sources.ts';

export type Client = ReturnType<typeof apiClient>;

/** Runs a command against the API; any failure is printed and sets exit code 1. */
export function remote<A extends unknown[]>(action: (client: Client, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await action(apiClient(await readCredentials()), ...args);
    } catch (error) {
      for (const line of error instanceof UnreadableFileError
        ? [error.message]
        : describeApiError(error)) {
        process.stderr.write(`${line}\n`);
      }
      process.exitCode = 1;
    }
  };
}

export async function readYaml(file: string) {
  const [source] = await readSources([file]);
  return { file, yaml: source?.text ?? '' };
}

export const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
