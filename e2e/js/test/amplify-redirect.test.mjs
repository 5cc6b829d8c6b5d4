// Amplify v6's hosted-UI sign-in in a real browser (issue 13): an app on an
// origin of its own, configured with `loginWith.oauth` as an app is, calls
// `signInWithRedirect()`; the browser goes to the pool's domain, the user
// signs in on Tessera's /login with the keyboard alone, comes back to the
// app, and Amplify redeems the code at /oauth2/token and keeps the tokens in
// localStorage; `signOut()` goes through /logout and back to the app.
//
// Amplify builds every hosted-UI URL as `https://${oauth.domain}/...`
// (signInWithRedirect, completeOAuthFlow's token endpoint,
// oAuthSignOutRedirect), with no option for http, so the pool's domain must
// be served over https. The flow runs twice:
//
// - "TLS in a proxy": Tessera on plain http, the pool's domain behind a
//   TLS-terminating proxy of the test's own (node:https with a throwaway
//   certificate made by `openssl`) that forwards every request, Host header
//   included; `userPoolEndpoint` is Tessera's http URL. This works with a
//   Tessera that serves no TLS.
// - "Tessera serving https": `tessera serve --tls-self-signed`; the domain
//   is `<prefix>.auth.localhost:<port>` and `userPoolEndpoint` the https URL,
//   as an app would have them. Skipped when the binary has no
//   --tls-self-signed.
//
// In both the browser context accepts the self-signed certificate
// (`ignoreHTTPSErrors`); node trusts it by passing it as `ca`.
//
// The app is a node:http server on another port serving a page and an
// esbuild bundle of a small module that imports `aws-amplify` from
// node_modules. Every page is saved as screenshots/amplify-<mode>-*.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { createLocalJWKSet, jwtVerify } from "jose";
import {
  CognitoIdentityProviderClient,
  CreateUserPoolDomainCommand,
  GetUserCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  adminClient,
  createClient,
  createConfirmedUser,
  createPool,
  findBinary,
  REGION,
  serverFor,
  unique,
} from "../harness.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const E2E_DIR = path.resolve(HERE, "..");
const SCREENSHOTS = path.join(E2E_DIR, "screenshots");
const CHROMIUM = process.env.TESSERA_CHROMIUM ?? "/usr/bin/chromium";
const SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"];
const WAIT = { timeout: 15_000 };

// ------------------------------------------------------------ the app

// The app's own code, as an app would write it; CONFIG is replaced by the
// literal configuration before it is bundled.
const APP_MODULE = `
import { Amplify } from "aws-amplify";
import {
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signInWithRedirect,
  signOut,
} from "aws-amplify/auth";
import { Hub } from "aws-amplify/utils";

const events = [];
const status = document.getElementById("status");
const error = document.getElementById("error");
const signInButton = document.getElementById("sign-in");
const signOutButton = document.getElementById("sign-out");

async function render() {
  let user = null;
  try {
    user = await getCurrentUser();
  } catch {
    // signed out
  }
  status.textContent = user ? "Signed in as " + user.username : "Signed out";
  status.dataset.state = user ? "signed-in" : "signed-out";
  document.getElementById("username").textContent = user ? user.username : "";
  signInButton.hidden = Boolean(user);
  signOutButton.hidden = !user;
}

function fail(err) {
  error.textContent = String(err?.name ?? "") + ": " + String(err?.message ?? err);
}

Hub.listen("auth", ({ payload }) => {
  events.push(payload.event);
  if (payload.event === "signInWithRedirect_failure") fail(payload.data?.error);
  render();
});

Amplify.configure(CONFIG);

signInButton.addEventListener("click", () => signInWithRedirect().catch(fail));
signOutButton.addEventListener("click", () => signOut().catch(fail));

window.app = {
  events,
  signIn: () => signInWithRedirect(),
  signOut: () => signOut(),
  async session(forceRefresh = false) {
    const { tokens } = await fetchAuthSession({ forceRefresh });
    return tokens
      ? { idToken: tokens.idToken?.toString(), accessToken: tokens.accessToken?.toString() }
      : null;
  },
  user: () => getCurrentUser(),
  attributes: () => fetchUserAttributes(),
};

render();
`;

function appPage(serial) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Amplify app</title>
<style>
  body { font: 16px system-ui, sans-serif; margin: 3rem; }
  button { font: inherit; padding: .5rem 1rem; }
  button:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
  #error { color: #b00020; }
</style></head>
<body data-load="${serial}">
<h1>Amplify app</h1>
<p id="status" role="status" data-state="loading">Loading…</p>
<p>User: <strong id="username"></strong></p>
<p><button id="sign-in" type="button" hidden>Sign in</button>
<button id="sign-out" type="button" hidden>Sign out</button></p>
<p id="error" role="alert"></p>
<script type="module" src="/app.js"></script>
</body>
</html>`;
}

/** The app's bundle: APP_MODULE with `config` in it, aws-amplify resolved
 * from e2e/js/node_modules. */
async function bundleApp(config) {
  const out = await build({
    stdin: {
      contents: APP_MODULE.replace("CONFIG", JSON.stringify(config, null, 2)),
      resolveDir: E2E_DIR,
      sourcefile: "app.mjs",
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "chrome120",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0].text;
}

/** Listens on 127.0.0.1 and a free port; closed when `t` ends. */
async function listen(t, server) {
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return server.address().port;
}

/** The app's server: the page at every path but /app.js, the bundle there.
 * `hits` records each request's URL; each page served has a serial number
 * (body[data-load]) so a test can wait for a fresh load of the same URL. */
async function appServer(t) {
  const hits = [];
  let bundle = null;
  let serial = 0;
  const server = createHttpServer((req, res) => {
    hits.push(req.url);
    if (req.url === "/app.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
      res.end(bundle);
      return;
    }
    if (req.url === "/favicon.ico") {
      res.writeHead(404).end();
      return;
    }
    serial += 1;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(appPage(serial));
  });
  const port = await listen(t, server);
  return {
    url: `http://localhost:${port}/`,
    hits,
    serial: () => serial,
    setBundle: (code) => {
      bundle = code;
    },
  };
}

// ------------------------------------------------------------ https in front

/** A throwaway self-signed certificate for localhost and *.auth.localhost. */
function selfSignedCertificate(t) {
  const dir = mkdtempSync(path.join(tmpdir(), "tessera-amplify-tls-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  try {
    execFileSync(
      "openssl",
      [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=auth.localhost",
        "-addext", "subjectAltName=DNS:localhost,DNS:*.auth.localhost",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
  } catch (err) {
    if (err.code === "ENOENT") throw new Error("no openssl to make the test's certificate: apt-get install -y openssl");
    throw new Error(`openssl could not make a certificate: ${err.stderr ?? err.message}`);
  }
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/** TLS terminated in front of Tessera: every request, its Host header
 * unchanged, forwarded to `target` (Tessera's http URL). */
async function httpsProxy(t, target) {
  const upstream = new URL(target);
  const server = createHttpsServer(selfSignedCertificate(t), (req, res) => {
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, "x-forwarded-proto": "https", "x-forwarded-for": req.socket.remoteAddress },
      },
      (answer) => {
        res.writeHead(answer.statusCode, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    forward.on("error", (err) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(forward);
  });
  return listen(t, server);
}

// ------------------------------------------------------------ browser helpers

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `amplify-${name}.png`), fullPage: true });
}

/** GET `url` as JSON, trusting `ca` (PEM) for https. */
function getJson(url, ca) {
  const get = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = get(url, { ca }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The id of the element with the keyboard focus (or tag:text). */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? el.id || `${el.tagName.toLowerCase()}:${el.textContent.trim()}` : null;
  });
}

/** Presses Tab until the element `id` has the focus (at most `max` times). */
async function tabTo(page, id, max = 10) {
  const seen = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    seen.push(now);
    if (now === id) return;
  }
  assert.fail(`Tab never reached #${id}; focus went ${JSON.stringify(seen)}`);
}

/** `promise`, with a handler so that it may fail before it is awaited (the
 * test has then failed on something else first). */
function pending(promise) {
  promise.catch(() => {});
  return promise;
}

/** localStorage of the page's origin, as an object. */
function storage(page) {
  return page.evaluate(() => Object.fromEntries(Object.entries(window.localStorage)));
}

// ------------------------------------------------------------ the tests

/** Whether the binary can serve https itself. */
function servesTls() {
  try {
    return execFileSync(findBinary(), ["serve", "--help"], { encoding: "utf8" }).includes("--tls-self-signed");
  } catch {
    return false;
  }
}

/** Tessera on plain http; the pool's domain behind a TLS proxy. */
async function behindProxy(t) {
  const server = await serverFor(t);
  const proxyPort = await httpsProxy(t, server.url);
  return {
    server,
    admin: adminClient(server.url),
    userPoolEndpoint: server.url,
    domainFor: (prefix) => `${prefix}.auth.localhost:${proxyPort}`,
    ca: undefined,
  };
}

/** harness.adminClient for an https server whose certificate is `ca`. */
function adminWithCa(url, ca) {
  return new CognitoIdentityProviderClient({
    endpoint: url,
    region: REGION,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    requestHandler: { httpsAgent: new HttpsAgent({ ca }) },
  });
}

/** Tessera serving https with its self-signed certificate. */
async function servingTls(t) {
  const server = await serverFor(t, { args: ["--tls-self-signed"] });
  assert.match(server.url, /^https:\/\//);
  const ca = readFileSync(path.join(server.dataDir, "data", "tls", "cert.pem"));
  return {
    server,
    admin: adminWithCa(server.url, ca),
    userPoolEndpoint: server.url,
    domainFor: (prefix) => `${prefix}.auth.localhost:${new URL(server.url).port}`,
    ca,
  };
}

test("Amplify v6 (TLS in a proxy): signInWithRedirect, keyboard sign-in, tokens in storage, signOut through /logout", async (t) => {
  await amplifyRedirect(t, "proxy", await behindProxy(t));
});

test(
  "Amplify v6 (Tessera serving https): signInWithRedirect, keyboard sign-in, tokens in storage, signOut through /logout",
  { skip: servesTls() ? false : "this tessera has no --tls-self-signed" },
  async (t) => {
    await amplifyRedirect(t, "tls", await servingTls(t));
  },
);

async function amplifyRedirect(t, mode, { server, admin, userPoolEndpoint, domainFor, ca }) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set TESSERA_CHROMIUM`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const shot = (page, name) => screenshot(page, `${mode}-${name}`);

  // A pool with a prefix domain, a public client for the code grant whose
  // callback and sign-out URL is the app's page, and a user.
  const poolId = await createPool(admin, { PoolName: "Amplify" });
  const prefix = unique("amp").toLowerCase();
  await admin.send(new CreateUserPoolDomainCommand({ Domain: prefix, UserPoolId: poolId }));
  const app = await appServer(t);
  const { clientId, clientSecret } = await createClient(admin, poolId, {
    ClientName: "Amplify Web",
    GenerateSecret: false,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ["code"],
    AllowedOAuthScopes: SCOPES,
    CallbackURLs: [app.url],
    LogoutURLs: [app.url],
    SupportedIdentityProviders: ["COGNITO"],
  });
  assert.equal(clientSecret, undefined);
  const user = await createConfirmedUser(admin, poolId);
  const issuer = `${server.url}/${poolId}`;

  const domain = domainFor(prefix);
  const domainOrigin = `https://${domain}`;

  const config = {
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint,
        loginWith: {
          oauth: {
            domain,
            scopes: SCOPES,
            redirectSignIn: [app.url],
            redirectSignOut: [app.url],
            responseType: "code",
          },
        },
      },
    },
  };
  app.setBundle(await bundleApp(config));

  // Chromium; --no-sandbox as the suite runs as root in CI.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error" && msg.type() !== "warning") return;
    // Amplify warns about any userPoolEndpoint; that is the point here.
    if (msg.text().includes("custom Amazon Amazon Cognito User Pool endpoint")) return;
    problems.push(`console.${msg.type()}: ${msg.text()} (${msg.location().url})`);
  });
  const requests = [];
  page.on("request", (req) => requests.push(req));
  const diagnose = async () => {
    const error = await page.locator("#error").textContent().catch(() => null);
    return `\nurl: ${page.url()}\napp error: ${error}\n${problems.join("\n")}`;
  };
  /** `promise`, or a failure that says where the browser and the app are. */
  const explained = (promise) => promise.catch(async (e) => assert.fail(`${e.message}${await diagnose()}`));
  const appState = (state, serial) =>
    page.locator(`body${serial ? `[data-load="${serial}"]` : ""} #status[data-state="${state}"]`);

  // ---- The app, signed out.
  await page.goto(app.url);
  await explained(appState("signed-out").waitFor(WAIT));
  assert.equal(await page.locator("#sign-in").isVisible(), true);
  await shot(page, "01-app-signed-out");

  // ---- signInWithRedirect() (the app's button, by keyboard) sends the
  // browser to the pool's domain, which shows the sign-in page.
  await tabTo(page, "sign-in");
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.origin === domainOrigin && u.pathname === "/login", WAIT);
  const authorize = requests.find((r) => r.url().startsWith(`${domainOrigin}/oauth2/authorize?`));
  assert.ok(authorize, "no request to /oauth2/authorize");
  const asked = new URL(authorize.url()).searchParams;
  assert.equal(asked.get("client_id"), clientId);
  assert.equal(asked.get("redirect_uri"), app.url);
  assert.equal(asked.get("response_type"), "code");
  assert.equal(asked.get("code_challenge_method"), "S256");
  assert.equal(asked.get("identity_provider"), "COGNITO");
  assert.deepEqual(asked.get("scope").split(" "), SCOPES);
  assert.equal(await page.locator("h1").textContent(), "Sign in");
  // ---- Keyboard only: the username has the focus (autofocus), Tab moves
  // to the password, then to the button; Enter sends the form.
  await page.locator("#field-username:focus").waitFor(WAIT);
  await shot(page, "02-login");
  await page.keyboard.type(user.username);
  await page.keyboard.press("Tab");
  assert.equal(await focused(page), "field-password");
  await page.keyboard.type(user.password);
  await page.keyboard.press("Tab");
  assert.equal(await focused(page), "button:Sign in");
  await shot(page, "03-login-filled");
  const tokenResponse = pending(
    page.waitForResponse((r) => r.url() === `${domainOrigin}/oauth2/token` && r.request().method() === "POST", WAIT),
  );
  await page.keyboard.press("Enter");

  // ---- Back on the app with a code, which Amplify redeems.
  await page.waitForURL((u) => u.href.startsWith(`${app.url}?`) || u.href === app.url, WAIT);
  assert.ok(
    app.hits.some((h) => h.startsWith("/?code=")),
    `the app was never sent a code: ${JSON.stringify(app.hits)}`,
  );
  const token = await explained(tokenResponse);
  if (token.status() !== 200) assert.fail(`/oauth2/token answered ${token.status()}: ${await token.text()}`);
  const tokenBody = new URLSearchParams(token.request().postData());
  assert.equal(tokenBody.get("grant_type"), "authorization_code");
  assert.equal(tokenBody.get("client_id"), clientId);
  assert.equal(tokenBody.get("redirect_uri"), app.url);
  assert.ok(tokenBody.get("code_verifier"), "no PKCE verifier sent");
  await explained(appState("signed-in").waitFor(WAIT));
  assert.equal(page.url(), app.url, "Amplify leaves the code and state in the address bar");
  assert.equal(await page.locator("#username").textContent(), user.username);
  await shot(page, "04-app-signed-in");

  // fetchAuthSession(): ID and access tokens, with the right claims.
  const session = await page.evaluate(() => window.app.session());
  assert.ok(session?.idToken && session?.accessToken, `no tokens in the session: ${JSON.stringify(session)}`);
  // Signed by the pool's key (its JWKS at the issuer), for this client.
  const jwks = createLocalJWKSet(await getJson(`${issuer}/.well-known/jwks.json`, ca));
  const { payload: id } = await jwtVerify(session.idToken, jwks, { issuer, audience: clientId });
  const { payload: access } = await jwtVerify(session.accessToken, jwks, { issuer });
  assert.equal(id.token_use, "id");
  assert.equal(id.iss, issuer);
  assert.equal(id.aud, clientId);
  assert.equal(id["cognito:username"], user.username);
  assert.equal(id.email, user.email);
  assert.equal(access.token_use, "access");
  assert.equal(access.iss, issuer);
  assert.equal(access.client_id, clientId);
  assert.equal(access.username, user.username);
  assert.equal(access.sub, id.sub);
  assert.deepEqual(access.scope.split(" ").sort(), [...SCOPES].sort());
  // Amplify revokes a refresh token at sign-out only when the access token
  // names the session it came from (origin_jti).
  assert.ok(access.origin_jti, "no origin_jti in the access token");

  // getCurrentUser(): the username, and the sub as the user id.
  const current = await page.evaluate(() => window.app.user());
  assert.equal(current.username, user.username);
  assert.equal(current.userId, id.sub);
  // The access token works on the API (aws.cognito.signin.user.admin):
  // fetchUserAttributes() is GetUser at userPoolEndpoint.
  const attributes = await page.evaluate(() => window.app.attributes());
  assert.equal(attributes.email, user.email);
  assert.equal(attributes.sub, id.sub);

  // The tokens are in localStorage under Amplify's keys.
  const keyPrefix = `CognitoIdentityServiceProvider.${clientId}`;
  const stored = await storage(page);
  assert.equal(stored[`${keyPrefix}.LastAuthUser`], user.username);
  assert.equal(stored[`${keyPrefix}.${user.username}.idToken`], session.idToken);
  assert.equal(stored[`${keyPrefix}.${user.username}.accessToken`], session.accessToken);
  const refreshToken = stored[`${keyPrefix}.${user.username}.refreshToken`];
  assert.ok(refreshToken, `no refresh token stored: ${JSON.stringify(Object.keys(stored))}`);

  // A refresh (fetchAuthSession({forceRefresh: true}): the refresh token at
  // userPoolEndpoint) keeps the hosted UI's scopes, and is stored.
  const apiCall = (operations) =>
    pending(
      page.waitForResponse(
        (r) =>
          r.url() === `${userPoolEndpoint}/` &&
          operations.includes(String(r.request().headers()["x-amz-target"]).split(".").pop()),
        WAIT,
      ),
    );
  const refreshCall = apiCall(["GetTokensFromRefreshToken", "InitiateAuth"]);
  const refreshed = await page.evaluate(() => window.app.session(true));
  assert.equal((await refreshCall).status(), 200);
  assert.notEqual(refreshed.accessToken, session.accessToken);
  const { payload: access2 } = await jwtVerify(refreshed.accessToken, jwks, { issuer });
  assert.equal(access2.username, user.username);
  assert.equal(access2.client_id, clientId);
  assert.equal(access2.scope, access.scope);
  assert.equal(access2.origin_jti, access.origin_jti);
  const restored = await storage(page);
  assert.equal(restored[`${keyPrefix}.${user.username}.accessToken`], refreshed.accessToken);
  assert.equal(restored[`${keyPrefix}.${user.username}.idToken`], refreshed.idToken);

  const events = await page.evaluate(() => window.app.events);
  assert.ok(events.includes("signInWithRedirect"), JSON.stringify(events));
  assert.ok(events.includes("signedIn"), JSON.stringify(events));

  // The hosted UI's browser session is a cookie on the domain.
  const sessionCookie = (await context.cookies(domainOrigin)).find((c) => c.name === "cognito");
  assert.ok(sessionCookie, "no browser session cookie on the domain");
  assert.equal(sessionCookie.httpOnly, true);
  // Secure when Tessera knows it is reached over https (its public URL).
  assert.equal(sessionCookie.secure, server.url.startsWith("https:"));

  // ---- signOut() (by keyboard): Amplify revokes the refresh token, clears
  // its storage, and goes through /logout, which ends the browser session
  // and sends the browser back to the app.
  const beforeSignOut = app.serial();
  const revoked = apiCall(["RevokeToken"]);
  const logout = pending(page.waitForResponse((r) => r.url().startsWith(`${domainOrigin}/logout?`), WAIT));
  await tabTo(page, "sign-out");
  await page.keyboard.press("Enter");
  const revokeResponse = await explained(revoked);
  assert.equal(revokeResponse.status(), 200, "RevokeToken was refused");
  const logoutResponse = await explained(logout);
  const logoutQuery = new URL(logoutResponse.url()).searchParams;
  assert.equal(logoutQuery.get("client_id"), clientId);
  assert.equal(logoutQuery.get("logout_uri"), app.url);
  assert.equal(logoutResponse.status(), 302);
  assert.equal(await logoutResponse.headerValue("location"), app.url);
  assert.match((await logoutResponse.headerValue("set-cookie")) ?? "", /(^|\n)cognito=;[^\n]*Max-Age=0/);
  await explained(appState("signed-out", beforeSignOut + 1).waitFor(WAIT));
  assert.equal(page.url(), app.url);
  await shot(page, "05-app-signed-out-again");

  const left = Object.keys(await storage(page)).filter((k) => k.startsWith("CognitoIdentityServiceProvider."));
  assert.deepEqual(left, [], "Amplify's keys are still in localStorage");
  assert.equal(
    (await context.cookies(domainOrigin)).some((c) => c.name === "cognito"),
    false,
    "the browser session cookie survived /logout",
  );
  await assert.rejects(
    admin.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    ),
    { name: "NotAuthorizedException" },
    "the refresh token Amplify revoked still works",
  );
  // And so are the access tokens issued with it.
  for (const accessToken of [session.accessToken, refreshed.accessToken]) {
    await assert.rejects(
      admin.send(new GetUserCommand({ AccessToken: accessToken })),
      { name: "NotAuthorizedException" },
      "an access token of the revoked refresh token still works",
    );
  }

  // ---- A new signInWithRedirect() shows the sign-in page again: no
  // browser session is left to sign in with silently.
  await tabTo(page, "sign-in");
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.origin === domainOrigin && u.pathname === "/login", WAIT);
  await page.locator("#field-username:focus").waitFor(WAIT);
  await shot(page, "06-login-after-sign-out");

  assert.deepEqual(
    // Neither the app nor Tessera serves a favicon.
    problems.filter((p) => !p.includes("/favicon.ico)")),
    [],
    "the browser reported errors",
  );
}
