// The blog page's script: live updates over one @switchyard/client connection to /ws/liveblog/{blog}/, typed by the
// route the .NET build generates (switchyard.generated.ts). The server rendered the posts and gave the page two
// starting points: data-since, the blog group's position before its query (the client resumes from it, then from the
// last update's position), and data-after, the highest change number on the page (the server's database fallback
// when the layer cannot resume). The client reconnects with backoff; the page keeps the highest change number per
// post, so a change that arrives twice (layer and database) is applied once. Samples/web bundles this file into
// ../Pages/blog.js (npm run build), which the sample serves at /blog.js.
import { connect, type ClientState } from "@switchyard/client";
import { routes, type LiveBlogConsumerRoute, type PostChanged } from "./switchyard.generated";

const blog = document.body.dataset["blog"] ?? "";
const after = Number(document.body.dataset["after"] ?? "0");
const since = document.body.dataset["since"] ?? "";
const posts = element("posts");
const status = element("status");
const empty = element("empty");
const seen = new Map<number, number>(
  [...document.querySelectorAll<HTMLElement>("article[data-id]")].map((a) => [Number(a.dataset["id"]), Number(a.dataset["seq"])]),
);

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) {
    throw new Error(`the blog page has no #${id}`);
  }
  return found;
}

function showEmpty(): void {
  empty.hidden = posts.querySelector("article") !== null;
}

function apply(change: PostChanged): void {
  if ((seen.get(change.id) ?? -1) >= change.seq) return;
  seen.set(change.id, change.seq);
  let article = document.getElementById(`post-${change.id}`);
  if (change.deleted) {
    article?.remove();
    showEmpty();
    return;
  }
  if (article === null) {
    article = document.createElement("article");
    article.id = `post-${change.id}`;
    article.dataset["id"] = String(change.id);
    article.innerHTML = '<header><h2></h2><time></time></header><div class="body"></div>';
    const newer = [...posts.querySelectorAll<HTMLElement>("article")].find((a) => Number(a.dataset["id"]) < change.id);
    posts.insertBefore(article, newer ?? null);
  }
  article.dataset["seq"] = String(change.seq);
  article.querySelector("h2")!.textContent = change.title;
  const time = article.querySelector("time")!;
  time.dateTime = change.publishedAt;
  time.textContent = new Date(change.publishedAt).toTimeString().slice(0, 5);
  article.querySelector(".body")!.innerHTML = change.html; // rendered and escaped by the server's Markdown renderer
  showEmpty();
}

const STATE_TEXT: Record<ClientState, string> = {
  connecting: "connecting",
  open: "live",
  reconnecting: "reconnecting",
  closed: "offline",
};

function showState(state: ClientState): void {
  status.textContent = STATE_TEXT[state];
  status.classList.toggle("on", state === "open");
}

const path = routes.LiveBlogConsumer.replace("{blog}", encodeURIComponent(blog));
const resume = since === "" ? "" : `&since=${encodeURIComponent(since)}`;
// Backoff 0.5 s doubling to 10 s, with full jitter; forever (a live page waits for its server).
const client = connect<LiveBlogConsumerRoute>(`${path}?after=${after}${resume}`, { reconnect: { maxDelay: 10_000 } });
client.onState(showState);
client.on("liveblog.post", apply);
showEmpty();
