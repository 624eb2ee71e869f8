import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

// Each TypeScript example of docs/clients.md is a file under test/docs that `npm run typecheck` compiles.
it("keeps the examples of docs/clients.md the same as the compiled copies", () => {
  const doc = readFileSync(new URL("../../../docs/clients.md", import.meta.url), "utf8");
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!.replaceAll('"@switchyard/client"', '"../../src/index.js"'));
  const copies = ["chat.ts", "connecting.ts"].map((name) =>
    readFileSync(new URL(`docs/${name}`, import.meta.url), "utf8").split("\n").slice(1).join("\n"));
  expect(blocks).toEqual(copies);
});
