/**
 * Opaque, stable page cursors. A listing is ordered by a key that never changes for a row
 * (insertion `seq`, and for search the rank first), so a page boundary stays put while rows
 * are added or edited. A cursor that does not decode is the client's mistake (400).
 */

export interface CursorKey {
  seq: string;
  rank?: number;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { seq, rank } = parsed as { seq?: unknown; rank?: unknown };
    if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) return null;
    if (rank !== undefined && (typeof rank !== 'number' || !Number.isFinite(rank))) return null;
    return rank === undefined ? { seq } : { seq, rank };
  } catch {
    return null;
  }
}
