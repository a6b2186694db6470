// The package's error class, apart so that every module can import it
// without importing api.js (which imports the stores).

/**
 * The error every function of this package throws for bad input. The wasm
 * module throws plain `Error`s named "ConnectorsError" carrying `code`
 * (and `path`, `line`, `column`, `suggestion` when known); `instanceof
 * ConnectorsError` recognises them.
 */
export class ConnectorsError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'ConnectorsError';
    this.code = code;
    Object.assign(this, details);
  }

  static [Symbol.hasInstance](value) {
    return value instanceof Error && value.name === 'ConnectorsError' && typeof value.code === 'string';
  }
}
