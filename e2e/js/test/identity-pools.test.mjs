// Identity pools (Cognito's cognito-identity, `AWSCognitoIdentityService.*`)
// with Amplify v6 (aws-amplify) in Node against the real binary, and the AWS
// credentials it hands out used with the AWS SDK against a real STS-compatible
// server that checks them.
//
// What is proved
//   - A pool that allows guests: before sign-in Amplify's fetchAuthSession()
//     gets a guest identity (GetId without Logins) and guest credentials
//     (GetCredentialsForIdentity); after an SRP sign-in it gets authenticated
//     credentials for the same identity (Amplify sends the guest identity's id
//     with Logins = {"<iss without scheme>": idToken}; Tessera links the login
//     to it), also after a forced refresh; DescribeIdentity lists the login
//     under the provider's Cognito name; after signOut a new guest identity.
//   - A pool that does not allow guests: before sign-in there is no identity
//     and no credentials; after sign-in there are, for the Auth role.
//
// How
//   - moto's server (`python -m moto.server`, Python from $TESSERA_PYTHON,
//     else `python3`) is the STS endpoint, one per test. Tessera is started
//     with TESSERA_IDENTITY_CREDENTIALS=sts and TESSERA_IDENTITY_STS_ENDPOINT
//     pointing at it: it answers GetCredentialsForIdentity with
//     AssumeRoleWithWebIdentity (its own OpenID token, the pool's role).
//   - The credentials Amplify returns are used with @aws-sdk/client-sts's
//     GetCallerIdentity against moto: moto answers with the assumed role of
//     keys it issued (`arn:aws:sts::123456789012:assumed-role/<Role>/
//     CognitoIdentityCredentials`), and with its default user for any other.
//   - Identity pools are made with @aws-sdk/client-cognito-identity
//     (`endpoint: url`, dummy credentials); Amplify is pointed at Tessera with
//     `Auth.Cognito.userPoolEndpoint` and `identityPoolEndpoint`. Each test gives
//     Amplify a credentials provider and key-value storage of its own, so no
//     identity id or cached credentials of an earlier test remain.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn, signOut } from "aws-amplify/auth";
import {
  CognitoAWSCredentialsAndIdentityIdProvider,
  DefaultIdentityIdStore,
  cognitoUserPoolsTokenProvider,
} from "aws-amplify/auth/cognito";
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  DescribeIdentityCommand,
  GetIdCommand,
  SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  REGION,
  MemoryKeyValueStorage,
  adminClient,
  createClient,
  createConfirmedUser,
  createPool,
  recordTargets,
  serverFor,
  unique,
} from "../harness.mjs";

const ACCOUNT = "123456789012";
const AUTH_ROLE = `arn:aws:iam::${ACCOUNT}:role/Auth`;
const GUEST_ROLE = `arn:aws:iam::${ACCOUNT}:role/Guest`;
const assumedRole = (name) => `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/CognitoIdentityCredentials`;
const IDENTITY_ID_RE = /^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MOTO_START_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------- moto

async function freePort() {
  const srv = createServer();
  await new Promise((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", resolve);
  });
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** moto's server on a free loopback port for test `t`, stopped when `t`
 * ends. Fails (never skips) if it cannot be started. */
async function motoFor(t) {
  const python = process.env.TESSERA_PYTHON || "python3";
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.setEncoding("utf8").on("data", collect);
  child.stderr.setEncoding("utf8").on("data", collect);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve((exited = { code, signal })));
    child.once("error", (err) => resolve((exited = { error: err })));
  });
  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(killer);
    }
  };
  t.after(stop);

  const hint =
    `moto's server could not be started with ${JSON.stringify(python)} -m moto.server: ` +
    "set TESSERA_PYTHON to a Python with moto==5.2.5 and Flask " +
    "(pip install moto==5.2.5 Flask==3.1.3 flask-cors==6.0.5)";
  const deadline = Date.now() + MOTO_START_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      const how = exited.error ? exited.error.message : `code ${exited.code}, signal ${exited.signal}`;
      throw new Error(`${hint}\nit exited (${how})\n${output}`);
    }
    try {
      const resp = await fetch(`${url}/moto-api/`);
      if (resp.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${hint}\nit did not answer on ${url} within ${MOTO_START_TIMEOUT_MS} ms\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, logs: () => output };
}

/** The ARN STS (moto) says `credentials` (as Amplify returns them) belong to. */
async function callerArn(motoUrl, credentials) {
  const sts = new STSClient({
    endpoint: motoUrl,
    region: REGION,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
    maxAttempts: 1,
  });
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, ACCOUNT);
    return out.Arn;
  } finally {
    sts.destroy();
  }
}

// ---------------------------------------------------------------- set-up

function identityClient(url) {
  return new CognitoIdentityClient({
    endpoint: url,
    region: REGION,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

/** moto, a Tessera whose identity pools get credentials from it, a user pool
 * with a client and a confirmed user, an identity pool trusting that client
 * (guests allowed or not) with the Guest and Auth roles, and Amplify
 * configured for all of it. */
async function setup(t, { allowGuests }) {
  const moto = await motoFor(t);
  const server = await serverFor(t, {
    env: { TESSERA_IDENTITY_CREDENTIALS: "sts", TESSERA_IDENTITY_STS_ENDPOINT: moto.url },
  });
  const admin = adminClient(server.url);
  const poolId = await createPool(admin);
  const { clientId } = await createClient(admin, poolId);
  const user = await createConfirmedUser(admin, poolId);
  const provider = `cognito-idp.${REGION}.amazonaws.com/${poolId}`;

  const identity = identityClient(server.url);
  t.after(() => identity.destroy());
  const created = await identity.send(
    new CreateIdentityPoolCommand({
      IdentityPoolName: unique("js_identities").replace("-", "_"),
      AllowUnauthenticatedIdentities: allowGuests,
      CognitoIdentityProviders: [{ ProviderName: provider, ClientId: clientId }],
    }),
  );
  const identityPoolId = created.IdentityPoolId;
  assert.match(identityPoolId, IDENTITY_ID_RE);
  assert.equal(created.AllowUnauthenticatedIdentities, allowGuests);
  await identity.send(
    new SetIdentityPoolRolesCommand({
      IdentityPoolId: identityPoolId,
      Roles: { authenticated: AUTH_ROLE, unauthenticated: GUEST_ROLE },
    }),
  );

  const storage = new MemoryKeyValueStorage();
  const config = {
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: server.url,
        identityPoolId,
        identityPoolEndpoint: server.url,
        // the app asks for guest credentials; whether it gets them is the pool's say
        allowGuestAccess: true,
      },
    },
  };
  // a credentials provider of this test's own: the default one is a
  // process-wide singleton caching the identity id and credentials in memory
  const credentialsProvider = new CognitoAWSCredentialsAndIdentityIdProvider(new DefaultIdentityIdStore(storage));
  Amplify.configure(config, { Auth: { tokenProvider: cognitoUserPoolsTokenProvider, credentialsProvider } });
  // with libraryOptions.Auth given, configure leaves the token provider alone
  cognitoUserPoolsTokenProvider.setAuthConfig(config.Auth);
  cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);

  const rec = recordTargets();
  t.after(rec.restore);
  return { moto, server, url: server.url, admin, poolId, clientId, user, provider, identity, identityPoolId, rec };
}

/** The identity-pool calls (GetId, GetCredentialsForIdentity) recorded so far. */
function identityRequests(rec) {
  return rec.calls.filter((c) => ["GetId", "GetCredentialsForIdentity"].includes(c.target));
}

/** The same, as [operation, status]. */
function identityCalls(rec) {
  return identityRequests(rec).map((c) => [c.target, c.status]);
}

function assertStsCredentials(credentials) {
  assert.ok(credentials, "the session has credentials");
  assert.match(credentials.accessKeyId, /^ASIA[A-Z0-9]{16}$/, "temporary credentials issued by STS");
  assert.ok(credentials.secretAccessKey, "a secret key");
  assert.ok(credentials.sessionToken, "a session token");
  assert.ok(credentials.expiration instanceof Date, `expiration is a Date: ${credentials.expiration}`);
  assert.ok(credentials.expiration.getTime() > Date.now(), "that has not expired");
}

// ---------------------------------------------------------------- tests

test("Amplify identity pool with guests: guest credentials, then authenticated credentials for the same identity after SRP sign-in", async (t) => {
  const ctx = await setup(t, { allowGuests: true });
  const issuerKey = `${ctx.url.replace(/^https?:\/\//, "")}/${ctx.poolId}`;

  // -- before sign-in: a guest identity and the Guest role's credentials
  const guest = await fetchAuthSession();
  assert.equal(guest.tokens, undefined, "no tokens before sign-in");
  assert.equal(guest.userSub, undefined);
  assert.match(guest.identityId ?? "", IDENTITY_ID_RE, JSON.stringify(guest));
  assertStsCredentials(guest.credentials);
  assert.deepEqual(identityCalls(ctx.rec), [
    ["GetId", 200],
    ["GetCredentialsForIdentity", 200],
  ]);
  const [getId, guestCreds] = identityRequests(ctx.rec);
  assert.equal(getId.body.IdentityPoolId, ctx.identityPoolId);
  assert.deepEqual(getId.body.Logins ?? {}, {}, "GetId for a guest carries no logins");
  assert.equal(guestCreds.body.IdentityId, guest.identityId);
  assert.equal(guestCreds.body.Logins, undefined, "guest credentials are asked for without logins");
  assert.equal(await callerArn(ctx.moto.url, guest.credentials), assumedRole("Guest"));

  const described = await ctx.identity.send(new DescribeIdentityCommand({ IdentityId: guest.identityId }));
  assert.equal(described.IdentityId, guest.identityId);
  assert.deepEqual(described.Logins ?? [], [], "a guest identity has no logins");

  // cached: no further call
  ctx.rec.clear();
  const cached = await fetchAuthSession();
  assert.equal(cached.identityId, guest.identityId);
  assert.equal(cached.credentials.accessKeyId, guest.credentials.accessKeyId);
  assert.deepEqual(identityCalls(ctx.rec), []);

  // -- SRP sign-in (Amplify's default flow)
  ctx.rec.clear();
  const signedIn = await signIn({ username: ctx.user.username, password: ctx.user.password });
  assert.equal(signedIn.isSignedIn, true, JSON.stringify(signedIn));
  assert.equal(ctx.rec.calls[0].body.AuthFlow, "USER_SRP_AUTH");

  // -- the same identity, now with the Auth role
  ctx.rec.clear();
  const authed = await fetchAuthSession();
  assert.ok(authed.tokens?.idToken, "tokens after sign-in");
  assert.equal(authed.tokens.idToken.payload.iss, `${ctx.url}/${ctx.poolId}`);
  assert.equal(authed.identityId, guest.identityId, "the guest identity became the user's");
  assertStsCredentials(authed.credentials);
  assert.notEqual(authed.credentials.accessKeyId, guest.credentials.accessKeyId);
  // Amplify kept the guest id and sent the login with it (no GetId)
  assert.deepEqual(identityCalls(ctx.rec), [["GetCredentialsForIdentity", 200]]);
  const [authCreds] = identityRequests(ctx.rec);
  assert.equal(authCreds.body.IdentityId, guest.identityId);
  assert.deepEqual(Object.keys(authCreds.body.Logins), [issuerKey], "the Logins key is the issuer without its scheme");
  assert.equal(authCreds.body.Logins[issuerKey], authed.tokens.idToken.toString());
  assert.equal(await callerArn(ctx.moto.url, authed.credentials), assumedRole("Auth"));

  const linked = await ctx.identity.send(new DescribeIdentityCommand({ IdentityId: guest.identityId }));
  assert.deepEqual(linked.Logins, [ctx.provider], "the identity lists the user pool as its login");

  // -- a forced refresh: new tokens, new credentials, the same identity
  ctx.rec.clear();
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  assert.notEqual(refreshed.tokens.idToken.toString(), authed.tokens.idToken.toString(), "a new ID token");
  assert.equal(refreshed.identityId, guest.identityId);
  assertStsCredentials(refreshed.credentials);
  assert.notEqual(refreshed.credentials.accessKeyId, authed.credentials.accessKeyId, "fresh credentials");
  assert.deepEqual(identityCalls(ctx.rec), [["GetCredentialsForIdentity", 200]]);
  const [refreshCall] = identityRequests(ctx.rec);
  assert.equal(refreshCall.body.IdentityId, guest.identityId);
  assert.equal(refreshCall.body.Logins[issuerKey], refreshed.tokens.idToken.toString());
  assert.equal(await callerArn(ctx.moto.url, refreshed.credentials), assumedRole("Auth"));

  // -- sign-out forgets the identity: the next visitor is a new guest
  await signOut();
  ctx.rec.clear();
  const next = await fetchAuthSession();
  assert.equal(next.tokens, undefined);
  assert.match(next.identityId ?? "", IDENTITY_ID_RE);
  assert.notEqual(next.identityId, guest.identityId, "a new guest identity after sign-out");
  assertStsCredentials(next.credentials);
  assert.deepEqual(identityCalls(ctx.rec), [
    ["GetId", 200],
    ["GetCredentialsForIdentity", 200],
  ]);
  assert.equal(await callerArn(ctx.moto.url, next.credentials), assumedRole("Guest"));
  const fresh = await ctx.identity.send(new DescribeIdentityCommand({ IdentityId: next.identityId }));
  assert.deepEqual(fresh.Logins ?? [], []);
  // the user's identity keeps its login
  const kept = await ctx.identity.send(new DescribeIdentityCommand({ IdentityId: guest.identityId }));
  assert.deepEqual(kept.Logins, [ctx.provider]);
});

test("Amplify identity pool without guests: no identity or credentials before sign-in, the Auth role's after", async (t) => {
  const ctx = await setup(t, { allowGuests: false });
  const issuerKey = `${ctx.url.replace(/^https?:\/\//, "")}/${ctx.poolId}`;

  // -- before sign-in: the pool refuses a guest identity, and Amplify's
  // fetchAuthSession passes GetId's error on (it does not swallow it)
  await assert.rejects(fetchAuthSession(), (err) => {
    assert.equal(err.name, "NotAuthorizedException", `${err.name}: ${err.message}`);
    t.diagnostic(`fetchAuthSession before sign-in: ${err.name}: ${err.message}`);
    return true;
  });
  assert.deepEqual(identityCalls(ctx.rec), [["GetId", 400]]);
  assert.deepEqual(ctx.rec.calls[0].body.Logins ?? {}, {});

  // -- after sign-in: an identity for the user and the Auth role's credentials
  const signedIn = await signIn({ username: ctx.user.username, password: ctx.user.password });
  assert.equal(signedIn.isSignedIn, true, JSON.stringify(signedIn));
  ctx.rec.clear();
  const authed = await fetchAuthSession();
  assert.ok(authed.tokens?.idToken, "tokens after sign-in");
  assert.match(authed.identityId ?? "", IDENTITY_ID_RE, JSON.stringify(authed));
  assertStsCredentials(authed.credentials);
  assert.deepEqual(identityCalls(ctx.rec), [
    ["GetId", 200],
    ["GetCredentialsForIdentity", 200],
  ]);
  const [getId, creds] = identityRequests(ctx.rec);
  assert.deepEqual(Object.keys(getId.body.Logins), [issuerKey]);
  assert.equal(creds.body.IdentityId, authed.identityId);
  assert.deepEqual(Object.keys(creds.body.Logins), [issuerKey]);
  assert.equal(await callerArn(ctx.moto.url, authed.credentials), assumedRole("Auth"));

  const described = await ctx.identity.send(new DescribeIdentityCommand({ IdentityId: authed.identityId }));
  assert.deepEqual(described.Logins, [ctx.provider]);

  // the same login finds the same identity again, under either provider name
  const idToken = authed.tokens.idToken.toString();
  for (const name of [issuerKey, ctx.provider]) {
    const again = await ctx.identity.send(
      new GetIdCommand({ IdentityPoolId: ctx.identityPoolId, Logins: { [name]: idToken } }),
    );
    assert.equal(again.IdentityId, authed.identityId, `GetId with Logins {${name}}`);
  }

  // a forced refresh: new tokens, the same identity, fresh Auth credentials
  ctx.rec.clear();
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  assert.equal(refreshed.identityId, authed.identityId);
  assert.notEqual(refreshed.credentials.accessKeyId, authed.credentials.accessKeyId);
  assert.deepEqual(identityCalls(ctx.rec), [["GetCredentialsForIdentity", 200]]);
  assert.equal(await callerArn(ctx.moto.url, refreshed.credentials), assumedRole("Auth"));

  // -- signed out: nothing again
  await signOut();
  ctx.rec.clear();
  await assert.rejects(fetchAuthSession(), (err) => err.name === "NotAuthorizedException");
  assert.deepEqual(identityCalls(ctx.rec), [["GetId", 400]]);
});
