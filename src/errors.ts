// Typed errors: each kind carries its exit code; all user-facing wording is built here (one line + a fix).

export const EXIT = {
  OK: 0,
  /** A measured command failed: non-zero exit, killed by a signal, OOM-killed or timed out. */
  COMMAND_FAILED: 1,
  /** Bad flag, value or command line. */
  USAGE: 2,
  /** The command could not be started: not found, not executable, cwd unreadable. */
  FAILED_TO_START: 3,
  /** The machine cannot do what was asked: cgroup backend forced but unavailable, no permission. */
  ENVIRONMENT: 4,
  /** A bug in membench. */
  INTERNAL: 5,
  /** A memory check failed: a regression against the baseline (suite, compare), or a per-unit cost outside its expect range. */
  REGRESSION: 6,
  /** Interrupted by SIGINT (Ctrl-C): 128 + 2, as a shell reports it. */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  TERMINATED: 143,
} as const;

/** The exit code of a command stopped by a signal it caught: 143 for SIGTERM, 130 for SIGINT. */
export const exitForSignal = (signal: string): number => (signal === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED);

export type ErrorKind = 'usage' | 'command-failed' | 'failed-to-start' | 'environment' | 'internal';

const CODE: Record<ErrorKind, number> = {
  usage: EXIT.USAGE,
  'command-failed': EXIT.COMMAND_FAILED,
  'failed-to-start': EXIT.FAILED_TO_START,
  environment: EXIT.ENVIRONMENT,
  internal: EXIT.INTERNAL,
};

/** The errno code of a failed system call ('ENOENT', 'EACCES', …), or undefined for any other error. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class MembenchError extends Error {
  readonly exitCode: number;
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** How to fix it, appended after the message. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MembenchError';
    this.exitCode = CODE[kind];
  }

  /** The one line shown to the user. */
  line(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

export const usageError = (message: string, hint?: string): MembenchError => new MembenchError('usage', message, hint);

export function notFoundMessage(command: string, reason: 'not-found' | 'not-executable' | 'directory' | 'missing-path'): MembenchError {
  // `run -- "gcc -O2 x.c"`: after --, the quoted string is one program name, spaces and all.
  const words = command.trim().split(/\s+/);
  if ((reason === 'not-found' || reason === 'missing-path') && words.length > 1)
    return new MembenchError(
      'failed-to-start',
      `no program named "${command}"`,
      `after --, a program and its arguments are separate words: write -- ${words[0]} ${words.length > 2 ? `${words[1]} …` : words[1]} unquoted, or drop the -- to run the quoted command through a shell`,
    );
  switch (reason) {
    case 'not-found':
      return new MembenchError(
        'failed-to-start',
        `command not found: ${command}`,
        'it is not in PATH; give a path, or run several commands as quoted strings to use a shell',
      );
    case 'missing-path':
      return new MembenchError('failed-to-start', `no such file: ${command}`, 'check the path, relative to --cwd');
    case 'not-executable':
      return new MembenchError('failed-to-start', `not executable: ${command}`, `chmod +x ${command}, or run it through its interpreter`);
    case 'directory':
      return new MembenchError('failed-to-start', `is a directory: ${command}`, 'name the program to run, not a directory');
  }
}

/** errno codes in words, as a person reads them. */
export function errnoWords(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EACCES':
      return 'permission denied';
    case 'EPERM':
      return 'not permitted (immutable, or a security policy)';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENAMETOOLONG':
      return 'name too long';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return code ?? 'unknown error';
  }
}

/** "cannot read WHAT PATH: no such file or directory" (exit 2) from a failed read. */
export function cannotReadError(what: string, path: string, error: unknown): MembenchError {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const words = code === undefined ? (error instanceof Error ? error.message : String(error)) : errnoWords(code);
  return new MembenchError('usage', `cannot read ${what} ${path}: ${words}`, undefined, { cause: error });
}
