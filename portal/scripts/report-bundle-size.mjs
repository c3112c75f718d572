/* global console, process */
// Prints the initial JavaScript of the build, gzipped: the entry script index.html loads and
// every chunk it imports statically (lazy routes are not initial). Fails above the budget.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 200;
const web = join(import.meta.dirname, '..', 'dist', 'web');
const html = readFileSync(join(web, 'index.html'), 'utf8');
const initial = new Set();
const queue = [
  ...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/([^"]+\.js)"/g),
].map((m) => m[1]);
while (queue.length > 0) {
  const file = queue.shift();
  if (initial.has(file)) continue;
  initial.add(file);
  const code = readFileSync(join(web, file), 'utf8');
  // Static imports between chunks: `from"./x.js"` and bare `import"./x.js"` (not import()).
  for (const m of code.matchAll(/(?:from|import)\s*["']\.\/([^"']+\.js)["']/g)) {
    queue.push(join('assets', m[1]));
  }
}
let total = 0;
for (const file of initial) total += gzipSync(readFileSync(join(web, file))).length;
const kb = total / 1024;
console.log(
  `portal: initial JavaScript ${kb.toFixed(1)} KB gzipped (${initial.size} file(s); budget ${BUDGET_KB} KB)`,
);
if (kb > BUDGET_KB) {
  console.error(`portal: the initial JavaScript exceeds ${BUDGET_KB} KB gzipped`);
  process.exit(1);
}
