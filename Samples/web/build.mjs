// npm run build: bundles each page (pages.mjs) into the JS file its sample embeds.
import { build } from "esbuild";
import { options, pages } from "./pages.mjs";

for (const page of pages) {
  await build(options(page));
  console.log(`wrote Samples/${page.bundle} from Samples/${page.entry}`);
}
