// Every stand-in, one module per provider (or per family sharing one
// authorization server). Each module exports `types` (the catalog types it
// stands in for) and `create(type)`; the flow test checks that together
// they cover the catalog exactly.
import * as google from './google.mjs';
import * as hugging_face from './hugging_face.mjs';
import * as instagram from './instagram.mjs';
import * as square from './square.mjs';
import * as tiktok from './tiktok.mjs';
import * as typeform from './typeform.mjs';
import * as wix from './wix.mjs';
import * as wrike from './wrike.mjs';

export const standIns = [google, hugging_face, instagram, square, tiktok, typeform, wix, wrike];
