/**
 * Files the model returns, by convention a fenced block in its reply:
 *
 *     ```file name="plan.md"
 *     …content…
 *     ```
 *
 * Each block (at most MAX_FILES, each at most MAX_FILE_CHARS) is taken out of the reply and
 * replaced by a reference, `[file plan.md: attachment <id>]`; the session stores it as an
 * attachment of origin `assistant`. Pure (the caller gives the ids); the exchange activity runs
 * it on the reply before sealing it. Larger or further blocks stay in the reply.
 */

/** A file the model returned, as the reply's block held it. */
export interface ReturnedFile {
  id: string;
  name: string;
  contentType: string;
  content: string;
}

export const MAX_FILES = 5;
export const MAX_FILE_CHARS = 256 * 1024;
const BLOCK = /```file name="([^"\n/\\]{1,200})"[ \t]*\r?\n([\s\S]*?)\r?\n```/g;

export function contentTypeOf(name: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (extension === 'md' || extension === 'markdown') return 'text/markdown';
  if (extension === 'csv') return 'text/csv';
  return 'text/plain';
}

export function extractReturnedFiles(
  reply: string,
  newId: () => string,
): { reply: string; files: ReturnedFile[] } {
  const files: ReturnedFile[] = [];
  const text = reply.replace(BLOCK, (block, name: string, content: string) => {
    if (files.length >= MAX_FILES || content.length > MAX_FILE_CHARS) return block;
    const id = newId();
    files.push({ id, name: name.trim(), contentType: contentTypeOf(name), content });
    return `[file ${name.trim()}: attachment ${id}]`;
  });
  return { reply: text, files };
}
