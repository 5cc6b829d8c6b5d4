// Choice-based sign-in (USER_AUTH) with Amplify v6 against the real binary:
// signIn({options: {authFlowType: "USER_AUTH", preferredChallenge}}) with a
// code by email (read from the dev outbox) and by SMS, the first-factor
// selection when no preference is given, PASSWORD / PASSWORD_SRP through
// USER_AUTH, and autoSignIn() after sign-up with ConfirmSignUp's Session.
//
// Amplify is a process-wide singleton; node:test runs the tests of a file one
// after the other, and each configures Amplify for its own pool.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Amplify } from "aws-amplify";
import {
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  getCurrentUser,
  signIn,
  signOut,
  signUp,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import {
  ALL_USER_FLOWS,
  MemoryKeyValueStorage,
  PASSWORD,
  adminClient,
  createClient,
  createConfirmedUser,
  createPool,
  outbox,
  recordTargets,
  serverFor,
  unique,
  waitForCode,
} from "../harness.mjs";

const PHONE = "+15555550177";
const SMS_CONFIGURATION = { SnsCallerArn: "arn:aws:iam::123456789012:role/tessera-sms", ExternalId: "tessera" };

/** A private server, a pool allowing passwords and both code factors first,
 * a USER_AUTH client, a user with a verified email and phone, and Amplify
 * pointed at them. */
async function setup(t) {
  const server = await serverFor(t);
  const admin = adminClient(server.url);
  const poolId = await createPool(admin, {
    SmsConfiguration: SMS_CONFIGURATION,
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP", "SMS_OTP"] } },
  });
  const { clientId } = await createClient(admin, poolId, {
    ExplicitAuthFlows: [...ALL_USER_FLOWS, "ALLOW_USER_AUTH"],
  });
  const { username, email } = await createConfirmedUser(admin, poolId, {
    username: unique("ua"),
    attributes: [
      { Name: "phone_number", Value: PHONE },
      { Name: "phone_number_verified", Value: "true" },
    ],
  });
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: server.url } },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(new MemoryKeyValueStorage());
  const rec = recordTargets();
  t.after(rec.restore);
  return { url: server.url, poolId, clientId, username, email, rec };
}

/** Amplify holds tokens for `username`, issued by this pool to this client. */
async function assertSignedIn(ctx) {
  const { tokens } = await fetchAuthSession();
  assert.ok(tokens?.accessToken && tokens?.idToken, "the session has tokens");
  assert.equal(tokens.accessToken.payload.iss, `${ctx.url}/${ctx.poolId}`);
  assert.equal(tokens.accessToken.payload.client_id, ctx.clientId);
  assert.equal(tokens.idToken.payload["cognito:username"], ctx.username);
  assert.equal((await getCurrentUser()).username, ctx.username);
}

async function codesSent(ctx, recipient) {
  return (await outbox(ctx.url, { poolId: ctx.poolId, recipient })).length;
}

test("Amplify USER_AUTH with preferredChallenge EMAIL_OTP: a code from the outbox signs in, no password", async (t) => {
  const ctx = await setup(t);
  const since = await codesSent(ctx, ctx.email);
  const step = await signIn({
    username: ctx.username,
    options: { authFlowType: "USER_AUTH", preferredChallenge: "EMAIL_OTP" },
  });
  assert.equal(step.isSignedIn, false);
  assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
  assert.equal(step.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
  assert.equal(step.nextStep.codeDeliveryDetails.destination, `${ctx.email[0]}***@e***`);
  const initiate = ctx.rec.calls.find((c) => c.target === "InitiateAuth");
  assert.equal(initiate.body.AuthFlow, "USER_AUTH");
  assert.equal(initiate.body.AuthParameters.PREFERRED_CHALLENGE, "EMAIL_OTP");
  assert.equal(initiate.body.AuthParameters.PASSWORD, undefined);

  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: ctx.email, since });
  const done = await confirmSignIn({ challengeResponse: code });
  assert.equal(done.isSignedIn, true, JSON.stringify(done));
  assert.equal(done.nextStep.signInStep, "DONE");
  await assertSignedIn(ctx);
  await signOut();
});

test("Amplify USER_AUTH with preferredChallenge SMS_OTP: the SMS code signs in; a wrong code first is refused", async (t) => {
  const ctx = await setup(t);
  const since = await codesSent(ctx, PHONE);
  const step = await signIn({
    username: ctx.username,
    options: { authFlowType: "USER_AUTH", preferredChallenge: "SMS_OTP" },
  });
  assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_SMS_CODE");
  assert.equal(step.nextStep.codeDeliveryDetails.destination, "+*******0177");
  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: PHONE, since });
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
  await assert.rejects(confirmSignIn({ challengeResponse: wrong }), { name: "CodeMismatchException" });
  const done = await confirmSignIn({ challengeResponse: code });
  assert.equal(done.isSignedIn, true, JSON.stringify(done));
  const answer = ctx.rec.calls.filter((c) => c.target === "RespondToAuthChallenge").at(-1);
  assert.equal(answer.body.ChallengeName, "SMS_OTP");
  assert.equal(answer.body.ChallengeResponses.SMS_OTP_CODE, code);
  await assertSignedIn(ctx);
  await signOut();
});

test("Amplify USER_AUTH without a preference: SELECT_CHALLENGE lists the factors; choosing EMAIL_OTP, then PASSWORD, signs in", async (t) => {
  const ctx = await setup(t);
  const offer = await signIn({ username: ctx.username, options: { authFlowType: "USER_AUTH" } });
  assert.equal(offer.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION");
  assert.deepEqual(offer.nextStep.availableChallenges, ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]);

  const since = await codesSent(ctx, ctx.email);
  const step = await confirmSignIn({ challengeResponse: "EMAIL_OTP" });
  assert.equal(step.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
  const select = ctx.rec.calls.filter((c) => c.target === "RespondToAuthChallenge").at(-1);
  assert.equal(select.body.ChallengeName, "SELECT_CHALLENGE");
  assert.equal(select.body.ChallengeResponses.ANSWER, "EMAIL_OTP");
  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: ctx.email, since });
  assert.equal((await confirmSignIn({ challengeResponse: code })).isSignedIn, true);
  await assertSignedIn(ctx);
  await signOut();

  await signIn({ username: ctx.username, options: { authFlowType: "USER_AUTH" } });
  const password = await confirmSignIn({ challengeResponse: "PASSWORD" });
  assert.equal(password.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_PASSWORD");
  assert.equal((await confirmSignIn({ challengeResponse: PASSWORD })).isSignedIn, true);
  await assertSignedIn(ctx);
  await signOut();
});

test("Amplify USER_AUTH with PASSWORD_SRP: SRP through the choice-based flow, and PASSWORD_SRP chosen from the offer", async (t) => {
  const ctx = await setup(t);
  const done = await signIn({
    username: ctx.username,
    password: PASSWORD,
    options: { authFlowType: "USER_AUTH", preferredChallenge: "PASSWORD_SRP" },
  });
  assert.equal(done.isSignedIn, true, JSON.stringify(done));
  const targets = ctx.rec.calls.map((c) => [c.target, c.body.AuthFlow ?? c.body.ChallengeName]);
  assert.deepEqual(targets.slice(0, 2), [
    ["InitiateAuth", "USER_AUTH"],
    ["RespondToAuthChallenge", "PASSWORD_VERIFIER"],
  ]);
  await assertSignedIn(ctx);
  await signOut();

  await signIn({ username: ctx.username, options: { authFlowType: "USER_AUTH" } });
  await confirmSignIn({ challengeResponse: "PASSWORD_SRP" });
  assert.equal((await confirmSignIn({ challengeResponse: PASSWORD })).isSignedIn, true);
  await assertSignedIn(ctx);
  await signOut();
});

test("Amplify signUp with autoSignIn USER_AUTH: confirmSignUp's Session signs the new user in, once", async (t) => {
  const ctx = await setup(t);
  // Amplify keeps a 3-minute timer to drop an auto sign-in never confirmed;
  // unreferenced, it does not hold the test process open after the test.
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = (fn, ms, ...rest) => {
    const timer = realSetTimeout(fn, ms, ...rest);
    if (ms >= 60_000) timer.unref();
    return timer;
  };
  t.after(() => {
    globalThis.setTimeout = realSetTimeout;
  });
  const username = unique("new");
  const email = `${username}@example.com`;
  const up = await signUp({
    username,
    password: PASSWORD,
    options: { userAttributes: { email }, autoSignIn: { authFlowType: "USER_AUTH" } },
  });
  assert.equal(up.nextStep.signUpStep, "CONFIRM_SIGN_UP");
  assert.ok(ctx.rec.calls.find((c) => c.target === "SignUp"), "SignUp was called");
  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: email });
  const confirmed = await confirmSignUp({ username, confirmationCode: code });
  assert.equal(confirmed.nextStep.signUpStep, "COMPLETE_AUTO_SIGN_IN");
  ctx.rec.clear();
  const done = await autoSignIn();
  assert.equal(done.isSignedIn, true, JSON.stringify(done));
  const initiate = ctx.rec.calls.find((c) => c.target === "InitiateAuth");
  assert.equal(initiate.body.AuthFlow, "USER_AUTH");
  assert.ok(initiate.body.Session, "InitiateAuth carried ConfirmSignUp's Session");
  const { tokens } = await fetchAuthSession();
  assert.equal(tokens.idToken.payload["cognito:username"], username);
  assert.equal(tokens.idToken.payload.email_verified, true);
  await signOut();

  // The Session was used up by that sign-in.
  const replay = await fetch(ctx.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      ClientId: ctx.clientId,
      AuthFlow: "USER_AUTH",
      AuthParameters: { USERNAME: username },
      Session: initiate.body.Session,
    }),
  });
  assert.equal(replay.status, 400);
  assert.equal((await replay.json()).__type, "NotAuthorizedException");
});
