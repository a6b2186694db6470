// Every stand-in, one module per provider (or per family sharing one
// authorization server). Each module exports `types` (the catalog types it
// stands in for) and `create(type)`; the flow test checks that together
// they cover the catalog exactly.
import * as bamboohr from './bamboohr.mjs';
import * as clickup from './clickup.mjs';
import * as contentful from './contentful.mjs';
import * as databricks from './databricks.mjs';
import * as google from './google.mjs';
import * as snowflake from './snowflake.mjs';
import * as splitwise from './splitwise.mjs';
import * as supabase from './supabase.mjs';

export const standIns = [bamboohr, clickup, contentful, databricks, google, snowflake, splitwise, supabase];
