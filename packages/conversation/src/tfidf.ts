/**
 * The similarity measure of GPT Lab's prompt-leak guard (seed 001, lesson 7), reimplemented so the
 * platform gives the same scores as the original Python without shipping scikit-learn:
 *
 *     vect = TfidfVectorizer(min_df=1, stop_words='english')
 *     tfidf = vect.fit_transform([a, b])
 *     cosine_similarity(tfidf[0], tfidf[1])[0][0]
 *
 * It owns the exact scikit-learn semantics (tokenisation, stop words, smoothed idf over a
 * two-document corpus, l2 norm) so the 0.65 threshold keeps the meaning it had in GPT Lab. The guard
 * scores many windows incrementally with the same arithmetic via `TermCounts` and `pairSimilarity`.
 */
import { ENGLISH_STOP_WORDS } from './stop-words';

/**
 * scikit-learn's default `token_pattern`, `(?u)\b\w\w+\b`: maximal runs of two or more word
 * characters. Python's Unicode `\w` is exactly letters (L*), numbers (N*) and `_` (checked over
 * every code point with Python 3.11, Unicode 14); combining marks are not word characters, so
 * they split words just as in scikit-learn. JavaScript's `\w` and `\b` are ASCII-only, hence the
 * explicit class; a greedy run of word characters is what `\b\w\w+\b` matches.
 */
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

/** idf of a term in one of the two documents: ln((1 + 2) / (1 + 1)) + 1 (smooth_idf=True). */
export const IDF_ONE_DOC = Math.log(3 / 2) + 1;
/** idf of a term in both documents: ln((1 + 2) / (1 + 2)) + 1. */
export const IDF_BOTH_DOCS = 1;

export type TermCounts = ReadonlyMap<string, number>;

/** The terms scikit-learn would keep from `text`: lowercased tokens that are not stop words. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(TOKEN)) {
    if (!ENGLISH_STOP_WORDS.has(match[0])) out.push(match[0]);
  }
  return out;
}

/** Raw term counts (scikit-learn's term frequencies before idf). */
export function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/**
 * Cosine of the tf-idf vectors of a two-document corpus, from integer sums (exact in doubles):
 * `dot` = Σ over shared terms of countA·countB; `sharedA`/`sharedB` = Σ over shared terms of the
 * squared counts; `totalA`/`totalB` = Σ over all terms of the squared counts. Shared terms have
 * idf 1 and the others `IDF_ONE_DOC`, and idf² factors out of the dot product (it is 1). The
 * result depends only on these integers, so every caller computing the same window gets the very
 * same double.
 */
export function pairSimilarity(
  dot: number,
  sharedA: number,
  totalA: number,
  sharedB: number,
  totalB: number,
): number {
  if (dot === 0) return 0;
  const idf2 = IDF_ONE_DOC * IDF_ONE_DOC;
  const normA = sharedA + idf2 * (totalA - sharedA);
  const normB = sharedB + idf2 * (totalB - sharedB);
  return dot / Math.sqrt(normA * normB);
}

/**
 * scikit-learn's `cosine_similarity` of the two `TfidfVectorizer(min_df=1, stop_words='english')`
 * rows of `[a, b]`. Where scikit-learn raises "empty vocabulary" (both texts empty or only stop
 * words) this returns 0, as it does when just one side has no terms.
 */
export function tfidfCosineSimilarity(a: string, b: string): number {
  return countsSimilarity(termCounts(a), termCounts(b));
}

export function countsSimilarity(a: TermCounts, b: TermCounts): number {
  let dot = 0;
  let sharedA = 0;
  let sharedB = 0;
  let totalA = 0;
  let totalB = 0;
  for (const [term, countA] of a) {
    totalA += countA * countA;
    const countB = b.get(term);
    if (countB !== undefined) {
      dot += countA * countB;
      sharedA += countA * countA;
      sharedB += countB * countB;
    }
  }
  for (const countB of b.values()) totalB += countB * countB;
  return pairSimilarity(dot, sharedA, totalA, sharedB, totalB);
}
