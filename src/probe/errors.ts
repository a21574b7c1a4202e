// Parse errors from kernel files: every one names the file and the line that did not parse.
export class ProbeParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`cannot parse ${file} line ${line}: ${detail}`);
    this.name = 'ProbeParseError';
  }
}

/** Parses a non-negative decimal integer field; throws ProbeParseError naming file and line otherwise. */
export function parseCount(value: string | undefined, file: string, line: number, what: string): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new ProbeParseError(file, line, `expected a non-negative integer for ${what}, got ${JSON.stringify(value ?? '')}`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new ProbeParseError(file, line, `${what} ${value} is too large`);
  return n;
}

/** count × unitBytes (pages or KiB to bytes); throws ProbeParseError when the product is not a safe integer. */
export function countToBytes(count: number, unitBytes: number, file: string, line: number, what: string): number {
  const bytes = count * unitBytes;
  if (!Number.isSafeInteger(bytes)) throw new ProbeParseError(file, line, `${what} ${count} × ${unitBytes} bytes is too large`);
  return bytes;
}
