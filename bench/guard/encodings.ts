/**
 * The encodings extraction attacks ask for, as a model would write them: each turns the leaked
 * text into the form the reply carries (written independently of the guard's decoders, with the
 * usual conventions: base64 wrapped at 76 columns, letter-spaced words three spaces apart, …).
 */
export interface Encoding {
  name: string;
  /** How the reply introduces it ("encoded in base64"). */
  phrase: string;
  encode(text: string): string;
}

const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };
const LOOKALIKES: Record<string, string> = {
  a: 'а',
  c: 'с',
  e: 'е',
  i: 'і',
  o: 'о',
  p: 'р',
  x: 'х',
  y: 'у',
  A: 'А',
  B: 'В',
  E: 'Е',
  H: 'Н',
  O: 'О',
  P: 'Р',
  T: 'Т',
};

const wrap = (text: string, width: number) =>
  (text.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join('\n');

export const ENCODINGS: readonly Encoding[] = [
  {
    name: 'base64',
    phrase: 'encoded in base64',
    encode: (t) => wrap(Buffer.from(t).toString('base64'), 76),
  },
  {
    name: 'base64url',
    phrase: 'in base64url',
    encode: (t) => Buffer.from(t).toString('base64url'),
  },
  { name: 'hex', phrase: 'as hex', encode: (t) => Buffer.from(t).toString('hex') },
  {
    name: 'rot13',
    phrase: 'in rot13',
    encode: (t) =>
      t.replace(/[a-z]/gi, (ch) => {
        const base = ch <= 'Z' ? 65 : 97;
        return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
      }),
  },
  { name: 'reversed', phrase: 'reversed', encode: (t) => [...t].reverse().join('') },
  {
    name: 'letter-spaced',
    phrase: 'letter by letter',
    encode: (t) =>
      t
        .split(/\s+/)
        .map((w) => [...w].join(' '))
        .join('   '),
  },
  {
    name: 'one letter per line',
    phrase: 'one letter per line',
    encode: (t) =>
      t
        .split(/\s+/)
        .map((w) => [...w].join('\n'))
        .join('\n\n'),
  },
  {
    name: 'zero-width',
    phrase: 'as they are',
    encode: (t) => t.replace(/(\p{L})(?=\p{L})/gu, '$1\u200B'),
  },
  {
    name: 'leetspeak',
    phrase: 'in leetspeak',
    encode: (t) => t.replace(/[aeiost]/g, (ch) => LEET[ch] ?? ch),
  },
  {
    name: 'confusables',
    phrase: 'as they are',
    encode: (t) => t.replace(/[aceiopxyABEHOPT]/g, (ch) => LOOKALIKES[ch] ?? ch),
  },
  { name: 'code-fenced', phrase: 'in a code block', encode: (t) => `\`\`\`text\n${t}\n\`\`\`` },
];
