import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { connect, SwitchyardError, type SwitchyardClient } from "../src/index.js";
import type { ChatMessage, ChatRoute } from "./support/chatRoute.js";
import { ManualTimers } from "./support/manualTimers.js";
import { States } from "./support/states.js";
import { TestServer, type ServerConnection } from "./support/testServer.js";
import { Inbox, within } from "./support/wait.js";

let server: TestServer;
const clients: SwitchyardClient<never>[] = [];

beforeEach(async () => {
  server = await TestServer.start();
});

afterEach(async () => {
  for (const client of clients.splice(0)) {
    await within(client.close(), "the client to close");
  }
  await server.stop();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function track<C extends SwitchyardClient<any>>(client: C): C {
  clients.push(client as unknown as SwitchyardClient<never>);
  return client;
}

async function open(options: Parameters<typeof connect>[1] = {}): Promise<{ client: SwitchyardClient<ChatRoute>; conn: ServerConnection; states: States }> {
  const client = track(connect<ChatRoute>(server.url, { WebSocket, ...options }));
  const states = new States(client);
  const conn = await server.next();
  await states.until("open");
  return { client, conn, states };
}

describe("frames", () => {
  it("sends and receives typed messages, offering switchyard.batch first", async () => {
    const { client, conn, states } = await open({ protocols: ["chat.v2", "switchyard.batch"] });
    expect(conn.offered).toEqual(["switchyard.batch", "chat.v2"]);
    expect(conn.url).toBe("/ws/test/");
    expect(client.state).toBe("open");
    expect(states.names).toEqual(["open"]);

    const got = new Inbox<ChatMessage>();
    client.on("chat.message", (m) => got.push(m));
    client.send({ type: "chat.say", text: "hello" });
    expect(await conn.next()).toEqual({ type: "chat.say", text: "hello" });

    conn.send({ type: "chat.message", text: "hi back" });
    expect(await got.next("chat.message")).toEqual({ type: "chat.message", text: "hi back" });
  });

  it("splits a batch frame on newlines, ignores empty parts, and keeps the order", async () => {
    const { client, conn } = await open();
    const typed = new Inbox<string>();
    const all = new Inbox<string>();
    client.on("chat.message", (m) => typed.push(m.text));
    client.on("chat.typing", (m) => typed.push(`typing:${m.user}`));
    client.onAny((m) => all.push(m.type));

    conn.sendRaw('{"type":"chat.message","text":"a"}\n\n{"type":"chat.typing","user":"bo"}\n{"type":"chat.message","text":"b"}\n');
    expect([await typed.next("1"), await typed.next("2"), await typed.next("3")]).toEqual(["a", "typing:bo", "b"]);
    expect([await all.next("1"), await all.next("2"), await all.next("3")]).toEqual(["chat.message", "chat.typing", "chat.message"]);

    // Parts that are not messages are skipped; the ones after them still arrive.
    conn.sendRaw('not json\n{"no":"type"}\n{"type":"chat.message","text":"c"}');
    expect(await typed.next("after the bad parts")).toBe("c");
    expect(all.pending.length).toBe(1);
  });

  it("stops listening when unsubscribed", async () => {
    const { client, conn } = await open();
    const first = new Inbox<string>();
    const second = new Inbox<string>();
    const off = client.on("chat.message", (m) => first.push(m.text));
    client.on("chat.message", (m) => second.push(m.text));
    conn.send({ type: "chat.message", text: "one" });
    expect(await first.next("one")).toBe("one");
    expect(await second.next("one")).toBe("one");
    off();
    conn.send({ type: "chat.message", text: "two" });
    expect(await second.next("two")).toBe("two");
    expect(first.pending).toEqual([]);
  });

  it("refuses a message without a type, and a bad URL", async () => {
    const { client } = await open();
    expect(() => client.send({ text: "x" } as never)).toThrow(SwitchyardError);
    expect(() => connect("ftp://example.test/", { WebSocket })).toThrow(/not a ws:, wss:, http: or https: URL/);
    expect(() => connect("not a url", { WebSocket })).toThrow(/is not a URL/);
  });

  it("says what is missing when there is no WebSocket, and refuses a bad subprotocol", () => {
    vi.stubGlobal("WebSocket", undefined);
    try {
      expect(() => connect(server.url)).toThrow(expect.objectContaining({ kind: "invalid", message: expect.stringMatching(/no WebSocket implementation: pass options.WebSocket/) }));
    } finally {
      vi.unstubAllGlobals();
    }
    expect(() => connect(server.url, { WebSocket, protocols: ["not a token"] })).toThrow(expect.objectContaining({ kind: "invalid", message: expect.stringMatching(/could not open a WebSocket/) }));
    expect(() => connect(server.url, { WebSocket, requestTimeout: -1 })).toThrow(/requestTimeout must be a number of 0 or more/);
  });

  it("keeps calling the other listeners when one throws, and reports the error", async () => {
    const reported: unknown[] = [];
    vi.stubGlobal("reportError", (error: unknown) => reported.push(error));
    try {
      const { client, conn } = await open();
      const got = new Inbox<string>();
      client.on("chat.message", () => {
        throw new Error("listener bug");
      });
      client.on("chat.message", (m) => got.push(m.text));
      client.onAny((m) => got.push(`any ${m.type}`));
      conn.send({ type: "chat.message", text: "x" });
      expect([await got.next("the second listener"), await got.next("onAny")]).toEqual(["x", "any chat.message"]);
      expect(reported).toEqual([new Error("listener bug")]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("turns http: into ws: and drops the fragment", async () => {
    const client = track(connect(`http://127.0.0.1:${server.port}/ws/test/?a=1#frag`, { WebSocket }));
    expect(client.url).toBe(`ws://127.0.0.1:${server.port}/ws/test/?a=1`);
    const conn = await server.next();
    expect(conn.url).toBe("/ws/test/?a=1");
  });
});

describe("requests", () => {
  it("resolves with the reply (without $re), numbering $id from 1", async () => {
    const { client, conn } = await open();
    const reply = client.request({ type: "chat.join", room: "lobby" });
    const frame = await conn.next();
    expect(frame).toEqual({ type: "chat.join", room: "lobby", $id: 1 });
    conn.send({ type: "chat.joined", room: "lobby", members: 3, $re: 1 });
    expect(await within(reply, "the reply")).toEqual({ type: "chat.joined", room: "lobby", members: 3 });

    const second = client.request({ type: "chat.join", room: "b" });
    expect((await conn.next())["$id"]).toBe(2);
    conn.send({ type: "chat.joined", room: "b", members: 1, $re: 2 });
    expect((await second).members).toBe(1);
  });

  it("resolves void on switchyard.ack and rejects refused on switchyard.error", async () => {
    const { client, conn } = await open();
    const acked = client.request({ type: "chat.say", text: "x" });
    const refused = client.request({ type: "chat.say", text: "y" });
    const a = await conn.next();
    const b = await conn.next();
    // Answered out of order: each goes to its own request.
    conn.send({ type: "switchyard.error", $re: b["$id"], error: "the room is closed" });
    conn.send({ type: "switchyard.ack", $re: a["$id"] });
    await expect(within(acked, "the ack")).resolves.toBeUndefined();
    const error = await within(refused, "the refusal").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ kind: "refused", message: "the room is closed" });
  });

  it("matches answers in a batch frame and ignores unknown $re; answers do not reach on()", async () => {
    const { client, conn } = await open();
    const seen = new Inbox<string>();
    client.onAny((m) => seen.push(m.type));
    const r1 = client.request({ type: "chat.join", room: "one" });
    const r2 = client.request({ type: "chat.say", text: "two" });
    await conn.next();
    await conn.next();
    conn.send(
      { type: "switchyard.ack", $re: 99 },
      { type: "chat.joined", room: "stray", members: 0, $re: 98 },
      { type: "switchyard.ack", $re: 2 },
      { type: "chat.joined", room: "one", members: 5, $re: 1 },
      { type: "chat.message", text: "after" },
    );
    expect(await r1).toEqual({ type: "chat.joined", room: "one", members: 5 });
    expect(await r2).toBeUndefined();
    expect(await seen.next("the plain message")).toBe("chat.message");
    expect(seen.pending).toEqual([]);
  });

  it("rejects timeout when no answer comes, and ignores the late answer", async () => {
    const timers = new ManualTimers();
    const { client, conn } = await open({ timers, requestTimeout: 1234, reconnect: false });
    const late = client.request({ type: "chat.join", room: "slow" });
    const frame = await conn.next();
    const timer = await timers.next("the request's timeout");
    expect(timer.ms).toBe(1234);
    timer.fire();
    await expect(late).rejects.toMatchObject({ kind: "timeout" });

    conn.send({ type: "chat.joined", room: "slow", members: 1, $re: frame["$id"] });
    const next = client.request({ type: "chat.join", room: "fast" }, { timeout: 500 });
    expect((await timers.next("the second timeout")).ms).toBe(500);
    const second = await conn.next();
    conn.send({ type: "chat.joined", room: "fast", members: 2, $re: second["$id"] });
    expect(await next).toEqual({ type: "chat.joined", room: "fast", members: 2 });
  });

  it("times out with the real timer", async () => {
    const { client, conn } = await open();
    const pending = client.request({ type: "chat.say", text: "nobody answers" }, { timeout: 50 });
    await conn.next();
    await expect(within(pending, "the timeout")).rejects.toMatchObject({ kind: "timeout", message: "no answer to chat.say within 50 ms" });
  });

  it("rejects aborted when its signal fires", async () => {
    const { client, conn } = await open();
    const controller = new AbortController();
    const pending = client.request({ type: "chat.say", text: "x" }, { signal: controller.signal });
    const frame = await conn.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
    conn.send({ type: "switchyard.ack", $re: frame["$id"] }); // late: ignored
    const already = client.request({ type: "chat.say", text: "y" }, { signal: AbortSignal.abort() });
    await expect(already).rejects.toMatchObject({ kind: "aborted" });
    client.send({ type: "chat.say", text: "z" });
    expect(await conn.next()).toEqual({ type: "chat.say", text: "z" }); // the aborted-before-sending one never went out
  });
});

describe("server calls", () => {
  it("answers with the handler's reply, an ack, or an error", async () => {
    const { client, conn } = await open();
    const pings = new Inbox<string>();
    client.on("chat.ping", () => pings.push("on() saw the call"));
    client.handle("chat.ping", (m) => ({ type: "chat.pong", n: m.n + 1 }));
    const confirmed = new Inbox<string>();
    client.handle("chat.confirm", async (m) => {
      await Promise.resolve();
      confirmed.push(m.question);
      if (m.question === "fail?") {
        throw new Error("the user said no");
      }
    });

    conn.send({ type: "chat.ping", n: 41, $id: 7 });
    expect(await conn.next()).toEqual({ type: "chat.pong", n: 42, $re: 7 });

    conn.send({ type: "chat.confirm", question: "ok?", $id: 8 });
    expect(await conn.next()).toEqual({ type: "switchyard.ack", $re: 8 });
    expect(await confirmed.next("the handler")).toBe("ok?");

    conn.send({ type: "chat.confirm", question: "fail?", $id: 9 });
    expect(await conn.next()).toEqual({ type: "switchyard.error", $re: 9, error: "the user said no" });
    expect(pings.pending).toEqual([]);
  });

  it("answers switchyard.error for a call with no handler, or a sync throw, in the order of the calls", async () => {
    const { client, conn } = await open();
    const off = client.handle("chat.ping", () => {
      throw new Error("not now");
    });
    conn.send({ type: "chat.typing", user: "x", $id: 1 }, { type: "chat.ping", n: 1, $id: 2 });
    expect(await conn.next()).toEqual({ type: "switchyard.error", $re: 1, error: "the client has no handler for chat.typing" });
    expect(await conn.next()).toEqual({ type: "switchyard.error", $re: 2, error: "not now" });
    expect(() => client.handle("chat.confirm", () => undefined)).not.toThrow();
    expect(() => client.handle("chat.confirm", () => undefined)).toThrow(/already registered/);
    off();
    // A call whose $id is not an integer of 1 or more cannot be answered: it is ignored.
    conn.send({ type: "chat.ping", n: 1, $id: "x" }, { type: "chat.ping", n: 1, $id: 0 }, { type: "chat.ping", n: 1, $id: 1.5 });
    conn.send({ type: "chat.ping", n: 1, $id: 3 });
    expect(await conn.next()).toEqual({ type: "switchyard.error", $re: 3, error: "the client has no handler for chat.ping" });
  });
});

describe("untyped use", () => {
  it("sends and receives any message", async () => {
    const client = track(connect(server.url, { WebSocket }));
    const conn = await server.next();
    const got = new Inbox<Record<string, unknown>>();
    client.on("anything", (m) => got.push(m));
    client.send({ type: "whatever", n: 1 });
    expect(await conn.next()).toEqual({ type: "whatever", n: 1 });
    conn.send({ type: "anything", deep: { a: [1, 2] } });
    expect(await got.next("anything")).toEqual({ type: "anything", deep: { a: [1, 2] } });
    const reply = client.request({ type: "q" });
    const frame = await conn.next();
    conn.send({ type: "a", value: 3, $re: frame["$id"] });
    expect(await reply).toEqual({ type: "a", value: 3 });
  });
});
