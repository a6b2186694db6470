// The installed package in headless Chromium: a plain <script type="module">
// page (import map), and a Vite production build. Both run the shared checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves `root` on 127.0.0.1; `rewrite` maps "/" to a file. */
async function serve(root, index) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? index : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

async function resultsOf(url) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(url);
    await page.waitForFunction(() => window.__results, null, { timeout: 15000 }).catch(() => {});
    const results = await page.evaluate(() => window.__results);
    assert.ok(results, `no results; page errors: ${errors.join('\n')}`);
    return results;
  } finally {
    await browser.close();
  }
}

function assertAllPassed(results) {
  const failed = results.filter((r) => !r.ok);
  assert.deepEqual(failed, [], JSON.stringify(failed, null, 2));
  assert.ok(results.length >= 7, `${results.length} checks ran`);
}

test('a plain <script type="module"> page', async (t) => {
  const server = await serve(here, 'page.html');
  t.after(server.close);
  assertAllPassed(await resultsOf(server.url));
});

test('a Vite production build', async (t) => {
  const outDir = join(here, 'vite-dist');
  await build({ root: join(here, 'vite-app'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await serve(outDir, 'index.html');
  t.after(server.close);
  assertAllPassed(await resultsOf(server.url));
});
