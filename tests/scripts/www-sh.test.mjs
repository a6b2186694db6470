// scripts/www.sh in a scratch copy of the repository whose setup and build
// are stubs: a build that fails shows its errors (and the progress before
// them), says so, exits non-zero and starts nothing.
//   node --test tests/scripts/www-sh.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const www = new URL('../../scripts/www.sh', import.meta.url);

/** Runs a copy of www.sh beside `build` (the stub's bash text); resolves { code, stdout, stderr }. */
async function runWith(build) {
  const root = mkdtempSync(join(tmpdir(), 'www-sh-'));
  try {
    mkdirSync(join(root, 'scripts'));
    mkdirSync(join(root, 'www-example'));
    copyFileSync(www, join(root, 'scripts', 'www.sh'));
    writeFileSync(join(root, 'scripts', 'setup.sh'), "echo '[setup] ready'\n");
    writeFileSync(join(root, 'scripts', 'build.sh'), build);
    // Were the app started, this would show it.
    writeFileSync(join(root, 'www-example', 'package.json'), '{}');
    chmodSync(join(root, 'scripts', 'www.sh'), 0o755);
    return await new Promise((resolve) => {
      execFile('bash', [join(root, 'scripts', 'www.sh')], { timeout: 20_000, env: { ...process.env, PATH: process.env.PATH } }, (error, stdout, stderr) => {
        resolve({ code: error ? error.code : 0, stdout, stderr });
      });
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('www.sh: a build that fails shows cargo\'s progress and errors, says nothing started, and exits 1', async () => {
  const { code, stdout, stderr } = await runWith(`
    echo '   Compiling serde v1.0.228' >&2
    echo '   Compiling oauth-connectors v0.1.0' >&2
    echo 'error[E0425]: cannot find value \`nope\` in this scope' >&2
    echo ' --> src/identity.rs:12:5' >&2
    exit 101
  `);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /\[setup\] ready/);
  assert.match(stderr, /\[www\] building the package/);
  assert.match(stderr, /Compiling oauth-connectors v0\.1\.0/);
  assert.match(stderr, /error\[E0425\]: cannot find value `nope` in this scope/);
  assert.match(stderr, /--> src\/identity\.rs:12:5/);
  assert.match(stderr, /\[www\] the package did not build \(the errors are above\); nothing was started/);
  assert.ok(!/Open http/.test(stdout + stderr), 'the app was started');
  // The progress comes before the error, and the note of the first build before both.
  assert.ok(stderr.indexOf('[www] building') < stderr.indexOf('Compiling serde'));
  assert.ok(stderr.indexOf('Compiling serde') < stderr.indexOf('error[E0425]'));
});

test('www.sh: the first build (no target/ yet) says it takes a few minutes', async () => {
  const { stderr } = await runWith("echo 'error: boom' >&2; exit 1\n");
  assert.match(stderr, /first build compiles the Rust dependencies and takes a few minutes/);
  assert.match(stderr, /error: boom/);
});
