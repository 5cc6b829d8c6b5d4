// amazon-cognito-identity-js (the SRP client Amplify v5 and many apps use)
// against the real binary. The library is pointed at Tessera with the
// `endpoint` option of CognitoUserPool; it sends its calls with the global
// fetch (Node 20's, kept by isomorphic-unfetch).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
} from "amazon-cognito-identity-js";
import { AdminCreateUserCommand, AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import {
  PASSWORD,
  MemoryStorage,
  addSecretHash,
  adminClient,
  createClient,
  createConfirmedUser,
  createPool,
  decodeJwt,
  outbox,
  recordTargets,
  serverFor,
  unique,
  waitForCode,
} from "../harness.mjs";

const NEW_PASSWORD = "N3w-Passw0rd!";
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ------------------------------------------------------------ helpers

/** A server, a pool, a client and a CognitoUserPool pointed at them. */
async function setup(t, clientOverrides = {}) {
  const server = await serverFor(t);
  const admin = adminClient(server.url);
  const poolId = await createPool(admin);
  const { clientId, clientSecret } = await createClient(admin, poolId, clientOverrides);
  const storage = new MemoryStorage();
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.url, Storage: storage });
  return { server, url: server.url, admin, poolId, clientId, clientSecret, storage, pool };
}

function cognitoUser(pool, username) {
  return new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
}

/** authenticateUser as a promise: {session} or {newPasswordRequired}; rejects
 * with the library's error on onFailure. */
function authenticate(user, username, password) {
  return new Promise((resolve, reject) => {
    const unexpected = (name) => (...args) => reject(new Error(`unexpected callback ${name}: ${JSON.stringify(args)}`));
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolve({ session }),
      onFailure: (err) => reject(err),
      newPasswordRequired: (userAttributes, requiredAttributes) =>
        resolve({ newPasswordRequired: { userAttributes, requiredAttributes } }),
      mfaRequired: unexpected("mfaRequired"),
      totpRequired: unexpected("totpRequired"),
      selectMFAType: unexpected("selectMFAType"),
      mfaSetup: unexpected("mfaSetup"),
      customChallenge: unexpected("customChallenge"),
    });
  });
}

async function signIn(pool, username, password) {
  const user = cognitoUser(pool, username);
  const { session, newPasswordRequired } = await authenticate(user, username, password);
  assert.ok(session, `expected a session, got newPasswordRequired ${JSON.stringify(newPasswordRequired)}`);
  return { user, session };
}

/** Node-style callback API -> promise. */
function cb(fn) {
  return new Promise((resolve, reject) => fn((err, data) => (err ? reject(err) : resolve(data))));
}

/** {onSuccess, onFailure} callback API -> promise. */
function callbacks(fn, extra = {}) {
  return new Promise((resolve, reject) => fn({ onSuccess: resolve, onFailure: reject, ...extra }));
}

function attrsToObject(list) {
  return Object.fromEntries(list.map((a) => [a.getName(), a.getValue()]));
}

async function assertRejectsWith(promise, code, message) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  const codes = [code].flat();
  assert.ok(err, `expected ${codes.join(" or ")}, but the call succeeded`);
  assert.ok(codes.includes(err.code), `expected ${codes.join(" or ")}, got ${err.code}: ${err.message}`);
  if (message instanceof RegExp) assert.match(err.message, message);
  else if (message !== undefined) assert.equal(err.message, message);
  return err;
}

function assertSessionFor(session, { username, email, clientId, url, poolId }) {
  assert.equal(session.isValid(), true, "session must be valid");
  const id = session.getIdToken().payload;
  const access = session.getAccessToken().payload;
  const issuer = `${url}/${poolId}`;
  assert.equal(id.token_use, "id");
  assert.equal(id.iss, issuer);
  assert.equal(id.aud, clientId);
  assert.equal(id["cognito:username"], username);
  assert.equal(id.email, email);
  assert.equal(id.email_verified, true, "email_verified is a JSON boolean in the ID token");
  assert.match(id.sub, UUID_RE);
  assert.equal(access.token_use, "access");
  assert.equal(access.iss, issuer);
  assert.equal(access.client_id, clientId);
  assert.equal(access.username, username);
  assert.equal(access.sub, id.sub);
  assert.equal(access.scope, "aws.cognito.signin.user.admin");
  assert.equal(access.aud, undefined, "Cognito access tokens carry no aud");
  assert.ok(session.getRefreshToken().getToken(), "a refresh token is returned");
}

// ------------------------------------------------------------ tests

test("signUp -> outbox code -> confirmRegistration -> USER_SRP_AUTH sign-in (real SRP)", async (t) => {
  const ctx = await setup(t);
  const username = unique("alice");
  const email = `${username}@example.com`;

  const signUp = await cb((done) =>
    ctx.pool.signUp(username, PASSWORD, [new CognitoUserAttribute({ Name: "email", Value: email })], null, done),
  );
  assert.equal(signUp.userConfirmed, false);
  assert.match(signUp.userSub, UUID_RE);
  assert.equal(signUp.codeDeliveryDetails.DeliveryMedium, "EMAIL");
  assert.equal(signUp.codeDeliveryDetails.AttributeName, "email");

  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: email });
  const user = cognitoUser(ctx.pool, username);
  assert.equal(await cb((done) => user.confirmRegistration(code, true, done)), "SUCCESS");

  const rec = recordTargets();
  t.after(rec.restore);
  const { session } = await authenticate(user, username, PASSWORD);
  rec.restore();
  // The default flow really was SRP: InitiateAuth(USER_SRP_AUTH) answered by
  // PASSWORD_VERIFIER, then RespondToAuthChallenge with the claim signature.
  assert.deepEqual(rec.targets(), ["InitiateAuth", "RespondToAuthChallenge"]);
  assert.equal(rec.calls[0].body.AuthFlow, "USER_SRP_AUTH");
  assert.match(rec.calls[0].body.AuthParameters.SRP_A, /^[0-9a-f]+$/);
  assert.equal(rec.calls[1].body.ChallengeName, "PASSWORD_VERIFIER");
  assert.ok(rec.calls[1].body.ChallengeResponses.PASSWORD_CLAIM_SIGNATURE);
  assert.deepEqual(rec.calls.map((c) => c.status), [200, 200]);

  assertSessionFor(session, { username, email, clientId: ctx.clientId, url: ctx.url, poolId: ctx.poolId });
  assert.equal(session.getIdToken().payload.sub, signUp.userSub);
});

test("wrong password -> onFailure NotAuthorizedException 'Incorrect username or password.'", async (t) => {
  const ctx = await setup(t);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);
  await assertRejectsWith(
    authenticate(cognitoUser(ctx.pool, username), username, "Wr0ng-Passw0rd!"),
    "NotAuthorizedException",
    "Incorrect username or password.",
  );
  // USER_PASSWORD_AUTH answers the same way
  const user = cognitoUser(ctx.pool, username);
  user.setAuthenticationFlowType("USER_PASSWORD_AUTH");
  await assertRejectsWith(
    authenticate(user, username, "Wr0ng-Passw0rd!"),
    "NotAuthorizedException",
    "Incorrect username or password.",
  );
});

test("client with a secret: SRP sign-in with SECRET_HASH (added by a fetch wrapper), refused without it", async (t) => {
  // amazon-cognito-identity-js has no client-secret support (no SECRET_HASH
  // anywhere in its source). Apps that use it with a secret add SECRET_HASH
  // themselves; here a fetch wrapper does, and the library does all the SRP.
  const ctx = await setup(t, { GenerateSecret: true });
  assert.ok(ctx.clientSecret, "the client has a secret");
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);

  // without SECRET_HASH the server refuses
  await assertRejectsWith(authenticate(cognitoUser(ctx.pool, username), username, PASSWORD), "NotAuthorizedException");

  const restore = addSecretHash({ clientId: ctx.clientId, clientSecret: ctx.clientSecret, refreshUsername: username });
  t.after(restore);
  const { user, session } = await signIn(ctx.pool, username, PASSWORD);
  assertSessionFor(session, { username, email, clientId: ctx.clientId, url: ctx.url, poolId: ctx.poolId });

  // wrong password with a correct SECRET_HASH
  await assertRejectsWith(
    authenticate(cognitoUser(ctx.pool, username), username, "Wr0ng-Passw0rd!"),
    "NotAuthorizedException",
    "Incorrect username or password.",
  );

  // refresh (REFRESH_TOKEN_AUTH with SECRET_HASH of the internal username)
  const refreshed = await cb((done) => user.refreshSession(session.getRefreshToken(), done));
  assert.notEqual(refreshed.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
});

test("newPasswordRequired after AdminCreateUser, then completeNewPasswordChallenge", async (t) => {
  const ctx = await setup(t);
  const username = unique("newbie");
  const email = `${username}@example.com`;
  const temporary = "Temp-Passw0rd1";
  await ctx.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: ctx.poolId,
      Username: username,
      TemporaryPassword: temporary,
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );

  const user = cognitoUser(ctx.pool, username);
  const first = await authenticate(user, username, temporary);
  assert.ok(first.newPasswordRequired, "expected the newPasswordRequired callback");
  assert.equal(first.newPasswordRequired.userAttributes.email, email);
  assert.deepEqual(first.newPasswordRequired.requiredAttributes, []);

  const session = await callbacks((c) => user.completeNewPasswordChallenge(NEW_PASSWORD, {}, c));
  assertSessionFor(session, { username, email, clientId: ctx.clientId, url: ctx.url, poolId: ctx.poolId });

  const got = await ctx.admin.send(new AdminGetUserCommand({ UserPoolId: ctx.poolId, Username: username }));
  assert.equal(got.UserStatus, "CONFIRMED");

  // the new password now signs in directly, the temporary one no longer does
  await signIn(ctx.pool, username, NEW_PASSWORD);
  await assertRejectsWith(
    authenticate(cognitoUser(ctx.pool, username), username, temporary),
    "NotAuthorizedException",
    "Incorrect username or password.",
  );
});

test("getSession uses the cached session, refreshSession / expired getSession refresh with the refresh token", async (t) => {
  const ctx = await setup(t);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const { session } = await signIn(ctx.pool, username, PASSWORD);
  const first = session.getAccessToken().payload;

  // a fresh CognitoUser on the same storage gets the cached session, no call
  const rec = recordTargets();
  t.after(rec.restore);
  const cachedUser = ctx.pool.getCurrentUser();
  assert.equal(cachedUser.getUsername(), username);
  const cached = await cb((done) => cachedUser.getSession(done));
  assert.equal(cached.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
  assert.deepEqual(rec.targets(), []);

  // refreshSession -> InitiateAuth REFRESH_TOKEN_AUTH -> new ID and access tokens
  const refreshed = await cb((done) => cachedUser.refreshSession(session.getRefreshToken(), done));
  assert.deepEqual(rec.targets(), ["InitiateAuth"]);
  assert.equal(rec.calls[0].body.AuthFlow, "REFRESH_TOKEN_AUTH");
  const second = refreshed.getAccessToken().payload;
  assert.notEqual(refreshed.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
  assert.notEqual(refreshed.getIdToken().getJwtToken(), session.getIdToken().getJwtToken());
  assert.ok(second.jti && first.jti && second.jti !== first.jti, "a refreshed access token has a new jti");
  assert.equal(second.origin_jti, first.origin_jti, "origin_jti stays that of the original authentication");
  assert.equal(second.auth_time, first.auth_time, "auth_time is unchanged by a refresh");
  assert.equal(second.sub, first.sub);
  assert.equal(refreshed.isValid(), true);
  // without rotation the library keeps using the refresh token it had
  assert.equal(refreshed.getRefreshToken().getToken(), session.getRefreshToken().getToken());

  // make the cached session look expired (clock drift of two hours):
  // getSession must refresh by itself
  rec.clear();
  const prefix = `CognitoIdentityServiceProvider.${ctx.clientId}.${username}`;
  ctx.storage.setItem(`${prefix}.clockDrift`, String(-7200));
  const laterUser = ctx.pool.getCurrentUser();
  const renewed = await cb((done) => laterUser.getSession(done));
  assert.deepEqual(rec.targets(), ["InitiateAuth"]);
  assert.equal(renewed.isValid(), true);
  assert.notEqual(renewed.getAccessToken().getJwtToken(), refreshed.getAccessToken().getJwtToken());
});

test("getUserAttributes, updateAttributes (name; email change -> unverified -> verifyAttribute)", async (t) => {
  const ctx = await setup(t);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const { user, session } = await signIn(ctx.pool, username, PASSWORD);

  let attrs = attrsToObject(await cb((done) => user.getUserAttributes(done)));
  assert.equal(attrs.email, email);
  assert.equal(attrs.email_verified, "true");
  assert.equal(attrs.sub, session.getIdToken().payload.sub);

  assert.equal(
    await cb((done) => user.updateAttributes([new CognitoUserAttribute({ Name: "name", Value: "Alice Liddell" })], done)),
    "SUCCESS",
  );
  attrs = attrsToObject(await cb((done) => user.getUserAttributes(done)));
  assert.equal(attrs.name, "Alice Liddell");

  // changing the email makes it unverified and sends a code to the new address
  const newEmail = `new-${username}@example.com`;
  await cb((done) => user.updateAttributes([new CognitoUserAttribute({ Name: "email", Value: newEmail })], done));
  attrs = attrsToObject(await cb((done) => user.getUserAttributes(done)));
  assert.equal(attrs.email, newEmail);
  assert.equal(attrs.email_verified, "false");
  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: newEmail });

  // users cannot mark their own email verified (Cognito refuses the write:
  // NotAuthorizedException "A client attempted to write unauthorized
  // attribute"; InvalidParameterException is accepted too)
  await assertRejectsWith(
    cb((done) => user.updateAttributes([new CognitoUserAttribute({ Name: "email_verified", Value: "true" })], done)),
    ["NotAuthorizedException", "InvalidParameterException"],
  );
  attrs = attrsToObject(await cb((done) => user.getUserAttributes(done)));
  assert.equal(attrs.email_verified, "false", "still unverified after the refused write");

  // the code does verify it
  assert.equal(await callbacks((c) => user.verifyAttribute("email", code, c)), "SUCCESS");
  attrs = attrsToObject(await cb((done) => user.getUserAttributes(done)));
  assert.equal(attrs.email_verified, "true");
});

test("changePassword: the new password signs in, the old one is refused", async (t) => {
  const ctx = await setup(t);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const { user } = await signIn(ctx.pool, username, PASSWORD);

  await assertRejectsWith(
    cb((done) => user.changePassword("Wr0ng-Passw0rd!", NEW_PASSWORD, done)),
    "NotAuthorizedException",
    "Incorrect username or password.",
  );
  assert.equal(await cb((done) => user.changePassword(PASSWORD, NEW_PASSWORD, done)), "SUCCESS");

  await signIn(ctx.pool, username, NEW_PASSWORD);
  await assertRejectsWith(
    authenticate(cognitoUser(ctx.pool, username), username, PASSWORD),
    "NotAuthorizedException",
    "Incorrect username or password.",
  );
});

test("forgotPassword -> code from the outbox -> confirmPassword (wrong code refused)", async (t) => {
  const ctx = await setup(t);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const before = await outbox(ctx.url, { poolId: ctx.poolId, recipient: email });

  const user = cognitoUser(ctx.pool, username);
  const delivery = await new Promise((resolve, reject) =>
    user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve }),
  );
  assert.equal(delivery.CodeDeliveryDetails.DeliveryMedium, "EMAIL");
  assert.equal(delivery.CodeDeliveryDetails.AttributeName, "email");
  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: email, since: before });

  const wrong = code === "000000" ? "111111" : "000000";
  await assertRejectsWith(
    callbacks((c) => user.confirmPassword(wrong, NEW_PASSWORD, c)),
    "CodeMismatchException",
  );
  assert.equal(await callbacks((c) => user.confirmPassword(code, NEW_PASSWORD, c)), "SUCCESS");

  await signIn(ctx.pool, username, NEW_PASSWORD);
  await assertRejectsWith(
    authenticate(cognitoUser(ctx.pool, username), username, PASSWORD),
    "NotAuthorizedException",
    "Incorrect username or password.",
  );
  // the code is single-use (Cognito answers a used code with
  // CodeMismatchException or ExpiredCodeException; either is accepted)
  await assertRejectsWith(
    callbacks((c) => cognitoUser(ctx.pool, username).confirmPassword(code, "An0ther-Passw0rd!", c)),
    ["CodeMismatchException", "ExpiredCodeException"],
  );
});

test("globalSignOut: the refresh token and the old access token are refused afterwards", async (t) => {
  const ctx = await setup(t);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const { user, session } = await signIn(ctx.pool, username, PASSWORD);

  assert.equal(await callbacks((c) => user.globalSignOut(c)), "SUCCESS");

  // the old access token (still unexpired) is refused by GetUser
  const stale = cognitoUser(ctx.pool, username);
  stale.setSignInUserSession(session);
  await assertRejectsWith(
    cb((done) => stale.getUserAttributes(done)),
    "NotAuthorizedException",
    "Access Token has been revoked",
  );

  // the refresh token is refused (the library retries with back-off first,
  // about six seconds, as it would against Cognito)
  await assertRejectsWith(
    cb((done) => cognitoUser(ctx.pool, username).refreshSession(session.getRefreshToken(), done)),
    "NotAuthorizedException",
  );
});

test("USER_PASSWORD_AUTH via setAuthenticationFlowType; refused on a client that does not allow it", async (t) => {
  const ctx = await setup(t);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);

  const rec = recordTargets();
  t.after(rec.restore);
  const user = cognitoUser(ctx.pool, username);
  user.setAuthenticationFlowType("USER_PASSWORD_AUTH");
  const { session } = await authenticate(user, username, PASSWORD);
  assert.deepEqual(rec.targets(), ["InitiateAuth"]);
  assert.equal(rec.calls[0].body.AuthFlow, "USER_PASSWORD_AUTH");
  assertSessionFor(session, { username, email, clientId: ctx.clientId, url: ctx.url, poolId: ctx.poolId });

  // a client allowing only SRP + refresh refuses USER_PASSWORD_AUTH
  const { clientId: srpOnly } = await createClient(ctx.admin, ctx.poolId, {
    ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  });
  const srpPool = new CognitoUserPool({
    UserPoolId: ctx.poolId,
    ClientId: srpOnly,
    endpoint: ctx.url,
    Storage: new MemoryStorage(),
  });
  const refused = cognitoUser(srpPool, username);
  refused.setAuthenticationFlowType("USER_PASSWORD_AUTH");
  await assertRejectsWith(authenticate(refused, username, PASSWORD), "InvalidParameterException");
  // ... while SRP works on it
  await signIn(srpPool, username, PASSWORD);
});
