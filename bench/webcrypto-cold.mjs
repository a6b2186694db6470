// The first use of the WebCrypto calls a token read would make if the wasm
// used the platform's crypto in place of its own (HKDF to an AES-GCM key, a
// seal, an open, an HMAC): what it would add to a cold start. One new
// process per run:
//   node bench/webcrypto-cold.mjs; deno run bench/webcrypto-cold.mjs
const t0 = performance.now();
const { subtle } = globalThis.crypto;
const t1 = performance.now();
const ikm = await subtle.importKey('raw', new Uint8Array(32), 'HKDF', false, ['deriveKey', 'deriveBits']);
const key = await subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new Uint8Array(4) }, ikm, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
const iv = new Uint8Array(12);
const sealed = await subtle.encrypt({ name: 'AES-GCM', iv }, key, new Uint8Array(200));
const t2 = performance.now();
await subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed);
const t3 = performance.now();
const hk = await subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
await subtle.sign('HMAC', hk, new Uint8Array(100));
const t4 = performance.now();
console.log(`load ${(t1 - t0).toFixed(2)} derive+seal ${(t2 - t1).toFixed(2)} open ${(t3 - t2).toFixed(2)} hmac ${(t4 - t3).toFixed(2)} total ${(t4 - t0).toFixed(2)} ms`);
