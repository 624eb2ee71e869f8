export { BATCH_SUBPROTOCOL, SwitchyardClient, connect } from "./client.js";
export type { ClientOptions, ReconnectOptions, RequestOptions, ResumeOptions, StateListener } from "./client.js";
export { SwitchyardError } from "./errors.js";
export type { SwitchyardErrorKind } from "./errors.js";
export type { AnyMessage, AnyRoute, ClientState, Message, MessageOf, ReplyOf, RouteContract } from "./types.js";
export type { Timers, WebSocketConstructor, WebSocketLike } from "./webSocket.js";
