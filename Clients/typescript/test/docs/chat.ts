// The example of docs/clients.md, compiled by `npm run typecheck` (docs.test.ts checks it is the same text).
import type { RouteContract } from "../../src/index.js";

export interface ChatSay { type: "chat.say"; text: string }
export interface ChatJoin { type: "chat.join"; room: string }
export interface ChatJoined { type: "chat.joined"; room: string; members: number }
export interface ChatMessage { type: "chat.message"; text: string; position?: string }
export interface ChatPing { type: "chat.ping"; n: number }
export interface ChatPong { type: "chat.pong"; n: number }

export interface ChatRoute extends RouteContract {
  path: "/ws/chat/{room}/";
  sends: ChatSay | ChatJoin;                        // what the client may send
  receives: ChatMessage | ChatPing;                 // what the server may send, server calls included
  replies: { "chat.join": ChatJoined; "chat.say": undefined };  // undefined: acknowledged only
  calls: { "chat.ping": ChatPong };                 // server call -> the client's answer
}
