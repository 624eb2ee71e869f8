import { SwitchyardError, type SwitchyardErrorKind } from "./errors.js";

interface CloseCode {
  kind: SwitchyardErrorKind;
  reconnect: boolean;
  text: string;
}

const codes: { [code: number]: CloseCode } = {
  1000: { kind: "closed", reconnect: false, text: "the server closed the connection normally" },
  1001: { kind: "closed", reconnect: true, text: "the server is shutting down" },
  1002: { kind: "protocol-error", reconnect: false, text: "the client broke the WebSocket protocol" },
  1003: { kind: "unsupported-data", reconnect: false, text: "the server does not take this data (a binary frame or a message type no handler takes)" },
  1005: { kind: "closed", reconnect: true, text: "the connection closed without a status code" },
  1006: { kind: "closed", reconnect: true, text: "the connection dropped without a close frame (or the handshake failed)" },
  1007: { kind: "invalid-payload", reconnect: false, text: "the server could not read a message (malformed JSON, no type, an invalid message or a bad $id/$re)" },
  1008: { kind: "policy-violation", reconnect: false, text: "the server closed by policy (a slow client, the user disconnected, a message too slow to arrive)" },
  1009: { kind: "message-too-big", reconnect: false, text: "a message was larger than the server's maximum size" },
  1011: { kind: "closed", reconnect: true, text: "the consumer failed or its channel layer closed" },
  1012: { kind: "closed", reconnect: true, text: "the server is restarting" },
  1013: { kind: "closed", reconnect: true, text: "the server asks to try again later" },
  1014: { kind: "closed", reconnect: true, text: "a gateway got a bad answer from the server" },
};

/** Whether the client reconnects after a close with this code (only for the codes that say "try again"). */
export function reconnectsAfter(code: number): boolean {
  return codes[code]?.reconnect ?? false;
}

/** The error that a close with this code and reason stands for. */
export function closeError(code: number, reason: string, detail?: string): SwitchyardError {
  const known = codes[code];
  const text = known?.text ?? "the connection closed";
  const why = reason ? `: ${reason}` : detail ? `: ${detail}` : "";
  return new SwitchyardError(known?.kind ?? "closed", `closed with ${code} (${text})${why}`, { code, reason });
}
