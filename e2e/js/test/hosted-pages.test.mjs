// The hosted pages (/login, /signup, /confirm, /forgotPassword,
// /confirmForgotPassword and the sign-in steps after the password) in a real
// browser: playwright-core driving Debian's Chromium (`/usr/bin/chromium`, or
// TESSERA_CHROMIUM) against the real binary.
//
// Each test makes a pool with a prefix domain and an app client whose
// callback URL is a small node:http server of the test's own, then sends the
// browser to `http://<prefix>.auth.localhost:<port>/oauth2/authorize`:
// Chromium resolves every *.localhost name to the loopback address, so the
// pool's domain reaches the server with no DNS set-up. Codes come from the
// dev outbox; the authenticator app is the harness's totp().
//
// Every page is saved as a PNG under e2e/js/screenshots/ (gitignored), to be
// looked at.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { crc32, deflateSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import {
  AdminCreateUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserMFAPreferenceCommand,
  CreateManagedLoginBrandingCommand,
  CreateTermsCommand,
  CreateUserPoolDomainCommand,
  SetUICustomizationCommand,
  SetUserPoolMfaConfigCommand,
  UpdateManagedLoginBrandingCommand,
  UpdateUserPoolDomainCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  PASSWORD,
  adminClient,
  createClient,
  createConfirmedUser,
  createPool,
  decodeJwt,
  outbox,
  serverFor,
  totp,
  totpStep,
  unique,
  waitForCode,
} from "../harness.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = path.resolve(HERE, "..", "screenshots");
const CHROMIUM = process.env.TESSERA_CHROMIUM ?? "/usr/bin/chromium";
const NEW_PASSWORD = "N3w-Passw0rd!";

let browser;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set TESSERA_CHROMIUM`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  // --no-sandbox: the suite runs as root in CI, where Chromium's sandbox
  // cannot start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
});

// ------------------------------------------------------------ helpers

/** The app's callback: a node:http server answering every request with a
 * small page, recording what it was sent. */
async function callbackServer(t) {
  const hits = [];
  const server = createServer((req, res) => {
    hits.push(req.url);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>App</title><h1>Signed in to the app</h1>");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://localhost:${server.address().port}/callback`, hits };
}

/** A private server; a pool named "Acme" with a prefix domain (and the MFA
 * configuration `mfa`, if given); an app client "Acme Web" for the code
 * grant; and a fresh browser context. */
async function setup(t, { pool = {}, mfa, viewport = { width: 1100, height: 860 } } = {}) {
  const server = await serverFor(t);
  const admin = adminClient(server.url);
  const poolId = await createPool(admin, { PoolName: "Acme", ...pool });
  if (mfa) await admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, ...mfa }));
  const prefix = unique("acme").toLowerCase();
  await admin.send(new CreateUserPoolDomainCommand({ Domain: prefix, UserPoolId: poolId }));
  const callback = await callbackServer(t);
  const { clientId } = await createClient(admin, poolId, {
    ClientName: "Acme Web",
    AllowedOAuthFlows: ["code"],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: ["openid", "email"],
    CallbackURLs: [callback.url],
    SupportedIdentityProviders: ["COGNITO"],
  });
  const port = new URL(server.url).port;
  const host = `${prefix}.auth.localhost:${port}`;
  const context = await browser.newContext({ viewport });
  t.after(() => context.close());
  const page = await context.newPage();
  return { server, admin, poolId, clientId, callback, host, origin: `http://${host}`, port, context, page };
}

/** A PKCE pair: the verifier, and its S256 challenge. */
function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

/** The authorization request of the app, as a URL on the pool's domain. */
function authorizeRequest(ctx) {
  const state = `st-${randomBytes(6).toString("hex")}`;
  const { verifier, challenge } = pkce();
  const q = new URLSearchParams({
    response_type: "code",
    client_id: ctx.clientId,
    redirect_uri: ctx.callback.url,
    scope: "openid email",
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  return { url: `${ctx.origin}/oauth2/authorize?${q}`, state, verifier };
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The id of the element that has the keyboard focus. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? el.id || `${el.tagName.toLowerCase()}:${el.textContent.trim()}` : null;
  });
}

/** Waits for the browser to land on the app's callback; its query. */
async function landedOnCallback(ctx, page) {
  await page.waitForURL((u) => u.href.startsWith(ctx.callback.url), { timeout: 10_000 });
  return new URL(page.url()).searchParams;
}

/** A request to the pool's domain from node (Host set by hand, since node
 * resolves no *.localhost names). */
function domainRequest(ctx, { method = "GET", path: p, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: ctx.port, method, path: p, headers: { host: ctx.host, ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

/** The code exchanged at /oauth2/token, as the app's back end would. */
async function exchange(ctx, code, verifier) {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: ctx.clientId,
    code,
    redirect_uri: ctx.callback.url,
    code_verifier: verifier,
  }).toString();
  const resp = await domainRequest(ctx, {
    method: "POST",
    path: "/oauth2/token",
    headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) },
    body,
  });
  assert.equal(resp.status, 200, resp.text);
  return JSON.parse(resp.text);
}

/** Fills the sign-in form by its labels and sends it. */
async function signIn(page, username, password) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A PNG of `width` x `height` in one colour (RGB), for a logo. */
function solidPng(width, height, [r, g, b]) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill([r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array(height).fill(row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The error text an input's aria-describedby points at, once the page
 * (re-rendered after a submission) marks the input invalid. */
async function describedError(page, label) {
  const input = page.getByLabel(label, { exact: true });
  await input.and(page.locator('[aria-invalid="true"]')).waitFor({ timeout: 10_000 });
  const ids = (await input.getAttribute("aria-describedby")).split(" ");
  return (await page.locator(`#${ids[0]}`).textContent()).trim();
}

// ------------------------------------------------------------ tests

test("sign in by keyboard alone lands on the callback with a code and the state", async (t) => {
  const ctx = await setup(t);
  const user = await createConfirmedUser(ctx.admin, ctx.poolId);
  const { page } = ctx;
  const request = authorizeRequest(ctx);
  const response = await page.goto(request.url);
  assert.equal(new URL(page.url()).pathname, "/login");

  // The page's headers: nothing cached, framed, or posted elsewhere than
  // the pages and the client's redirect origin.
  const headers = response.headers();
  assert.equal(headers["cache-control"], "no-store");
  const csp = headers["content-security-policy"];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.ok(csp.includes(`form-action 'self' ${new URL(ctx.callback.url).origin}`), csp);
  assert.equal(await page.locator("h1").count(), 1);
  assert.equal(await page.locator("h1").textContent(), "Sign in");
  assert.match(await page.title(), /Sign in · Acme/);
  await screenshot(page, "login");

  // Keyboard order: the username has the focus, then the password, then the button.
  assert.equal(await focused(page), "field-username");
  await page.keyboard.type(user.username);
  await page.keyboard.press("Tab");
  assert.equal(await focused(page), "field-password");
  await page.keyboard.type(user.password);
  await page.keyboard.press("Tab");
  assert.equal(await focused(page), "button:Sign in");
  await page.keyboard.press("Enter");

  const query = await landedOnCallback(ctx, page);
  assert.equal(query.get("state"), request.state);
  assert.ok(query.get("code"), "no code on the callback");
  const tokens = await exchange(ctx, query.get("code"), request.verifier);
  assert.equal(decodeJwt(tokens.id_token).payload["cognito:username"], user.username);

  const cookies = await ctx.context.cookies(ctx.origin);
  for (const name of ["XSRF-TOKEN", "cognito"]) {
    const cookie = cookies.find((c) => c.name === name);
    assert.ok(cookie, `no ${name} cookie`);
    assert.equal(cookie.httpOnly, true, `${name} is readable by script`);
    assert.equal(cookie.sameSite, "Lax", name);
  }

  // The browser session now signs the user in without the form.
  const again = authorizeRequest(ctx);
  await page.goto(again.url);
  assert.equal((await landedOnCallback(ctx, page)).get("state"), again.state);
});

test("a wrong password is refused on the password field, and the username kept", async (t) => {
  const ctx = await setup(t);
  const user = await createConfirmedUser(ctx.admin, ctx.poolId);
  const { page } = ctx;
  await page.goto(authorizeRequest(ctx).url);
  await signIn(page, user.username, "Wr0ng-password!");
  assert.equal(new URL(page.url()).pathname, "/login");
  assert.equal(await describedError(page, "Password"), "Incorrect username or password.");
  assert.equal(await page.getByLabel("Username").inputValue(), user.username);
  assert.equal(await page.getByLabel("Password", { exact: true }).inputValue(), "");
  assert.equal(await focused(page), "field-password");
  await screenshot(page, "login-wrong-password");

  // And then the right one works.
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  assert.ok((await landedOnCallback(ctx, page)).get("code"));
});

test("sign-up, the code from the outbox, then sign-in", async (t) => {
  const ctx = await setup(t);
  const { page } = ctx;
  const username = unique("newbie");
  const email = `${username}@example.com`;
  const request = authorizeRequest(ctx);
  await page.goto(request.url);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL((u) => u.pathname === "/signup");
  assert.equal(await page.locator("h1").textContent(), "Create your account");
  assert.equal(await page.getByLabel("Email address").getAttribute("autocomplete"), "email");
  assert.equal(await page.getByLabel("Password", { exact: true }).getAttribute("autocomplete"), "new-password");
  await screenshot(page, "signup");

  // A password the policy refuses, with the policy's words on the field.
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  assert.match(await describedError(page, "Password"), /Password d(id|oes) not conform/);
  await screenshot(page, "signup-weak-password");

  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Confirm your account" }).waitFor();
  assert.match(await page.getByRole("status").textContent(), /We sent a code to/);
  await screenshot(page, "confirm");

  const code = await waitForCode(ctx.server.url, { poolId: ctx.poolId, recipient: email });
  await page.getByLabel("Confirmation code").fill(code);
  await page.getByRole("button", { name: "Confirm account" }).click();
  await page.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("notice") === "confirmed");
  assert.match(await page.getByRole("status").textContent(), /Your account is confirmed/);
  await screenshot(page, "login-confirmed");

  await signIn(page, username, PASSWORD);
  const query = await landedOnCallback(ctx, page);
  assert.equal(query.get("state"), request.state);
});

test("a wrong confirmation code is refused on the code field, and a new one can be sent", async (t) => {
  const ctx = await setup(t);
  const { page } = ctx;
  const username = unique("newbie");
  const email = `${username}@example.com`;
  await page.goto(authorizeRequest(ctx).url);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL((u) => u.pathname === "/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  const first = await waitForCode(ctx.server.url, { poolId: ctx.poolId, recipient: email });
  await page.getByLabel("Confirmation code").fill(first === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Confirm account" }).click();
  assert.match(await describedError(page, "Confirmation code"), /That code isn't right/);
  await screenshot(page, "confirm-wrong-code");

  await page.getByRole("button", { name: "Send a new code" }).click();
  await page.getByRole("status").waitFor();
  const second = await waitForCode(ctx.server.url, { poolId: ctx.poolId, recipient: email, since: 1 });
  await page.getByLabel("Confirmation code").fill(second);
  await page.getByRole("button", { name: "Confirm account" }).click();
  await page.waitForURL((u) => u.pathname === "/login");
  await signIn(page, username, PASSWORD);
  assert.ok((await landedOnCallback(ctx, page)).get("code"));
});

test("an unconfirmed account is sent to confirm, and a reset password to reset", async (t) => {
  const ctx = await setup(t);
  const { page } = ctx;
  // An account signed up and never confirmed: the right password leads to
  // the confirmation page, with a fresh code.
  const username = unique("pending");
  const email = `${username}@example.com`;
  await page.goto(authorizeRequest(ctx).url);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL((u) => u.pathname === "/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Confirm your account" }).waitFor();
  await page.getByRole("link", { name: "Back to sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/login");
  await signIn(page, username, PASSWORD);
  await page.getByRole("heading", { name: "Confirm your account" }).waitFor();
  assert.match(await page.getByRole("status").textContent(), /Confirm your account to sign in\. We sent a code to/);
  const code = await waitForCode(ctx.server.url, { poolId: ctx.poolId, recipient: email, since: 1 });
  await page.getByLabel("Confirmation code").fill(code);
  await page.getByRole("button", { name: "Confirm account" }).click();
  await page.waitForURL((u) => u.pathname === "/login");

  // A password an administrator reset: the sign-in leads to choosing a new one.
  const user = await createConfirmedUser(ctx.admin, ctx.poolId);
  await ctx.admin.send(new AdminResetUserPasswordCommand({ UserPoolId: ctx.poolId, Username: user.username }));
  const sent = (await outbox(ctx.server.url, { poolId: ctx.poolId, recipient: user.email })).length;
  await signIn(page, user.username, user.password);
  await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
  assert.match(await page.getByRole("status").textContent(), /You need to reset your password/);
  const reset = await waitForCode(ctx.server.url, { poolId: ctx.poolId, recipient: user.email, since: sent });
  await page.getByLabel("Code").fill(reset);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Reset password" }).click();
  await page.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("notice") === "password_reset");
  await signIn(page, user.username, NEW_PASSWORD);
  assert.ok((await landedOnCallback(ctx, page)).get("code"));
});

test("a forgotten password is reset with the emailed code", async (t) => {
  const ctx = await setup(t);
  const user = await createConfirmedUser(ctx.admin, ctx.poolId);
  const { page } = ctx;
  await page.goto(authorizeRequest(ctx).url);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.waitForURL((u) => u.pathname === "/forgotPassword");
  await screenshot(page, "forgot-password");
  await page.getByLabel("Username").fill(user.username);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
  assert.match(await page.getByRole("status").textContent(), /We sent a code to/);
  assert.equal(await page.getByLabel("Username").inputValue(), user.username);
  await screenshot(page, "confirm-forgot-password");

  const code = await waitForCode(ctx.server.url, { poolId: ctx.poolId, recipient: user.email });
  await page.getByLabel("Code").fill(code);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Reset password" }).click();
  await page.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("notice") === "password_reset");
  await screenshot(page, "login-password-reset");

  await signIn(page, user.username, user.password);
  assert.equal(await describedError(page, "Password"), "Incorrect username or password.");
  await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  assert.ok((await landedOnCallback(ctx, page)).get("code"));
});

test("a user with a temporary password chooses a new one", async (t) => {
  const ctx = await setup(t);
  const username = unique("invited");
  await ctx.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: ctx.poolId,
      Username: username,
      TemporaryPassword: "Temp-0rary!",
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: `${username}@example.com` },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  const { page } = ctx;
  const request = authorizeRequest(ctx);
  await page.goto(request.url);
  await signIn(page, username, "Temp-0rary!");
  await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
  assert.equal(await focused(page), "field-new-password");
  await screenshot(page, "new-password");

  await page.getByLabel("New password").fill("weak");
  await page.getByRole("button", { name: "Set password and continue" }).click();
  assert.match(await describedError(page, "New password"), /Password d(id|oes) not conform/);

  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set password and continue" }).click();
  assert.equal((await landedOnCallback(ctx, page)).get("state"), request.state);
});

test("an authenticator app is set up during sign-in, then asked for at the next", async (t) => {
  const ctx = await setup(t, { mfa: { MfaConfiguration: "ON", SoftwareTokenMfaConfiguration: { Enabled: true } } });
  const user = await createConfirmedUser(ctx.admin, ctx.poolId);
  const { page } = ctx;
  await page.goto(authorizeRequest(ctx).url);
  await signIn(page, user.username, user.password);
  await page.getByRole("heading", { name: "Add an authenticator app" }).waitFor();
  const qr = page.getByRole("img", { name: "QR code of your authenticator key" });
  assert.match(await qr.getAttribute("src"), /^data:image\/svg\+xml;base64,/);
  assert.ok((await qr.boundingBox()).width >= 150, "the QR code is too small to scan");
  const secret = (await page.locator(".secret code").textContent()).replace(/\s+/g, "");
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await screenshot(page, "mfa-setup");

  // A wrong code first: refused on the code field, the same key shown again.
  const step = totpStep();
  const near = new Set([-1, 0, 1, 2].map((d) => totp(secret, { step: step + d })));
  const wrong = ["000000", "123456", "999999"].find((c) => !near.has(c));
  await page.getByLabel("Code from the app").fill(wrong);
  await page.getByRole("button", { name: "Verify and continue" }).click();
  assert.match(await describedError(page, "Code from the app"), /That code isn't right/);
  assert.equal((await page.locator(".secret code").textContent()).replace(/\s+/g, ""), secret);
  await screenshot(page, "mfa-setup-wrong-code");

  await page.getByLabel("Code from the app").fill(totp(secret, { step }));
  await page.getByLabel("Name this device").fill("Test phone");
  await page.getByRole("button", { name: "Verify and continue" }).click();
  assert.ok((await landedOnCallback(ctx, page)).get("code"));

  // The next sign-in, in a browser with no session, asks for the app's code.
  const fresh = await browser.newContext({ viewport: { width: 1100, height: 860 } });
  t.after(() => fresh.close());
  const second = await fresh.newPage();
  const request = authorizeRequest(ctx);
  await second.goto(request.url);
  await signIn(second, user.username, user.password);
  await second.getByRole("heading", { name: "Enter your code" }).waitFor();
  assert.match(await second.locator(".lead").textContent(), /authenticator app \(Test phone\)/);
  assert.equal(await second.getByLabel("Code").getAttribute("autocomplete"), "one-time-code");
  await screenshot(second, "mfa-code");
  // The next step's code: the server takes one step of skew, and each step once.
  await second.getByLabel("Code").fill(totp(secret, { step: step + 1 }));
  await second.keyboard.press("Enter");
  assert.equal((await landedOnCallback(ctx, second)).get("state"), request.state);
});

test("with several factors and none preferred, the user chooses one, then enters its code", async (t) => {
  const ctx = await setup(t, {
    mfa: {
      MfaConfiguration: "OPTIONAL",
      SmsMfaConfiguration: {
        SmsAuthenticationMessage: "Your Acme code is {####}",
        SmsConfiguration: { SnsCallerArn: "arn:aws:iam::123456789012:role/tessera-sms", ExternalId: "tessera" },
      },
      EmailMfaConfiguration: { Message: "Your Acme code is {####}", Subject: "Acme sign-in" },
    },
  });
  const phone = "+15555550123";
  const user = await createConfirmedUser(ctx.admin, ctx.poolId, {
    attributes: [
      { Name: "phone_number", Value: phone },
      { Name: "phone_number_verified", Value: "true" },
    ],
  });
  await ctx.admin.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: ctx.poolId,
      Username: user.username,
      SMSMfaSettings: { Enabled: true },
      EmailMfaSettings: { Enabled: true },
    }),
  );
  const { page } = ctx;
  const request = authorizeRequest(ctx);
  await page.goto(request.url);
  await signIn(page, user.username, user.password);
  await page.getByRole("heading", { name: "Verify it's you" }).waitFor();
  const group = page.getByRole("group", { name: "Send my code by" });
  assert.equal(await group.getByRole("radio").count(), 2);
  await screenshot(page, "mfa-choose");

  // Keyboard: the first choice has the focus; the arrow key moves to the next.
  const first = await page.evaluate(() => document.activeElement.value);
  await page.keyboard.press("ArrowDown");
  const chosen = await page.evaluate(() => document.activeElement.value);
  assert.notEqual(chosen, first);
  const before = await outbox(ctx.server.url, { poolId: ctx.poolId });
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Enter your code" }).waitFor();
  const recipient = chosen === "EMAIL_OTP" ? user.email : phone;
  assert.match(
    await page.locator(".lead").textContent(),
    chosen === "EMAIL_OTP" ? /We emailed a sign-in code to/ : /We texted a sign-in code to \+\*+0123/,
  );
  await screenshot(page, "mfa-sent-code");

  const code = await waitForCode(ctx.server.url, {
    poolId: ctx.poolId,
    recipient,
    since: before.filter((m) => m.recipient === recipient),
  });
  await page.getByLabel("Code").fill(code === "000000" ? "111111" : "000000");
  await page.keyboard.press("Enter");
  assert.match(await describedError(page, "Code"), /That code isn't right/);
  await page.getByLabel("Code").fill(code);
  await page.keyboard.press("Enter");
  assert.equal((await landedOnCallback(ctx, page)).get("state"), request.state);
});

test("a form posted without its CSRF token, or with another, is refused", async (t) => {
  const ctx = await setup(t);
  const user = await createConfirmedUser(ctx.admin, ctx.poolId);
  const { page } = ctx;
  await page.goto(authorizeRequest(ctx).url);
  await page.locator('input[name="_csrf"]').evaluate((input) => input.remove());
  await signIn(page, user.username, user.password);
  await page.getByRole("heading", { name: "Something went wrong" }).waitFor();
  assert.match(await page.getByRole("alert").textContent(), /could not be accepted/);
  await screenshot(page, "csrf-refused");

  await page.goto(authorizeRequest(ctx).url);
  await page.locator('input[name="_csrf"]').evaluate((input) => {
    input.value = "A".repeat(43);
  });
  await signIn(page, user.username, user.password);
  await page.getByRole("heading", { name: "Something went wrong" }).waitFor();
  assert.equal(ctx.callback.hits.length, 0);

  // A post from elsewhere, with neither the cookie nor the field.
  const q = new URL(authorizeRequest(ctx).url).search;
  const body = new URLSearchParams({ username: user.username, password: user.password }).toString();
  const resp = await domainRequest(ctx, {
    method: "POST",
    path: `/login${q}`,
    headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) },
    body,
  });
  assert.equal(resp.status, 403);
  assert.equal(resp.headers.location, undefined);
});

test("the pool's UI customization (CSS and logo) is applied to the pages", async (t) => {
  const ctx = await setup(t);
  await ctx.admin.send(
    new SetUICustomizationCommand({
      UserPoolId: ctx.poolId,
      ClientId: "ALL",
      CSS: ".submitButton-customizable { background-color: #0f766e; border-color: #0f766e; } .banner-customizable { justify-content: center; }",
      ImageFile: solidPng(160, 48, [15, 118, 110]),
    }),
  );
  const { page } = ctx;
  const response = await page.goto(authorizeRequest(ctx).url);
  // The pool's sheet is inline, let through by the page's nonce alone.
  assert.match(response.headers()["content-security-policy"], /style-src 'self' 'nonce-[A-Za-z0-9_-]+'/);
  const button = page.getByRole("button", { name: "Sign in" });
  assert.equal(await button.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(15, 118, 110)");
  const logo = page.getByRole("img", { name: "Acme" });
  assert.match(await logo.getAttribute("src"), /^data:image\/png;base64,/);
  assert.ok((await logo.boundingBox()).width > 0, "the logo is not shown");
  await screenshot(page, "login-customized");
});

test("a managed-login domain shows the app client's branding style and its terms; the classic customization is not used there", async (t) => {
  const ctx = await setup(t);
  const domain = ctx.host.split(".")[0];
  await ctx.admin.send(new UpdateUserPoolDomainCommand({ UserPoolId: ctx.poolId, Domain: domain, ManagedLoginVersion: 2 }));
  // Classic hosted-UI CSS: managed login does not apply it (Cognito keeps
  // the two apart: a domain serves one or the other).
  await ctx.admin.send(
    new SetUICustomizationCommand({ UserPoolId: ctx.poolId, ClientId: "ALL", CSS: ".submitButton-customizable { background-color: #000000; }" }),
  );
  // The branding editor's document, as DescribeManagedLoginBrandingByClient
  // answers it (colors RRGGBBAA, radii in pixels).
  const settings = {
    categories: { global: { colorSchemeMode: "LIGHT" } },
    components: {
      pageBackground: { lightMode: { color: "fdf2f8ff" }, image: { enabled: false } },
      form: { lightMode: { backgroundColor: "ffffffff", borderColor: "f9a8d4ff" }, borderRadius: 4.0, logo: { enabled: true } },
      primaryButton: { lightMode: { defaults: { backgroundColor: "b0306aff", textColor: "ffffffff" }, hover: { backgroundColor: "831843ff" } } },
    },
    componentClasses: { link: { lightMode: { defaults: { textColor: "9d174dff" } } }, input: { borderRadius: 2.0 } },
  };
  const { ManagedLoginBranding: style } = await ctx.admin.send(
    new CreateManagedLoginBrandingCommand({
      UserPoolId: ctx.poolId,
      ClientId: ctx.clientId,
      Settings: settings,
      Assets: [{ Category: "FORM_LOGO", ColorMode: "LIGHT", Extension: "PNG", Bytes: solidPng(160, 48, [176, 48, 106]) }],
    }),
  );
  for (const [name, url] of [["terms-of-use", "https://acme.example/terms"], ["privacy-policy", "https://acme.example/privacy"]]) {
    await ctx.admin.send(
      new CreateTermsCommand({
        UserPoolId: ctx.poolId,
        ClientId: ctx.clientId,
        TermsName: name,
        TermsSource: "LINK",
        Enforcement: "NONE",
        Links: { "cognito:default": url },
      }),
    );
  }

  const { page } = ctx;
  const response = await page.goto(authorizeRequest(ctx).url);
  assert.match(response.headers()["content-security-policy"], /style-src 'self' 'nonce-[A-Za-z0-9_-]+'/);
  const css = (selector, property) => page.locator(selector).first().evaluate((el, p) => getComputedStyle(el)[p], property);
  const button = page.getByRole("button", { name: "Sign in" });
  assert.equal(await button.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(176, 48, 106)");
  assert.equal(await css("body", "backgroundColor"), "rgb(253, 242, 248)");
  assert.equal(await css(".card", "borderTopLeftRadius"), "4px");
  assert.equal(await css(".card", "borderTopColor"), "rgb(249, 168, 212)");
  assert.equal(await css("input.input", "borderTopLeftRadius"), "2px");
  assert.equal(await css(".links a", "color"), "rgb(157, 23, 77)");
  const logo = page.getByRole("img", { name: "Acme" });
  assert.match(await logo.getAttribute("src"), /^data:image\/png;base64,/);
  assert.ok((await logo.boundingBox()).width > 0, "the logo is not shown");
  await screenshot(page, "managed-login-branded");

  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByRole("heading", { name: "Create your account" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Terms of use" }).getAttribute("href"), "https://acme.example/terms");
  assert.equal(await page.getByRole("link", { name: "Privacy policy" }).getAttribute("href"), "https://acme.example/privacy");
  await screenshot(page, "managed-login-signup-terms");

  // Back to Cognito's values: Tessera's own look, the terms still linked.
  await ctx.admin.send(
    new UpdateManagedLoginBrandingCommand({ UserPoolId: ctx.poolId, ManagedLoginBrandingId: style.ManagedLoginBrandingId, UseCognitoProvidedValues: true }),
  );
  await page.reload();
  const plain = await page.getByRole("button", { name: "Create account" }).evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(plain, "rgb(67, 56, 202)");
  assert.equal(await page.getByRole("link", { name: "Terms of use" }).count(), 1);
});

test("the classic hosted UI links no terms", async (t) => {
  const ctx = await setup(t);
  for (const name of ["terms-of-use", "privacy-policy"]) {
    await ctx.admin.send(
      new CreateTermsCommand({
        UserPoolId: ctx.poolId,
        ClientId: ctx.clientId,
        TermsName: name,
        TermsSource: "LINK",
        Enforcement: "NONE",
        Links: { "cognito:default": "https://acme.example/doc" },
      }),
    );
  }
  const { page } = ctx;
  await page.goto(authorizeRequest(ctx).url);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByRole("heading", { name: "Create your account" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Terms of use" }).count(), 0);
});

test("a pool where only administrators create users offers no sign-up", async (t) => {
  const ctx = await setup(t, { pool: { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } } });
  const { page } = ctx;
  await page.goto(authorizeRequest(ctx).url);
  assert.equal(await page.getByRole("link", { name: "Create an account" }).count(), 0);
  const signup = page.url().replace("/login?", "/signup?");
  const response = await page.goto(signup);
  assert.equal(response.status(), 403);
  assert.equal(await page.locator("h1").textContent(), "Sign-up is not available");
  await screenshot(page, "signup-not-available");
});

test("the pages fit a phone, and a request for an unknown client is shown an error", async (t) => {
  const ctx = await setup(t, { viewport: { width: 390, height: 844 } });
  const { page } = ctx;
  await page.goto(authorizeRequest(ctx).url);
  const card = await page.locator(".card").boundingBox();
  assert.ok(card.width <= 390, `the card is ${card.width}px wide on a 390px screen`);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 390, `the page scrolls sideways (${scrollWidth}px)`);
  await screenshot(page, "login-phone");

  const response = await page.goto(`${ctx.origin}/login?client_id=nosuchclient&redirect_uri=${encodeURIComponent(ctx.callback.url)}&response_type=code`);
  assert.equal(response.status(), 400);
  assert.match(await page.getByRole("alert").textContent(), /not an app client of this user pool/);
  await screenshot(page, "error-unknown-client");
});
