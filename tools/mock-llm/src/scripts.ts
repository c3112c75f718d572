/** The scripts of one server: first-added first, counted down, removed when used up. */
import type { MockScript, RegisteredScript } from './types';

interface Entry {
  id: string;
  script: MockScript;
  /** Requests it still answers; null for forever. */
  remaining: number | null;
}

export class ScriptStore {
  private entries: Entry[] = [];
  private nextId = 1;

  add(script: MockScript): string {
    const id = `script_${this.nextId++}`;
    const times = script.times ?? (script.persistent ? 0 : 1);
    this.entries.push({ id, script: { ...script }, remaining: times === 0 ? null : times });
    return id;
  }

  remove(id: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.id !== id);
    return this.entries.length < before;
  }

  /** Removes every script, or those whose `match` is exactly `match`. */
  clear(match?: string): number {
    const before = this.entries.length;
    this.entries = match === undefined ? [] : this.entries.filter((e) => e.script.match !== match);
    return before - this.entries.length;
  }

  list(): RegisteredScript[] {
    return this.entries.map((e) => ({ ...e.script, id: e.id, remaining: e.remaining }));
  }

  /** The first script matching `text`, counted down (and dropped when used up). */
  take(text: string): { id: string; script: MockScript } | undefined {
    const index = this.entries.findIndex(
      (e) => e.script.match === undefined || text.includes(e.script.match),
    );
    if (index === -1) return undefined;
    const entry = this.entries[index];
    if (!entry) return undefined;
    if (entry.remaining !== null && --entry.remaining <= 0) this.entries.splice(index, 1);
    return { id: entry.id, script: entry.script };
  }
}
