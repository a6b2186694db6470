// The bench command (not a test): sizes of the built package and the
// import-to-first-call time in Node and Deno, printed as a markdown table.
//   node bench/run.mjs [runs]      (scripts/bench.sh builds first)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');
const runs = Number(process.argv[2] || 15);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const sizes = (file) => {
  const bytes = readFileSync(join(pkg, file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  return [bytes.length, gz, br];
};

// A project that depends on the built package, as a user's would.
const work = join(root, 'bench', 'out');
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'node_modules'), { recursive: true });
// A copy, as npm installs it (Deno reads files under node_modules without flags).
cpSync(pkg, join(work, 'node_modules', 'oauth-connectors'), { recursive: true });
execFileSync('cp', [join(root, 'bench', 'cold-start.mjs'), work]);
execFileSync('sh', ['-c', `echo '{"type":"module","dependencies":{"oauth-connectors":"*"}}' > package.json`], { cwd: work });

const stats = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), min: s[0], p90: q(0.9) };
};
const coldStarts = (cmd, args) => {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(cmd, args, { cwd: work, encoding: 'utf8' }).trim();
    samples.push(Number(out.split('\n').pop()));
  }
  return stats(samples);
};

const deno = join(root, 'node_modules', '.bin', 'deno');
const node = coldStarts(process.execPath, ['cold-start.mjs']);
const denoStats = coldStarts(deno, ['run', '--quiet', '--no-check', 'cold-start.mjs']);
const denoVersion = execFileSync(deno, ['--version'], { encoding: 'utf8' }).split('\n')[0];

const [wRaw, wGz, wBr] = sizes('oauth_connectors_bg.wasm');
const [gRaw, gGz, gBr] = sizes('oauth_connectors.js');
const ms = (x) => `${x.toFixed(2)} ms`;
const lines = [
  `| figure | value |`,
  `| --- | --- |`,
  `| wasm raw / gzip / brotli | ${kb(wRaw)} / ${kb(wGz)} / ${kb(wBr)} |`,
  `| JS glue raw / gzip / brotli | ${kb(gRaw)} / ${kb(gGz)} / ${kb(gBr)} |`,
  `| wasm + glue, gzip | ${kb(wGz + gGz)} |`,
  `| Node ${process.version}: import -> first listAvailable(), median (min, p90) of ${runs} new processes | ${ms(node.median)} (${ms(node.min)}, ${ms(node.p90)}) |`,
  `| ${denoVersion}: import -> first listAvailable(), median (min, p90) of ${runs} new processes | ${ms(denoStats.median)} (${ms(denoStats.min)}, ${ms(denoStats.p90)}) |`,
];
console.log(lines.join('\n'));
rmSync(work, { recursive: true, force: true });
