import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepositoryRoot } from './local';

describe('findRepositoryRoot', () => {
  it('finds the folder holding scripts/infra/infra above a nested path', () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-root-'));
    mkdirSync(join(root, 'scripts', 'infra'), { recursive: true });
    writeFileSync(join(root, 'scripts', 'infra', 'infra'), '#!/bin/sh\n');
    const nested = join(root, 'packages', 'platform', 'dist', 'src');
    mkdirSync(nested, { recursive: true });
    expect(findRepositoryRoot(nested)).toBe(root);
  });

  it('says where it looked when there is none', () => {
    expect(() => findRepositoryRoot(tmpdir())).toThrow(/scripts\/infra\/infra not found above/);
  });

  it('finds this repository from its own source', () => {
    expect(findRepositoryRoot(__dirname)).toBe(join(__dirname, '..', '..', '..', '..'));
  });
});
