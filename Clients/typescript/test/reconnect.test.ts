import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, SwitchyardError, type ClientOptions, type SwitchyardClient } from "../src/index.js";
import type { ChatRoute } from "./support/chatRoute.js";
import { ManualTimers } from "./support/manualTimers.js";
import { States } from "./support/states.js";
import { freePort, TestServer } from "./support/testServer.js";
import { within } from "./support/wait.js";

const servers: TestServer[] = [];
const clients: SwitchyardClient<ChatRoute>[] = [];

async function startServer(port = 0): Promise<TestServer> {
  const server = await TestServer.start(port);
  servers.push(server);
  return server;
}

function client(url: string, options: ClientOptions = {}): { client: SwitchyardClient<ChatRoute>; states: States } {
  const c = connect<ChatRoute>(url, { WebSocket, ...options });
  clients.push(c);
  return { client: c, states: new States(c) };
}

let server: TestServer;

beforeEach(async () => {
  server = await startServer();
});

afterEach(async () => {
  for (const c of clients.splice(0)) {
    await within(c.close(), "the client to close");
  }
  for (const s of servers.splice(0)) {
    await s.stop().catch(() => undefined);
  }
});

describe("reconnect", () => {
  it("reconnects after the server closes with 1001", async () => {
    const { client: c, states } = client(server.url, { random: () => 0 });
    const first = await server.next();
    await states.until("open");
    first.close(1001, "shutting down");
    const lost = await states.until("reconnecting");
    expect(lost.error).toBeInstanceOf(SwitchyardError);
    expect(lost.error).toMatchObject({ kind: "closed", code: 1001, reason: "shutting down" });
    await server.next("the second connection");
    await states.until("open");
    expect(c.state).toBe("open");
    expect(states.names).toEqual(["open", "reconnecting", "open"]);
  });

  it("reconnects after the connection drops without a close frame (1006)", async () => {
    const { states } = client(server.url, { random: () => 0 });
    (await server.next()).drop();
    await states.until("open");
    const lost = await states.until("reconnecting");
    expect(lost.error).toMatchObject({ kind: "closed", code: 1006 });
    await server.next("the second connection");
    await states.until("open");
  });

  it.each([1011, 1012, 1013, 1014])("reconnects after %i", async (code) => {
    const { states } = client(server.url, { random: () => 0 });
    const conn = await server.next();
    await states.until("open");
    conn.close(code, "again");
    expect((await states.until("reconnecting")).error).toMatchObject({ kind: "closed", code, reason: "again" });
    await server.next("the second connection");
    await states.until("open");
  });

  it("reconnects to a server stopped and restarted on the same port, retrying while it is down", async () => {
    const timers = new ManualTimers();
    const { client: c, states } = client(server.url, { timers, reconnect: { resetAfter: Infinity } });
    await server.next();
    await states.until("open");

    await server.stop();
    expect((await states.until("reconnecting")).error).toMatchObject({ code: 1006 });
    (await timers.next("the first reconnect")).fire(); // refused: the server is down
    const second = await timers.next("the second reconnect");
    expect(c.state).toBe("reconnecting");

    await server.restart();
    second.fire();
    await server.next("the connection to the restarted server");
    await states.until("open");
    expect(states.names).toEqual(["open", "reconnecting", "open"]);
  });

  it("retries a first connection that fails before opening", async () => {
    const port = await freePort();
    const timers = new ManualTimers();
    const { client: c, states } = client(`ws://127.0.0.1:${port}/ws/test/`, { timers, reconnect: { resetAfter: Infinity } });
    expect(c.state).toBe("connecting");
    const failed = await states.until("reconnecting");
    expect(failed.error).toMatchObject({ kind: "closed", code: 1006 });
    expect(failed.error?.message).toMatch(/ECONNREFUSED/);
    const later = await startServer(port);
    (await timers.next("the reconnect")).fire();
    await later.next();
    await states.until("open");
  });

  it("retries a refused handshake (HTTP 403) like a drop", async () => {
    const timers = new ManualTimers();
    const { states } = client(server.url.replace("/ws/test/", "/refuse/"), { timers, reconnect: { resetAfter: Infinity } });
    server.refuse("/refuse/");
    const failed = await states.until("reconnecting");
    expect(failed.error).toMatchObject({ kind: "closed", code: 1006 });
    expect(failed.error?.message).toMatch(/403/);
  });

  it("connects again at once without subprotocols when the server selects none (ws refuses that handshake)", async () => {
    const plain = await TestServer.start(0, false);
    servers.push(plain);
    const timers = new ManualTimers();
    const { client: c, states } = client(plain.url, { timers, reconnect: { resetAfter: Infinity }, requestTimeout: 0 });
    const refused = await plain.next("the handshake ws refuses");
    expect(refused.offered).toEqual(["switchyard.batch"]);
    const conn = await plain.next("the connection offering no subprotocol");
    expect(conn.offered).toEqual([]);
    await states.until("open");
    expect(states.names).toEqual(["open"]);
    expect(timers.scheduled.pending).toEqual([]); // no backoff: connected again at once
    const texts: string[] = [];
    const two = new Promise<void>((resolve) => c.on("chat.message", (m) => texts.push(m.text) === 2 && resolve()));
    conn.send({ type: "chat.message", text: "a" }, { type: "chat.message", text: "b" });
    await within(two, "both messages of the frame");
    expect(texts).toEqual(["a", "b"]);
  });

  it("waits with exponential backoff and full jitter, and starts again after a connection stayed open", async () => {
    const port = await freePort();
    const timers = new ManualTimers();
    const draws: number[] = [];
    const { states } = client(`ws://127.0.0.1:${port}/ws/test/`, {
      timers,
      random: () => {
        draws.push(0.5);
        return 0.5;
      },
      reconnect: { initialDelay: 100, factor: 2, maxDelay: 350, resetAfter: 7000 },
    });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const timer = await timers.next(`reconnect ${i + 1}`);
      delays.push(timer.ms);
      if (i < 3) {
        timer.fire(); // fails again: nothing listens
      } else {
        const up = await startServer(port);
        timer.fire();
        await up.next();
      }
    }
    // 0.5 * min(350, 100 * 2^n)
    expect(delays).toEqual([50, 100, 175, 175]);
    expect(draws.length).toBe(4);
    await states.until("open");

    // Closed before it stayed open 7 s: the next wait is still the largest.
    const reset = await timers.next("the backoff reset");
    expect(reset.ms).toBe(7000);
    const up = servers[servers.length - 1]!;
    up.all[0]!.close(1012);
    await states.until("reconnecting");
    expect(reset.cancelled).toBe(true);
    const wait = await timers.next("the reconnect after a short connection");
    expect(wait.ms).toBe(175);
    wait.fire();
    await up.next();
    await states.until("open");

    // Open long enough: the backoff starts again from the initial delay.
    (await timers.next("the second backoff reset")).fire();
    up.all[1]!.close(1013);
    await states.until("reconnecting");
    expect((await timers.next("the reconnect after a long connection")).ms).toBe(50);
  });

  it("gives up after maxAttempts", async () => {
    const port = await freePort();
    const timers = new ManualTimers();
    const { client: c, states } = client(`ws://127.0.0.1:${port}/ws/test/`, { timers, reconnect: { maxAttempts: 2 } });
    await states.until("reconnecting");
    (await timers.next("attempt 1")).fire();
    (await timers.next("attempt 2")).fire();
    const closed = await states.until("closed");
    expect(closed.error).toMatchObject({ kind: "closed", code: 1006 });
    expect(c.state).toBe("closed");
    expect(timers.scheduled.pending).toEqual([]);
  });

  it("does not reconnect when reconnect is false", async () => {
    const { states } = client(server.url, { reconnect: false });
    (await server.next()).close(1001);
    await states.until("open");
    expect((await states.until("closed")).error).toMatchObject({ code: 1001 });
  });
});

describe("close codes that end the connection", () => {
  it.each([
    [1000, "closed"],
    [1002, "protocol-error"],
    [1003, "unsupported-data"],
    [1007, "invalid-payload"],
    [1008, "policy-violation"],
    [1009, "message-too-big"],
    [4001, "closed"],
  ] as const)("closes without reconnecting on %i (%s)", async (code, kind) => {
    const timers = new ManualTimers();
    const { client: c, states } = client(server.url, { timers, reconnect: { resetAfter: Infinity }, requestTimeout: 0 });
    const conn = await server.next();
    await states.until("open");
    const request = c.request({ type: "chat.join", room: "r" });
    await conn.next();
    conn.close(code, "because");
    const closed = await states.until("closed");
    expect(closed.error).toMatchObject({ kind, code, reason: "because" });
    expect(closed.error?.message).toContain(`closed with ${code}`);
    await expect(request).rejects.toMatchObject({ kind: "closed", code });
    expect(states.names).toEqual(["open", "closed"]);
    expect(timers.scheduled.pending).toEqual([]); // no reconnect was scheduled
    expect(() => c.send({ type: "chat.say", text: "x" })).toThrow(expect.objectContaining({ kind: "not-connected" }));
    await expect(c.request({ type: "chat.say", text: "x" })).rejects.toMatchObject({ kind: "not-connected" });
  });
});

describe("requests and sends across a reconnect", () => {
  it("fails a sent request with the close and does not send it again", async () => {
    const { client: c, states } = client(server.url, { random: () => 0 });
    const first = await server.next();
    await states.until("open");
    const request = c.request({ type: "chat.join", room: "r" });
    expect(await first.next()).toMatchObject({ type: "chat.join", $id: 1 });
    first.close(1011, "handler failed");
    const error = await request.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ kind: "closed", code: 1011, reason: "handler failed" });

    const second = await server.next("the second connection");
    await states.until("open");
    c.send({ type: "chat.say", text: "after" });
    expect(await second.next()).toEqual({ type: "chat.say", text: "after" });
  });

  it("queues sends and requests while reconnecting and sends them in order once open", async () => {
    const timers = new ManualTimers();
    const { client: c, states } = client(server.url, { timers, reconnect: { resetAfter: Infinity } });
    (await server.next()).drop();
    await states.until("open");
    await states.until("reconnecting");

    c.send({ type: "chat.say", text: "1" });
    const joined = c.request({ type: "chat.join", room: "2" });
    c.send({ type: "chat.say", text: "3" });
    const aborted = new AbortController();
    const dropped = c.request({ type: "chat.say", text: "never sent" }, { signal: aborted.signal });
    aborted.abort();
    await expect(dropped).rejects.toMatchObject({ kind: "aborted" });
    c.send({ type: "chat.leave" });

    const reconnect = timers.scheduled.pending.find((t) => t.ms < 30000 && !t.cancelled);
    expect(reconnect).toBeDefined();
    reconnect!.fire();
    const conn = await server.next();
    expect(await conn.next()).toEqual({ type: "chat.say", text: "1" });
    const request = await conn.next();
    expect(request).toEqual({ type: "chat.join", room: "2", $id: 1 });
    expect(await conn.next()).toEqual({ type: "chat.say", text: "3" });
    expect(await conn.next()).toEqual({ type: "chat.leave" });
    conn.send({ type: "chat.joined", room: "2", members: 1, $re: 1 });
    expect(await joined).toEqual({ type: "chat.joined", room: "2", members: 1 });
    expect(c.state).toBe("open");
  });

  it("queues while connecting, and throws queue-full past maxQueued", async () => {
    const { client: c, states } = client(server.url, { maxQueued: 2 });
    c.send({ type: "chat.say", text: "a" });
    c.send({ type: "chat.say", text: "b" });
    expect(() => c.send({ type: "chat.say", text: "c" })).toThrow(expect.objectContaining({ kind: "queue-full" }));
    await expect(c.request({ type: "chat.leave" })).rejects.toMatchObject({ kind: "queue-full" });
    const conn = await server.next();
    await states.until("open");
    expect(await conn.next()).toEqual({ type: "chat.say", text: "a" });
    expect(await conn.next()).toEqual({ type: "chat.say", text: "b" });
  });
});

describe("close()", () => {
  it("closes with the code and reason, fails waiting requests, and ends in closed", async () => {
    const { client: c, states } = client(server.url);
    const conn = await server.next();
    await states.until("open");
    const request = c.request({ type: "chat.join", room: "r" });
    await conn.next();
    await within(c.close(4000, "bye"), "close()");
    expect(await conn.closed).toEqual({ code: 4000, reason: "bye" });
    expect(c.state).toBe("closed");
    const closed = states.seen[states.seen.length - 1];
    expect(closed).toEqual({ state: "closed", error: undefined });
    await expect(request).rejects.toMatchObject({ kind: "closed", message: "no answer: the client was closed" });
    expect(() => c.send({ type: "chat.leave" })).toThrow(expect.objectContaining({ kind: "not-connected" }));
    await c.close(); // again: nothing to do
  });

  it("stops a reconnect that waits", async () => {
    const timers = new ManualTimers();
    const { client: c, states } = client(server.url, { timers, reconnect: { resetAfter: Infinity } });
    (await server.next()).close(1001);
    await states.until("reconnecting");
    const queued = c.request({ type: "chat.leave" });
    const wait = await timers.next("the reconnect");
    await within(c.close(), "close()");
    expect(wait.cancelled).toBe(true);
    await expect(queued).rejects.toMatchObject({ kind: "closed" });
    expect(states.names).toEqual(["open", "reconnecting", "closed"]);
    wait.fire(); // cancelled: does nothing
    expect(c.state).toBe("closed");
    expect(server.connections.pending).toEqual([]);
  });

  it("stops a connection that is still opening", async () => {
    const port = await freePort();
    const { client: c, states } = client(`ws://127.0.0.1:${port}/ws/test/`);
    await within(c.close(), "close()");
    expect(states.names).toEqual(["closed"]);
  });

  it("refuses a close code a browser would refuse", async () => {
    const { client: c } = client(server.url);
    await expect(c.close(1001)).rejects.toMatchObject({ kind: "invalid" });
    await expect(c.close(1000, "x".repeat(124))).rejects.toMatchObject({ kind: "invalid" });
  });
});
