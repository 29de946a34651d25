// A real OpenID provider for the test suite: the certified `oidc-provider` package with a login page of its own.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json: {"clients": [client metadata…], "accounts_file": "accounts.json"}. The accounts file,
// {"<login>": {"password": "…", "claims": {"email": …, "groups": […]}}}, is read at every sign-in, so tests
// add people while the provider runs. The provider listens on a free port of 127.0.0.1 and prints one line,
// `ready http://127.0.0.1:PORT`, once it answers discovery.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = () => JSON.parse(readFileSync(config.accounts_file, 'utf8'));
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let provider;
let handle;

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://localhost');
    const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (!match) {
      handle(req, res);
      return;
    }
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      const account = accounts()[form.get('login')];
      if (!account || account.password !== form.get('password')) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('Identifiant ou mot de passe incorrect', ''));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: form.get('login') } },
        { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name === 'login') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Fournisseur d’identité de test', `
        <form method="post" action="/interaction/${escape(details.uid)}/login">
          <label for="login">Identifiant</label> <input id="login" name="login" autocomplete="username">
          <label for="password">Mot de passe</label>
          <input id="password" name="password" type="password" autocomplete="current-password">
          <button type="submit">Se connecter</button>
        </form>`));
      return;
    }
    // A first-party portal: consent is given for it (as an organisation's provider does for its own apps).
    const { prompt: { details: missing }, params, session: { accountId } } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } },
      { mergeWithLastSubmission: true });
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${error.name}: ${error.message}`);
  }
});

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['test-provider-cookie-key'] },
    findAccount: async (_ctx, id) => {
      const account = accounts()[id];
      return account && { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      groups: ['groups'],
      organisation: ['department', 'office'],
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Se déconnecter ?', `${form}<button type="submit" form="op.logoutForm" name="logout" `
            + 'value="yes">Oui, me déconnecter</button>');
        },
      },
    },
    // Every client must use PKCE, as the portal does; a client whose id ends in "-short-code" gets codes that
    // expire after one second (the expired-code test).
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: (_ctx, _code, client) => (client.clientId.endsWith('-short-code') ? 1 : 60),
    },
  });
  provider.on('server_error', (_ctx, error) => console.error(error));
  handle = provider.callback();
  console.log(`ready ${issuer}`);
});
