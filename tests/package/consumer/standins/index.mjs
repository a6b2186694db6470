// Every stand-in, one module per provider (or per family sharing one
// authorization server). Each module exports `types` (the catalog types it
// stands in for) and `create(type)`; the flow test checks that together
// they cover the catalog exactly.
import * as google from './google.mjs';
import * as square from './square.mjs';
import * as tiktok from './tiktok.mjs';

export const standIns = [google, square, tiktok];
