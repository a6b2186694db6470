// Every stand-in, one module per provider (or per family sharing one
// authorization server). Each module exports `types` (the catalog types it
// stands in for) and `create(type)`; the flow test checks that together
// they cover the catalog exactly.
import * as discord from './discord.mjs';
import * as dropbox from './dropbox.mjs';
import * as github from './github.mjs';
import * as gitlab from './gitlab.mjs';
import * as google from './google.mjs';
import * as linkedin from './linkedin.mjs';
import * as microsoft from './microsoft.mjs';
import * as slack from './slack.mjs';

export const standIns = [discord, dropbox, github, gitlab, google, linkedin, microsoft, slack];
