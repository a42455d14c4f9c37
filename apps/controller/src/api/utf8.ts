// Where bytes that are not UTF-8 sit: the first bad byte of a buffer, and its line and column in
// the text before it. Decoders replace such bytes with U+FFFD without a word; Weft refuses them
// instead, naming the place, so nothing is stored other than it was written.

/** The offset of the first byte that does not start a well-formed UTF-8 sequence, if any. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const continuation = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
    // RFC 3629: no overlong forms (C0, C1, E0 80-9F, F0 80-8F), no surrogates (ED A0-BF), nothing
    // past U+10FFFF (F4 90-, F5-FF).
    if (lead < 0xc2 || lead > 0xf4) return i;
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= continuation; k++) {
      const byte = bytes[i + k];
      if (byte === undefined) return i;
      if (k === 1 ? byte < low || byte > high : byte < 0x80 || byte > 0xbf) return i;
    }
    i += continuation + 1;
  }
  return undefined;
}

/** The 1-based line and column (in characters) just after `before`. */
export function positionAfter(before: string): { line: number; column: number } {
  const lines = before.split('\n');
  return { line: lines.length, column: [...(lines.at(-1) ?? '')].length + 1 };
}

/** "invalid UTF-8 byte 0xff" */
export function describeByte(byte: number): string {
  return `invalid UTF-8 byte 0x${byte.toString(16).padStart(2, '0')}`;
}

export class InvalidUtf8Error extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly byte: number,
  ) {
    super(`${file}:${line}:${column}: ${describeByte(byte)}`);
  }
}

/** The text of a file's bytes; throws InvalidUtf8Error naming where they are not UTF-8. */
export function decodeUtf8File(file: string, bytes: Uint8Array): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad === undefined) return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const { line, column } = positionAfter(Buffer.from(bytes.subarray(0, bad)).toString('utf8'));
  throw new InvalidUtf8Error(file, line, column, bytes[bad] as number);
}
