/**
 * Parity with scikit-learn. Reference values were produced with scikit-learn 1.9.1 on Python 3.11.7
 * (a throwaway venv, not part of the project) by running, for each pair [a, b]:
 *   vect = TfidfVectorizer(min_df=1, stop_words='english'); tfidf = vect.fit_transform([a, b])
 *   cosine_similarity(tfidf[0], tfidf[1])[0][0]    (null: scikit-learn raised "empty vocabulary")
 * and, for the token lists, TfidfVectorizer(stop_words='english').build_analyzer()(text).
 */
import { ENGLISH_STOP_WORDS } from './stop-words';
import { IDF_ONE_DOC, terms, tfidfCosineSimilarity } from './tfidf';

const MARLON =
  'You are Coach Marlon, a warm and practical career coach for mid-career professionals. ' +
  "Begin every session by asking the user what outcome they want from today's conversation. " +
  'Use the GROW model: clarify the goal, explore the current reality, brainstorm options, and agree on a concrete next step. ' +
  'Ask one open question at a time and wait for the answer before offering advice. ' +
  'Never write resumes or cover letters for the user; instead, review their drafts and point out the two most important improvements. ' +
  'When the user feels stuck, reflect their words back and name the underlying value you hear. ' +
  'Keep replies under 120 words and avoid corporate jargon. ' +
  'Close each session with a one-sentence recap and an invitation to schedule a follow-up.';

const PARTIAL_LEAK =
  'Sure, here is a quick note about my weekend. The farmers market opened early and the tomatoes were excellent. ' +
  'Ask one open question at a time and wait for the answer before offering advice. ' +
  'Never write resumes or cover letters for the user; instead, review their drafts and point out the two most important improvements. ' +
  'Afterwards we cooked a big pot of ratatouille with fresh basil. The kids played football in the park until sunset.';

const COACHING_REPLY =
  'I hear that you feel stuck between staying in your current job and moving into product management. ' +
  'It sounds like growth and autonomy matter a lot to you. What is one small step you could take this week to test the product path? ' +
  "Let's agree on a concrete next step before we close.";

// [name, a, b, scikit-learn value]
const PAIRS: [string, string, string, number | null][] = [
  [
    'seed chat example',
    'You are a helpful assistant who knows baseball.',
    'The Los Angeles Dodgers won the World Series in 2020. Who won the world series? Baseball!',
    0.06654488326015777,
  ],
  ['no shared terms', 'You are a helpful assistant.', 'Where was it played?', 0.0],
  ['identical prompt', MARLON, MARLON, 1.0000000000000033],
  ['partial leak, whole reply', PARTIAL_LEAK, MARLON, 0.22854569108985806],
  ['on-topic coaching reply', COACHING_REPLY, MARLON, 0.09014099936422391],
  [
    'accents and sharp s',
    'Café crème at the Zürich Straße — naïve façade! CAFÉ',
    'cafe creme zurich strasse naive facade café straße',
    0.22441294385136576,
  ],
  [
    'decomposed accents split words',
    'nai\u0308ve cafe\u0301 resume\u0301',
    'naive café ve nai resume',
    0.5101490193104813,
  ],
  [
    'greek final sigma',
    'ΟΔΥΣΣΕΥΣ ΚΑΙ ΤΟ ΤΑΞΙΔΙ ΤΟΥ Ὀδυσσεύς',
    'οδυσσευς οδυσσευσ ταξιδι ὀδυσσεύς',
    0.4501755023269898,
  ],
  [
    'devanagari marks',
    'नमस\u094dत\u0947 द\u0941न\u093fय\u093e, यह एक पर\u0940क\u094dषण ह\u0948',
    'नमस\u094dत\u0947 द\u094bस\u094dत\u094b\u0902, पर\u0940क\u094dषण सफल',
    0.5101490193104813,
  ],
  [
    'cjk runs',
    '東京は日本の首都です。東京タワー！ 東京',
    '日本の首都は東京 東京',
    0.26055567105626243,
  ],
  [
    'emoji and hashtags',
    'I ❤\ufe0f pizza 🍕 and pasta!!! #food @chef_42 🇮🇹',
    'pizza pasta food chef_42 love',
    0.8181802073667197,
  ],
  [
    'numbers and decimals',
    'Pi is 3.14159, e is 2.71828; version v1.2.3 was released 2023-10-05 at 10:30.',
    '3 14159 v1 2023 10 05 pi 30 version',
    0.8229382910085348,
  ],
  [
    'apostrophes',
    "Don't stop; it's John's book and they're O'Brien's friends. Don’t worry, we’ll see.",
    'dont stop john book brien friends ll worry',
    0.6052855104516397,
  ],
  [
    'underscores',
    'snake_case and __init__ with a_b or _x_ and x_',
    'snake case init a_b _x_ x_ snake_case',
    0.5193879933129156,
  ],
  ['only stop words', 'The and of to a', 'is it the', null], // sklearn: empty vocabulary; perhaps the documents only contain stop words
  ['one side empty', '', 'hello world, hello', 0.0],
  ['one side only stop words', 'the of and whereupon', 'career coach', 0.0],
  [
    'case and repetition',
    'Coach COACH coach career',
    'coach career career goals goals goals',
    0.33129303829818735,
  ],
  [
    'dotted capital I',
    'İstanbul ISTANBUL istanbul İZMİR',
    'istanbul izmir stanbul zm',
    0.4656462190988998,
  ],
  [
    'fullwidth and numeric symbols',
    'Ｆｕｌｌｗｉｄｔｈ １２３ x² ½ Ⅻ ⅻ ٣٤٥',
    'fullwidth 123 x² ½ ⅻ ٣٤٥',
    0.3360969272762575,
  ],
  [
    'whitespace variety',
    'line one\n\nline\ttwo\u00a0three\u2003four\r\nfive',
    'line two three four five one',
    1.0,
  ],
  [
    'invisible separators',
    'co\u200bworker soft\u00adhyphen zero\u200djoiner',
    'co worker soft hyphen zero joiner coworker',
    0.8466473536503034,
  ],
  [
    'abbreviations',
    'e.g. i.e. U.S.A. Mr. Smith vs. Dr. Jones etc.',
    'eg ie usa smith jones mr dr vs',
    0.8466473536503034,
  ],
  [
    'alphanumerics',
    'COVID-19 vaccine, H2O, 5G networks, 100km and 3rd place',
    'covid 19 h2o 5g 100km 3rd vaccine networks',
    0.8955324150715728,
  ],
  ['single-character tokens dropped', 'a b c d x y z 1 2 3', 'x y z 1 2 3 a b', null], // sklearn: empty vocabulary; perhaps the documents only contain stop words
  ['titlecase digraph', 'ǅemal ǄEMAL ǆemal', 'ǆemal', 1.0],
];

// [text, scikit-learn analyzer tokens]
const ANALYZED: [string, string[]][] = [
  [
    "Don't stop; it's John's book \u2014 they're O'Brien's friends!",
    ['don', 'stop', 'john', 'book', 'brien', 'friends'],
  ],
  [
    'Caf\u00e9 cr\u00e8me at the Z\u00fcrich Stra\u00dfe, na\u00efve fa\u00e7ade. \u0130stanbul \u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3',
    [
      'caf\u00e9',
      'cr\u00e8me',
      'z\u00fcrich',
      'stra\u00dfe',
      'na\u00efve',
      'fa\u00e7ade',
      'stanbul',
      '\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2',
    ],
  ],
  [
    'nai\u0308ve \u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e \u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059\u3002',
    [
      'nai',
      've',
      '\u0928\u092e\u0938',
      '\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059',
    ],
  ],
  [
    'Pi is 3.14159; v1.2.3 released 2023-10-05 at 10:30 \u2014 x\u00b2 \u00bd \u216b \u0663\u0664\u0665 snake_case __init__',
    [
      'pi',
      '14159',
      'v1',
      'released',
      '2023',
      '10',
      '05',
      '10',
      '30',
      'x\u00b2',
      '\u0663\u0664\u0665',
      'snake_case',
      '__init__',
    ],
  ],
  [
    'I \u2764\ufe0f pizza \ud83c\udf55 #food @chef_42 co\u200bworker soft\u00adhyphen',
    ['pizza', 'food', 'chef_42', 'worker', 'soft', 'hyphen'],
  ],
];

describe('tfidfCosineSimilarity', () => {
  it.each(PAIRS)('matches scikit-learn: %s', (_name, a, b, expected) => {
    const value = tfidfCosineSimilarity(a, b);
    // scikit-learn raises on an empty vocabulary; the guard treats that as "nothing shared".
    expect(Math.abs(value - (expected ?? 0))).toBeLessThan(1e-9);
    expect(Math.abs(tfidfCosineSimilarity(b, a) - value)).toBeLessThan(1e-15);
  });

  it("tokenises like scikit-learn's analyzer", () => {
    for (const [text, tokens] of ANALYZED) expect(terms(text)).toEqual(tokens);
  });

  it("uses scikit-learn's 318 English stop words and smoothed idf over two documents", () => {
    expect(ENGLISH_STOP_WORDS.size).toBe(318);
    for (const word of ['amoungst', 'bill', 'fire', 'whereupon', 'the', 'co', 'eg']) {
      expect(ENGLISH_STOP_WORDS.has(word)).toBe(true);
    }
    expect(ENGLISH_STOP_WORDS.has('coach')).toBe(false);
    expect(IDF_ONE_DOC).toBeCloseTo(1.4054651081081644, 15);
    // One shared term, one term only in a: a = [1·1, 1·idf], b = [1·1]; cosine = 1 / |a|.
    expect(tfidfCosineSimilarity('career coach', 'career')).toBeCloseTo(
      1 / Math.sqrt(1 + IDF_ONE_DOC ** 2),
      15,
    );
  });
});
