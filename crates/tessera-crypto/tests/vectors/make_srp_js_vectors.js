#!/usr/bin/env node
// Produce `srp_js_vectors.json`, the second set of SRP vectors checked by
// `tessera-crypto`'s `srp` unit tests (module `srp::vector_tests`).
//
// The client is amazon-cognito-identity-js itself: `CognitoUser.authenticateUser()`
// (the USER_SRP_AUTH default flow: AuthenticationHelper, getPasswordAuthenticationKey,
// the HMAC over poolName ‖ USER_ID_FOR_SRP ‖ SECRET_BLOCK ‖ DateHelper's timestamp)
// runs against a stub `client.request` that plays the server with the formulas of
// shared/reference/srp.md (native BigInt). Randomness and time are pinned by patching
// `AuthenticationHelper.prototype.generateRandomSmallA` and
// `DateHelper.prototype.getNowString`. The stub server checks the signature itself
// before the vector is written.
//
// Run (the package is installed outside the repository):
//   mkdir -p /tmp/srpjs && (cd /tmp/srpjs && npm install amazon-cognito-identity-js@6.3.21)
//   SRPJS_DIR=/tmp/srpjs node crates/tessera-crypto/tests/vectors/make_srp_js_vectors.js
// It rewrites `srp_js_vectors.json` beside this script.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const dir = process.env.SRPJS_DIR || '/tmp/srpjs';
const requireFromDir = createRequire(path.join(dir, 'noop.js'));
const Cognito = requireFromDir('amazon-cognito-identity-js');
const BigInteger = requireFromDir('amazon-cognito-identity-js/lib/BigInteger').default;
const jsVersion = requireFromDir('amazon-cognito-identity-js/package.json').version;

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1' +
  '29024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245' +
  'E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D' +
  'C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D' +
  '670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9' +
  'DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64' +
  'ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B' +
  'F12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31' +
  '43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
const N = BigInt('0x' + N_HEX);
const G = 2n;

function padHex(n) {
  let h = n.toString(16);
  if (h.length % 2) h = '0' + h;
  if (/^[89a-f]/.test(h)) h = '00' + h;
  return h;
}
const sha256 = buf => crypto.createHash('sha256').update(buf).digest();
const hexHashInt = hex => BigInt('0x' + sha256(Buffer.from(hex, 'hex')).toString('hex'));
function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}
function detBytes(label, n) {
  const parts = [];
  for (let i = 0; Buffer.concat(parts).length < n; i++) parts.push(sha256(Buffer.from(`${label}/${i}`)));
  return Buffer.concat(parts).subarray(0, n);
}
const K_MULT = hexHashInt(padHex(N) + padHex(G));

function hkdf16(ikm, salt) {
  const prk = crypto.createHmac('sha256', salt).update(ikm).digest();
  return crypto
    .createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
}

function runCase(c) {
  const poolName = c.poolId.split('_')[1];
  const saltWire = padHex(BigInt('0x' + c.saltBytesHex));
  const inner = sha256(Buffer.from(`${poolName}${c.userIdForSrp}:${c.password}`, 'utf8')).toString('hex');
  const x = hexHashInt(saltWire + inner);
  const v = modPow(G, x, N);
  const b = BigInt('0x' + c.bHex);
  const B = (K_MULT * v + modPow(G, b, N)) % N;
  const secretBlock = detBytes(`${c.name}/secret-block`, c.secretBlockLen);

  // Pin the client's randomness and clock.
  Cognito.AuthenticationHelper.prototype.generateRandomSmallA = () => new BigInteger(c.aHex, 16);
  Cognito.DateHelper.prototype.getNowString = () => c.timestamp;

  const pool = new Cognito.CognitoUserPool({ UserPoolId: c.poolId, ClientId: c.clientId });
  const seen = {};
  pool.client.request = (operation, params, callback) => {
    if (operation === 'InitiateAuth') {
      seen.initiate = params;
      callback(null, {
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeParameters: {
          SALT: saltWire,
          SRP_B: B.toString(16),
          SECRET_BLOCK: secretBlock.toString('base64'),
          USER_ID_FOR_SRP: c.userIdForSrp,
          USERNAME: c.userIdForSrp,
        },
      });
    } else if (operation === 'RespondToAuthChallenge') {
      seen.respond = params;
      const err = new Error('stub server stops here');
      err.code = 'NotAuthorizedException';
      callback(err, null);
    } else {
      callback(new Error(`unexpected ${operation}`), null);
    }
  };
  const user = new Cognito.CognitoUser({ Username: c.usernameTyped, Pool: pool });
  const details = new Cognito.AuthenticationDetails({ Username: c.usernameTyped, Password: c.password });
  let failure = null;
  user.authenticateUser(details, {
    onSuccess: () => {},
    onFailure: err => {
      failure = err;
    },
  });
  if (!seen.respond) throw new Error(`client did not answer the challenge: ${failure}`);
  const resp = seen.respond.ChallengeResponses;

  // The server's side of the check, with srp.md's formulas.
  const A = BigInt('0x' + seen.initiate.AuthParameters.SRP_A);
  const u = hexHashInt(padHex(A) + padHex(B));
  const S = modPow(A * modPow(v, u, N), b, N);
  const K = hkdf16(Buffer.from(padHex(S), 'hex'), Buffer.from(padHex(u), 'hex'));
  const msg = Buffer.concat([
    Buffer.from(poolName, 'utf8'),
    Buffer.from(c.userIdForSrp, 'utf8'),
    secretBlock,
    Buffer.from(resp.TIMESTAMP, 'utf8'),
  ]);
  const sig = crypto.createHmac('sha256', K).update(msg).digest('base64');
  if (sig !== resp.PASSWORD_CLAIM_SIGNATURE) throw new Error(`${c.name}: server formulas disagree with the JS client`);

  return {
    name: c.name,
    client: `amazon-cognito-identity-js ${jsVersion}`,
    pool_id: c.poolId,
    pool_name: poolName,
    client_id: c.clientId,
    username_typed: c.usernameTyped,
    user_id_for_srp: c.userIdForSrp,
    password: c.password,
    salt_bytes_hex: c.saltBytesHex,
    salt_wire: saltWire,
    x_hex: x.toString(16),
    verifier_hex: v.toString(16),
    b_hex: c.bHex,
    srp_b: B.toString(16),
    a_hex: c.aHex,
    srp_a: seen.initiate.AuthParameters.SRP_A,
    u_hex: u.toString(16),
    s_padhex: padHex(S),
    k_session_hex: K.toString('hex'),
    secret_block_b64: secretBlock.toString('base64'),
    timestamp: resp.TIMESTAMP,
    signature: resp.PASSWORD_CLAIM_SIGNATURE,
    response_username: resp.USERNAME,
  };
}

const CASES = [
  {
    // Salt with its top bit set (SALT on the wire gets padHex's "00" prefix) and an
    // internal username and password with non-ASCII characters.
    name: 'js-topbit-salt-unicode',
    poolId: 'us-west-2_Q1w2E3r4T',
    clientId: '2abcdefghij3klmnop4qrstuvw',
    usernameTyped: 'José.Müller',
    userIdForSrp: 'josé.müller-测试-🙂',
    password: 'pässwörd-Ω-9!',
    saltBytesHex: 'f3a91c5e7d2b4086aa55cc33ee11dd00',
    bHex: detBytes('js-topbit-salt-unicode/b', 32).toString('hex'),
    aHex: detBytes('js-topbit-salt-unicode/a', 128).toString('hex'),
    secretBlockLen: 420,
    timestamp: 'Tue Mar 5 09:07:03 UTC 2024',
  },
  {
    // A salt with a leading zero byte (stored as 16 bytes, sent as the 15-byte padHex),
    // a two-digit day, and a different instant.
    name: 'js-leading-zero-salt',
    poolId: 'ap-southeast-2_abcDEF987',
    clientId: '7pqrstuvwxyzabcdefghijklmn',
    usernameTyped: 'carol',
    userIdForSrp: 'carol',
    password: 'Tr0ub4dor&3',
    saltBytesHex: '000badf00d5eed0123456789abcdef01',
    bHex: detBytes('js-leading-zero-salt/b', 32).toString('hex'),
    aHex: detBytes('js-leading-zero-salt/a', 128).toString('hex'),
    secretBlockLen: 64,
    timestamp: 'Sun Dec 31 23:59:59 UTC 2023',
  },
];

const vectors = {
  source: 'amazon-cognito-identity-js CognitoUser.authenticateUser() against a stub client.request (make_srp_js_vectors.js)',
  k_hex: K_MULT.toString(16),
  cases: CASES.map(runCase),
};
const out = path.join(__dirname, 'srp_js_vectors.json');
fs.writeFileSync(out, JSON.stringify(vectors, null, 2) + '\n');
console.error(`wrote ${out}`);
