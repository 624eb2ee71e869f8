/**
 * What went wrong:
 * - `closed`: the connection closed or dropped (codes 1000, 1001, 1006, 1011-1014 and any other code not below), or
 *   the client was closed; a request sent on that connection fails with it;
 * - `protocol-error` (1002), `unsupported-data` (1003), `invalid-payload` (1007), `policy-violation` (1008),
 *   `message-too-big` (1009): the server closed for that reason and the client does not reconnect;
 * - `timeout`: a request got no answer in time;
 * - `refused`: the other side answered `switchyard.error`;
 * - `aborted`: a request's `AbortSignal` fired;
 * - `not-connected`: a send or request on a closed client;
 * - `queue-full`: a send while not connected with `maxQueued` messages already waiting;
 * - `invalid`: a bad argument (a URL that is not ws:, wss:, http: or https:, a message without a string `type`, a
 *   close code a browser would refuse, no WebSocket implementation).
 */
export type SwitchyardErrorKind =
  | "closed"
  | "protocol-error"
  | "unsupported-data"
  | "invalid-payload"
  | "policy-violation"
  | "message-too-big"
  | "timeout"
  | "refused"
  | "aborted"
  | "not-connected"
  | "queue-full"
  | "invalid";

/** An error of the Switchyard client; `kind` says what happened, `code` and `reason` the close that caused it. */
export class SwitchyardError extends Error {
  /** What happened. */
  readonly kind: SwitchyardErrorKind;
  /** The WebSocket close code, for an error caused by a close. */
  readonly code: number | undefined;
  /** The WebSocket close reason, for an error caused by a close. */
  readonly reason: string | undefined;

  constructor(kind: SwitchyardErrorKind, message: string, options?: { code?: number; reason?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SwitchyardError";
    this.kind = kind;
    this.code = options?.code;
    this.reason = options?.reason;
  }
}
