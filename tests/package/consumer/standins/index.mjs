// Every stand-in, one module per provider (or per family sharing one
// authorization server). Each module exports `types` (the catalog types it
// stands in for) and `create(type)`; the flow test checks that together
// they cover the catalog exactly.
import * as airtable from './airtable.mjs';
import * as box from './box.mjs';
import * as calendly from './calendly.mjs';
import * as google from './google.mjs';
import * as hubspot from './hubspot.mjs';
import * as linear from './linear.mjs';
import * as notion from './notion.mjs';
import * as quickbooks from './quickbooks.mjs';
import * as salesforce from './salesforce.mjs';

export const standIns = [google, airtable, box, calendly, hubspot, linear, notion, quickbooks, salesforce];
