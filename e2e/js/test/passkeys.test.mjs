// Passkeys in a real browser (issue 15): headless Chromium with the DevTools
// virtual authenticator (a CTAP2 platform authenticator with resident keys
// and user verification), an app on http://localhost:<port> (a secure
// context, so WebAuthn works) using Amplify v6 against Tessera.
//
// The pool's relying party is `localhost` (WebAuthnConfiguration), and the
// app's origin is allowed with TESSERA_PASSKEY_ORIGINS: Cognito allows the
// relying party's own https origins; a development origin is configuration.
// Passkeys need WEB_AUTHN among the pool's SignInPolicy.AllowedFirstAuthFactors.
//
// - Registration: a user signed in with a password calls
//   associateWebAuthnCredential() (StartWebAuthnRegistration, the browser's
//   navigator.credentials.create(), CompleteWebAuthnRegistration);
//   listWebAuthnCredentials() shows the passkey, deleteWebAuthnCredential()
//   removes it.
// - Sign-in: signIn with USER_AUTH and preferredChallenge WEB_AUTHN signs in
//   with no password; once the passkey is deleted it no longer does.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import {
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  adminClient,
  createClient,
  createConfirmedUser,
  rawCall,
  serverFor,
  unique,
} from "../harness.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const E2E_DIR = path.resolve(HERE, "..");
const CHROMIUM = process.env.TESSERA_CHROMIUM ?? "/usr/bin/chromium";

const APP_MODULE = `
import { Amplify } from "aws-amplify";
import {
  associateWebAuthnCredential,
  deleteWebAuthnCredential,
  getCurrentUser,
  listWebAuthnCredentials,
  signIn,
  signOut,
} from "aws-amplify/auth";

Amplify.configure(CONFIG);

// Errors cross into the test as plain data.
const plain = (promise) =>
  promise.then(
    (value) => ({ ok: true, value: JSON.parse(JSON.stringify(value ?? null)) }),
    (err) => ({ ok: false, name: String(err?.name ?? ""), message: String(err?.message ?? err) }),
  );

window.app = {
  signInWithPassword: (username, password) =>
    plain(signIn({ username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } })),
  signInWithPasskey: (username) =>
    plain(signIn({ username, options: { authFlowType: "USER_AUTH", preferredChallenge: "WEB_AUTHN" } })),
  associate: () => plain(associateWebAuthnCredential()),
  list: () => plain(listWebAuthnCredentials()),
  remove: (credentialId) => plain(deleteWebAuthnCredential({ credentialId })),
  user: () => plain(getCurrentUser()),
  signOut: () => plain(signOut()),
};
document.body.dataset.ready = "yes";
`;

async function bundleApp(config) {
  const out = await build({
    stdin: {
      contents: APP_MODULE.replace("CONFIG", JSON.stringify(config)),
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

/** The app: a page and its bundle, on 127.0.0.1 and a free port. */
async function appServer(t) {
  let bundle = "";
  const server = createHttpServer((req, res) => {
    if (req.url === "/app.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      res.end(bundle);
      return;
    }
    if (req.url !== "/") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end('<!doctype html><html><head><meta charset="utf-8"><title>Passkeys</title></head>' +
      '<body><script type="module" src="/app.js"></script></body></html>');
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const origin = `http://localhost:${server.address().port}`;
  return { origin, setBundle: (code) => { bundle = code; } };
}

/** Tessera allowing the app's origin, a passkey pool, a client, a user, and
 * the app loaded in Chromium with a virtual authenticator. */
async function setUp(t, { userVerification = "required" } = {}) {
  const app = await appServer(t);
  const server = await serverFor(t, { env: { TESSERA_PASSKEY_ORIGINS: app.origin } });
  const admin = adminClient(server.url);
  const pool = await admin.send(
    new CreateUserPoolCommand({
      PoolName: unique("passkeys"),
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "WEB_AUTHN"] } },
    }),
  );
  const poolId = pool.UserPool.Id;
  await admin.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: "OFF",
      WebAuthnConfiguration: { RelyingPartyId: "localhost", UserVerification: userVerification },
    }),
  );
  const { clientId } = await createClient(admin, poolId, {
    ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  });
  const user = await createConfirmedUser(admin, poolId);
  app.setBundle(
    await bundleApp({
      Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: server.url } },
    }),
  );

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  t.after(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto(`${app.origin}/`);
  await page.waitForSelector("body[data-ready=yes]", { state: "attached", timeout: 15_000 });
  const call = (name, ...args) => page.evaluate(([n, a]) => window.app[n](...a), [name, args]);
  return { server, poolId, clientId, user, page, cdp, authenticatorId, call };
}

async function signInAndRegister(call, user) {
  const signedIn = await call("signInWithPassword", user.username, user.password);
  assert.ok(signedIn.ok, `password sign-in: ${JSON.stringify(signedIn)}`);
  assert.equal(signedIn.value.isSignedIn, true);
  const associated = await call("associate");
  assert.ok(associated.ok, `associateWebAuthnCredential: ${JSON.stringify(associated)}`);
}

test("associateWebAuthnCredential registers a passkey; list shows it and delete removes it", async (t) => {
  const { user, cdp, authenticatorId, call } = await setUp(t);
  await signInAndRegister(call, user);

  const { credentials: held } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(held.length, 1, "the authenticator holds one credential");
  assert.equal(held[0].rpId, "localhost");
  assert.equal(held[0].isResidentCredential, true, "a discoverable credential (a passkey)");

  const listed = await call("list");
  assert.ok(listed.ok, JSON.stringify(listed));
  assert.equal(listed.value.credentials.length, 1);
  const [passkey] = listed.value.credentials;
  assert.equal(passkey.relyingPartyId, "localhost");
  assert.equal(passkey.authenticatorAttachment, "platform");
  assert.deepEqual(passkey.authenticatorTransports, ["internal"]);
  assert.ok(passkey.friendlyCredentialName);
  // The id Cognito lists is the credential's id (base64url), the one the
  // authenticator holds.
  assert.equal(
    Buffer.from(passkey.credentialId, "base64url").toString("base64"),
    held[0].credentialId,
  );

  // A second registration is refused by the browser: the first is excluded.
  const again = await call("associate");
  assert.equal(again.ok, false, "the registered passkey is in excludeCredentials");

  const removed = await call("remove", passkey.credentialId);
  assert.ok(removed.ok, JSON.stringify(removed));
  const after = await call("list");
  assert.ok(after.ok, JSON.stringify(after));
  assert.deepEqual(after.value.credentials, []);

  const gone = await call("remove", passkey.credentialId);
  assert.equal(gone.ok, false);
  assert.equal(gone.name, "ResourceNotFoundException");
});

test("signIn with USER_AUTH and WEB_AUTHN signs in with the passkey alone; a replayed or lowered-counter assertion is refused; a deleted passkey no longer signs in", async (t) => {
  const { server, poolId, clientId, user, page, cdp, authenticatorId, call } = await setUp(t);
  await signInAndRegister(call, user);
  const [passkey] = (await call("list")).value.credentials;
  assert.ok((await call("signOut")).ok);

  // The user's passkey is offered in the first-factor selection.
  const offer = await rawCall(server.url, "InitiateAuth", {
    ClientId: clientId,
    AuthFlow: "USER_AUTH",
    AuthParameters: { USERNAME: user.username },
  });
  assert.equal(offer.status, 200, JSON.stringify(offer.body));
  assert.deepEqual(offer.body.AvailableChallenges, ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]);

  // A client that hides user existence gives a name that matches no user the
  // same offer and a passkey challenge shaped like the real one.
  const { clientId: hiding } = await createClient(adminClient(server.url), poolId, {
    ExplicitAuthFlows: ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    PreventUserExistenceErrors: "ENABLED",
  });
  const ask = (username, extra = {}) =>
    rawCall(server.url, "InitiateAuth", {
      ClientId: hiding,
      AuthFlow: "USER_AUTH",
      AuthParameters: { USERNAME: username, ...extra },
    });
  assert.deepEqual((await ask("nobody")).body.AvailableChallenges, offer.body.AvailableChallenges);
  const [real, ghost] = [
    await ask(user.username, { PREFERRED_CHALLENGE: "WEB_AUTHN" }),
    await ask("nobody", { PREFERRED_CHALLENGE: "WEB_AUTHN" }),
  ];
  assert.equal(real.body.ChallengeName, "WEB_AUTHN");
  assert.equal(ghost.body.ChallengeName, "WEB_AUTHN");
  const options = (r) => JSON.parse(r.body.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
  const [mine, made] = [options(real), options(ghost)];
  assert.deepEqual(Object.keys(made).sort(), Object.keys(mine).sort());
  for (const key of ["rpId", "timeout", "userVerification"]) assert.equal(made[key], mine[key], key);
  assert.equal(made.allowCredentials.length, mine.allowCredentials.length);
  assert.deepEqual(Object.keys(made.allowCredentials[0]).sort(), Object.keys(mine.allowCredentials[0]).sort());
  const answered = await rawCall(server.url, "RespondToAuthChallenge", {
    ClientId: hiding,
    ChallengeName: "WEB_AUTHN",
    Session: ghost.body.Session,
    ChallengeResponses: { USERNAME: "nobody", CREDENTIAL: "{}" },
  });
  assert.equal(answered.errorType, "NotAuthorizedException", JSON.stringify(answered.body));

  // The browser's answer, kept to replay it.
  const answers = [];
  page.on("request", (req) => {
    if (req.headers()["x-amz-target"]?.endsWith(".RespondToAuthChallenge")) answers.push(req.postData());
  });
  const signedIn = await call("signInWithPasskey", user.username);
  assert.ok(signedIn.ok, `passkey sign-in: ${JSON.stringify(signedIn)}`);
  assert.equal(signedIn.value.isSignedIn, true);
  assert.equal((await call("user")).value.username, user.username);
  assert.equal(answers.length, 1);
  const answer = JSON.parse(answers[0]);
  assert.equal(answer.ChallengeName, "WEB_AUTHN");
  assert.ok(JSON.parse(answer.ChallengeResponses.CREDENTIAL).response.authenticatorData);

  // The same assertion again, in its still-valid session: refused.
  const replay = await rawCall(server.url, "RespondToAuthChallenge", answer);
  assert.equal(replay.errorType, "NotAuthorizedException", JSON.stringify(replay.body));
  assert.ok((await call("signOut")).ok);

  // An authenticator whose counter went back (a cloned key): refused.
  const { credentials: [held] } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.ok(held.signCount >= 2, `the counter moved: ${held.signCount}`);
  await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: held.credentialId });
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: { ...held, signCount: 0 } });
  const cloned = await call("signInWithPasskey", user.username);
  assert.equal(cloned.ok, false, `a lowered counter signed in: ${JSON.stringify(cloned)}`);
  assert.equal(cloned.name, "NotAuthorizedException");

  // Deleted: the passkey is no longer offered, and no longer signs in.
  await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: held.credentialId });
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: held });
  assert.ok((await call("signInWithPassword", user.username, user.password)).ok);
  assert.ok((await call("remove", passkey.credentialId)).ok);
  assert.ok((await call("signOut")).ok);
  const refused = await call("signInWithPasskey", user.username);
  assert.ok(refused.ok, JSON.stringify(refused));
  assert.equal(refused.value.isSignedIn, false);
  assert.equal(refused.value.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION");
  assert.deepEqual(refused.value.nextStep.availableChallenges, ["PASSWORD", "PASSWORD_SRP"]);
});
