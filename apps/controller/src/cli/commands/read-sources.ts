// Reads the files a command was given, naming the one that cannot be read.

import { readFile } from 'node:fs/promises';
import type { SourceFile } from '@weft/mesh-config';

export class UnreadableFileError extends Error {
  constructor(
    readonly file: string,
    readonly code: string,
  ) {
    super(`${file}: cannot read: ${code}`);
  }
}

export async function readSources(files: readonly string[]): Promise<SourceFile[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        return { file, text: await readFile(file, 'utf8') };
      } catch (error) {
        throw new UnreadableFileError(file, (error as NodeJS.ErrnoException).code ?? String(error));
      }
    }),
  );
}
