// The argument checks every store shares: a bad argument is a
// ConnectorsError with code INVALID_INPUT, before any backend is called.
import { ConnectorsError } from '../errors.js';

export const invalid = (message) => new ConnectorsError('INVALID_INPUT', message);
export const describe = (value) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

export function checkString(what, value) {
  if (typeof value !== 'string') throw invalid(`${what} must be a string, got ${describe(value)}`);
}

export function checkStringOrNull(what, value) {
  if (value !== null && typeof value !== 'string') throw invalid(`${what} must be a string or null, got ${describe(value)}`);
}

/** `options` (an object whose keys are among `names`), or `{}` when undefined. */
export function checkOptions(what, options, names) {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(`${what} must be an object, got ${describe(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!names.includes(name)) throw invalid(`Unknown option "${name}" in ${what}; the options are: ${names.join(', ')}`);
  }
  return options;
}

const LIST_DEFAULT_LIMIT = 100;
const LIST_MAX_LIMIT = 1000;

/** The checked options of `list(prefix, { cursor, limit })`: `{ cursor: string | null, limit }`, the limit 1 to 1000 (100 when unset). */
export function listOptions(options) {
  const { cursor = null, limit = LIST_DEFAULT_LIMIT } = checkOptions('list options', options, ['cursor', 'limit']);
  checkStringOrNull('The list cursor', cursor);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_MAX_LIMIT) {
    throw invalid(`The list limit must be a whole number from 1 to ${LIST_MAX_LIMIT}, got ${typeof limit === 'number' ? limit : describe(limit)}`);
  }
  return { cursor, limit };
}

/** The `ttlMs` of a write's options: a positive safe integer, or null for no expiry. */
export function ttlOf(options) {
  const { ttlMs } = checkOptions('store write options', options, ['ttlMs']);
  if (ttlMs === undefined) return null;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw invalid(`ttlMs must be a positive whole number of milliseconds, got ${typeof ttlMs === 'number' ? ttlMs : describe(ttlMs)}`);
  }
  return ttlMs;
}
