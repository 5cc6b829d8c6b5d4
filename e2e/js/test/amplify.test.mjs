// Amplify v6 (aws-amplify) in Node against the real binary. Amplify is
// pointed at Tessera with `Auth.Cognito.userPoolEndpoint`; it sends its calls
// with the global fetch. Tokens live in an in-memory key-value storage.
//
// Amplify is a process-wide singleton; node:test runs the tests of this file
// one after the other, and each configures Amplify for its own server.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Amplify } from "aws-amplify";
import {
  confirmSignUp,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signIn,
  signOut,
  signUp,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import {
  PASSWORD,
  MemoryKeyValueStorage,
  adminClient,
  createClient,
  createConfirmedUser,
  createPool,
  rawCall,
  recordTargets,
  serverFor,
  shiftClock,
  unique,
  waitForCode,
} from "../harness.mjs";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function setup(t) {
  const server = await serverFor(t);
  const admin = adminClient(server.url);
  const poolId = await createPool(admin);
  const { clientId } = await createClient(admin, poolId);
  const storage = new MemoryKeyValueStorage();
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: server.url,
      },
    },
  });
  // a fresh store per test: nothing of an earlier test's session remains
  cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
  return { server, url: server.url, admin, poolId, clientId, storage };
}

test("Amplify signIn with a wrong password fails with NotAuthorizedException", async (t) => {
  const ctx = await setup(t);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const rec = recordTargets();
  t.after(rec.restore);
  await assert.rejects(signIn({ username, password: "Wr0ng-Passw0rd!" }), (err) => {
    assert.equal(err.name, "NotAuthorizedException");
    assert.equal(err.message, "Incorrect username or password.");
    return true;
  });
  // it got as far as the SRP proof: the server refused the signature
  assert.deepEqual(rec.targets(), ["InitiateAuth", "RespondToAuthChallenge"]);
  assert.equal(rec.calls[0].body.AuthFlow, "USER_SRP_AUTH");
});

test("Amplify signUp -> confirmSignUp -> SRP signIn -> session kept alive across access-token expiry -> global signOut", async (t) => {
  const ctx = await setup(t);
  const username = unique("amy");
  const email = `${username}@example.com`;

  // -- sign-up and confirmation
  const up = await signUp({ username, password: PASSWORD, options: { userAttributes: { email } } });
  assert.equal(up.isSignUpComplete, false);
  assert.equal(up.nextStep.signUpStep, "CONFIRM_SIGN_UP");
  assert.equal(up.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
  assert.match(up.userId, UUID_RE);
  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: email });
  const confirmed = await confirmSignUp({ username, confirmationCode: code });
  assert.equal(confirmed.isSignUpComplete, true);

  // -- sign-in with the default flow (USER_SRP_AUTH)
  const rec = recordTargets();
  t.after(rec.restore);
  const signedIn = await signIn({ username, password: PASSWORD });
  assert.equal(signedIn.isSignedIn, true, JSON.stringify(signedIn));
  assert.equal(signedIn.nextStep.signInStep, "DONE");
  assert.deepEqual(rec.targets(), ["InitiateAuth", "RespondToAuthChallenge"]);
  assert.equal(rec.calls[0].body.AuthFlow, "USER_SRP_AUTH");
  assert.equal(rec.calls[1].body.ChallengeName, "PASSWORD_VERIFIER");

  // -- current user (read from the access token: username, sub)
  const current = await getCurrentUser();
  assert.equal(current.username, username);
  assert.equal(current.userId, up.userId);

  const attrs = await fetchUserAttributes();
  assert.equal(attrs.email, email);
  assert.equal(attrs.email_verified, "true");
  assert.equal(attrs.sub, up.userId);

  const session = await fetchAuthSession();
  assert.ok(session.tokens?.accessToken && session.tokens?.idToken, "the session has tokens");
  assert.equal(session.userSub, up.userId);
  const access1 = session.tokens.accessToken;
  assert.equal(access1.payload.iss, `${ctx.url}/${ctx.poolId}`);
  assert.equal(access1.payload.client_id, ctx.clientId);
  assert.equal(session.tokens.idToken.payload.email, email);

  // the refresh token Amplify stored, to check sign-out revoked it
  const refreshKey = [...ctx.storage.map.keys()].find((k) => k.endsWith(".refreshToken"));
  assert.ok(refreshKey, `a refresh token is stored (keys: ${[...ctx.storage.map.keys()]})`);
  const refreshToken = ctx.storage.map.get(refreshKey);

  // -- move the client clock past the access token's expiry
  rec.clear();
  const shiftMs = access1.payload.exp * 1000 - Date.now() + 60_000;
  const restoreClock = shiftClock(shiftMs);
  t.after(restoreClock);
  const renewed = await fetchAuthSession();
  assert.ok(renewed.tokens?.accessToken, "Amplify kept the session: fetchAuthSession returned tokens after expiry");
  // Amplify 6.22 refreshes through GetTokensFromRefreshToken
  t.diagnostic(`refresh call(s): ${JSON.stringify(rec.calls.map((c) => [c.target, c.status]))}`);
  assert.deepEqual(
    rec.calls.map((c) => [c.target, c.status]),
    [["GetTokensFromRefreshToken", 200]],
  );
  assert.equal(rec.calls[0].body.ClientId, ctx.clientId);
  const access2 = renewed.tokens.accessToken;
  assert.notEqual(access2.toString(), access1.toString(), "a new access token");
  assert.notEqual(access2.payload.jti, access1.payload.jti, "with a new jti");
  assert.ok(access2.payload.iat >= access1.payload.iat);
  assert.ok(access2.payload.exp >= access1.payload.exp, "that expires no earlier");
  assert.notEqual(renewed.tokens.idToken.toString(), session.tokens.idToken.toString(), "and a new ID token");
  assert.equal(access2.payload.sub, up.userId);

  // still shifted: the new tokens are current (clock drift is accounted),
  // so no further refresh happens
  rec.clear();
  const again = await fetchAuthSession();
  assert.equal(again.tokens.accessToken.toString(), access2.toString());
  assert.deepEqual(rec.targets(), []);
  assert.equal((await getCurrentUser()).username, username);
  restoreClock();

  // -- global sign-out (Amplify swallows its errors: check the call itself)
  rec.clear();
  const currentRefresh = ctx.storage.map.get(refreshKey) ?? refreshToken;
  await signOut({ global: true });
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [["GlobalSignOut", 200]]);
  await assert.rejects(getCurrentUser(), (err) => err.name === "UserUnAuthenticatedException");

  // refresh tokens of the session are refused now
  for (const token of new Set([refreshToken, currentRefresh])) {
    const r = await rawCall(ctx.url, "GetTokensFromRefreshToken", { ClientId: ctx.clientId, RefreshToken: token });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.errorType, "NotAuthorizedException");
  }
});
