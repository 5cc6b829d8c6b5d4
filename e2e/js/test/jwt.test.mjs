// Tessera's ID and access tokens verified by JWT libraries with their JWKS
// clients, exactly as a resource server verifies Cognito's:
//   - jose: createRemoteJWKSet(jwks URL) + jwtVerify with issuer/audience;
//   - aws-jwt-verify: JwtRsaVerifier with Tessera's issuer and jwksUri (its
//     CognitoJwtVerifier hard-codes the amazonaws.com issuer), with the
//     Cognito claim checks (token_use, client_id / aud) of
//     validateCognitoJwtFields as customJwtCheck. Its Node fetcher only
//     speaks https, so its JWKS cache is given a fetcher over global fetch.
// Tokens come from USER_PASSWORD_AUTH (InitiateAuth) for a user made with
// admin calls, so these tests depend on no sign-up or SRP code.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRemoteJWKSet, jwtVerify, errors as joseErrors } from "jose";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import {
  adminClient,
  createClient,
  createConfirmedUser,
  createPool,
  decodeJwt,
  rawCall,
  serverFor,
} from "../harness.mjs";

async function setup(t) {
  const server = await serverFor(t);
  const admin = adminClient(server.url);
  const poolId = await createPool(admin);
  const { clientId } = await createClient(admin, poolId);
  const user = await createConfirmedUser(admin, poolId);
  const r = await rawCall(server.url, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: clientId,
    AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
  });
  assert.equal(r.status, 200, `USER_PASSWORD_AUTH sign-in: ${JSON.stringify(r.body)}`);
  const result = r.body.AuthenticationResult;
  assert.ok(result?.IdToken && result?.AccessToken, JSON.stringify(r.body));
  const issuer = `${server.url}/${poolId}`;
  return {
    server,
    url: server.url,
    admin,
    poolId,
    clientId,
    user,
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    idToken: result.IdToken,
    accessToken: result.AccessToken,
  };
}

/** Same token, one payload claim changed, signature kept. */
function tamper(token, change) {
  const [h, p, s] = token.split(".");
  const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  change(payload);
  return [h, Buffer.from(JSON.stringify(payload)).toString("base64url"), s].join(".");
}

function awsJwtVerifier(ctx, { tokenUse, clientId = ctx.clientId, issuer = ctx.issuer }) {
  const cache = new SimpleJwksCache({
    fetcher: {
      fetch: async (uri) => {
        const resp = await fetch(uri);
        if (!resp.ok) throw new Error(`JWKS ${uri} answered ${resp.status}`);
        return resp.arrayBuffer();
      },
    },
  });
  return JwtRsaVerifier.create(
    {
      issuer,
      jwksUri: ctx.jwksUrl,
      audience: null, // Cognito access tokens have no aud: checked below
      customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId }),
    },
    { jwksCache: cache },
  );
}

test("JWKS and OpenID discovery are served under the issuer", async (t) => {
  const ctx = await setup(t);
  const resp = await fetch(ctx.jwksUrl);
  assert.equal(resp.status, 200);
  const jwks = await resp.json();
  assert.ok(Array.isArray(jwks.keys) && jwks.keys.length >= 1, JSON.stringify(jwks));
  for (const key of jwks.keys) {
    assert.equal(key.kty, "RSA");
    assert.equal(key.alg, "RS256");
    assert.equal(key.use, "sig");
    assert.equal(key.e, "AQAB");
    assert.ok(key.kid);
    assert.ok(Buffer.from(key.n, "base64url").length >= 256, "RSA 2048 or larger");
    assert.equal(key.d, undefined, "no private parts");
  }
  const kids = jwks.keys.map((k) => k.kid);
  for (const token of [ctx.idToken, ctx.accessToken]) {
    const { header } = decodeJwt(token);
    assert.deepEqual(Object.keys(header).sort(), ["alg", "kid"], "Cognito's header has only kid and alg");
    assert.equal(header.alg, "RS256");
    assert.ok(kids.includes(header.kid), `kid ${header.kid} is in the JWKS`);
  }

  const disc = await fetch(`${ctx.issuer}/.well-known/openid-configuration`);
  assert.equal(disc.status, 200);
  const doc = await disc.json();
  assert.equal(doc.issuer, ctx.issuer);
  assert.equal(doc.jwks_uri, ctx.jwksUrl);
});

test("jose verifies the ID and access tokens from the JWKS URL with issuer, audience/client_id and token_use", async (t) => {
  const ctx = await setup(t);
  const JWKS = createRemoteJWKSet(new URL(ctx.jwksUrl));

  const id = await jwtVerify(ctx.idToken, JWKS, {
    issuer: ctx.issuer,
    audience: ctx.clientId,
    algorithms: ["RS256"],
    requiredClaims: ["sub", "exp", "iat", "auth_time"],
  });
  assert.equal(id.protectedHeader.alg, "RS256");
  assert.equal(id.payload.token_use, "id");
  assert.equal(id.payload["cognito:username"], ctx.user.username);
  assert.equal(id.payload.email, ctx.user.email);
  assert.equal(id.payload.email_verified, true);

  const access = await jwtVerify(ctx.accessToken, JWKS, {
    issuer: ctx.issuer,
    algorithms: ["RS256"],
    requiredClaims: ["sub", "exp", "iat", "jti", "client_id", "token_use", "username"],
  });
  assert.equal(access.payload.token_use, "access");
  assert.equal(access.payload.client_id, ctx.clientId);
  assert.equal(access.payload.username, ctx.user.username);
  assert.equal(access.payload.sub, id.payload.sub);
  assert.equal(access.payload.scope, "aws.cognito.signin.user.admin");
  assert.equal(access.payload.aud, undefined);
  // default validity: one hour
  assert.equal(access.payload.exp - access.payload.iat, 3600);
  assert.equal(id.payload.exp - id.payload.iat, 3600);
});

test("jose refuses an altered payload, a wrong issuer, a wrong audience and another pool's keys", async (t) => {
  const ctx = await setup(t);
  const JWKS = createRemoteJWKSet(new URL(ctx.jwksUrl));

  const forged = tamper(ctx.idToken, (p) => {
    p.email = "mallory@example.com";
  });
  await assert.rejects(
    jwtVerify(forged, JWKS, { issuer: ctx.issuer, audience: ctx.clientId }),
    joseErrors.JWSSignatureVerificationFailed,
  );
  const elevated = tamper(ctx.accessToken, (p) => {
    p["cognito:groups"] = ["admins"];
  });
  await assert.rejects(jwtVerify(elevated, JWKS, { issuer: ctx.issuer }), joseErrors.JWSSignatureVerificationFailed);

  await assert.rejects(
    jwtVerify(ctx.idToken, JWKS, { issuer: `https://cognito-idp.us-east-1.amazonaws.com/${ctx.poolId}` }),
    (err) => err instanceof joseErrors.JWTClaimValidationFailed && err.claim === "iss",
  );
  await assert.rejects(
    jwtVerify(ctx.idToken, JWKS, { issuer: ctx.issuer, audience: "someotherclient" }),
    (err) => err instanceof joseErrors.JWTClaimValidationFailed && err.claim === "aud",
  );

  // another pool on the same server has its own signing key
  const otherPool = await createPool(ctx.admin);
  const otherJWKS = createRemoteJWKSet(new URL(`${ctx.url}/${otherPool}/.well-known/jwks.json`));
  await assert.rejects(
    jwtVerify(ctx.idToken, otherJWKS, { issuer: ctx.issuer, audience: ctx.clientId }),
    (err) => err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWSSignatureVerificationFailed,
  );
});

test("aws-jwt-verify (JwtRsaVerifier + Cognito claim checks) verifies both tokens and refuses mismatches", async (t) => {
  const ctx = await setup(t);

  const idPayload = await awsJwtVerifier(ctx, { tokenUse: "id" }).verify(ctx.idToken);
  assert.equal(idPayload.token_use, "id");
  assert.equal(idPayload.aud, ctx.clientId);

  const accessPayload = await awsJwtVerifier(ctx, { tokenUse: "access" }).verify(ctx.accessToken);
  assert.equal(accessPayload.token_use, "access");
  assert.equal(accessPayload.client_id, ctx.clientId);

  // token_use mismatch, client mismatch, issuer mismatch, tampering
  await assert.rejects(awsJwtVerifier(ctx, { tokenUse: "access" }).verify(ctx.idToken), /token use/i);
  await assert.rejects(
    awsJwtVerifier(ctx, { tokenUse: "access", clientId: "someotherclient" }).verify(ctx.accessToken),
    /client id/i,
  );
  await assert.rejects(
    awsJwtVerifier(ctx, { tokenUse: "id", issuer: `https://cognito-idp.us-east-1.amazonaws.com/${ctx.poolId}` }).verify(
      ctx.idToken,
    ),
    /issuer/i,
  );
  const forged = tamper(ctx.accessToken, (p) => {
    p.username = "root";
  });
  await assert.rejects(awsJwtVerifier(ctx, { tokenUse: "access" }).verify(forged), /signature/i);
});
