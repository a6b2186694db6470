// Authorization URL + PKCE + state per second, ours beside arctic in one
// process, the way run.mjs measures it (awaits each op, warm-up, 2 s), a
// few rounds: a quick look at this one figure without the whole harness.
//   bash scripts/build.sh && cd bench && node url-speed.mjs [rounds]
import * as arctic from 'arctic';
import * as ours from 'oauth-connectors';
import { perSecond } from './common.mjs';

const google = new ours.OAuthClient({ provider: 'googlecalendar', clientId: 'id', clientSecret: 'secret', redirectUri: 'https://app.example/cb' });
const googleArctic = new arctic.Google('id', 'secret', 'https://app.example/cb');
const scopes = ['openid', 'https://www.googleapis.com/auth/calendar.readonly'];
const rounds = Number(process.argv[2] || 3);
for (let r = 0; r < rounds; r++) {
  const o = await perSecond(() => google.createAuthorizationURL({ scopes, state: ours.generateState(), codeVerifier: ours.generateCodeVerifier() }));
  const a = await perSecond(() => googleArctic.createAuthorizationURL(arctic.generateState(), arctic.generateCodeVerifier(), scopes));
  console.log(`ours ${Math.round(o)}/s (${(1e6 / o).toFixed(2)} us)  arctic ${Math.round(a)}/s (${(1e6 / a).toFixed(2)} us)  ratio ${(o / a).toFixed(2)}`);
}
