import type { IncomingMessage } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { Inbox } from "./wait.js";

/** One connection the test server accepted. */
export class ServerConnection {
  readonly frames = new Inbox<Record<string, unknown>>();
  readonly raw: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket, readonly request: IncomingMessage) {
    socket.on("message", (data, isBinary) => {
      const text = isBinary ? "<binary>" : data.toString();
      this.raw.push(text);
      this.frames.push(JSON.parse(text) as Record<string, unknown>);
    });
    this.closed = new Promise((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** The request's URL (path and query string). */
  get url(): string {
    return this.request.url ?? "";
  }

  /** The subprotocols the client offered, in order. */
  get offered(): string[] {
    return (this.request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "");
  }

  /** Sends messages, several in one frame joined by `\n` (a switchyard.batch frame). */
  send(...messages: object[]): void {
    this.socket.send(messages.map((m) => JSON.stringify(m)).join("\n"));
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** The next frame the client sent. */
  next(what = "a frame from the client"): Promise<Record<string, unknown>> {
    return this.frames.next(what);
  }

  close(code: number, reason = ""): void {
    this.socket.close(code, reason);
  }

  /** Drops the TCP connection without a close frame (the client sees 1006). */
  drop(): void {
    this.socket.terminate();
  }
}

/** A real WebSocket server on a loopback port that accepts `switchyard.batch`, as Switchyard's consumers do. */
export class TestServer {
  readonly connections = new Inbox<ServerConnection>();
  readonly all: ServerConnection[] = [];
  readonly #refused: Set<string>;
  #wss: WebSocketServer;

  private constructor(wss: WebSocketServer, readonly port: number, refused: Set<string>) {
    this.#wss = wss;
    this.#refused = refused;
    this.#listen();
  }

  /**
   * Starts a server on `port` (0: a free one). `selectBatch: false` answers the handshake without a subprotocol, as a
   * consumer does that accepts without naming one.
   */
  static async start(port = 0, selectBatch = true): Promise<TestServer> {
    const refused = new Set<string>();
    const wss = await listen(port, refused, selectBatch);
    const address = wss.address();
    if (address === null || typeof address === "string") {
      throw new Error("expected a TCP address");
    }
    return new TestServer(wss, address.port, refused);
  }

  /** Answers the handshake of requests for `path` with HTTP 403. */
  refuse(path: string): void {
    this.#refused.add(path);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws/test/`;
  }

  /** The next connection the server accepted. */
  next(what = "a connection"): Promise<ServerConnection> {
    return this.connections.next(what);
  }

  /** Stops listening and drops every connection (clients see 1006 and cannot connect until `restart`). */
  async stop(): Promise<void> {
    for (const client of this.#wss.clients) {
      client.terminate();
    }
    await new Promise<void>((resolve, reject) => this.#wss.close((error) => (error ? reject(error) : resolve())));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    this.#wss = await listen(this.port, this.#refused, true);
    this.#listen();
  }

  #listen(): void {
    this.#wss.on("connection", (socket, request) => {
      const connection = new ServerConnection(socket, request);
      this.all.push(connection);
      this.connections.push(connection);
    });
  }
}

function listen(port: number, refused: Set<string>, selectBatch: boolean): Promise<WebSocketServer> {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({
      host: "127.0.0.1",
      port,
      verifyClient: (info, callback) => callback(!refused.has(info.req.url ?? ""), 403, "Forbidden"),
      handleProtocols: (protocols) => (selectBatch && protocols.has("switchyard.batch") ? "switchyard.batch" : false),
    });
    wss.once("listening", () => resolve(wss));
    wss.once("error", reject);
  });
}

/** A port nothing listens on (a server started and stopped on it). */
export async function freePort(): Promise<number> {
  const server = await TestServer.start();
  await server.stop();
  return server.port;
}
