/**
 * The one message protocol between the page and its workers.
 * Requests: { id, type, payload }. Replies: { id, progress } | { id, result } | { id, error }.
 * Replies are matched by id, never by order; `cancel` aborts the request with that id.
 */
export interface RequestMessage<T extends string = string, P = unknown> {
  id: number;
  type: T;
  payload: P;
}

export interface Progress {
  fraction: number;
  phase: string;
}

export interface ErrorInfo {
  name: string;
  message: string;
  /** Set for ModelFormatError: which file and which format the reader tried. */
  file?: string;
  format?: string;
}

export type ReplyMessage =
  | { id: number; progress: Progress }
  | { id: number; result: unknown }
  | { id: number; error: ErrorInfo };

export const CANCEL = '__cancel__';

export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) {
    const info: ErrorInfo = { name: e.name, message: e.message };
    const anyErr = e as Error & { file?: unknown; format?: unknown };
    if (typeof anyErr.file === 'string') info.file = anyErr.file;
    if (typeof anyErr.format === 'string') info.format = anyErr.format;
    return info;
  }
  return { name: 'Error', message: String(e) };
}
