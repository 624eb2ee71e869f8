import type { RouteContract } from "../../src/index.js";

// A route contract written by hand in the shape the .NET build generates.
export interface ChatSay { type: "chat.say"; text: string }
export interface ChatJoin { type: "chat.join"; room: string }
export interface ChatLeave { type: "chat.leave" }
export interface ChatJoined { type: "chat.joined"; room: string; members: number }
export interface ChatMessage { type: "chat.message"; text: string; position?: string }
export interface ChatTyping { type: "chat.typing"; user: string }
export interface ChatPing { type: "chat.ping"; n: number }
export interface ChatPong { type: "chat.pong"; n: number }
export interface ChatConfirm { type: "chat.confirm"; question: string }

export interface ChatRoute extends RouteContract {
  path: "/ws/chat/{room}/";
  sends: ChatSay | ChatJoin | ChatLeave;
  receives: ChatMessage | ChatTyping | ChatPing | ChatConfirm;
  replies: { "chat.join": ChatJoined; "chat.say": undefined; "chat.leave": undefined };
  calls: { "chat.ping": ChatPong; "chat.confirm": undefined };
}
