#!/usr/bin/env node
/**
 * `node deploy/docker/production-tree.mjs <workspace> <out>`: copies what one workspace needs at
 * run time into <out>, laid out as in the repository: its production dependencies (as npm
 * resolved them from the lockfile: `npm ls --omit=dev --all --parseable`), and the compiled
 * `dist/src` (plus `src`, for the source maps Temporal's workflow bundler reads) of each
 * workspace package it uses, linked under node_modules/@lab as npm links them.
 *
 * Why not `npm prune --omit=dev` or `npm install --omit=dev -w`: in this monorepo both keep every
 * workspace's production dependencies (the services are linked into each other's trees as
 * devDependencies of the end-to-end suites), several hundred megabytes a service does not load.
 *
 * Also dropped: the Temporal core bridge's prebuilt binaries for other platforms (it ships five).
 */
import process from 'node:process';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const [workspace, out] = process.argv.slice(2);
if (!workspace || !out) {
  process.stderr.write('usage: production-tree.mjs <workspace, e.g. @lab/gateway> <out dir>\n');
  process.exit(2);
}
const root = process.cwd();
const listed = execFileSync(
  'npm',
  ['ls', '--omit=dev', '--all', '--parseable', '--workspace', workspace],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
)
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line.startsWith(root + '/') && line.includes('/node_modules/'))
  .map((line) => relative(root, line));

const locations = new Map(
  JSON.parse(
    execFileSync('npm', ['query', '.workspace'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ).map((entry) => [`node_modules/${entry.name}`, entry.location]),
);
const workspaces = new Map(); // node_modules/@lab/x -> services/x
const packages = new Set();
for (const path of listed) {
  const target = locations.get(path);
  if (target) workspaces.set(path, target);
  else packages.add(path);
}
if (workspaces.size === 0) throw new Error(`${workspace}: not a workspace of ${root}`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(root, 'package.json'), join(out, 'package.json'));
for (const path of packages) {
  // A package's own nested node_modules are listed on their own lines when production needs them.
  cpSync(join(root, path), join(out, path), {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !relative(join(root, path), source).split('/').includes('node_modules'),
  });
}
for (const [link, target] of workspaces) {
  mkdirSync(join(out, target), { recursive: true });
  cpSync(join(root, target, 'package.json'), join(out, target, 'package.json'));
  for (const part of ['dist/src', 'src']) {
    if (existsSync(join(root, target, part))) {
      cpSync(join(root, target, part), join(out, target, part), {
        recursive: true,
        filter: (source) => !/\.(test|spec)\.(js|ts|d\.ts|js\.map|d\.ts\.map)$/.test(source),
      });
    }
  }
  mkdirSync(dirname(join(out, link)), { recursive: true });
  symlinkSync(relative(dirname(join(root, link)), join(root, target)), join(out, link));
}
keepOwnPlatformOnly(join(out, 'node_modules/@temporalio/core-bridge/releases'));
process.stdout.write(
  `${workspace}: ${packages.size} packages, workspaces ${[...workspaces.values()].join(', ')} -> ${out}\n`,
);

function keepOwnPlatformOnly(releases) {
  if (!existsSync(releases)) return;
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch];
  const own = `${arch}-unknown-linux-gnu`;
  if (!existsSync(join(releases, own))) throw new Error(`no Temporal core bridge for ${own}`);
  for (const name of readdirSync(releases)) {
    if (name !== own) rmSync(join(releases, name), { recursive: true, force: true });
  }
}
