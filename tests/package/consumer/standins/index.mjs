// Every stand-in: each module of this folder but the toolkit (kit.mjs) is
// one provider's (or one family's sharing an authorization server). Each
// exports `types` (the catalog types it stands in for) and `create(type)`;
// the flow test checks that together they cover the catalog exactly.
import { readdirSync } from 'node:fs';

const here = new URL('./', import.meta.url);
const files = readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'kit.mjs' && f !== 'index.mjs').sort();

export const standIns = await Promise.all(files.map((f) => import(new URL(f, here).href)));
