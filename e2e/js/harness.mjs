// Shared harness for the JavaScript end-to-end suite.
//
// Every test drives the real `tessera` binary over HTTP with real client
// libraries from npm. The suite never builds the binary: run
// `cargo build -p tessera` first, or point TESSERA_BIN at a built binary.
//
// Exports
//   findBinary()                         path of the binary
//   startServer({env, args})             -> Server {url, dataDir, stop(), logs()}
//   serverFor(t, opts)                   a private server for test t,
//                                        stopped when t ends
//   adminClient(url)                     @aws-sdk/client-cognito-identity-provider
//   createPool(admin, overrides)         -> poolId (email auto-verified, email
//                                        recovery, default password policy)
//   createClient(admin, poolId, overrides) -> {clientId, clientSecret}
//   createConfirmedUser(admin, poolId, {username, email, password})
//                                        CONFIRMED user via admin calls only
//   outbox(url, {poolId, recipient})     -> messages
//   waitForCode(url, {poolId, recipient, since}) -> "123456"
//   rawCall(url, operation, body)        unsigned JSON call -> {status, body}
//   decodeJwt(token)                     -> {header, payload}
//   secretHash(username, clientId, secret)
//   unique(prefix)
//   recordTargets()                      wraps globalThis.fetch, records the
//                                        X-Amz-Target of every request
//   addSecretHash({clientId, clientSecret, refreshUsername})
//                                        adds SECRET_HASH to that client's calls
//   MemoryStorage, MemoryKeyValueStorage token storage for the libraries
//   shiftClock(ms)                       moves Date (now() and new Date())
//                                        ms ahead; returns restore()
//   totp(secretBase32, {atMs, step})     an authenticator app's 6-digit code
//                                        (RFC 6238: HMAC-SHA1, 30 s, 6 digits)
//   totpStep(atMs)                       the 30-second step of a time
//   base32Decode(text)                   RFC 4648 base32 -> Buffer
//   serverClock(url)                     the test clock of a server started
//                                        with TESSERA_TEST_CLOCK=true
//   moveServerClock(url, seconds)        moves that clock ahead (or back)

import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  CreateUserPoolClientCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
} from "@aws-sdk/client-cognito-identity-provider";

// Node 20 is what this suite targets; the SDK's "upgrade Node" notice is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, "..", "..");
export const REGION = "us-east-1";
export const PASSWORD = "Passw0rd!";
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const LISTEN_RE = /listening on (https?:\/\/\S+)/; // https with --tls-self-signed

// ---------------------------------------------------------------- binary

export function findBinary() {
  if (process.env.TESSERA_BIN) return path.resolve(process.env.TESSERA_BIN);
  let target = process.env.CARGO_TARGET_DIR;
  if (target) {
    if (!path.isAbsolute(target)) target = path.join(REPO_ROOT, target);
  } else {
    target = path.join(REPO_ROOT, "target");
  }
  return path.resolve(target, "debug", "tessera");
}

function assertBinary(bin) {
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(
      `tessera binary not found at ${bin}: run \`cargo build -p tessera\` first ` +
        "(or set TESSERA_BIN to a built binary)",
    );
  }
}

// ---------------------------------------------------------------- server

const running = new Set();
process.on("exit", () => {
  // Safety net: never leave a server behind, even if a test file crashes.
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
});

/** The environment without TESSERA_* settings (a developer's shell must not
 * change what a test observes), plus `extra`. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("TESSERA_")) env[k] = v;
  }
  env.RUST_BACKTRACE ??= "1";
  env.NO_COLOR ??= "1"; // plain server logs
  return { ...env, ...extra };
}

// With TESSERA_E2E_STORE set to a postgres:// URL, servers run on PostgreSQL,
// each in a schema of its own; unset, on their embedded SQLite store.
function storeSettings(args) {
  const url = process.env.TESSERA_E2E_STORE;
  if (!url || args.includes("--store")) return { args: [], env: {} };
  const schema = "e2e_js_" + randomUUID().replaceAll("-", "").slice(0, 20);
  return { args: ["--store", url], env: { TESSERA_POSTGRES_SCHEMA: schema } };
}

export async function startServer({ env = {}, args = [] } = {}) {
  const bin = findBinary();
  assertBinary(bin);
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-e2e-js-"));
  const store = storeSettings(args);
  const child = spawn(
    bin,
    ["serve", "--listen", "127.0.0.1:0", "--data-dir", path.join(dataDir, "data"), ...store.args, ...args],
    { cwd: dataDir, env: cleanEnv({ ...store.env, ...env }), stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    stderr += d;
    if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
  });
  child.stdout.setEncoding("utf8");

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`tessera did not print its URL within ${START_TIMEOUT_MS} ms\n${stderr}`));
    }, START_TIMEOUT_MS);
    const onData = (d) => {
      stdout += d;
      const m = LISTEN_RE.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ""));
      }
    };
    child.stdout.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tessera exited before listening (code ${code}, signal ${signal})\n${stderr}`));
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  }).catch((err) => {
    running.delete(child);
    child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  // keep draining stdout so the child never blocks on a full pipe
  child.stdout.on("data", (d) => {
    stdout += d;
  });

  let stopped = null;
  const server = {
    url,
    dataDir,
    child,
    logs: () => stderr,
    stop() {
      if (stopped) return stopped;
      stopped = new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        child.once("exit", () => {
          clearTimeout(killer);
          resolve();
        });
        child.kill("SIGTERM");
      }).then(() => {
        running.delete(child);
        rmSync(dataDir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
  return server;
}

/** A private server for one test: started now, stopped (and its data
 * directory removed) when the test `t` ends, pass or fail. */
export async function serverFor(t, opts = {}) {
  const server = await startServer(opts);
  t.after(async () => {
    await server.stop();
    // E2E_SERVER_LOGS=1 prints each test's server log (stderr) after it
    if (process.env.E2E_SERVER_LOGS) {
      process.stderr.write(`\n----- tessera log for "${t.name}" -----\n${server.logs()}\n`);
    }
  });
  return server;
}

// ---------------------------------------------------------------- admin SDK

export function adminClient(url) {
  return new CognitoIdentityProviderClient({
    endpoint: url,
    region: REGION,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

export async function createPool(admin, overrides = {}) {
  const out = await admin.send(
    new CreateUserPoolCommand({
      PoolName: unique("js-pool"),
      AutoVerifiedAttributes: ["email"],
      AccountRecoverySetting: {
        RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }],
      },
      ...overrides,
    }),
  );
  return out.UserPool.Id;
}

export const ALL_USER_FLOWS = [
  "ALLOW_USER_SRP_AUTH",
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
];

export async function createClient(admin, poolId, overrides = {}) {
  const out = await admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: unique("js-client"),
      ExplicitAuthFlows: ALL_USER_FLOWS,
      ...overrides,
    }),
  );
  return {
    clientId: out.UserPoolClient.ClientId,
    clientSecret: out.UserPoolClient.ClientSecret,
  };
}

/** A CONFIRMED user with a verified email and a permanent password, made
 * with admin calls only (no sign-up path involved). */
export async function createConfirmedUser(admin, poolId, { username = unique("user"), email, password = PASSWORD, attributes = [] } = {}) {
  email ??= `${username}@example.com`;
  await admin.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
        ...attributes,
      ],
    }),
  );
  await admin.send(
    new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }),
  );
  return { username, email, password };
}

// ---------------------------------------------------------------- outbox

export async function outbox(url, { poolId, recipient } = {}) {
  const q = new URLSearchParams();
  if (poolId) q.set("pool_id", poolId);
  if (recipient) q.set("recipient", recipient);
  const resp = await fetch(`${url}/_tessera/outbox?${q}`);
  if (!resp.ok) throw new Error(`outbox answered ${resp.status}: ${await resp.text()}`);
  const body = await resp.json();
  return body.messages;
}

/** The 6-digit code of the newest message to `recipient` that was not in
 * the outbox before (`since` = number of messages already seen, or an array
 * of earlier messages). Polls briefly: delivery may be asynchronous. */
export async function waitForCode(url, { poolId, recipient, since = 0, timeoutMs = 5000 }) {
  const seen = Array.isArray(since) ? since.length : since;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await outbox(url, { poolId, recipient });
    if (messages.length > seen) {
      const msg = messages[messages.length - 1];
      const m = /\b(\d{6})\b/.exec(msg.body ?? "");
      if (!m) throw new Error(`no 6-digit code in message body: ${JSON.stringify(msg)}`);
      return m[1];
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no new message to ${recipient} in pool ${poolId} (had ${seen}): ${JSON.stringify(messages)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---------------------------------------------------------------- raw calls

export async function rawCall(url, operation, body) {
  const resp = await fetch(url + "/", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const text = await resp.text();
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { raw: text };
  }
  const type = (json.__type || resp.headers.get("x-amzn-errortype") || "").split("#").pop().split(":")[0];
  return { status: resp.status, body: json, errorType: resp.ok ? null : type };
}

// ---------------------------------------------------------------- helpers

export function unique(prefix = "u") {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function decodeJwt(token) {
  const [h, p] = token.split(".");
  const dec = (s) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
  return { header: dec(h), payload: dec(p) };
}

export function secretHash(username, clientId, secret) {
  return createHmac("sha256", secret).update(username + clientId).digest("base64");
}

function headerValue(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === "function") return headers.get(name) ?? undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name.toLowerCase()) return v;
  }
  return undefined;
}

/** Wraps globalThis.fetch; every Cognito request's X-Amz-Target (the
 * operation name, without the service prefix), parsed JSON body and response
 * status are recorded in `calls`. `restore()` puts the original back. */
export function recordTargets() {
  const original = globalThis.fetch;
  const calls = [];
  globalThis.fetch = async (input, init = {}) => {
    const req = input instanceof Request ? input : null;
    const target = headerValue(init.headers, "x-amz-target") ?? (req ? req.headers.get("x-amz-target") : undefined);
    let body;
    if (typeof init.body === "string") {
      try {
        body = JSON.parse(init.body);
      } catch {
        body = init.body;
      }
    }
    const resp = await original(input, init);
    if (target) {
      calls.push({ target: String(target).split(".").pop(), status: resp.status, body });
    }
    return resp;
  };
  return {
    calls,
    targets: () => calls.map((c) => c.target),
    clear: () => {
      calls.length = 0;
    },
    restore: () => {
      globalThis.fetch = original;
    },
  };
}

/** Wraps globalThis.fetch to add SECRET_HASH / SecretHash to the requests of
 * `clientId`, the way an app must when its client library does not support
 * client secrets. `refreshUsername` is used for REFRESH_TOKEN_AUTH (which
 * carries no USERNAME). Returns restore(). */
export function addSecretHash({ clientId, clientSecret, refreshUsername }) {
  const original = globalThis.fetch;
  const hash = (u) => secretHash(u, clientId, clientSecret);
  globalThis.fetch = async (input, init = {}) => {
    const target = String(headerValue(init.headers, "x-amz-target") ?? "").split(".").pop();
    if (target && typeof init.body === "string") {
      const body = JSON.parse(init.body);
      if (body.ClientId === clientId) {
        switch (target) {
          case "InitiateAuth": {
            const ap = (body.AuthParameters ??= {});
            ap.SECRET_HASH = hash(ap.USERNAME ?? refreshUsername);
            break;
          }
          case "RespondToAuthChallenge": {
            const cr = (body.ChallengeResponses ??= {});
            cr.SECRET_HASH = hash(cr.USERNAME);
            break;
          }
          case "SignUp":
          case "ConfirmSignUp":
          case "ForgotPassword":
          case "ConfirmForgotPassword":
          case "ResendConfirmationCode":
            body.SecretHash = hash(body.Username);
            break;
          default:
            break;
        }
        init = { ...init, body: JSON.stringify(body) };
      }
    }
    return original(input, init);
  };
  return () => {
    globalThis.fetch = original;
  };
}

/** A Storage-like in-memory store (sync getItem/setItem/removeItem/clear),
 * for amazon-cognito-identity-js. */
export class MemoryStorage {
  constructor() {
    this.map = new Map();
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
  clear() {
    this.map.clear();
  }
  keys() {
    return [...this.map.keys()];
  }
}

/** The async key-value storage Amplify v6 expects. */
export class MemoryKeyValueStorage {
  constructor() {
    this.map = new Map();
  }
  async setItem(k, v) {
    this.map.set(k, v);
  }
  async getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  async removeItem(k) {
    this.map.delete(k);
  }
  async clear() {
    this.map.clear();
  }
}

/** Moves the process's clock `ms` ahead for Date.now() and `new Date()`
 * (time keeps flowing). Returns restore(). */
export function shiftClock(ms) {
  const RealDate = globalThis.Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + ms);
      else super(...args);
    }
    static now() {
      return RealDate.now() + ms;
    }
  }
  globalThis.Date = ShiftedDate;
  return () => {
    globalThis.Date = RealDate;
  };
}

// ---------------------------------------------------------------- TOTP

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const TOTP_STEP_MS = 30_000;

/** RFC 4648 base32 (padding and case ignored) -> bytes. */
export function base32Decode(text) {
  const clean = text.replace(/=+$/, "").toUpperCase();
  const out = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const v = BASE32_ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${JSON.stringify(ch)} in ${JSON.stringify(text)}`);
    buffer = ((buffer << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The 30-second TOTP step `atMs` (epoch milliseconds) falls in. */
export function totpStep(atMs = Date.now()) {
  return Math.floor(atMs / TOTP_STEP_MS);
}

/** What an authenticator app shows for `secretBase32` (RFC 6238 with
 * HMAC-SHA1, 30-second steps, 6 digits) at `atMs`, or at step `step`. */
export function totp(secretBase32, { atMs = Date.now(), step = totpStep(atMs), digits = 6 } = {}) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

export function exists(p) {
  return existsSync(p);
}

// ---------------------------------------------------------------- test clock

/** The test clock of a server started with TESSERA_TEST_CLOCK=true:
 * `{offset_seconds, now}` (now in epoch seconds, as the server reads it). */
export async function serverClock(url) {
  const resp = await fetch(`${url}/_tessera/clock`);
  if (!resp.ok) throw new Error(`GET /_tessera/clock answered ${resp.status}: ${await resp.text()}`);
  return resp.json();
}

/** Moves the server's test clock `seconds` further ahead (back if negative);
 * returns the new reading. */
export async function moveServerClock(url, seconds) {
  const { offset_seconds: offset } = await serverClock(url);
  const resp = await fetch(`${url}/_tessera/clock`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ offset_seconds: offset + seconds }),
  });
  if (!resp.ok) throw new Error(`POST /_tessera/clock answered ${resp.status}: ${await resp.text()}`);
  return resp.json();
}

// ---------------------------------------------------------------- configuration files and triggers
//
//   serverWithConfig(t, configToml, opts) a private server (as serverFor) started
//                                        with `--config FILE`, FILE holding
//                                        configToml; removed when t ends
//   lambdaArn(fn)                        arn:aws:lambda:us-east-1:123456789012:function:<fn>
//   LAMBDA_ARN_PREFIX                    lambdaArn(""): every function of that account
//   triggerMappingToml(url, {arnPrefix, timeoutSeconds})
//                                        one [[triggers]] entry sending those ARNs to url
//   startHookServer() / hookServerFor(t) -> HookServer: the HTTP invoker's far end,
//                                        standing in for every Lambda function

import { createServer } from "node:http";
import { writeFileSync } from "node:fs";

/** A private server for test `t` started with `--config FILE`, FILE (in a
 * temporary directory of its own, removed when `t` ends) holding `configToml`.
 * `opts` as for serverFor. */
export async function serverWithConfig(t, configToml, opts = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "tessera-e2e-js-config-"));
  const file = path.join(dir, "tessera.toml");
  writeFileSync(file, configToml);
  try {
    return await serverFor(t, { ...opts, args: [...(opts.args ?? []), "--config", file] });
  } finally {
    // the server reads the file once, at start
    t.after(() => rmSync(dir, { recursive: true, force: true }));
  }
}

export const TRIGGER_ACCOUNT = "123456789012";

/** `arn:aws:lambda:<region>:<account>:function:<fn>` */
export function lambdaArn(fn, { account = TRIGGER_ACCOUNT, region = REGION } = {}) {
  return `arn:aws:lambda:${region}:${account}:function:${fn}`;
}

export const LAMBDA_ARN_PREFIX = lambdaArn("");

/** One `[[triggers]]` entry: the functions whose ARN starts with `arnPrefix`
 * are POSTed to `url`. */
export function triggerMappingToml(url, { arnPrefix = LAMBDA_ARN_PREFIX, timeoutSeconds = 2 } = {}) {
  return [
    "[[triggers]]",
    `arn_prefix = ${JSON.stringify(arnPrefix)}`,
    `url = ${JSON.stringify(url)}`,
    `timeout_seconds = ${timeoutSeconds}`,
    "",
  ].join("\n");
}

/** The far end of Tessera's HTTP trigger invoker: records every event it is
 * POSTed (oldest first) and answers with `handler(event)` (which may be
 * async): a returned value is the function's result, sent as a 200 JSON body;
 * a thrown error is the function throwing, sent as 400
 * `{"errorMessage": err.message, "errorType": "Error"}`. The default handler
 * returns the event unchanged (a function that does nothing). */
export class HookServer {
  constructor() {
    this.handler = (event) => event;
    this.events = [];
    this.server = createServer((req, res) => this.#serve(req, res));
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", resolve);
    });
    this.url = `http://127.0.0.1:${this.server.address().port}/hook`;
    return this;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }

  async #serve(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    let event = null;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      /* not JSON: recorded as null */
    }
    this.events.push(structuredClone(event));
    let status = 200;
    let answer;
    try {
      answer = await this.handler(structuredClone(event));
    } catch (err) {
      status = 400;
      answer = { errorMessage: err.message, errorType: "Error" };
    }
    const body = JSON.stringify(answer);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  }

  /** The triggerSource of every event, in order. */
  sources() {
    return this.events.map((e) => e?.triggerSource);
  }

  /** Every event of `source`, in order. */
  of(source) {
    return this.events.filter((e) => e?.triggerSource === source);
  }

  /** The one event of `source`; throws unless there is exactly one. */
  only(source) {
    const found = this.of(source);
    if (found.length !== 1) {
      throw new Error(`expected one ${source} event, got ${found.length}: ${JSON.stringify(this.sources())}`);
    }
    return found[0];
  }

  clear() {
    this.events.length = 0;
  }
}

export async function startHookServer() {
  return new HookServer().start();
}

/** A hook server for test `t`, closed when `t` ends. */
export async function hookServerFor(t) {
  const hook = await startHookServer();
  t.after(() => hook.close());
  return hook;
}
