// Fails when a page's checked-in bundle (what the sample serves) is not what npm run build makes from the TypeScript
// now: someone changed a page's .ts, the generated module or the client without rebuilding and committing the bundle.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { options, pages, samples } from "../pages.mjs";

describe("the checked-in page bundles", () => {
  for (const page of pages) {
    it(`Samples/${page.bundle} is the bundle of Samples/${page.entry}`, async () => {
      const fresh = await build({ ...options(page), write: false });
      const expected = fresh.outputFiles[0]?.text;
      expect(expected, "esbuild produced no output").toBeTypeOf("string");
      let checkedIn: string;
      try {
        checkedIn = await readFile(path.join(samples, page.bundle), "utf8");
      } catch {
        throw new Error(`Samples/${page.bundle} is missing: run npm run build in Samples/web and commit it.`);
      }
      if (checkedIn !== expected) {
        throw new Error(`Samples/${page.bundle} is stale: run npm run build in Samples/web and commit it.`);
      }
    });
  }

  it("a bundle holds the client, not an import of it (the samples serve it as one script)", async () => {
    const chat = await readFile(path.join(samples, "Chat/chat.js"), "utf8");
    expect(chat).not.toMatch(/\bimport\s*[{*"]/);
    expect(chat).toContain("// ../Clients/typescript/dist/client.js");
    expect(chat).toContain("chat.say");
  });
});
