// Assertions shared by checks.mjs and vault-checks.mjs (no runtime-specific APIs).
export const ok = (cond, message) => {
  if (!cond) throw new Error(`check failed: ${message}`);
};
export const throwsCode = (fn, code) => {
  try {
    fn();
  } catch (error) {
    ok(error instanceof Error, `threw a non-Error: ${error}`);
    ok(error.code === code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  throw new Error(`check failed: expected a ${code} error, nothing was thrown`);
};

export const rejectsCode = async (promise, code) => {
  try {
    await promise;
  } catch (error) {
    ok(error instanceof Error, `rejected with a non-Error: ${error}`);
    ok(error.code === code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  throw new Error(`check failed: expected a ${code} rejection, it resolved`);
};
export const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
