// Compiled by `npm run typecheck` (tsc -p tsconfig.test.json), never run: each `@ts-expect-error` line must be a
// compile error, or tsc fails with "Unused '@ts-expect-error' directive".
import { WebSocket } from "ws";
import { connect, type AnyMessage, type SwitchyardClient } from "../src/index.js";
import type { ChatJoined, ChatMessage, ChatPing, ChatRoute, ChatTyping } from "./support/chatRoute.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_: T): void {}

export async function typed(client: SwitchyardClient<ChatRoute>): Promise<void> {
  // Sends: only the route's messages, with their fields.
  client.send({ type: "chat.say", text: "hi" });
  client.send({ type: "chat.leave" });
  // @ts-expect-error wrong field name
  client.send({ type: "chat.say", txt: "hi" });
  // @ts-expect-error wrong field type
  client.send({ type: "chat.say", text: 42 });
  // @ts-expect-error a type the route does not send
  client.send({ type: "chat.shout", text: "hi" });
  // @ts-expect-error a message the server sends, not the client
  client.send({ type: "chat.message", text: "hi" });

  // Requests: the reply type follows the request's type; acknowledged-only requests resolve void.
  const joined = await client.request({ type: "chat.join", room: "lobby" });
  assertType<Equal<typeof joined, ChatJoined>>(true);
  const said = await client.request({ type: "chat.say", text: "x" }, { timeout: 5 });
  assertType<Equal<typeof said, void>>(true);
  // @ts-expect-error wrong request reply type: chat.join replies ChatJoined, not ChatMessage
  const wrong: ChatMessage = await client.request({ type: "chat.join", room: "lobby" });
  // @ts-expect-error an acknowledged request has no reply to read
  (await client.request({ type: "chat.say", text: "x" })).members;
  // @ts-expect-error wrong field type in a request
  await client.request({ type: "chat.join", room: 1 });

  // on(): the handler gets the message of that type.
  client.on("chat.message", (m) => assertType<Equal<typeof m, ChatMessage>>(true));
  client.on("chat.typing", (m: ChatTyping) => m.user);
  // @ts-expect-error the server never sends chat.say
  client.on("chat.say", () => undefined);
  // @ts-expect-error wrong field name on the received message
  client.on("chat.typing", (m) => m.name);
  client.onAny((m) => {
    if (m.type === "chat.ping") {
      assertType<Equal<typeof m, ChatPing>>(true);
    }
  });

  // handle(): the answer must be the call's answer type, or nothing for an acknowledged call.
  client.handle("chat.ping", (m) => ({ type: "chat.pong", n: m.n }));
  client.handle("chat.ping", async (m) => ({ type: "chat.pong", n: m.n }));
  client.handle("chat.confirm", () => undefined);
  // @ts-expect-error wrong answer type for chat.ping
  client.handle("chat.ping", () => ({ type: "chat.joined", room: "x", members: 1 }));
  // @ts-expect-error wrong field type in the answer
  client.handle("chat.ping", () => ({ type: "chat.pong", n: "1" }));
  // @ts-expect-error chat.message is not a server call
  client.handle("chat.message", () => undefined);

  void wrong;
}

export async function untyped(): Promise<void> {
  // Node 20: the ws package's WebSocket fits the WebSocket option; without a contract every message is untyped.
  const client = connect("ws://localhost/ws/", { WebSocket, reconnect: { maxAttempts: 3 }, resume: { param: "from" } });
  client.send({ type: "anything", n: 1, nested: { a: [1] } });
  // @ts-expect-error a message needs a string type
  client.send({ n: 1 });
  const reply = await client.request({ type: "q" });
  assertType<Equal<typeof reply, AnyMessage | undefined>>(true);
  client.on("x", (m) => assertType<Equal<typeof m, AnyMessage>>(true));
  client.handle("call", (m) => ({ type: "answer", to: m.type }));
  // A browser's own WebSocket (the DOM's type) fits too.
  connect("ws://localhost/ws/", { WebSocket: globalThis.WebSocket });
  // @ts-expect-error an option that does not exist
  connect("ws://localhost/", { WebSocket, reconect: false });
}
