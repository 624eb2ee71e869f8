// The chat page's script: one @switchyard/client connection per room joined, typed by the route the .NET build
// generates (switchyard.generated.ts). The client reconnects with backoff and resumes from the last line's position
// (the server replays what the page missed, each line once); "say" is a request the server acknowledges or refuses.
// Samples/web bundles this file into ../chat.js (npm run build), which the sample serves at /chat.js.
import { connect, SwitchyardError, type ClientState, type SwitchyardClient } from "@switchyard/client";
import { routes, type PresenceEvent, type RoomConsumerRoute } from "./switchyard.generated";

/** How long a line waits for the server's acknowledgement before the page says it may not have been sent. */
const SAY_TIMEOUT_MS = 10_000;

const log = element<HTMLDivElement>("log");
const hereList = element<HTMLDivElement>("here");
const status = element<HTMLSpanElement>("status");
const joinForm = element<HTMLFormElement>("join");
const sayForm = element<HTMLFormElement>("say");
const sayText = sayForm.elements.namedItem("text") as HTMLInputElement;

const here = new Map<string, string>(); // member channel -> name, from the room's presence events
let client: SwitchyardClient<RoomConsumerRoute> | undefined;
let snapshot = true; // the first presence event of each connection says who is here, not who came

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) {
    throw new Error(`the chat page has no #${id}`);
  }
  return found as T;
}

function line(text: string, cls: "said" | "presence" | "status" | "error"): void {
  const p = document.createElement("div");
  p.textContent = text;
  p.className = cls;
  log.appendChild(p);
  log.scrollTop = log.scrollHeight;
}

function showHere(): void {
  hereList.textContent = here.size > 0 ? `Here: ${[...new Set(here.values())].join(", ")}` : "";
}

const STATE_TEXT: Record<ClientState, string> = {
  connecting: "connecting",
  open: "connected",
  reconnecting: "reconnecting",
  closed: "disconnected",
};

function showState(state: ClientState, error?: SwitchyardError): void {
  status.textContent = STATE_TEXT[state];
  status.dataset["state"] = state;
  status.title = error?.message ?? "";
  for (const control of sayForm.elements) {
    (control as HTMLInputElement | HTMLButtonElement).disabled = state !== "open";
  }
}

function onPresence(event: PresenceEvent): void {
  for (const member of event.joins) {
    here.set(member.channel, member.info ?? "guest");
    if (!snapshot) line(`${member.info ?? "guest"} joined`, "presence");
  }
  for (const member of event.leaves) {
    here.delete(member.channel);
    line(`${member.info ?? "guest"} left`, "presence");
  }
  snapshot = false;
  showHere();
}

function join(room: string, name: string): void {
  void client?.close();
  log.textContent = "";
  here.clear();
  showHere();

  const path = routes.RoomConsumer.replace("{room}", encodeURIComponent(room));
  const current = connect<RoomConsumerRoute>(`${path}?name=${encodeURIComponent(name)}`);
  client = current;
  let opened = false;
  current.onState((state, error) => {
    if (client !== current) return; // replaced by a newer join
    showState(state, error);
    if (state === "open") {
      snapshot = true;
      if (!opened) line(`joined ${room}`, "status");
      opened = true;
    } else if (state === "reconnecting") {
      here.clear();
      showHere();
      line(`disconnected${error?.code ? ` (${error.code})` : ""}; reconnecting…`, "status");
    } else if (state === "closed" && error) {
      line(`disconnected: ${error.message}`, "error");
    }
  });
  current.on("chat.message", (m) => line(`${m.user}: ${m.text}`, "said"));
  current.on("switchyard.presence", onPresence);
  current.on("chat.resumed", (m) =>
    line(m.recovered ? `back: ${m.replayed} missed line(s) above` : "back: some lines were missed", "status"));
}

async function say(text: string): Promise<void> {
  const current = client;
  if (current === undefined) return;
  try {
    await current.request({ type: "chat.say", text }, { timeout: SAY_TIMEOUT_MS });
  } catch (error) {
    line(`not sent: "${text}": ${describe(error)}`, "error");
  }
}

function describe(error: unknown): string {
  if (!(error instanceof SwitchyardError)) return String(error);
  switch (error.kind) {
    case "refused":
      return error.message; // the server's own words
    case "timeout":
      return `no answer within ${SAY_TIMEOUT_MS / 1000} s`;
    case "closed":
      return "the connection closed before the server answered";
    default:
      return error.message;
  }
}

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(joinForm);
  join(String(form.get("room")), String(form.get("name")));
});

sayForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = sayText.value;
  if (text === "") return;
  sayText.value = "";
  void say(text);
});
