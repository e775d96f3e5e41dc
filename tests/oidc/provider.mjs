// A real OpenID Connect provider for the SSO tests: the OpenID-certified `oidc-provider`, with
// a small configuration. Started by tests/oidc/__init__.py (one process per test session):
//   node provider.mjs   with PORT, CLIENT (JSON client metadata), JWKS_FILE (private keys the
//   test made, so it can sign a forged token with the provider's own key) and ACCOUNTS_FILE
//   (JSON {sub: {email, name, groups, mfa}}), read at every login so a test can move someone
//   out of a group between two logins.
// Its login page asks only for the account: the password is not what the tests are about.
import http from 'node:http';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = () => JSON.parse(readFileSync(process.env.ACCOUNTS_FILE, 'utf8'));

const provider = new Provider(issuer, {
  clients: [JSON.parse(process.env.CLIENT)],
  jwks: JSON.parse(readFileSync(process.env.JWKS_FILE, 'utf8')),
  pkce: { required: () => true },
  // the app under test listens on 127.0.0.1, which the provider's SSRF guard refuses to call:
  // here (tests only) its back-channel logouts may go there
  fetch(url, options) {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  },
  cookies: { keys: ['tests-only-cookie-key-0123456789'] },
  // the claims in the ID token itself, as Microsoft Entra ID sends groups and roles
  conformIdTokenClaims: false,
  claims: {
    // how the person logged in, in every ID token (as Entra ID sends `amr`)
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups', 'roles'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  features: {
    devInteractions: { enabled: false },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts()[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email: account.email, email_verified: true, name: account.name,
          groups: account.groups || [], roles: account.roles || [] };
      },
    };
  },
});

const page = (title, body) => `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;

async function form(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    if (req.method === 'POST') {
      const { account, cancel } = await form(req);
      if (cancel) { // the person clicks "Annuleren": the client gets error=access_denied
        await provider.interactionFinished(req, res, {
          error: 'access_denied', error_description: 'End-User aborted interaction',
        }, { mergeWithLastSubmission: false });
        return;
      }
      const known = accounts()[account];
      if (!known) {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('Onbekend account', '<p>Dit account bestaat niet.</p>'));
        return;
      }
      const amr = known.mfa === false ? ['pwd'] : ['pwd', 'mfa'];
      await provider.interactionFinished(req, res, {
        login: { accountId: account, amr, acr: known.acr },
      }, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Inloggen bij de testprovider', `<form method="post">
<label for="account">Account</label> <input id="account" name="account" autocomplete="username">
<button type="submit">Inloggen</button>
<button type="submit" name="cancel" value="1">Annuleren</button></form>`));
    return;
  }
  // consent: granted at once, as an organisation's own provider does for its own apps
  const { accountId } = details.session;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const missing = details.prompt.details.missingOIDCClaims;
  if (missing) grant.addOIDCClaims(missing);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, {
    mergeWithLastSubmission: true,
  });
}

const callback = provider.callback();
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
}).listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
provider.on('backchannel.error', (ctx, error) => console.error('backchannel.error', error));
