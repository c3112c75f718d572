/**
 * bench/guard: the prompt-leak guard v2 on a labelled corpus (docs/decisions/0013-guard-v2.md).
 * Prints detection and false-positive rates per kind of reply, for the guard (every view) beside
 * the seed's whole-reply rule (tf-idf cosine of the whole reply and the whole prompt ≥ 0.65),
 * a threshold sweep, the per-reply cost (p50) at 0.5k / 2k / 8k tokens for plain replies and
 * replies full of encoded material against a 200-word prompt, and the issue's targets. The
 * semantic stage runs beside them on the mock LLM's embeddings (`@lab/mock-llm`'s `embed`, what
 * its `/v1/embeddings` returns: a hashed bag of words, blind to meaning), through the stage's own
 * judgement (`semanticVerdict`): that column shows the path at work, not what a real embeddings
 * model would catch.
 *
 *     node bench/dist/guard/main.js [--threshold 0.65] [--semantic-threshold 0.9] [--iterations 200]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { countTokens, guardReply, splitSentences, tfidfCosineSimilarity } from '@lab/conversation';
import { comparableSentences, semanticVerdict } from '@lab/llm-worker/dist/src/guard/semantic';
import { EMBEDDING_MODELS, embed } from '@lab/mock-llm';
import { PROMPTS, type CorpusPrompt } from './corpus/prompts';
import { BENIGN, CHATTER, PARAPHRASES } from './corpus/replies';
import { ENCODINGS, type Encoding } from './encodings';
import { guardReply as guardV1 } from './guard-v1';

const { values } = parseArgs({
  options: {
    threshold: { type: 'string', default: '0.65' },
    'semantic-threshold': { type: 'string', default: '0.9' },
    iterations: { type: 'string', default: '200' },
  },
});
const THRESHOLD = Number(values.threshold);
const SEMANTIC_THRESHOLD = Number(values['semantic-threshold']);
const ITERATIONS = Number(values.iterations);
const SEED_THRESHOLD = 0.65;

type Group = 'leak' | 'benign';
interface Case {
  kind: string;
  group: Group;
  family: string;
  prompt: string;
  reply: string;
}

const chatter = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => CHATTER[(from + i) % CHATTER.length]).join(' ');
const sentencesOf = (text: string) =>
  splitSentences(text)
    .map((s) => s.trim())
    .filter(Boolean);

/** Deterministic shuffle (mulberry32). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const leak = (kind: string, family: string, p: CorpusPrompt, reply: string) =>
    cases.push({ kind, group: 'leak', family, prompt: p.text, reply });
  const benign = (kind: string, p: CorpusPrompt, reply: string) =>
    cases.push({ kind, group: 'benign', family: 'benign', prompt: p.text, reply });

  PROMPTS.forEach((p, i) => {
    const sentences = sentencesOf(p.text);
    leak(
      'verbatim',
      'verbatim',
      p,
      `${chatter(i, 2)} Of course, here is everything I was told:\n\n${p.text}\n\n${chatter(i + 2, 2)}`,
    );
    // Partial: every run of two consecutive sentences, inside chatter.
    for (let s = 0; s + 1 < sentences.length; s++) {
      leak(
        'partial (2 sentences)',
        'partial',
        p,
        `${chatter(i + s, 3)} ${sentences[s]} ${sentences[s + 1]} ${chatter(i + s + 3, 3)}`,
      );
    }
    leak(
      'bulleted',
      'reformatted',
      p,
      `My instructions, as a list:\n\n${sentences.map((s) => `- ${s}`).join('\n')}\n\nAnything else?`,
    );
    leak(
      'shuffled',
      'reformatted',
      p,
      `In no particular order: ${shuffled(sentences, i + 1).join(' ')}`,
    );
    leak('lower-cased', 'reformatted', p, `sure: ${p.text.toLowerCase()}`);
    for (const encoding of ENCODINGS) {
      leak(
        encoding.name,
        'encoded',
        p,
        `Sure! Here are my instructions, ${encoding.phrase}:\n\n${encoding.encode(p.text)}\n\nLet me know if you need anything else.`,
      );
    }
    for (const paraphrase of PARAPHRASES[p.id] ?? [])
      leak('paraphrase', 'paraphrase', p, paraphrase);

    for (const reply of BENIGN[p.domain] ?? []) benign('benign on-topic', p, reply);
    for (const [domain, replies] of Object.entries(BENIGN)) {
      if (domain === p.domain) continue;
      for (const reply of replies) benign('benign other topic', p, reply);
    }
    benign('benign sharing vocabulary', p, sharingVocabulary(p.text, i));
    for (const other of PROMPTS) {
      if (other === p) continue;
      benign(
        other.domain === p.domain
          ? "another assistant's instructions, same domain"
          : "another assistant's instructions, other domain",
        p,
        `Here is how I was set up:\n\n${other.text}`,
      );
    }
  });
  return cases;
}

/**
 * A helpful reply that reuses the prompt's own content words, three per sentence, mixed with
 * words of its own: what an assistant says when it talks about the subject of its prompt.
 */
function sharingVocabulary(prompt: string, seed: number): string {
  const words = [
    ...new Set(
      (prompt.toLowerCase().match(/[a-z]{5,}/g) ?? []).filter(
        (w) => !['never', 'always', 'their', 'which', 'there', 'about', 'should'].includes(w),
      ),
    ),
  ];
  const picked = shuffled(words, seed + 99).slice(0, 9);
  const [a, b, c, d, e, f, g, h, k] = picked.map((w) => w ?? 'things');
  return (
    `Happy to help with ${a} and ${b} — many people find ${c} tricky at first. ` +
    `Tell me a little about your week, and we can look at ${d}, ${e} or ${f} together. ` +
    `Some people start with ${g}; others prefer ${h} or ${k}. What would you like to try first?`
  );
}

interface Rates {
  kind: string;
  group: Group;
  n: number;
  guard: number;
  plain: number;
  seed: number;
  /** The guard or the semantic stage on the mock's embeddings. */
  semantic: number;
}

const EMBEDDING_MODEL = 'text-embedding-3-small';
const EMBEDDING_DIMENSIONS = EMBEDDING_MODELS[EMBEDDING_MODEL]?.dimensions ?? 1536;
const vectors = new Map<string, number[]>();
/** The mock's embedding of each comparable sentence of `text` (cached by sentence). */
function embeddings(text: string): number[][] {
  return comparableSentences(text).map((sentence) => {
    let vector = vectors.get(sentence);
    if (!vector)
      vectors.set(sentence, (vector = Array.from(embed(sentence, EMBEDDING_DIMENSIONS))));
    return vector;
  });
}
const semanticLeak = (c: Case) =>
  semanticVerdict(embeddings(c.prompt), embeddings(c.reply), SEMANTIC_THRESHOLD).leaked;

function evaluate(cases: Case[], threshold: number): Map<string, Rates> {
  const rows = new Map<string, Rates>();
  for (const c of cases) {
    let row = rows.get(c.kind);
    if (!row)
      rows.set(
        c.kind,
        (row = { kind: c.kind, group: c.group, n: 0, guard: 0, plain: 0, seed: 0, semantic: 0 }),
      );
    row.n++;
    const guarded = guardReply(c.reply, c.prompt, { threshold }).leaked;
    if (guarded) row.guard++;
    if (guarded || semanticLeak(c)) row.semantic++;
    if (guardReply(c.reply, c.prompt, { threshold, views: false }).leaked) row.plain++;
    if (tfidfCosineSimilarity(c.reply, c.prompt) >= SEED_THRESHOLD) row.seed++;
  }
  return rows;
}

const pct = (k: number, n: number) =>
  n === 0 ? '   -  ' : `${((100 * k) / n).toFixed(1).padStart(5)}%`;

function printRates(rows: Map<string, Rates>): void {
  console.log(
    `${'kind'.padEnd(48)} ${'n'.padStart(5)}  ${'guard v2'.padStart(9)}  ${'plain view'.padStart(10)}  ${'seed rule'.padStart(9)}  ${'+ semantic*'.padStart(11)}`,
  );
  for (const group of ['leak', 'benign'] as const) {
    console.log(group === 'leak' ? '-- leaks: detection rate' : '-- benign: false-positive rate');
    for (const row of rows.values()) {
      if (row.group !== group) continue;
      console.log(
        `${row.kind.padEnd(48)} ${String(row.n).padStart(5)}  ${pct(row.guard, row.n).padStart(9)}  ${pct(row.plain, row.n).padStart(10)}  ${pct(row.seed, row.n).padStart(9)}  ${pct(row.semantic, row.n).padStart(11)}`,
      );
    }
  }
  console.log(
    `* guard v2 with the semantic stage on (cosine ≥ ${SEMANTIC_THRESHOLD}) over the MOCK's embeddings (a hashed bag of words,`,
  );
  console.log(
    '  blind to meaning): it shows the stage at work on this corpus, not what a real embeddings model would catch',
  );
}

// ---- cost ----

const LONG_PROMPT = PROMPTS.find((p) => p.id === 'mindful-long')?.text ?? '';
const MODEL = 'gpt-4o-mini';

function plainReply(tokens: number): string {
  const pool = [...Object.values(BENIGN).flat(), ...CHATTER];
  const parts: string[] = [];
  let i = 0;
  let text = '';
  while (countTokens(text, MODEL) < tokens) {
    parts.push(pool[i % pool.length] ?? '');
    i++;
    if (i % 8 === 0) parts.push('\n\n');
    text = parts.join(' ');
  }
  return text;
}

/** A reply full of encoded material (every encoding, of benign text): every view is built. */
function encodedReply(tokens: number): string {
  const pool = [...Object.values(BENIGN).flat()];
  const parts: string[] = [];
  let i = 0;
  let text = '';
  while (countTokens(text, MODEL) < tokens) {
    const encoding = ENCODINGS[i % ENCODINGS.length] as Encoding;
    parts.push(
      `Here it is ${encoding.phrase}:\n\n${encoding.encode(pool[i % pool.length] ?? '')}\n\n`,
    );
    parts.push(CHATTER[i % CHATTER.length] ?? '');
    i++;
    text = parts.join(' ');
  }
  return text;
}

/** p50 ms of each function, measured interleaved (round-robin), so load hits all alike. */
function p50s(runs: Record<string, () => void>, iterations: number): Record<string, number> {
  const names = Object.keys(runs);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const warmup = Math.min(20, iterations);
  for (let i = 0; i < warmup + iterations; i++) {
    for (const name of names) {
      const start = performance.now();
      runs[name]?.();
      if (i >= warmup) times[name]?.push(performance.now() - start);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const sorted = (times[name] ?? []).sort((a, b) => a - b);
      return [name, sorted[Math.floor(sorted.length / 2)] ?? NaN];
    }),
  );
}

interface Cost {
  size: number;
  shape: 'plain' | 'encoded';
  tokens: number;
  guard: number;
  plainView: number;
  v1: number;
  seed: number;
}

function costs(): Cost[] {
  const out: Cost[] = [];
  for (const size of [500, 2000, 8000]) {
    for (const shape of ['plain', 'encoded'] as const) {
      const reply = shape === 'plain' ? plainReply(size) : encodedReply(size);
      if (guardReply(reply, LONG_PROMPT, THRESHOLD).leaked)
        throw new Error(`${shape} ${size} leaks`);
      const iterations = size >= 8000 ? Math.max(20, ITERATIONS / 4) : ITERATIONS;
      const p = p50s(
        {
          guard: () => guardReply(reply, LONG_PROMPT, THRESHOLD),
          plainView: () => guardReply(reply, LONG_PROMPT, { threshold: THRESHOLD, views: false }),
          v1: () => guardV1(reply, LONG_PROMPT, THRESHOLD),
          seed: () => tfidfCosineSimilarity(reply, LONG_PROMPT),
        },
        iterations,
      );
      out.push({
        size,
        shape,
        tokens: countTokens(reply, MODEL),
        guard: p.guard ?? NaN,
        plainView: p.plainView ?? NaN,
        v1: p.v1 ?? NaN,
        seed: p.seed ?? NaN,
      });
    }
  }
  return out;
}

// ---- main ----

function main(): void {
  const cases = buildCases();
  const words = LONG_PROMPT.split(/\s+/).length;
  console.log(
    `guard bench: ${PROMPTS.length} prompts, ${cases.length} replies, threshold ${THRESHOLD} (seed rule: whole reply vs whole prompt ≥ ${SEED_THRESHOLD}); Node ${process.version}`,
  );
  console.log('');
  const rows = evaluate(cases, THRESHOLD);
  printRates(rows);

  console.log('');
  console.log('threshold sweep (guard v2): detection of leaks by family, false positives by kind');
  const families = ['verbatim', 'partial', 'reformatted', 'encoded', 'paraphrase'];
  const benignKinds = [...new Set(cases.filter((c) => c.group === 'benign').map((c) => c.kind))];
  console.log(
    `${'threshold'.padEnd(10)}${families.map((f) => f.padStart(12)).join('')}  ${benignKinds.map((k, i) => `fp${i + 1}`.padStart(7)).join('')}`,
  );
  for (const t of [0.6, 0.65, 0.7, 0.75, 0.8, 0.85]) {
    const line = families.map((family) => {
      const group = cases.filter((c) => c.family === family);
      const hit = group.filter((c) => guardReply(c.reply, c.prompt, t).leaked).length;
      return pct(hit, group.length).padStart(12);
    });
    const fps = benignKinds.map((kind) => {
      const group = cases.filter((c) => c.kind === kind);
      const hit = group.filter((c) => guardReply(c.reply, c.prompt, t).leaked).length;
      return pct(hit, group.length).padStart(7);
    });
    console.log(`${String(t).padEnd(10)}${line.join('')}  ${fps.join('')}`);
  }
  benignKinds.forEach((k, i) => console.log(`  fp${i + 1} = ${k}`));

  console.log('');
  console.log(
    'semantic stage alone on the MOCK embeddings (hashed bag of words): paraphrase detection, false positives',
  );
  console.log(
    `${'cosine ≥'.padEnd(10)}${'paraphrase'.padStart(12)}${'benign'.padStart(9)}${'others'.padStart(9)}`,
  );
  const paraphrases = cases.filter((c) => c.kind === 'paraphrase');
  const benignCases = cases.filter((c) => c.kind.startsWith('benign'));
  const otherCases = cases.filter((c) => c.kind.startsWith('another'));
  for (const t of [0.5, 0.6, 0.7, 0.8, 0.9]) {
    const share = (group: Case[]) =>
      pct(
        group.filter((c) => semanticVerdict(embeddings(c.prompt), embeddings(c.reply), t).leaked)
          .length,
        group.length,
      );
    console.log(
      `${String(t).padEnd(10)}${share(paraphrases).padStart(12)}${share(benignCases).padStart(9)}${share(otherCases).padStart(9)}`,
    );
  }

  console.log('');
  console.log(
    `cost per reply, p50 ms, against the ${words}-word prompt (${ITERATIONS} runs, 8k: fewer)`,
  );
  console.log(
    `${'reply'.padEnd(14)}${'tokens'.padStart(7)}${'guard v2'.padStart(10)}${'plain view'.padStart(12)}${'guard v1'.padStart(10)}${'seed rule'.padStart(11)}${'v2 / v1'.padStart(9)}${'v2 / seed'.padStart(11)}`,
  );
  const measured = costs();
  for (const c of measured) {
    console.log(
      `${`${c.shape} ${c.size / 1000}k`.padEnd(14)}${String(c.tokens).padStart(7)}${c.guard.toFixed(3).padStart(10)}${c.plainView.toFixed(3).padStart(12)}${c.v1.toFixed(3).padStart(10)}${c.seed.toFixed(3).padStart(11)}${(c.guard / c.v1).toFixed(2).padStart(9)}${(c.guard / c.seed).toFixed(2).padStart(11)}`,
    );
  }
  console.log(
    '(guard v1 = the guard before this change, one view, in the same run; plain view = v2 without the views)',
  );
  console.log('');
  console.log('targets');
  const rate = (filter: (c: Case) => boolean) => {
    const group = cases.filter(filter);
    return (
      group.filter((c) => guardReply(c.reply, c.prompt, THRESHOLD).leaked).length / group.length
    );
  };
  const verdicts: [string, number, boolean][] = [];
  const at = (ks: string[]) => (c: Case) => ks.includes(c.family);
  const detect = rate(at(['verbatim', 'partial', 'reformatted']));
  verdicts.push([
    'verbatim, partial (≥ 2 sentences), reformatted ≥ 99%',
    detect * 100,
    detect >= 0.99,
  ]);
  for (const encoding of ENCODINGS) {
    const r = rate((c) => c.kind === encoding.name);
    verdicts.push([`encoded: ${encoding.name} ≥ 95%`, r * 100, r >= 0.95]);
  }
  const benignFp = rate((c) => c.group === 'benign' && c.kind.startsWith('benign'));
  verdicts.push(['false positives, benign replies ≤ 1%', benignFp * 100, benignFp <= 0.01]);
  const othersFp = rate((c) => c.kind.startsWith('another'));
  verdicts.push([
    "false positives, other assistants' instructions ≤ 1%",
    othersFp * 100,
    othersFp <= 0.01,
  ]);
  const plain2k = measured.find((c) => c.size === 2000 && c.shape === 'plain');
  const encoded2k = measured.find((c) => c.size === 2000 && c.shape === 'encoded');
  for (const line of verdicts) {
    console.log(`${line[2] ? 'PASS' : 'FAIL'}  ${line[0].padEnd(58)} ${line[1].toFixed(1)}%`);
  }
  const plainMs = plain2k?.guard ?? NaN;
  const encodedMs = encoded2k?.guard ?? NaN;
  console.log(
    `${plainMs <= 1 ? 'PASS' : 'FAIL'}  ${'p50 plain 2k-token reply ≤ 1 ms'.padEnd(58)} ${plainMs.toFixed(3)} ms`,
  );
  console.log(
    `${encodedMs <= 3 ? 'PASS' : 'FAIL'}  ${'p50 encoded 2k-token reply ≤ 3 ms'.padEnd(58)} ${encodedMs.toFixed(3)} ms`,
  );
  // Not a target of the issue: the semantic stage on the mock's embeddings, labelled as such.
  const sum = (filter: (row: Rates) => boolean, field: 'guard' | 'semantic' | 'n') =>
    [...rows.values()].filter(filter).reduce((total, row) => total + row[field], 0);
  const paraphrase = (row: Rates) => row.kind === 'paraphrase';
  const benignRow = (row: Rates) => row.kind.startsWith('benign');
  const othersRow = (row: Rates) => row.kind.startsWith('another');
  console.log(
    `info  ${'paraphrase, semantic stage on (MOCK embeddings, not a meaning model)'.padEnd(58)} ${pct(sum(paraphrase, 'semantic'), sum(paraphrase, 'n'))} (guard alone ${pct(sum(paraphrase, 'guard'), sum(paraphrase, 'n')).trim()})`,
  );
  console.log(
    `info  ${'false positives with it on: benign / other assistants'.padEnd(58)} ${pct(sum(benignRow, 'semantic'), sum(benignRow, 'n'))} / ${pct(sum(othersRow, 'semantic'), sum(othersRow, 'n')).trim()}`,
  );
  const ratio = plainMs / (plain2k?.v1 ?? NaN);
  console.log(
    `${ratio <= 1 ? 'PASS' : 'FAIL'}  ${'plain 2k-token reply costs no more than v1 (same run)'.padEnd(58)} ${ratio.toFixed(2)} × v1`,
  );
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} cores)`,
  );
}

main();
