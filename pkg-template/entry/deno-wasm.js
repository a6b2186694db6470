// The wasm as a precompiled module through a source-phase import: module
// loading needs no --allow-read, unlike reading the file.
import source wasmModule from '../oauth_connectors_bg.wasm';

export default wasmModule;
