#!/usr/bin/env python3
"""Produce `srp_pycognito_vectors.json`, the SRP vectors checked by `tessera-crypto`'s
`srp` unit tests (module `srp::vector_tests`).

The client side is pycognito's own `AWSSRP.authenticate_user()` (pycognito 2024.5.1,
`pycognito/aws_srp.py`), run against a stub boto3 client that plays the server with
the formulas of `shared/reference/srp.md`, so the Rust server is checked against a real
client, not against itself. Randomness and time are pinned: pycognito's `a` is set
after construction (`small_a_value` / `large_a_value`), the server's `b`, the salt and
the SECRET_BLOCK are fixed, and `datetime.datetime.utcnow()` inside `aws_srp` returns a
fixed instant. The stub server also checks pycognito's signature itself before the
vector is written.

Run (needs `pip install pycognito`):
    python3 crates/tessera-crypto/tests/vectors/make_srp_pycognito_vectors.py
It rewrites `srp_pycognito_vectors.json` beside this script.
"""
import base64
import datetime
import hashlib
import hmac
import importlib.metadata
import json
import os
import sys
from unittest import mock

from pycognito import aws_srp

N = int(aws_srp.N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key\x01"


def pad_hex(n: int) -> str:
    """srp.md padHex for a non-negative integer."""
    h = f"{n:x}"
    if len(h) % 2:
        h = "0" + h
    if h[0] in "89abcdef":
        h = "00" + h
    return h


def H(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def hex_hash_int(hexstr: str) -> int:
    return int.from_bytes(H(bytes.fromhex(hexstr)), "big")


K_MULT = hex_hash_int(pad_hex(N) + pad_hex(G))


def det_bytes(label: str, n: int) -> bytes:
    """Deterministic pseudo-random bytes (SHA-256 in counter mode over a label)."""
    out = b""
    i = 0
    while len(out) < n:
        out += H(f"{label}/{i}".encode())
        i += 1
    return out[:n]


def x_value(salt_hex: str, pool_name: str, user_id: str, password: str) -> int:
    inner = H(f"{pool_name}{user_id}:{password}".encode("utf-8")).hex()
    return hex_hash_int(salt_hex + inner)


def hkdf16(ikm: bytes, salt: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, INFO, hashlib.sha256).digest()[:16]


class StubServer:
    """Plays Cognito for one USER_SRP_AUTH exchange with fixed salt / b / SECRET_BLOCK."""

    def __init__(self, case):
        self.case = case
        self.pool_name = case["pool_id"].split("_")[1]
        self.salt_hex = pad_hex(int(case["salt_bytes_hex"], 16))
        self.x = x_value(self.salt_hex, self.pool_name, case["user_id_for_srp"], case["password"])
        self.v = pow(G, self.x, N)
        self.b = int(case["b_hex"], 16)
        self.B = (K_MULT * self.v + pow(G, self.b, N)) % N
        assert self.B != 0
        self.secret_block = det_bytes(case["name"] + "/secret-block", case["secret_block_len"])
        self.initiate = None
        self.respond = None

    def initiate_auth(self, AuthFlow, AuthParameters, ClientId):
        assert AuthFlow == "USER_SRP_AUTH"
        self.initiate = {"AuthParameters": dict(AuthParameters), "ClientId": ClientId}
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": self.salt_hex,
                "SRP_B": f"{self.B:x}",
                "SECRET_BLOCK": base64.b64encode(self.secret_block).decode(),
                "USER_ID_FOR_SRP": self.case["user_id_for_srp"],
                "USERNAME": self.case["user_id_for_srp"],
            },
        }

    def respond_to_auth_challenge(self, ClientId, ChallengeName, ChallengeResponses, **kw):
        assert ChallengeName == "PASSWORD_VERIFIER"
        self.respond = dict(ChallengeResponses)
        return {"AuthenticationResult": {"AccessToken": "stub"}}

    def server_signature(self, A: int, timestamp: str) -> tuple:
        u = hex_hash_int(pad_hex(A) + pad_hex(self.B))
        S = pow(A * pow(self.v, u, N), self.b, N)
        K = hkdf16(bytes.fromhex(pad_hex(S)), bytes.fromhex(pad_hex(u)))
        msg = (
            self.pool_name.encode()
            + self.case["user_id_for_srp"].encode()
            + self.secret_block
            + timestamp.encode()
        )
        sig = base64.b64encode(hmac.new(K, msg, hashlib.sha256).digest()).decode()
        return u, S, K, sig


class FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return cls(2024, 3, 5, 9, 7, 3)


def run_case(case):
    server = StubServer(case)
    srp = aws_srp.AWSSRP(
        username=case["username_typed"],
        password=case["password"],
        pool_id=case["pool_id"],
        client_id=case["client_id"],
        client=server,
        client_secret=case.get("client_secret"),
    )
    # Fix pycognito's random `a` (its constructor drew a random one).
    srp.small_a_value = int(case["a_hex"], 16) % N
    srp.large_a_value = srp.calculate_a()
    fake_dt = mock.Mock(wraps=datetime)
    fake_dt.datetime = FixedDatetime
    with mock.patch.object(aws_srp, "datetime", fake_dt):
        srp.authenticate_user()
    resp = server.respond
    A_hex = server.initiate["AuthParameters"]["SRP_A"]
    A = int(A_hex, 16)
    u, S, K, sig = server.server_signature(A, resp["TIMESTAMP"])
    assert sig == resp["PASSWORD_CLAIM_SIGNATURE"], "server formulas disagree with pycognito"
    out = {
        "name": case["name"],
        "client": f"pycognito {importlib.metadata.version('pycognito')}",
        "pool_id": case["pool_id"],
        "pool_name": server.pool_name,
        "client_id": case["client_id"],
        "username_typed": case["username_typed"],
        "user_id_for_srp": case["user_id_for_srp"],
        "password": case["password"],
        "salt_bytes_hex": case["salt_bytes_hex"],
        "salt_wire": server.salt_hex,
        "x_hex": f"{server.x:x}",
        "verifier_hex": f"{server.v:x}",
        "b_hex": case["b_hex"],
        "srp_b": f"{server.B:x}",
        "a_hex": case["a_hex"],
        "srp_a": A_hex,
        "u_hex": f"{u:x}",
        "s_padhex": pad_hex(S),
        "k_session_hex": K.hex(),
        "secret_block_b64": base64.b64encode(server.secret_block).decode(),
        "timestamp": resp["TIMESTAMP"],
        "signature": resp["PASSWORD_CLAIM_SIGNATURE"],
        "response_username": resp["USERNAME"],
    }
    if case.get("client_secret"):
        out["client_secret"] = case["client_secret"]
        out["secret_hash_initiate"] = server.initiate["AuthParameters"]["SECRET_HASH"]
        out["secret_hash_respond"] = resp["SECRET_HASH"]
    return out


CASES = [
    {
        "name": "pycognito-basic",
        "pool_id": "us-east-1_AbCdEf123",
        "client_id": "1example23456789",
        "username_typed": "alice",
        "user_id_for_srp": "alice",
        "password": "Correct-Horse-9!",
        "salt_bytes_hex": "4a1c7e0f93d2b85566aa0123f4e5d6c7",
        "b_hex": det_bytes("pycognito-basic/b", 32).hex(),
        "a_hex": det_bytes("pycognito-basic/a", 128).hex(),
        "secret_block_len": 512,
    },
    {
        # Email-as-username pool: the internal username (USER_ID_FOR_SRP) is a UUID,
        # the salt starts with a zero nibble (padHex keeps "0a…"), the client has a
        # secret so SECRET_HASH is recorded too.
        "name": "pycognito-uuid-secret",
        "pool_id": "eu-west-1_Zz9Yy8Xx7",
        "client_id": "4bq2t5example0client0id0xyz",
        "client_secret": "s3cr3t-example-client-secret-value-0123456789abcdefg",
        "username_typed": "bob@example.com",
        "user_id_for_srp": "7d0c4a5e-1f2b-4c3d-9e8f-a1b2c3d4e5f6",
        "password": "P@ssw0rd with spaces and ünïcödé",
        "salt_bytes_hex": "0a7700ff11ee22dd33cc44bb55aa6699",
        "b_hex": det_bytes("pycognito-uuid-secret/b", 32).hex(),
        "a_hex": det_bytes("pycognito-uuid-secret/a", 128).hex(),
        "secret_block_len": 333,
    },
]


def main():
    vectors = {
        "source": "pycognito AWSSRP.authenticate_user() against a stub server (make_srp_pycognito_vectors.py)",
        "k_hex": f"{K_MULT:x}",
        "cases": [run_case(c) for c in CASES],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "srp_pycognito_vectors.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(vectors, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
