// Reads the files a command was given, naming the one that cannot be read, or the line and
// column where it stops being UTF-8 (never read with U+FFFD in place of the bytes).

import { readFile } from 'node:fs/promises';
import type { SourceFile } from '@weft/mesh-config';
import { decodeUtf8File, InvalidUtf8Error } from '../../api/utf8.ts';

export class UnreadableFileError extends Error {
  constructor(
    readonly file: string,
    readonly code: string,
    message = `${file}: cannot read: ${code}`,
  ) {
    super(message);
  }
}

export async function readSources(files: readonly string[]): Promise<SourceFile[]> {
  return Promise.all(
    files.map(async (file) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        throw new UnreadableFileError(file, (error as NodeJS.ErrnoException).code ?? String(error));
      }
      try {
        return { file, text: decodeUtf8File(file, bytes) };
      } catch (error) {
        if (error instanceof InvalidUtf8Error)
          throw new UnreadableFileError(file, 'EILSEQ', error.message);
        throw error;
      }
    }),
  );
}
