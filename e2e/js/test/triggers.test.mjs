// Lambda triggers with JavaScript clients against the real binary, through
// Tessera's HTTP invoker: every function a pool's LambdaConfig names is a
// node:http hook in this process (HookServer in the harness), which records
// the events and answers as a test's function would. The server's
// `[[triggers]]` send every function of account 123456789012 to the hook
// (`serverWithConfig`, `triggerMappingToml`).
//
// - CUSTOM_AUTH, a one-time code by email: amazon-cognito-identity-js
//   (setAuthenticationFlowType('CUSTOM_AUTH'), initiateAuth,
//   sendCustomChallengeAnswer) and Amplify v6 (signIn with
//   CUSTOM_WITHOUT_SRP, confirmSignIn with the challenge response).
// - UserMigration at an Amplify USER_PASSWORD_AUTH sign-in.
// - PreTokenGeneration (V1) seen in Amplify's session, at sign-in and at a
//   forced refresh.
// - PreSignUp auto-confirming an amazon-cognito-identity-js signUp.
//
// Cognito's behaviour (developer guide, "Custom authentication challenge
// Lambda triggers" and the Define/Create/Verify pages; e2e/python/test_triggers.py
// for the other triggers): DefineAuthChallenge gets request.session, one
// {challengeName, challengeResult, challengeMetadata} per round so far, and
// answers challengeName / issueTokens / failAuthentication;
// CreateAuthChallenge gets the challengeName and answers
// publicChallengeParameters (sent to the client as ChallengeParameters, with
// USERNAME), privateChallengeParameters and challengeMetadata;
// VerifyAuthChallengeResponse gets the private parameters and the
// challengeAnswer and answers answerCorrect. failAuthentication is
// NotAuthorizedException "Incorrect username or password.".
//
// - The password by SRP, then the code: amazon-cognito-identity-js's
//   authenticateUser with CUSTOM_AUTH and Amplify's CUSTOM_WITH_SRP start
//   with SRP_A and answer the PASSWORD_VERIFIER that DefineAuthChallenge asks
//   for after the SRP_A round; the code follows.
//
// Amplify is a process-wide singleton; node:test runs the tests of a file one
// after the other, and each configures Amplify for its own server.

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, getCurrentUser, signIn, signOut } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { AuthenticationDetails, CognitoUser, CognitoUserAttribute, CognitoUserPool } from "amazon-cognito-identity-js";
import { AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import {
  PASSWORD,
  MemoryKeyValueStorage,
  MemoryStorage,
  adminClient,
  createClient,
  createConfirmedUser,
  createPool,
  decodeJwt,
  hookServerFor,
  lambdaArn,
  outbox,
  recordTargets,
  serverWithConfig,
  triggerMappingToml,
  unique,
} from "../harness.mjs";

const INCORRECT = "Incorrect username or password.";
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CUSTOM_AUTH_TRIGGERS = ["DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse"];
const CUSTOM_FLOWS = ["ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];

// ------------------------------------------------------------ helpers

/** The test ARN of a trigger: function "defineAuthChallenge" for DefineAuthChallenge, and so on. */
function arnFor(trigger) {
  return lambdaArn(trigger[0].toLowerCase() + trigger.slice(1));
}

/** A hook, a server sending every test function to it, a pool whose
 * LambdaConfig names the hook for each of `triggers`, and an app client
 * allowing `flows`. */
async function setup(t, triggers, { flows = CUSTOM_FLOWS } = {}) {
  const hook = await hookServerFor(t);
  const server = await serverWithConfig(t, triggerMappingToml(hook.url));
  const admin = adminClient(server.url);
  const LambdaConfig = Object.fromEntries(triggers.map((name) => [name, arnFor(name)]));
  const poolId = await createPool(admin, { LambdaConfig });
  const { clientId } = await createClient(admin, poolId, { ExplicitAuthFlows: flows });
  return { hook, server, url: server.url, admin, poolId, clientId };
}

/** Points Amplify at the pool, with a fresh token store. */
function configureAmplify(ctx) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: ctx.poolId, userPoolClientId: ctx.clientId, userPoolEndpoint: ctx.url } },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(new MemoryKeyValueStorage());
}

function identityJsPool(ctx) {
  return new CognitoUserPool({ UserPoolId: ctx.poolId, ClientId: ctx.clientId, endpoint: ctx.url, Storage: new MemoryStorage() });
}

/** Cognito's envelope around every event. */
function assertEnvelope(ctx, event, source, username) {
  assert.deepEqual(
    Object.keys(event).sort(),
    ["callerContext", "region", "request", "response", "triggerSource", "userName", "userPoolId", "version"],
  );
  assert.equal(event.version, "1");
  assert.equal(event.triggerSource, source);
  assert.equal(event.region, "us-east-1");
  assert.equal(event.userPoolId, ctx.poolId);
  assert.equal(event.userName, username);
  assert.equal(event.callerContext.clientId, ctx.clientId);
  return event.request;
}

function maskEmail(email) {
  const [local, domain] = email.split("@");
  return `${local[0]}***@${domain}`;
}

/** The three functions of a typical "one-time code by email" sign-in, as a
 * hook handler. Define: a challenge until a round is answered right (tokens)
 * or three are answered wrong (failure). Create: a fresh 6-digit code,
 * "emailed" (pushed onto `mailbox`, which the test reads as the user reads
 * their mail), the address's hint public, the code private, the round named
 * CODE-n. Verify: the answer is the code. */
function emailCodeFunctions(mailbox) {
  return (event) => {
    const { request, response } = event;
    switch (event.triggerSource) {
      case "DefineAuthChallenge_Authentication": {
        const rounds = request.session;
        const last = rounds.at(-1);
        const wrong = rounds.filter((r) => r.challengeName === "CUSTOM_CHALLENGE" && !r.challengeResult).length;
        if (last?.challengeName === "CUSTOM_CHALLENGE" && last.challengeResult === true) {
          Object.assign(response, { issueTokens: true, failAuthentication: false });
        } else if (wrong >= 3) {
          Object.assign(response, { issueTokens: false, failAuthentication: true });
        } else {
          Object.assign(response, { challengeName: "CUSTOM_CHALLENGE", issueTokens: false, failAuthentication: false });
        }
        return event;
      }
      case "CreateAuthChallenge_Authentication": {
        const email = request.userAttributes.email;
        const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
        mailbox.push({ to: email, code });
        response.publicChallengeParameters = { email: maskEmail(email) };
        response.privateChallengeParameters = { answer: code };
        response.challengeMetadata = `CODE-${request.session.length + 1}`;
        return event;
      }
      case "VerifyAuthChallengeResponse_Authentication":
        response.answerCorrect = request.challengeAnswer === request.privateChallengeParameters.answer;
        return event;
      default:
        throw new Error(`unexpected trigger ${event.triggerSource}`);
    }
  };
}

/** The last code "emailed" to `email`, and a 6-digit answer that is not it. */
function codes(mailbox, email) {
  const last = mailbox.filter((m) => m.to === email).at(-1);
  assert.ok(last, `no code was sent to ${email}`);
  return { right: last.code, wrong: last.code === "000000" ? "111111" : "000000" };
}

/** One step of amazon-cognito-identity-js's custom flow as a promise:
 * `{challenge: ChallengeParameters}` or `{session}`; rejects with onFailure's
 * error. `start(callbacks)` makes the call. */
function customStep(start) {
  return new Promise((resolve, reject) => {
    const unexpected = (name) => (...args) => reject(new Error(`unexpected callback ${name}: ${JSON.stringify(args)}`));
    start({
      onSuccess: (session) => resolve({ session }),
      onFailure: (err) => reject(err),
      customChallenge: (challenge) => resolve({ challenge }),
      newPasswordRequired: unexpected("newPasswordRequired"),
      mfaRequired: unexpected("mfaRequired"),
      totpRequired: unexpected("totpRequired"),
      selectMFAType: unexpected("selectMFAType"),
      mfaSetup: unexpected("mfaSetup"),
    });
  });
}

/** The rejection of `promise`, which must fail with `name` (and `message`). */
async function rejection(promise, name, message) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name}, but the call succeeded`);
  assert.equal(err.name ?? err.code, name, `expected ${name}, got ${err.name}: ${err.message}`);
  if (message !== undefined) assert.equal(err.message, message);
  return err;
}

/** The session a DefineAuthChallenge event saw, as [name, result, metadata] rows. */
function rounds(event) {
  return event.request.session.map((r) => [r.challengeName, r.challengeResult, r.challengeMetadata]);
}

// ------------------------------------------------------------ CUSTOM_AUTH

test("amazon-cognito-identity-js CUSTOM_AUTH: an emailed one-time code, a wrong answer then the right one signs in; three wrong answers fail", async (t) => {
  const ctx = await setup(t, CUSTOM_AUTH_TRIGGERS);
  const mailbox = [];
  ctx.hook.handler = emailCodeFunctions(mailbox);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const pool = identityJsPool(ctx);
  const rec = recordTargets();
  t.after(rec.restore);

  const user = new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
  user.setAuthenticationFlowType("CUSTOM_AUTH");
  const details = new AuthenticationDetails({ Username: username });
  const first = await customStep((cbs) => user.initiateAuth(details, cbs));
  assert.deepEqual(first.challenge, { email: maskEmail(email), USERNAME: username });
  assert.equal(rec.calls[0].target, "InitiateAuth");
  assert.equal(rec.calls[0].body.AuthFlow, "CUSTOM_AUTH");
  assert.deepEqual(rec.calls[0].body.AuthParameters, { USERNAME: username }, "no password, no SRP_A");
  assert.deepEqual(ctx.hook.sources(), ["DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication"]);
  const [define1, create1] = ctx.hook.events;
  const defineRequest = assertEnvelope(ctx, define1, "DefineAuthChallenge_Authentication", username);
  assert.deepEqual(defineRequest.session, [], "no rounds yet");
  assert.equal(defineRequest.userAttributes.email, email);
  assert.equal(defineRequest.userNotFound, false);
  const createRequest = assertEnvelope(ctx, create1, "CreateAuthChallenge_Authentication", username);
  assert.equal(createRequest.challengeName, "CUSTOM_CHALLENGE");
  assert.deepEqual(createRequest.session, []);

  // A wrong code: Verify says no, Define asks again, Create sends a new code.
  const firstCode = codes(mailbox, email);
  const again = await customStep((cbs) => user.sendCustomChallengeAnswer(firstCode.wrong, cbs));
  assert.deepEqual(again.challenge, { email: maskEmail(email), USERNAME: username });
  assert.equal(mailbox.length, 2, "a new code for the second round");
  const verify1 = ctx.hook.only("VerifyAuthChallengeResponse_Authentication");
  const verifyRequest = assertEnvelope(ctx, verify1, "VerifyAuthChallengeResponse_Authentication", username);
  assert.equal(verifyRequest.challengeAnswer, firstCode.wrong);
  assert.deepEqual(verifyRequest.privateChallengeParameters, { answer: firstCode.right });
  assert.equal(verifyRequest.userAttributes.email, email);

  // The right code of the second round: tokens.
  const { session } = await customStep((cbs) => user.sendCustomChallengeAnswer(codes(mailbox, email).right, cbs));
  assert.ok(session?.isValid(), "a valid session");
  const id = session.getIdToken().decodePayload();
  assert.equal(id["cognito:username"], username);
  assert.equal(id.email, email);
  assert.equal(id.aud, ctx.clientId);
  assert.equal(id.iss, `${ctx.url}/${ctx.poolId}`);
  assert.equal(decodeJwt(session.getAccessToken().getJwtToken()).payload.username, username);
  assert.ok(session.getRefreshToken().getToken(), "a refresh token");
  assert.deepEqual(
    rec.calls.map((c) => [c.target, c.status, c.body.ChallengeName]),
    [
      ["InitiateAuth", 200, undefined],
      ["RespondToAuthChallenge", 200, "CUSTOM_CHALLENGE"],
      ["RespondToAuthChallenge", 200, "CUSTOM_CHALLENGE"],
    ],
  );

  assert.deepEqual(ctx.hook.sources(), [
    "DefineAuthChallenge_Authentication",
    "CreateAuthChallenge_Authentication",
    "VerifyAuthChallengeResponse_Authentication",
    "DefineAuthChallenge_Authentication",
    "CreateAuthChallenge_Authentication",
    "VerifyAuthChallengeResponse_Authentication",
    "DefineAuthChallenge_Authentication",
  ]);
  const defines = ctx.hook.of("DefineAuthChallenge_Authentication");
  assert.deepEqual(defines.map(rounds), [
    [],
    [["CUSTOM_CHALLENGE", false, "CODE-1"]],
    [
      ["CUSTOM_CHALLENGE", false, "CODE-1"],
      ["CUSTOM_CHALLENGE", true, "CODE-2"],
    ],
  ]);
  assert.deepEqual(
    ctx.hook.of("CreateAuthChallenge_Authentication").map(rounds),
    [[], [["CUSTOM_CHALLENGE", false, "CODE-1"]]],
    "Create sees the rounds before its own",
  );

  // Three wrong answers in a row: Define fails the sign-in.
  ctx.hook.clear();
  const other = new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
  other.setAuthenticationFlowType("CUSTOM_AUTH");
  assert.ok((await customStep((cbs) => other.initiateAuth(details, cbs))).challenge);
  for (let i = 1; i <= 2; i++) {
    const step = await customStep((cbs) => other.sendCustomChallengeAnswer(codes(mailbox, email).wrong, cbs));
    assert.ok(step.challenge, `wrong answer ${i}: asked again`);
  }
  await rejection(
    customStep((cbs) => other.sendCustomChallengeAnswer(codes(mailbox, email).wrong, cbs)),
    "NotAuthorizedException",
    INCORRECT,
  );
  const last = ctx.hook.of("DefineAuthChallenge_Authentication").at(-1);
  assert.deepEqual(rounds(last), [
    ["CUSTOM_CHALLENGE", false, "CODE-1"],
    ["CUSTOM_CHALLENGE", false, "CODE-2"],
    ["CUSTOM_CHALLENGE", false, "CODE-3"],
  ]);
  assert.equal(ctx.hook.sources().at(-1), "DefineAuthChallenge_Authentication", "no fourth challenge is created");
  assert.equal(ctx.hook.of("CreateAuthChallenge_Authentication").length, 3);
});

test("Amplify CUSTOM_WITHOUT_SRP: signIn -> CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE with the public parameters; a wrong code asks again, the right one is DONE", async (t) => {
  const ctx = await setup(t, CUSTOM_AUTH_TRIGGERS);
  configureAmplify(ctx);
  const mailbox = [];
  ctx.hook.handler = emailCodeFunctions(mailbox);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const rec = recordTargets();
  t.after(rec.restore);

  const started = await signIn({ username, options: { authFlowType: "CUSTOM_WITHOUT_SRP" } });
  assert.equal(started.isSignedIn, false);
  assert.equal(started.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", JSON.stringify(started));
  assert.deepEqual(started.nextStep.additionalInfo, { email: maskEmail(email), USERNAME: username });
  assert.equal(rec.calls[0].body.AuthFlow, "CUSTOM_AUTH");
  assert.deepEqual(rec.calls[0].body.AuthParameters, { USERNAME: username });

  const wrongCode = codes(mailbox, email).wrong;
  const wrong = await confirmSignIn({ challengeResponse: wrongCode });
  assert.equal(wrong.isSignedIn, false);
  assert.equal(wrong.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", JSON.stringify(wrong));
  assert.deepEqual(wrong.nextStep.additionalInfo, { email: maskEmail(email), USERNAME: username });

  const rightCode = codes(mailbox, email).right;
  const done = await confirmSignIn({ challengeResponse: rightCode });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: "DONE" } });
  const answers = rec.calls.filter((c) => c.target === "RespondToAuthChallenge");
  assert.deepEqual(answers.map((c) => [c.status, c.body.ChallengeName, c.body.ChallengeResponses.ANSWER]), [
    [200, "CUSTOM_CHALLENGE", wrongCode],
    [200, "CUSTOM_CHALLENGE", rightCode],
  ]);

  const tokens = (await fetchAuthSession()).tokens;
  assert.equal(tokens.idToken.payload["cognito:username"], username);
  assert.equal(tokens.idToken.payload.email, email);
  assert.equal(tokens.accessToken.payload.client_id, ctx.clientId);
  assert.equal((await getCurrentUser()).username, username);
  assert.deepEqual(rounds(ctx.hook.of("DefineAuthChallenge_Authentication").at(-1)), [
    ["CUSTOM_CHALLENGE", false, "CODE-1"],
    ["CUSTOM_CHALLENGE", true, "CODE-2"],
  ]);
  await signOut();
});

// ------------------------------------------------------------ UserMigration

/** emailCodeFunctions, with the password asked for by SRP first: Define
 * answers PASSWORD_VERIFIER after the SRP_A round, then the code. */
function passwordThenCodeFunctions(mailbox) {
  const code = emailCodeFunctions(mailbox);
  return (event) => {
    if (event.triggerSource === "DefineAuthChallenge_Authentication" && event.request.session.at(-1)?.challengeName === "SRP_A") {
      Object.assign(event.response, { challengeName: "PASSWORD_VERIFIER", issueTokens: false, failAuthentication: false });
      return event;
    }
    return code(event);
  };
}

const PASSWORD_THEN_CODE = [
  [["SRP_A", true, null]],
  [
    ["SRP_A", true, null],
    ["PASSWORD_VERIFIER", true, null],
  ],
  [
    ["SRP_A", true, null],
    ["PASSWORD_VERIFIER", true, null],
    ["CUSTOM_CHALLENGE", true, "CODE-3"],
  ],
];

test("amazon-cognito-identity-js authenticateUser with CUSTOM_AUTH: the password by SRP (PASSWORD_VERIFIER), then the emailed code", async (t) => {
  const ctx = await setup(t, CUSTOM_AUTH_TRIGGERS);
  const mailbox = [];
  ctx.hook.handler = passwordThenCodeFunctions(mailbox);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const pool = identityJsPool(ctx);
  const rec = recordTargets();
  t.after(rec.restore);

  const user = new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
  user.setAuthenticationFlowType("CUSTOM_AUTH");
  const details = new AuthenticationDetails({ Username: username, Password: PASSWORD });
  const asked = await customStep((cbs) => user.authenticateUser(details, cbs));
  assert.deepEqual(asked.challenge, { email: maskEmail(email), USERNAME: username });
  assert.deepEqual(
    rec.calls.map((c) => [c.target, c.status, c.body.AuthFlow ?? c.body.ChallengeName]),
    [
      ["InitiateAuth", 200, "CUSTOM_AUTH"],
      ["RespondToAuthChallenge", 200, "PASSWORD_VERIFIER"],
    ],
  );
  assert.ok(rec.calls[0].body.AuthParameters.SRP_A, "the library starts with SRP_A");
  const { session } = await customStep((cbs) => user.sendCustomChallengeAnswer(codes(mailbox, email).right, cbs));
  assert.equal(session.getIdToken().decodePayload()["cognito:username"], username);
  assert.deepEqual(ctx.hook.of("DefineAuthChallenge_Authentication").map(rounds), PASSWORD_THEN_CODE);

  // A wrong password ends it at PASSWORD_VERIFIER, before any code is sent.
  ctx.hook.clear();
  const other = new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
  other.setAuthenticationFlowType("CUSTOM_AUTH");
  await rejection(
    customStep((cbs) => other.authenticateUser(new AuthenticationDetails({ Username: username, Password: "Wr0ng-Passw0rd!" }), cbs)),
    "NotAuthorizedException",
    INCORRECT,
  );
  assert.deepEqual(ctx.hook.sources(), ["DefineAuthChallenge_Authentication"]);
});

test("Amplify CUSTOM_WITH_SRP: the password by SRP, then CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE; the code is DONE", async (t) => {
  const ctx = await setup(t, CUSTOM_AUTH_TRIGGERS);
  configureAmplify(ctx);
  const mailbox = [];
  ctx.hook.handler = passwordThenCodeFunctions(mailbox);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);

  const started = await signIn({ username, password: PASSWORD, options: { authFlowType: "CUSTOM_WITH_SRP" } });
  assert.equal(started.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", JSON.stringify(started));
  assert.deepEqual(started.nextStep.additionalInfo, { email: maskEmail(email), USERNAME: username });
  const done = await confirmSignIn({ challengeResponse: codes(mailbox, email).right });
  assert.equal(done.isSignedIn, true);
  assert.equal(done.nextStep.signInStep, "DONE");
  assert.equal((await getCurrentUser()).username, username);
  assert.deepEqual(ctx.hook.of("DefineAuthChallenge_Authentication").map(rounds), PASSWORD_THEN_CODE);
  await signOut();
});

test("Amplify USER_PASSWORD_AUTH migrates an unknown user through UserMigration; the next sign-in (SRP) needs no hook", async (t) => {
  const ctx = await setup(t, ["UserMigration"]);
  configureAmplify(ctx);
  const username = unique("legacy");
  const email = `${username}@legacy.example`;
  const legacyPassword = "Legacy-Passw0rd!";
  // An older identity store that knows this one user and their password.
  ctx.hook.handler = (event) => {
    if (event.userName !== username) throw new Error("User not found in the legacy directory");
    if (event.request.password !== legacyPassword) throw new Error("Bad password");
    Object.assign(event.response, {
      userAttributes: { email, email_verified: "true" },
      finalUserStatus: "CONFIRMED",
      messageAction: "SUPPRESS",
    });
    return event;
  };
  const rec = recordTargets();
  t.after(rec.restore);

  const out = await signIn({ username, password: legacyPassword, options: { authFlowType: "USER_PASSWORD_AUTH" } });
  assert.deepEqual(out, { isSignedIn: true, nextStep: { signInStep: "DONE" } });
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status, c.body.AuthFlow]), [["InitiateAuth", 200, "USER_PASSWORD_AUTH"]]);
  const request = assertEnvelope(ctx, ctx.hook.only("UserMigration_Authentication"), "UserMigration_Authentication", username);
  assert.equal(request.password, legacyPassword, "the typed password");
  assert.deepEqual(ctx.hook.sources(), ["UserMigration_Authentication"]);

  const id = (await fetchAuthSession()).tokens.idToken.payload;
  assert.equal(id["cognito:username"], username);
  assert.equal(id.email, email);
  assert.equal(id.email_verified, true);
  const user = await ctx.admin.send(new AdminGetUserCommand({ UserPoolId: ctx.poolId, Username: username }));
  assert.equal(user.UserStatus, "CONFIRMED");
  const attrs = Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value]));
  assert.equal(attrs.email, email);
  assert.equal(attrs.email_verified, "true");
  assert.match(attrs.sub, UUID_RE);
  assert.equal(id.sub, attrs.sub);
  assert.deepEqual(await outbox(ctx.url, { poolId: ctx.poolId }), [], "messageAction SUPPRESS: no welcome message");

  // Now a user of the pool: Amplify's default SRP sign-in with the same
  // password works, and the legacy store is not asked again.
  await signOut();
  ctx.hook.clear();
  rec.clear();
  const again = await signIn({ username, password: legacyPassword });
  assert.deepEqual(again, { isSignedIn: true, nextStep: { signInStep: "DONE" } });
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [["InitiateAuth", 200], ["RespondToAuthChallenge", 200]]);
  assert.equal(rec.calls[0].body.AuthFlow, "USER_SRP_AUTH");
  assert.deepEqual(ctx.hook.events, [], "no migration for a user the pool knows");
  assert.equal((await getCurrentUser()).username, username);
  await signOut();
});

// ------------------------------------------------------------ PreTokenGeneration

test("Amplify sees PreTokenGeneration's custom:tenant_id in the ID token, at sign-in and after a forced refresh (TokenGeneration_RefreshTokens)", async (t) => {
  const ctx = await setup(t, ["PreTokenGeneration"]);
  configureAmplify(ctx);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);
  ctx.hook.handler = (event) => {
    event.response.claimsOverrideDetails = { claimsToAddOrOverride: { "custom:tenant_id": "acme" } };
    return event;
  };
  const rec = recordTargets();
  t.after(rec.restore);

  assert.equal((await signIn({ username, password: PASSWORD })).isSignedIn, true);
  const request = assertEnvelope(ctx, ctx.hook.only("TokenGeneration_Authentication"), "TokenGeneration_Authentication", username);
  assert.equal(request.userAttributes.email, email);
  assert.deepEqual(request.groupConfiguration.groupsToOverride, []);
  const first = (await fetchAuthSession()).tokens;
  assert.equal(first.idToken.payload["custom:tenant_id"], "acme");
  assert.equal(first.idToken.payload["cognito:username"], username);
  assert.equal(first.accessToken.payload["custom:tenant_id"], undefined, "V1 customizes the ID token only");

  ctx.hook.clear();
  rec.clear();
  const refreshed = (await fetchAuthSession({ forceRefresh: true })).tokens;
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [["GetTokensFromRefreshToken", 200]]);
  assert.deepEqual(ctx.hook.sources(), ["TokenGeneration_RefreshTokens"], "no other trigger on a refresh");
  const refreshRequest = assertEnvelope(ctx, ctx.hook.only("TokenGeneration_RefreshTokens"), "TokenGeneration_RefreshTokens", username);
  assert.equal(refreshRequest.userAttributes.email, email);
  assert.notEqual(refreshed.idToken.toString(), first.idToken.toString(), "a new ID token");
  assert.equal(refreshed.idToken.payload["custom:tenant_id"], "acme");
  assert.equal(refreshed.idToken.payload["cognito:username"], username);
  await signOut();
});

// ------------------------------------------------------------ PreSignUp

test("amazon-cognito-identity-js signUp: PreSignUp auto-confirms and auto-verifies, userConfirmed is true, no code is sent, and the user signs in at once", async (t) => {
  const ctx = await setup(t, ["PreSignUp"]);
  ctx.hook.handler = (event) => {
    Object.assign(event.response, { autoConfirmUser: true, autoVerifyEmail: true });
    return event;
  };
  const pool = identityJsPool(ctx);
  const username = unique("sue");
  const email = `${username}@example.com`;

  const result = await new Promise((resolve, reject) =>
    pool.signUp(
      username,
      PASSWORD,
      [new CognitoUserAttribute({ Name: "email", Value: email })],
      [new CognitoUserAttribute({ Name: "invite", Value: "X-42" })],
      (err, res) => (err ? reject(err) : resolve(res)),
    ),
  );
  assert.equal(result.userConfirmed, true);
  assert.match(result.userSub, UUID_RE);
  assert.equal(result.codeDeliveryDetails, undefined, "nothing to confirm: no code");
  assert.equal(result.user.getUsername(), username);

  const request = assertEnvelope(ctx, ctx.hook.only("PreSignUp_SignUp"), "PreSignUp_SignUp", username);
  assert.deepEqual(request.userAttributes, { email });
  assert.deepEqual(request.validationData, { invite: "X-42" });

  const user = await ctx.admin.send(new AdminGetUserCommand({ UserPoolId: ctx.poolId, Username: username }));
  assert.equal(user.UserStatus, "CONFIRMED");
  assert.equal(user.UserAttributes.find((a) => a.Name === "email_verified")?.Value, "true");
  assert.deepEqual(await outbox(ctx.url, { poolId: ctx.poolId }), []);

  const session = await new Promise((resolve, reject) =>
    result.user.authenticateUser(new AuthenticationDetails({ Username: username, Password: PASSWORD }), {
      onSuccess: resolve,
      onFailure: reject,
    }),
  );
  assert.equal(session.getIdToken().decodePayload()["cognito:username"], username);
  assert.equal(session.getIdToken().decodePayload().email_verified, true);
});
