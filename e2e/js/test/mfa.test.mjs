// Multi-factor authentication with JavaScript clients against the real binary:
// Amplify v6 (setUpTOTP / verifyTOTPSetup / updateMFAPreference / MFA sign-in
// steps), amazon-cognito-identity-js (software tokens, totpRequired,
// mfaRequired) and @aws-sdk/client-cognito-identity-provider
// (AdminDeleteSoftwareToken, newer than botocore).
//
// The authenticator app is `totp()` from the harness (RFC 6238, HMAC-SHA1,
// 30 s, 6 digits). A TOTP step is taken once per user and the server accepts
// one step either side of its own, so a test that needs a second code uses the
// code of the step after the first one's instead of waiting for the clock.
//
// Amplify is a process-wide singleton; node:test runs the tests of a file one
// after the other, and each configures Amplify for its own server.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Amplify } from "aws-amplify";
import {
  confirmSignIn,
  fetchAuthSession,
  fetchMFAPreference,
  getCurrentUser,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";
import {
  AdminDeleteSoftwareTokenCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  PASSWORD,
  MemoryKeyValueStorage,
  MemoryStorage,
  adminClient,
  createClient,
  createConfirmedUser,
  createPool,
  decodeJwt,
  outbox,
  recordTargets,
  serverFor,
  totp,
  totpStep,
  unique,
  waitForCode,
} from "../harness.mjs";

const INVALID_CODE = "Invalid code or auth state for the user.";
const BASE32_SECRET_RE = /^[A-Z2-7]{32}$/;
const PHONE = "+15555550123";
const MASKED_PHONE = "+*******0123";
const SMS_CONFIGURATION = { SnsCallerArn: "arn:aws:iam::123456789012:role/tessera-sms", ExternalId: "tessera" };

// ------------------------------------------------------------ helpers

/** A private server, a pool whose MFA configuration is `mfa` (the members of
 * SetUserPoolMfaConfig), and an app client. */
async function setup(t, mfa) {
  const server = await serverFor(t);
  const admin = adminClient(server.url);
  const poolId = await createPool(admin);
  const configured = await admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, ...mfa }));
  assert.equal(configured.MfaConfiguration, mfa.MfaConfiguration);
  const { clientId } = await createClient(admin, poolId);
  return { server, url: server.url, admin, poolId, clientId };
}

/** Points Amplify at the pool, with a fresh token store. */
function configureAmplify(ctx) {
  Amplify.configure({
    Auth: {
      Cognito: { userPoolId: ctx.poolId, userPoolClientId: ctx.clientId, userPoolEndpoint: ctx.url },
    },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(new MemoryKeyValueStorage());
}

const TOTP_POOL = { MfaConfiguration: "OPTIONAL", SoftwareTokenMfaConfiguration: { Enabled: true } };

/** A six-digit code that is none of the authenticator's codes near now. */
function wrongCode(secret) {
  const now = totpStep();
  const near = new Set([-2, -1, 0, 1, 2, 3].map((d) => totp(secret, { step: now + d })));
  return ["000000", "123456", "999999", "424242"].find((c) => !near.has(c));
}

async function adminGetUser(ctx, username) {
  return ctx.admin.send(new AdminGetUserCommand({ UserPoolId: ctx.poolId, Username: username }));
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
  assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
  if (message !== undefined) assert.equal(err.message, message);
  return err;
}

/** Amplify's current session, checked to belong to `username` of this client. */
async function assertAmplifySignedIn(ctx, username) {
  const session = await fetchAuthSession();
  assert.ok(session.tokens?.accessToken && session.tokens?.idToken, "the session has tokens");
  const access = session.tokens.accessToken.payload;
  const id = session.tokens.idToken.payload;
  assert.equal(access.iss, `${ctx.url}/${ctx.poolId}`);
  assert.equal(access.client_id, ctx.clientId);
  assert.equal(access.username, username);
  assert.equal(access.token_use, "access");
  assert.equal(id["cognito:username"], username);
  assert.equal(id.aud, ctx.clientId);
  assert.equal((await getCurrentUser()).username, username);
  return session;
}

// ------------------------------------------------------------ the harness's authenticator

test("the harness's totp() gives RFC 6238's SHA-1 test values", () => {
  // RFC 6238 appendix B: the ASCII secret "12345678901234567890", 8 digits
  // there; an authenticator shows the last 6.
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  const vectors = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  for (const [seconds, expected] of vectors) {
    assert.equal(totp(secret, { atMs: seconds * 1000, digits: 8 }), expected, `T=${seconds}`);
    assert.equal(totp(secret, { atMs: seconds * 1000 }), expected.slice(2), `T=${seconds}, 6 digits`);
  }
  assert.equal(totpStep(59_999), 1);
  assert.equal(totp(secret, { step: 1 }), "287082");
});

// ------------------------------------------------------------ Amplify v6

test("Amplify: setUpTOTP -> verifyTOTPSetup -> updateMFAPreference(totp PREFERRED); signIn asks for the TOTP code, a wrong or replayed code is refused", async (t) => {
  const ctx = await setup(t, TOTP_POOL);
  configureAmplify(ctx);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const rec = recordTargets();
  t.after(rec.restore);

  // No factor yet: an OPTIONAL pool signs the user in with the password only.
  const first = await signIn({ username, password: PASSWORD });
  assert.equal(first.isSignedIn, true, JSON.stringify(first));
  assert.deepEqual(await fetchMFAPreference(), { preferred: undefined, enabled: undefined });

  rec.clear();
  const details = await setUpTOTP();
  assert.deepEqual(rec.targets(), ["AssociateSoftwareToken"]);
  assert.ok(rec.calls[0].body.AccessToken, "associated with the access token");
  const secret = details.sharedSecret;
  assert.match(secret, BASE32_SECRET_RE);
  assert.equal(new URL(details.getSetupUri("Tessera", username).href).searchParams.get("secret"), secret);

  // A wrong code does not register the token; the right one does.
  await rejection(
    verifyTOTPSetup({ code: wrongCode(secret) }),
    "EnableSoftwareTokenMFAException",
    "Code mismatch and fail enable Software Token MFA",
  );
  const enrolStep = totpStep();
  rec.clear();
  await verifyTOTPSetup({ code: totp(secret, { step: enrolStep }), options: { friendlyDeviceName: "amy-phone" } });
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [["VerifySoftwareToken", 200]]);
  assert.equal(rec.calls[0].body.FriendlyDeviceName, "amy-phone");
  // verified, but not on until the user turns it on
  assert.deepEqual(await fetchMFAPreference(), { preferred: undefined, enabled: undefined });

  rec.clear();
  await updateMFAPreference({ totp: "PREFERRED" });
  assert.deepEqual(rec.targets(), ["SetUserMFAPreference"]);
  assert.deepEqual(rec.calls[0].body.SoftwareTokenMfaSettings, { Enabled: true, PreferredMfa: true });
  assert.deepEqual(await fetchMFAPreference(), { preferred: "TOTP", enabled: ["TOTP"] });
  const user = await adminGetUser(ctx, username);
  assert.deepEqual(user.UserMFASettingList, ["SOFTWARE_TOKEN_MFA"]);
  assert.equal(user.PreferredMfaSetting, "SOFTWARE_TOKEN_MFA");
  await signOut();

  // -- sign in again: the password step is followed by the TOTP step
  rec.clear();
  const challenged = await signIn({ username, password: PASSWORD });
  assert.equal(challenged.isSignedIn, false);
  assert.deepEqual(challenged.nextStep, { signInStep: "CONFIRM_SIGN_IN_WITH_TOTP_CODE" });
  assert.deepEqual(rec.targets(), ["InitiateAuth", "RespondToAuthChallenge"]);
  assert.equal(rec.calls[1].body.ChallengeName, "PASSWORD_VERIFIER");
  await assert.rejects(getCurrentUser(), (err) => err.name === "UserUnAuthenticatedException");

  // A wrong code: refused, and the sign-in can still be completed.
  rec.clear();
  await rejection(confirmSignIn({ challengeResponse: wrongCode(secret) }), "CodeMismatchException", INVALID_CODE);
  // The code of the step after the one spent at enrolment (one step ahead
  // of the server at most: inside its window).
  const code = totp(secret, { step: enrolStep + 1 });
  const done = await confirmSignIn({ challengeResponse: code });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: "DONE" } });
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [
    ["RespondToAuthChallenge", 400],
    ["RespondToAuthChallenge", 200],
  ]);
  for (const call of rec.calls) {
    assert.equal(call.body.ChallengeName, "SOFTWARE_TOKEN_MFA");
    assert.equal(call.body.ChallengeResponses.USERNAME, username);
  }
  assert.equal(rec.calls[1].body.ChallengeResponses.SOFTWARE_TOKEN_MFA_CODE, code);
  assert.notEqual(rec.calls[0].body.Session, undefined, "the challenge's session is echoed");
  assert.equal(rec.calls[1].body.Session, rec.calls[0].body.Session, "a wrong code keeps the session usable");
  await assertAmplifySignedIn(ctx, username);
  await signOut();

  // The same code again, in a new sign-in: a TOTP step is taken once.
  const again = await signIn({ username, password: PASSWORD });
  assert.equal(again.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
  await rejection(confirmSignIn({ challengeResponse: code }), "CodeMismatchException", INVALID_CODE);
  await assert.rejects(getCurrentUser(), (err) => err.name === "UserUnAuthenticatedException");
});

test("Amplify: MFA required, nothing enrolled -> CONTINUE_SIGN_IN_WITH_TOTP_SETUP; the code completes the sign-in and enrols the app", async (t) => {
  const ctx = await setup(t, { MfaConfiguration: "ON", SoftwareTokenMfaConfiguration: { Enabled: true } });
  configureAmplify(ctx);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const rec = recordTargets();
  t.after(rec.restore);

  const setupStep = await signIn({ username, password: PASSWORD });
  assert.equal(setupStep.isSignedIn, false);
  assert.equal(setupStep.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_TOTP_SETUP", JSON.stringify(setupStep));
  // MFA_SETUP answered the password proof; Amplify associated a token with its Session
  assert.deepEqual(rec.targets(), ["InitiateAuth", "RespondToAuthChallenge", "AssociateSoftwareToken"]);
  assert.ok(rec.calls[2].body.Session, "AssociateSoftwareToken with the sign-in's Session");
  assert.equal(rec.calls[2].body.AccessToken, undefined);
  const secret = setupStep.nextStep.totpSetupDetails.sharedSecret;
  assert.match(secret, BASE32_SECRET_RE);
  // the URI an authenticator app scans, named after the sign-in's user
  assert.equal(
    setupStep.nextStep.totpSetupDetails.getSetupUri("Tessera").href,
    `otpauth://totp/Tessera:${username}?secret=${secret}&issuer=Tessera`,
  );
  assert.equal((await adminGetUser(ctx, username)).UserMFASettingList, undefined, "nothing enrolled yet");

  // A mistyped code is refused (VerifySoftwareToken's own error) and the
  // setup can be tried again in the same sign-in.
  rec.clear();
  await rejection(
    confirmSignIn({ challengeResponse: wrongCode(secret) }),
    "EnableSoftwareTokenMFAException",
    "Code mismatch and fail enable Software Token MFA",
  );
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [["VerifySoftwareToken", 400]]);

  rec.clear();
  const setupCodeStep = totpStep();
  const done = await confirmSignIn({
    challengeResponse: totp(secret, { step: setupCodeStep }),
    options: { friendlyDeviceName: "laptop" },
  });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: "DONE" } });
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [
    ["VerifySoftwareToken", 200],
    ["RespondToAuthChallenge", 200],
  ]);
  assert.equal(rec.calls[0].body.FriendlyDeviceName, "laptop");
  assert.equal(rec.calls[1].body.ChallengeName, "MFA_SETUP");
  assert.notEqual(rec.calls[1].body.Session, rec.calls[0].body.Session, "MFA_SETUP answered with VerifySoftwareToken's new Session");
  await assertAmplifySignedIn(ctx, username);

  // Set up during sign-in: the app is on and preferred.
  assert.deepEqual(await fetchMFAPreference(), { preferred: "TOTP", enabled: ["TOTP"] });
  const user = await adminGetUser(ctx, username);
  assert.deepEqual(user.UserMFASettingList, ["SOFTWARE_TOKEN_MFA"]);
  assert.equal(user.PreferredMfaSetting, "SOFTWARE_TOKEN_MFA");
  await signOut();

  // The next sign-in asks for a code of the enrolled app.
  const next = await signIn({ username, password: PASSWORD });
  assert.deepEqual(next.nextStep, { signInStep: "CONFIRM_SIGN_IN_WITH_TOTP_CODE" });
  const again = await confirmSignIn({ challengeResponse: totp(secret, { step: setupCodeStep + 1 }) });
  assert.equal(again.isSignedIn, true);
  await assertAmplifySignedIn(ctx, username);
});

test("Amplify: SMS MFA -> CONFIRM_SIGN_IN_WITH_SMS_CODE with codeDeliveryDetails; the texted code completes the sign-in", async (t) => {
  const ctx = await setup(t, {
    MfaConfiguration: "OPTIONAL",
    SmsMfaConfiguration: { SmsAuthenticationMessage: "Your Tessera sign-in code is {####}", SmsConfiguration: SMS_CONFIGURATION },
  });
  configureAmplify(ctx);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId, {
    attributes: [
      { Name: "phone_number", Value: PHONE },
      { Name: "phone_number_verified", Value: "true" },
    ],
  });
  await ctx.admin.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: ctx.poolId,
      Username: username,
      SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const user = await adminGetUser(ctx, username);
  assert.deepEqual(user.UserMFASettingList, ["SMS_MFA"]);
  assert.equal(user.PreferredMfaSetting, "SMS_MFA");

  const rec = recordTargets();
  t.after(rec.restore);
  const before = await outbox(ctx.url, { poolId: ctx.poolId, recipient: PHONE });
  const challenged = await signIn({ username, password: PASSWORD });
  assert.equal(challenged.isSignedIn, false);
  assert.deepEqual(challenged.nextStep, {
    signInStep: "CONFIRM_SIGN_IN_WITH_SMS_CODE",
    codeDeliveryDetails: { deliveryMedium: "SMS", destination: MASKED_PHONE },
  });
  assert.deepEqual(rec.targets(), ["InitiateAuth", "RespondToAuthChallenge"]);

  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: PHONE, since: before });
  const texts = await outbox(ctx.url, { poolId: ctx.poolId, recipient: PHONE });
  assert.equal(texts.length, before.length + 1, "one text per sign-in");
  const text = texts.at(-1);
  assert.equal(text.medium, "SMS");
  assert.equal(text.body, `Your Tessera sign-in code is ${code}`, "the pool's SmsAuthenticationMessage");

  rec.clear();
  await rejection(
    confirmSignIn({ challengeResponse: code === "000000" ? "111111" : "000000" }),
    "CodeMismatchException",
    INVALID_CODE,
  );
  const done = await confirmSignIn({ challengeResponse: code });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: "DONE" } });
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [
    ["RespondToAuthChallenge", 400],
    ["RespondToAuthChallenge", 200],
  ]);
  assert.equal(rec.calls[1].body.ChallengeName, "SMS_MFA");
  assert.equal(rec.calls[1].body.ChallengeResponses.SMS_MFA_CODE, code);
  const session = await assertAmplifySignedIn(ctx, username);
  assert.equal(session.tokens.idToken.payload.phone_number, PHONE);
  assert.equal(session.tokens.idToken.payload.phone_number_verified, true);
  assert.deepEqual(await fetchMFAPreference(), { preferred: "SMS", enabled: ["SMS"] });
});

test("Amplify: email MFA -> CONFIRM_SIGN_IN_WITH_EMAIL_CODE; the emailed code completes the sign-in", async (t) => {
  const ctx = await setup(t, {
    MfaConfiguration: "OPTIONAL",
    EmailMfaConfiguration: { Message: "Your Tessera sign-in code is {####}", Subject: "Tessera sign-in" },
  });
  configureAmplify(ctx);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId);
  await ctx.admin.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: ctx.poolId,
      Username: username,
      EmailMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );

  const rec = recordTargets();
  t.after(rec.restore);
  const before = await outbox(ctx.url, { poolId: ctx.poolId, recipient: email });
  const challenged = await signIn({ username, password: PASSWORD });
  assert.equal(challenged.isSignedIn, false);
  assert.deepEqual(challenged.nextStep, {
    signInStep: "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
    codeDeliveryDetails: { deliveryMedium: "EMAIL", destination: `${username[0]}***@e***` },
  });
  assert.deepEqual(rec.targets(), ["InitiateAuth", "RespondToAuthChallenge"]);

  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: email, since: before });
  const mail = (await outbox(ctx.url, { poolId: ctx.poolId, recipient: email })).at(-1);
  assert.equal(mail.medium, "EMAIL");
  assert.equal(mail.subject, "Tessera sign-in");
  assert.equal(mail.body, `Your Tessera sign-in code is ${code}`);

  rec.clear();
  const done = await confirmSignIn({ challengeResponse: code });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: "DONE" } });
  assert.deepEqual(rec.targets(), ["RespondToAuthChallenge"]);
  assert.equal(rec.calls[0].body.ChallengeName, "EMAIL_OTP");
  assert.equal(rec.calls[0].body.ChallengeResponses.EMAIL_OTP_CODE, code);
  const session = await assertAmplifySignedIn(ctx, username);
  assert.equal(session.tokens.idToken.payload.email, email);
  assert.deepEqual(await fetchMFAPreference(), { preferred: "EMAIL", enabled: ["EMAIL"] });
  await signOut();

  // An email code is good for one sign-in.
  const again = await signIn({ username, password: PASSWORD });
  assert.equal(again.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
  await rejection(confirmSignIn({ challengeResponse: code }), "CodeMismatchException", INVALID_CODE);
});

test("Amplify: several factors on, none preferred -> CONTINUE_SIGN_IN_WITH_MFA_SELECTION; TOTP, EMAIL and SMS each lead to their code step", async (t) => {
  const ctx = await setup(t, {
    MfaConfiguration: "OPTIONAL",
    SoftwareTokenMfaConfiguration: { Enabled: true },
    SmsMfaConfiguration: { SmsAuthenticationMessage: "SMS code {####}", SmsConfiguration: SMS_CONFIGURATION },
    EmailMfaConfiguration: { Message: "Email code {####}", Subject: "Sign-in code" },
  });
  configureAmplify(ctx);
  const { username, email } = await createConfirmedUser(ctx.admin, ctx.poolId, {
    attributes: [
      { Name: "phone_number", Value: PHONE },
      { Name: "phone_number_verified", Value: "true" },
    ],
  });

  // The user enrols an app and turns all three factors on, preferring none.
  assert.equal((await signIn({ username, password: PASSWORD })).isSignedIn, true);
  const { sharedSecret: secret } = await setUpTOTP();
  const enrolStep = totpStep();
  await verifyTOTPSetup({ code: totp(secret, { step: enrolStep }) });
  await updateMFAPreference({ totp: "NOT_PREFERRED", sms: "NOT_PREFERRED", email: "NOT_PREFERRED" });
  const preference = await fetchMFAPreference();
  assert.equal(preference.preferred, undefined);
  assert.deepEqual([...preference.enabled].sort(), ["EMAIL", "SMS", "TOTP"]);
  const user = await adminGetUser(ctx, username);
  assert.deepEqual([...user.UserMFASettingList].sort(), ["EMAIL_OTP", "SMS_MFA", "SOFTWARE_TOKEN_MFA"]);
  assert.equal(user.PreferredMfaSetting, undefined);
  await signOut();

  const rec = recordTargets();
  t.after(rec.restore);
  const sent = async () =>
    (await outbox(ctx.url, { poolId: ctx.poolId, recipient: email })).length +
    (await outbox(ctx.url, { poolId: ctx.poolId, recipient: PHONE })).length;

  /** Signs in up to the selection and answers it with `choice`. */
  async function choose(choice) {
    rec.clear();
    const sentBefore = await sent();
    const select = await signIn({ username, password: PASSWORD });
    assert.equal(select.isSignedIn, false);
    assert.equal(select.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_MFA_SELECTION", JSON.stringify(select));
    assert.deepEqual([...select.nextStep.allowedMFATypes].sort(), ["EMAIL", "SMS", "TOTP"]);
    assert.equal(await sent(), sentBefore, "no code is sent before the user chooses");
    const chosen = await confirmSignIn({ challengeResponse: choice });
    assert.equal(chosen.isSignedIn, false);
    const answer = rec.calls.at(-1);
    assert.equal(answer.target, "RespondToAuthChallenge");
    assert.equal(answer.body.ChallengeName, "SELECT_MFA_TYPE");
    assert.equal(answer.body.ChallengeResponses.ANSWER, { TOTP: "SOFTWARE_TOKEN_MFA", EMAIL: "EMAIL_OTP", SMS: "SMS_MFA" }[choice]);
    return { chosen, sentBefore };
  }

  // -- TOTP
  {
    const { chosen, sentBefore } = await choose("TOTP");
    assert.deepEqual(chosen.nextStep, { signInStep: "CONFIRM_SIGN_IN_WITH_TOTP_CODE" });
    assert.equal(await sent(), sentBefore, "choosing the app sends nothing");
    const done = await confirmSignIn({ challengeResponse: totp(secret, { step: enrolStep + 1 }) });
    assert.equal(done.isSignedIn, true);
    assert.equal(rec.calls.at(-1).body.ChallengeName, "SOFTWARE_TOKEN_MFA");
    await assertAmplifySignedIn(ctx, username);
    await signOut();
  }
  // -- EMAIL
  {
    const before = await outbox(ctx.url, { poolId: ctx.poolId, recipient: email });
    const { chosen } = await choose("EMAIL");
    assert.deepEqual(chosen.nextStep, {
      signInStep: "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
      codeDeliveryDetails: { deliveryMedium: "EMAIL", destination: `${username[0]}***@e***` },
    });
    const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: email, since: before });
    assert.equal((await confirmSignIn({ challengeResponse: code })).isSignedIn, true);
    assert.equal(rec.calls.at(-1).body.ChallengeName, "EMAIL_OTP");
    await assertAmplifySignedIn(ctx, username);
    await signOut();
  }
  // -- SMS
  {
    const before = await outbox(ctx.url, { poolId: ctx.poolId, recipient: PHONE });
    const { chosen } = await choose("SMS");
    assert.deepEqual(chosen.nextStep, {
      signInStep: "CONFIRM_SIGN_IN_WITH_SMS_CODE",
      codeDeliveryDetails: { deliveryMedium: "SMS", destination: MASKED_PHONE },
    });
    const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: PHONE, since: before });
    assert.equal((await confirmSignIn({ challengeResponse: code })).isSignedIn, true);
    assert.equal(rec.calls.at(-1).body.ChallengeName, "SMS_MFA");
    await assertAmplifySignedIn(ctx, username);
  }
});

// ------------------------------------------------------------ amazon-cognito-identity-js

function jsPool(ctx) {
  return new CognitoUserPool({ UserPoolId: ctx.poolId, ClientId: ctx.clientId, endpoint: ctx.url, Storage: new MemoryStorage() });
}

function jsUser(pool, username) {
  return new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
}

/** authenticateUser as a promise of the callback it ended in: {session},
 * {totpRequired: [name, params]} or {mfaRequired: [name, params]}. */
function authenticate(user, username, password = PASSWORD) {
  return new Promise((resolve, reject) => {
    const unexpected = (name) => (...args) => reject(new Error(`unexpected callback ${name}: ${JSON.stringify(args)}`));
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolve({ session }),
      onFailure: reject,
      totpRequired: (...args) => resolve({ totpRequired: args }),
      mfaRequired: (...args) => resolve({ mfaRequired: args }),
      newPasswordRequired: unexpected("newPasswordRequired"),
      selectMFAType: unexpected("selectMFAType"),
      mfaSetup: unexpected("mfaSetup"),
      customChallenge: unexpected("customChallenge"),
    });
  });
}

/** sendMFACode as a promise of its session. */
function sendMFACode(user, code, mfaType) {
  return new Promise((resolve, reject) => user.sendMFACode(code, { onSuccess: resolve, onFailure: reject }, mfaType));
}

/** Node-style callback API -> promise. */
function cb(fn) {
  return new Promise((resolve, reject) => fn((err, data) => (err ? reject(err) : resolve(data))));
}

async function jsRejection(promise, code, message) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${code}, but the call succeeded`);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  if (message !== undefined) assert.equal(err.message, message);
  return err;
}

function assertJsSession(ctx, session, username) {
  assert.equal(session.isValid(), true);
  const id = session.getIdToken().payload;
  const access = session.getAccessToken().payload;
  assert.equal(id["cognito:username"], username);
  assert.equal(id.iss, `${ctx.url}/${ctx.poolId}`);
  assert.equal(access.username, username);
  assert.equal(access.client_id, ctx.clientId);
  assert.ok(session.getRefreshToken().getToken(), "a refresh token");
}

test("amazon-cognito-identity-js: associateSoftwareToken / verifySoftwareToken / setUserMfaPreference, then totpRequired and sendMFACode(SOFTWARE_TOKEN_MFA)", async (t) => {
  const ctx = await setup(t, TOTP_POOL);
  const pool = jsPool(ctx);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);
  const signedIn = jsUser(pool, username);
  const { session } = await authenticate(signedIn, username);
  assert.ok(session, "no factor yet: signed in with the password");

  const rec = recordTargets();
  t.after(rec.restore);
  const secret = await new Promise((resolve, reject) =>
    signedIn.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
  );
  assert.match(secret, BASE32_SECRET_RE);
  await jsRejection(
    new Promise((resolve, reject) =>
      signedIn.verifySoftwareToken(wrongCode(secret), "js-phone", { onSuccess: resolve, onFailure: reject }),
    ),
    "EnableSoftwareTokenMFAException",
    "Code mismatch and fail enable Software Token MFA",
  );
  const enrolStep = totpStep();
  const verified = await new Promise((resolve, reject) =>
    signedIn.verifySoftwareToken(totp(secret, { step: enrolStep }), "js-phone", { onSuccess: resolve, onFailure: reject }),
  );
  assert.equal(verified.Status, "SUCCESS");
  assert.equal(await cb((done) => signedIn.setUserMfaPreference(null, { Enabled: true, PreferredMfa: true }, done)), "SUCCESS");
  assert.deepEqual(rec.targets(), ["AssociateSoftwareToken", "VerifySoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference"]);
  for (const call of rec.calls) assert.ok(call.body.AccessToken, `${call.target} with the access token`);
  const data = await cb((done) => signedIn.getUserData(done, { bypassCache: true }));
  assert.deepEqual(data.UserMFASettingList, ["SOFTWARE_TOKEN_MFA"]);
  assert.equal(data.PreferredMfaSetting, "SOFTWARE_TOKEN_MFA");

  // -- a new sign-in: SRP, then the TOTP challenge
  rec.clear();
  const user = jsUser(pool, username);
  const challenged = await authenticate(user, username);
  assert.ok(challenged.totpRequired, `expected totpRequired, got ${Object.keys(challenged)}`);
  const [challengeName, challengeParameters] = challenged.totpRequired;
  assert.equal(challengeName, "SOFTWARE_TOKEN_MFA");
  assert.equal(challengeParameters.FRIENDLY_DEVICE_NAME, "js-phone");
  assert.deepEqual(rec.targets(), ["InitiateAuth", "RespondToAuthChallenge"]);

  rec.clear();
  await jsRejection(sendMFACode(user, wrongCode(secret), "SOFTWARE_TOKEN_MFA"), "CodeMismatchException", INVALID_CODE);
  const code = totp(secret, { step: enrolStep + 1 });
  const mfaSession = await sendMFACode(user, code, "SOFTWARE_TOKEN_MFA");
  assertJsSession(ctx, mfaSession, username);
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [
    ["RespondToAuthChallenge", 400],
    ["RespondToAuthChallenge", 200],
  ]);
  assert.equal(rec.calls[1].body.ChallengeName, "SOFTWARE_TOKEN_MFA");
  assert.equal(rec.calls[1].body.ChallengeResponses.SOFTWARE_TOKEN_MFA_CODE, code);
  assert.equal(user.getSignInUserSession().getAccessToken().getJwtToken(), mfaSession.getAccessToken().getJwtToken());
  const me = await cb((done) => user.getUserData(done, { bypassCache: true }));
  assert.equal(me.Username, username);
});

test("amazon-cognito-identity-js: SMS MFA turned on with enableMFA -> mfaRequired, sendMFACode (default SMS_MFA) with the texted code", async (t) => {
  const ctx = await setup(t, {
    MfaConfiguration: "OPTIONAL",
    SmsMfaConfiguration: { SmsAuthenticationMessage: "Code {####}", SmsConfiguration: SMS_CONFIGURATION },
  });
  const pool = jsPool(ctx);
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId, {
    attributes: [
      { Name: "phone_number", Value: PHONE },
      { Name: "phone_number_verified", Value: "true" },
    ],
  });
  const signedIn = jsUser(pool, username);
  assert.ok((await authenticate(signedIn, username)).session);
  // the library's legacy switch: SetUserSettings with an SMS MFAOptions entry
  const rec = recordTargets();
  t.after(rec.restore);
  assert.equal(await cb((done) => signedIn.enableMFA(done)), "SUCCESS");
  assert.deepEqual(rec.targets(), ["SetUserSettings"]);
  assert.deepEqual(rec.calls[0].body.MFAOptions, [{ DeliveryMedium: "SMS", AttributeName: "phone_number" }]);
  assert.deepEqual((await adminGetUser(ctx, username)).UserMFASettingList, ["SMS_MFA"]);

  rec.clear();
  const before = await outbox(ctx.url, { poolId: ctx.poolId, recipient: PHONE });
  const user = jsUser(pool, username);
  const challenged = await authenticate(user, username);
  assert.ok(challenged.mfaRequired, `expected mfaRequired, got ${Object.keys(challenged)}`);
  const [challengeName, challengeParameters] = challenged.mfaRequired;
  assert.equal(challengeName, "SMS_MFA");
  assert.equal(challengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, "SMS");
  assert.equal(challengeParameters.CODE_DELIVERY_DESTINATION, MASKED_PHONE);
  assert.deepEqual(rec.targets(), ["InitiateAuth", "RespondToAuthChallenge"]);
  const code = await waitForCode(ctx.url, { poolId: ctx.poolId, recipient: PHONE, since: before });

  rec.clear();
  await jsRejection(sendMFACode(user, code === "000000" ? "111111" : "000000"), "CodeMismatchException", INVALID_CODE);
  const session = await sendMFACode(user, code);
  assertJsSession(ctx, session, username);
  assert.equal(session.getIdToken().payload.phone_number, PHONE);
  assert.deepEqual(rec.calls.map((c) => [c.target, c.status]), [
    ["RespondToAuthChallenge", 400],
    ["RespondToAuthChallenge", 200],
  ]);
  assert.equal(rec.calls[1].body.ChallengeName, "SMS_MFA");
  assert.equal(rec.calls[1].body.ChallengeResponses.SMS_MFA_CODE, code);
});

// ------------------------------------------------------------ @aws-sdk/client-cognito-identity-provider

/** USER_PASSWORD_AUTH through the SDK. */
async function sdkInitiate(ctx, username) {
  return ctx.admin.send(
    new InitiateAuthCommand({
      ClientId: ctx.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );
}

test("SDK: AdminDeleteSoftwareToken removes the user's authenticator: no SOFTWARE_TOKEN_MFA listed, no TOTP step at sign-in; other factors stay", async (t) => {
  const ctx = await setup(t, {
    MfaConfiguration: "OPTIONAL",
    SoftwareTokenMfaConfiguration: { Enabled: true },
    EmailMfaConfiguration: { Message: "Email code {####}", Subject: "Sign-in code" },
  });
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);

  // -- enrol an authenticator app with the SDK's user operations
  const token = (await sdkInitiate(ctx, username)).AuthenticationResult.AccessToken;
  const { SecretCode: secret } = await ctx.admin.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
  assert.match(secret, BASE32_SECRET_RE);
  const enrolStep = totpStep();
  const verified = await ctx.admin.send(
    new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(secret, { step: enrolStep }), FriendlyDeviceName: "old-phone" }),
  );
  assert.equal(verified.Status, "SUCCESS");
  await ctx.admin.send(
    new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
  );
  let user = await adminGetUser(ctx, username);
  assert.deepEqual(user.UserMFASettingList, ["SOFTWARE_TOKEN_MFA"]);
  assert.equal(user.PreferredMfaSetting, "SOFTWARE_TOKEN_MFA");
  const challenged = await sdkInitiate(ctx, username);
  assert.equal(challenged.ChallengeName, "SOFTWARE_TOKEN_MFA");
  assert.equal(challenged.ChallengeParameters.FRIENDLY_DEVICE_NAME, "old-phone");

  // -- the phone is lost: the admin deletes the token
  const deleted = await ctx.admin.send(new AdminDeleteSoftwareTokenCommand({ UserPoolId: ctx.poolId, Username: username }));
  assert.equal(deleted.$metadata.httpStatusCode, 200);
  user = await adminGetUser(ctx, username);
  assert.equal(user.UserMFASettingList, undefined, JSON.stringify(user.UserMFASettingList));
  assert.equal(user.PreferredMfaSetting, undefined);
  const me = await ctx.admin.send(new GetUserCommand({ AccessToken: token }));
  assert.equal(me.UserMFASettingList, undefined);
  assert.equal(me.Username, username);

  // The sign-in asks for no TOTP code now (MFA is optional and nothing else is on) ...
  const signedIn = await sdkInitiate(ctx, username);
  assert.equal(signedIn.ChallengeName, undefined, JSON.stringify(signedIn.ChallengeParameters));
  assert.ok(signedIn.AuthenticationResult.AccessToken);
  // ... the session waiting for a code of the deleted token cannot be finished with one ...
  await rejection(
    ctx.admin.send(
      new RespondToAuthChallengeCommand({
        ClientId: ctx.clientId,
        ChallengeName: "SOFTWARE_TOKEN_MFA",
        Session: challenged.Session,
        ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: totp(secret, { step: enrolStep + 1 }) },
      }),
    ),
    "SoftwareTokenMFANotFoundException",
    "Software Token MFA does not exist for the user.",
  );
  // ... and TOTP cannot be turned on again without a new token.
  await rejection(
    ctx.admin.send(new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true } })),
    "InvalidParameterException",
    "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
  );

  // A new authenticator can be registered; the old secret is gone. (Its code
  // is taken from the step after the old token's last one: the test below
  // takes a code of the same step.)
  const { SecretCode: newSecret } = await ctx.admin.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
  assert.notEqual(newSecret, secret);
  const reverified = await ctx.admin.send(
    new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(newSecret, { step: enrolStep + 1 }) }),
  );
  assert.equal(reverified.Status, "SUCCESS");

  // -- a user with no token (email MFA only): the call answers {} and changes nothing
  const other = await createConfirmedUser(ctx.admin, ctx.poolId);
  await ctx.admin.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: ctx.poolId,
      Username: other.username,
      EmailMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const noToken = await ctx.admin.send(new AdminDeleteSoftwareTokenCommand({ UserPoolId: ctx.poolId, Username: other.username }));
  assert.equal(noToken.$metadata.httpStatusCode, 200);
  const { $metadata: _m, ...rest } = noToken;
  assert.deepEqual(rest, {});
  const otherUser = await adminGetUser(ctx, other.username);
  assert.deepEqual(otherUser.UserMFASettingList, ["EMAIL_OTP"]);
  assert.equal(otherUser.PreferredMfaSetting, "EMAIL_OTP");
  assert.equal((await sdkInitiate(ctx, other.username)).ChallengeName, "EMAIL_OTP");

  // -- an unknown user
  await rejection(
    ctx.admin.send(new AdminDeleteSoftwareTokenCommand({ UserPoolId: ctx.poolId, Username: unique("nobody") })),
    "UserNotFoundException",
    "User does not exist.",
  );
});

test("SDK: in a pool that requires MFA, AdminDeleteSoftwareToken sends the user back to MFA_SETUP", async (t) => {
  const ctx = await setup(t, { MfaConfiguration: "ON", SoftwareTokenMfaConfiguration: { Enabled: true } });
  const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);

  // enrolled during sign-in (MFA_SETUP), with the SDK
  const setupChallenge = await sdkInitiate(ctx, username);
  assert.equal(setupChallenge.ChallengeName, "MFA_SETUP");
  assert.deepEqual(JSON.parse(setupChallenge.ChallengeParameters.MFAS_CAN_SETUP), ["SOFTWARE_TOKEN_MFA"]);
  const associated = await ctx.admin.send(new AssociateSoftwareTokenCommand({ Session: setupChallenge.Session }));
  assert.ok(associated.Session);
  const verified = await ctx.admin.send(
    new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: totp(associated.SecretCode) }),
  );
  assert.equal(verified.Status, "SUCCESS");
  const done = await ctx.admin.send(
    new RespondToAuthChallengeCommand({
      ClientId: ctx.clientId,
      ChallengeName: "MFA_SETUP",
      Session: verified.Session,
      ChallengeResponses: { USERNAME: username },
    }),
  );
  assert.equal(decodeJwt(done.AuthenticationResult.AccessToken).payload.username, username);
  assert.equal((await sdkInitiate(ctx, username)).ChallengeName, "SOFTWARE_TOKEN_MFA");

  await ctx.admin.send(new AdminDeleteSoftwareTokenCommand({ UserPoolId: ctx.poolId, Username: username }));
  assert.equal((await adminGetUser(ctx, username)).UserMFASettingList, undefined);
  const again = await sdkInitiate(ctx, username);
  assert.equal(again.ChallengeName, "MFA_SETUP", "no TOTP step: the user must set up a factor again");
  assert.deepEqual(JSON.parse(again.ChallengeParameters.MFAS_CAN_SETUP), ["SOFTWARE_TOKEN_MFA"]);
  assert.equal(again.AuthenticationResult, undefined);
});

test(
  "SDK: an authenticator registered after AdminDeleteSoftwareToken takes its current code at once",
  async (t) => {
    const ctx = await setup(t, TOTP_POOL);
    const { username } = await createConfirmedUser(ctx.admin, ctx.poolId);
    const token = (await sdkInitiate(ctx, username)).AuthenticationResult.AccessToken;
    const { SecretCode: oldSecret } = await ctx.admin.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
    const step = totpStep();
    const first = await ctx.admin.send(
      new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(oldSecret, { step }) }),
    );
    assert.equal(first.Status, "SUCCESS");
    await ctx.admin.send(new AdminDeleteSoftwareTokenCommand({ UserPoolId: ctx.poolId, Username: username }));

    // The user sets up a new phone right away: a new secret, and the code
    // its app shows now. Replay protection is about one authenticator's
    // codes (RFC 6238 section 5.2); this code was never given before.
    const { SecretCode: newSecret } = await ctx.admin.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
    assert.notEqual(newSecret, oldSecret);
    const code = totp(newSecret, { step });
    assert.notEqual(code, totp(oldSecret, { step }));
    const second = await ctx.admin.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: code }));
    assert.equal(second.Status, "SUCCESS");
  },
);
