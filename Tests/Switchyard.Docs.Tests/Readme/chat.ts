// The README's browser code, type-checked by Clients/typescript's `npm run typecheck` against the module the build
// generated from ChatConsumer.cs; the README shows what lies between the markers.
// <readme>
import { connect } from "@switchyard/client";
import type { ChatConsumerRoute } from "./switchyard.generated.js";

const chat = connect<ChatConsumerRoute>("/ws/chat/lobby/");   // reconnects with backoff and jitter
chat.onState((state) => (document.title = state === "open" ? "Lobby" : `Lobby (${state})`));
chat.on("chat.message", (line) => console.log(`${line.user}: ${line.text}`));

const said = await chat.request({ type: "chat.say", text: "hello" });   // said: Said, or a SwitchyardError
console.log(`said at ${said.at}`);
// </readme>
