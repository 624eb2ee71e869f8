// The example of docs/clients.md, compiled by `npm run typecheck` (docs.test.ts checks it is the same text).
import { connect, SwitchyardError } from "../../src/index.js";
import { WebSocket } from "ws"; // Node 20 only: browsers and Node 22+ have a global WebSocket
import type { ChatRoute } from "./chat.js";

const chat = connect<ChatRoute>("wss://example.test/ws/chat/lobby/", { WebSocket });

chat.onState((state, error) => console.log(state, error?.message));
chat.on("chat.message", (m) => console.log(m.text));           // m: ChatMessage
chat.handle("chat.ping", (m) => ({ type: "chat.pong", n: m.n })); // answers the server's InvokeClientAsync

chat.send({ type: "chat.say", text: "hello" });
try {
  const joined = await chat.request({ type: "chat.join", room: "lobby" }, { timeout: 5000 }); // joined: ChatJoined
  console.log(joined.members);
  await chat.request({ type: "chat.say", text: "hi all" });    // void: the server acknowledged it
} catch (error) {
  if (error instanceof SwitchyardError && error.kind === "refused") {
    console.log("refused:", error.message);                     // the server's switchyard.error text
  }
}
await chat.close();
