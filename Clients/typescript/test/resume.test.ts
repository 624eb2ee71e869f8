import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, type ClientOptions, type SwitchyardClient } from "../src/index.js";
import type { ChatRoute } from "./support/chatRoute.js";
import { States } from "./support/states.js";
import { TestServer } from "./support/testServer.js";
import { Inbox, within } from "./support/wait.js";

let server: TestServer;
const clients: SwitchyardClient<ChatRoute>[] = [];

beforeEach(async () => {
  server = await TestServer.start();
});

afterEach(async () => {
  for (const c of clients.splice(0)) {
    await within(c.close(), "the client to close");
  }
  await server.stop();
});

function start(query: string, options: ClientOptions = {}) {
  const client = connect<ChatRoute>(`${server.url}${query}`, { WebSocket, random: () => 0, ...options });
  clients.push(client);
  const texts = new Inbox<string>();
  client.on("chat.message", (m) => texts.push(m.text));
  return { client, texts, states: new States(client) };
}

const message = (text: string, position?: string) => (position === undefined ? { type: "chat.message", text } : { type: "chat.message", text, position });

describe("resume", () => {
  it("reconnects with since=<last position>, keeping the other parameters, and drops what it already got", async () => {
    const { client, texts, states } = start("?room=a%20b&since=old%3A1&x=1");
    const first = await server.next();
    expect(first.url).toBe("/ws/test/?room=a%20b&since=old%3A1&x=1");
    await states.until("open");
    expect(client.position).toBeUndefined();

    first.send(message("one", "ep-1:1"), message("two", "ep-1:2"), message("no position"));
    expect([await texts.next("1"), await texts.next("2"), await texts.next("3")]).toEqual(["one", "two", "no position"]);
    expect(client.position).toBe("ep-1:2");

    first.drop();
    const second = await server.next("the reconnection");
    expect(second.url).toBe("/ws/test/?room=a%20b&x=1&since=ep-1%3A2");
    await states.until("open");

    // The server replays from an older point, then goes on: the client takes each message once.
    second.send(message("one", "ep-1:1"), message("two", "ep-1:2"), message("three", "ep-1:3"));
    second.send(message("two again", "ep-1:2"), message("four", "ep-1:4"));
    expect([await texts.next("three"), await texts.next("four")]).toEqual(["three", "four"]);
    expect(client.position).toBe("ep-1:4");

    // A new epoch (the history was lost) starts over: its offsets are not compared with the old epoch's.
    second.send(message("new epoch", "ep-2:1"), message("new epoch again", "ep-2:1"), message("five", "ep-2:2"));
    expect([await texts.next("new epoch"), await texts.next("five")]).toEqual(["new epoch", "five"]);
    expect(texts.pending).toEqual([]);
    expect(client.position).toBe("ep-2:2");

    second.close(1012);
    const third = await server.next("the third connection");
    expect(third.url).toBe("/ws/test/?room=a%20b&x=1&since=ep-2%3A2");
  });

  it("delivers a frame whose position is not a group position, and does not keep it", async () => {
    const { client, texts, states } = start("");
    const conn = await server.next();
    await states.until("open");
    conn.send(message("a", "e:5"), message("b", "top-left"), message("c", "e:x"), message("d", "e:6"));
    expect([await texts.next("a"), await texts.next("b"), await texts.next("c"), await texts.next("d")]).toEqual(["a", "b", "c", "d"]);
    expect(client.position).toBe("e:6");
  });

  it("compares offsets beyond 2^53 exactly", async () => {
    const { client, texts, states } = start("");
    const conn = await server.next();
    await states.until("open");
    conn.send(message("big", "e:9007199254740993"), message("smaller", "e:9007199254740992"), message("bigger", "e:9007199254740994"));
    expect([await texts.next("big"), await texts.next("bigger")]).toEqual(["big", "bigger"]);
    expect(client.position).toBe("e:9007199254740994");
  });

  it("uses the parameter name given in resume.param", async () => {
    const { states } = start("?from=x", { resume: { param: "from" } });
    const conn = await server.next();
    await states.until("open");
    conn.send(message("a", "e:7"));
    conn.drop();
    expect((await server.next("the reconnection")).url).toBe("/ws/test/?from=e%3A7");
  });

  it("ignores positions when resume is false", async () => {
    const { client, texts, states } = start("", { resume: false });
    const conn = await server.next();
    await states.until("open");
    conn.send(message("a", "e:7"), message("a again", "e:7"));
    expect([await texts.next("a"), await texts.next("a again")]).toEqual(["a", "a again"]);
    expect(client.position).toBeUndefined();
    conn.drop();
    expect((await server.next("the reconnection")).url).toBe("/ws/test/");
  });

  it("does not add since= before any positioned frame came", async () => {
    const { states } = start("?since=kept%3A3");
    (await server.next()).drop();
    await states.until("open");
    expect((await server.next("the reconnection")).url).toBe("/ws/test/?since=kept%3A3");
  });
});
