import { contentTypeOf, extractReturnedFiles } from './returned-files';

describe('files the model returns', () => {
  const ids = () => {
    let n = 0;
    return () => `id-${++n}`;
  };

  it('takes each fenced file block out of the reply and leaves a reference', () => {
    const reply = [
      'Here is your plan.',
      '```file name="plan.md"',
      '# Plan',
      '1. Swim',
      '```',
      'And the numbers:',
      '```file name="data.csv"',
      'a,b',
      '```',
    ].join('\n');
    const { reply: text, files } = extractReturnedFiles(reply, ids());
    expect(files).toEqual([
      { id: 'id-1', name: 'plan.md', contentType: 'text/markdown', content: '# Plan\n1. Swim' },
      { id: 'id-2', name: 'data.csv', contentType: 'text/csv', content: 'a,b' },
    ]);
    expect(text).toBe(
      'Here is your plan.\n[file plan.md: attachment id-1]\nAnd the numbers:\n[file data.csv: attachment id-2]',
    );
  });

  it('leaves ordinary code blocks and names with paths alone', () => {
    const reply = '```ts\nconst a = 1;\n```\n```file name="../etc/passwd"\nx\n```';
    expect(extractReturnedFiles(reply, ids())).toEqual({ reply, files: [] });
  });

  it('types files by extension, text/plain otherwise', () => {
    expect(contentTypeOf('notes.TXT')).toBe('text/plain');
    expect(contentTypeOf('a.markdown')).toBe('text/markdown');
    expect(contentTypeOf('noext')).toBe('text/plain');
  });
});
