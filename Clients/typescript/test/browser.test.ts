import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { ServerConnection } from "./support/testServer.js";
import { Inbox, within } from "./support/wait.js";

// The built client in a real browser (Debian's headless Chromium, which test.sh installs): the page imports dist's
// ESM output and uses the browser's own WebSocket, with a relative URL.
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));
const root = fileURLToPath(new URL("..", import.meta.url));

let out: string;
let http: Server;
let wss: WebSocketServer;
let browser: ChildProcess | undefined;
const connections = new Inbox<ServerConnection>();

const page = `<!doctype html><meta charset="utf-8"><title>switchyard client</title>
<script type="module">
  import { connect } from "/lib/index.js";
  const client = connect("/ws/browser/?page=1", { reconnect: { initialDelay: 20 } });
  const report = (what) => client.send({ type: "report", what, state: client.state, position: client.position ?? null });
  client.handle("page.ask", (m) => ({ type: "page.answer", double: m.n * 2 }));
  client.on("page.news", (m) => report("news " + m.text));
  client.onState(async (state, error) => {
    if (state === "reconnecting") {
      report("lost " + error.code); // queued: sent once open again
    }
    if (state === "open") {
      const reply = await client.request({ type: "page.hello" });
      report("reply " + reply.greeting);
    }
  });
</script>`;

beforeAll(async () => {
  if (chromium === undefined) {
    return;
  }
  out = mkdtempSync(join(tmpdir(), "switchyard-client-browser-"));
  const tsc = spawnSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.json"), "--outDir", join(out, "lib"), "--declaration", "false", "--sourceMap", "false", "--declarationMap", "false"], { encoding: "utf8" });
  expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  http = createServer((request, response) => {
    const path = request.url ?? "/";
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/html" }).end(page);
    } else if (/^\/lib\/[a-zA-Z]+\.js$/.test(path)) {
      response.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(join(out, path)));
    } else {
      response.writeHead(404).end();
    }
  });
  wss = new WebSocketServer({ server: http, handleProtocols: (p) => (p.has("switchyard.batch") ? "switchyard.batch" : false) });
  wss.on("connection", (socket, request) => connections.push(new ServerConnection(socket, request)));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  if (browser !== undefined && browser.exitCode === null) {
    const exited = new Promise((resolve) => browser!.once("exit", resolve));
    process.kill(-browser.pid!, "SIGTERM"); // its own process group: the renderer and GPU processes too
    await within(exited, "chromium to exit", 10000);
  }
  for (const client of wss?.clients ?? []) {
    client.terminate();
  }
  wss?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  if (out) {
    rmSync(out, { recursive: true, force: true, maxRetries: 10 });
  }
});

it.skipIf(chromium === undefined)("works in a browser with its global WebSocket: requests, calls, batches, reconnect and resume", async () => {
  const port = (http.address() as { port: number }).port;
  browser = spawn(chromium!, ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", `--user-data-dir=${join(out, "profile")}`, `http://127.0.0.1:${port}/`], { stdio: "ignore", detached: true });

  const first = await connections.next("the page's connection", 15000);
  expect(first.url).toBe("/ws/browser/?page=1");
  expect(first.offered).toEqual(["switchyard.batch"]);
  expect(first.socket.protocol).toBe("switchyard.batch");
  const hello = await first.next("the page's request");
  expect(hello).toEqual({ type: "page.hello", $id: 1 });
  first.send({ type: "page.greeting", greeting: "hi", $re: 1 });
  expect(await first.next("the page's report")).toMatchObject({ type: "report", what: "reply hi", state: "open" });

  first.send({ type: "page.ask", n: 21, $id: 5 }, { type: "page.news", text: "a", position: "e:1" }, { type: "page.news", text: "b", position: "e:2" });
  expect(await first.next("the page's answer")).toEqual({ type: "page.answer", double: 42, $re: 5 });
  expect(await first.next("news a")).toMatchObject({ what: "news a", position: "e:1" });
  expect(await first.next("news b")).toMatchObject({ what: "news b", position: "e:2" });

  first.close(1012, "restart");
  const second = await connections.next("the page's reconnection", 15000);
  expect(second.url).toBe("/ws/browser/?page=1&since=e%3A2");
  expect(await second.next("the queued report")).toMatchObject({ what: "lost 1012" });
  expect(await second.next("the second request")).toEqual({ type: "page.hello", $id: 2 });
  second.send({ type: "page.news", text: "b", position: "e:2" }, { type: "page.news", text: "c", position: "e:3" });
  expect(await second.next("news c")).toMatchObject({ what: "news c", position: "e:3" });
});
