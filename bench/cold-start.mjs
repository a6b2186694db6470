// One cold start: import the package and answer the first call; prints the
// milliseconds from just before the import to the first answer. Run it in a
// new process each time (bench/run.mjs does).
const t0 = performance.now();
const { listAvailable } = await import('oauth-connectors');
const n = listAvailable().length;
const t1 = performance.now();
if (n < 1) throw new Error('empty catalog');
console.log((t1 - t0).toFixed(3));
