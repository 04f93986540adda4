/**
 * The one error type readers throw. Its message always names the file, the format tried and
 * the cause, so the UI and the CLI can show it as is.
 */
export class ModelFormatError extends Error {
  readonly file: string;
  readonly format: string;
  readonly reason: string;

  constructor(file: string, format: string, reason: string) {
    super(`${file}: cannot read as ${format}: ${reason}`);
    this.name = 'ModelFormatError';
    this.file = file;
    this.format = format;
    this.reason = reason;
  }
}

/** Thrown when an AbortSignal fires during a read. */
export class AbortedError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortedError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortedError();
}
