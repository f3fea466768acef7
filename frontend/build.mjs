// Bundles the UI with esbuild into lunadc/web/static/build/ (one module per page, shared
// chunks split out), writes a .gz beside each asset, and prints the sizes.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = new URL("../lunadc/web/static/build/", import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });

await build({
  entryPoints: ["search", "product", "signin", "operator", "federation"].map((p) => `src/${p}.js`).concat(["src/app.css"]),
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: ["chrome110", "firefox115", "safari16"],
  outdir: out,
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  legalComments: "linked",
  logLevel: "warning",
});

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

let total = 0;
for (const file of walk(out)) {
  const body = readFileSync(file);
  const gz = gzipSync(body, { level: 9 });
  writeFileSync(`${file}.gz`, gz);
  total += gz.length;
  console.log(`${file.slice(out.length).padEnd(40)} ${String(body.length).padStart(8)} B  gzip ${String(gz.length).padStart(7)} B`);
}
console.log(`all assets, gzip: ${total} B`);
