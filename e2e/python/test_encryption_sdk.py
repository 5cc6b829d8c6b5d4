"""The AWS Encryption SDK messages Tessera makes for CustomEmailSender and CustomSMSSender
triggers (crates/tessera-crypto/src/encryption_sdk.rs), checked against the real Python SDK.

Cognito gives those triggers the code encrypted with the AWS Encryption SDK under the
pool's KMS key. Tessera has no KMS: it wraps the data key with a raw AES keyring under a
key the operator configures, so a function decrypts with the same SDK and a raw AES
keyring (here the Python SDK's RawMasterKey, which writes and reads the same format).

Vectors go both ways. The key, keyring and vectors below MUST match the constants in the
Rust tests (`mod tests` in encryption_sdk.rs): the Rust-made vectors decrypt here, and the
Python-made ones, made by this SDK with the keyring below, decrypt there. No server runs."""

from __future__ import annotations

import base64

import aws_encryption_sdk
import pytest
from cryptography.exceptions import InvalidTag
from aws_encryption_sdk.identifiers import (
    Algorithm,
    CommitmentPolicy,
    ContentType,
    EncryptionKeyType,
    SerializationVersion,
    WrappingAlgorithm,
)
from aws_encryption_sdk.key_providers.raw import RawMasterKey, WrappingKey

KEY = bytes.fromhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
NAMESPACE = "tessera"
KEY_NAME = "arn:aws:kms:us-east-1:111122223333:key/tessera-test"
SUITE = Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY

# Rust `encrypt_with` with fixed randomness: RUST_CODE_VECTOR and RUST_FRAMES_VECTOR there.
RUST_VECTORS = [
    pytest.param(
        "AgR4AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8APgACAAdwdXJwb3NlABFDdXN0b21FbWFpbFNlbmRlcgALdXNlcnBvb2wtaWQAEXVzLWVhc3QtMV9FWEFNUExFAAEAB3Rlc3NlcmEAR2Fybjphd3M6a21zOnVzLWVhc3QtMToxMTExMjIyMjMzMzM6a2V5L3Rlc3NlcmEtdGVzdAAAAIAAAAAMHx8fHx8fHx8fHx8fADDn9Nl0S0YOWhMAAG0bcKtfGW9ANIujOFgAJXEHwllSiK5/tlswa98fjcNcqdPUgx8CAAAQANyIGVuGvsSH1bImAGZ6WZUNr7Pji1KZhr7R1peHGJOALxhuLaUl7PdcycYoL4vvLf////8AAAABAAAAAAAAAAAAAAABAAAABprxLUFBujk250MtKVCzni3bxoAmW34=",
        b"123456",
        {"purpose": "CustomEmailSender", "userpool-id": "us-east-1_EXAMPLE"},
        4096,
        id="code",
    ),
    pytest.param(
        "AgR4AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8AAAABAAd0ZXNzZXJhAEdhcm46YXdzOmttczp1cy1lYXN0LTE6MTExMTIyMjIzMzMzOmtleS90ZXNzZXJhLXRlc3QAAACAAAAADB8fHx8fHx8fHx8fHwAw5/TZdEtGDloTAABtG3CrXxlvQDSLozhYACVxB8JZUojhSUvg/GoiAHH5eVbbg7D4AgAAAIDciBlbhr7Eh9WyJgBmelmVDa+z44tSmYa+0daXhxiTgMvQ1f3dK8VrN9xsKRhILFEAAAABAAAAAAAAAAAAAAABm/IsRkC5lH0qN55MlA7uKTpYz8sifo3cmby1iq/9pj1RQR6FmomIHsUE+rkEm5+vHh6MNSu4hZgO8MkxG1WrW+BOvV84gGfmi6rZh+U52lvVHcPDI45z1wK9Bl7zU5vmpm1n29+OIyokVIdURn5X9LfhBCSjBa3eH1BU9J8iEGlvlMtsyFOZo1RmnokKFkXwAAAAAgAAAAAAAAAAAAAAApO9AZRwFVAmnqTfHxterzu78Ie1lj6Nn2cjHbSdLOel5aYq3lKbrX3xY1frRk96M1nNogqJMQ8DXM9Y1Kp6gkuMfv05C5SQxw3NhAP1fZ7VmVVQwWQVodl2N8n+4fiJOtVCUYaJi63h80K5l3q3OAKL+QViiu0nmrF74GityNO+58hSkXPHBZFs7XMpx49jzP////8AAAADAAAAAAAAAAAAAAADAAAAgOBsbjhgBTC1GT83lOmuEMTBXCNPzCbG+uZJv+dsGnfeZ23ZfLWxCphvISpUE0DbpIiJ1Zi+3wsMNAolwkEAEOf9csnzZOkKK1gvh3YLtAZXPHOT1a7Q+eoSTZfY4UhQX8fKJOhYtqrOwTB49GV2n2dcFIyPPCrMHjGrCBij/Hs9Rc9WsRTOTOplEGBzkWbCVQ==",
        b"0123456789abcdef" * 24,
        {},
        128,
        id="frames",
    ),
]

# Made by this SDK: `client().encrypt(source=plaintext, key_provider=master_key(),
# algorithm=SUITE, frame_length=..., encryption_context=...)`; PYTHON_*_VECTOR in Rust.
PYTHON_VECTORS = [
    pytest.param(
        "AgR4f0A2zyOgH5TqnJc2Zs0WhxiLD4Fjz7KfndUKXOKvuVMANQACAAdwdXJwb3NlAAZweXRob24AC3VzZXJwb29sLWlkABN1cy1lYXN0LTFfcHlFWEFNUExFAAEAB3Rlc3NlcmEAR2Fybjphd3M6a21zOnVzLWVhc3QtMToxMTExMjIyMjMzMzM6a2V5L3Rlc3NlcmEtdGVzdAAAAIAAAAAMiHSSp5EWhYiBsnJPADBDSKDGtmmSD9/fBlYj+C9zV1QRW8/D44gpUhGigv4CAsDrtlrWshaWQkdMCU6a0JoCAAAQAAqBYL/SR94BCry2fD/HaNa0cGTH/0tJmLaRDXwiFINKmyB4DGGXBo4p/smf6v0DX/////8AAAABAAAAAAAAAAAAAAABAAAABlOfDhzvVVJC2JD5vo7vWrVH30SfkSM=",
        b"654321",
        {"userpool-id": "us-east-1_pyEXAMPLE", "purpose": "python"},
        4096,
        id="code",
    ),
    pytest.param(
        "AgR40fuiKUWAH5Sk/pzZMhj+WQ9tJ83AGLpgabAt6CwytgEAAAABAAd0ZXNzZXJhAEdhcm46YXdzOmttczp1cy1lYXN0LTE6MTExMTIyMjIzMzMzOmtleS90ZXNzZXJhLXRlc3QAAACAAAAADFT2jEKD41Tgq5gWoQAwfFkXp4BOZjWv/StVQyPkxyPOiCqaBjYIFyNTHEaGEgU2FNJZ+33RecdE5wiak56EAgAAAIACdAfF1gyTf9BHeWF5taVmdhgpAxvRFlTTntB2nXaOvCqBj4EDhHIfHjlYgSlpIjQAAAABAAAAAAAAAAAAAAABXdo9brXEn/qysvkmkw1zsu4FpgMosz0M2bxObLPqXSxsEPJJujsNBvlR6qufau80/CVdgO8X+v7Ulx61vuE38okIA/KQkHo3tCjFUbDxSoPF8C2AO30chY5uXOLUn4XHGM5glOdDGEYNsM7OhrMGI+8JsbWNeqaP8iT3cDtYDmlyQW0D2+qL3oppL939AyKLAAAAAgAAAAAAAAAAAAAAAgl9dd1RT3i2MnhXPlJb5wq5XWkWO7labdY2xYSfoQL/UDfz+yvsr/D4AHjoP9y9WqFd+7YLBGR1shiUbrk69oE3yZiMuEmhd2/uIKOHLg4BAinTD2hxYioFV5C+K/tqg0jZuXrEQxv64sjeX3+/obKfhfEZu/EjYW6SEELdL07Hh2Y2qLReZtYZUNyuLJJi1P////8AAAADAAAAAAAAAAAAAAADAAAALBikCbH24Uy5uVIQI/sij+UQRJwBKzkhYytI3+KfaDRBU6raEmqn8mN3CxA0KnMYAdPHkV5o+Vn0m+HR2A==",
        b"0123456789" * 30,
        {},
        128,
        id="frames",
    ),
    pytest.param(
        "AgR4/Z2INV3Vd77nIfD3tdW1nznpeeV16f6ClBf1e++4+QAACAABAAFrAAF2AAEAB3Rlc3NlcmEAR2Fybjphd3M6a21zOnVzLWVhc3QtMToxMTExMjIyMjMzMzM6a2V5L3Rlc3NlcmEtdGVzdAAAAIAAAAAMXxDja8DidkUhWD+CADD4kuFGPjZ0QoF4FcPEKs5Dh6TkUbiIqDcPn6axwKvfDQrkUEd8CseiHar7mlekjk8CAAAAgPWXjWpO9oYA7u9RAT2pfn08+vZZg87IptK5Fyyg5XWLoZgN/yrh2NKSls2sEbgtkgAAAAEAAAAAAAAAAAAAAAGYOOI26V/CGYvIMoiZWR2sJH3lKQd8kpYGI6AHhLWD7YtC/INKbNK/WWS3k47b1UOR02fMXPLmSmuj330i3oHj149PegqSzvhWMK4RnXqdF9MJavz8FeXikPtBcEULzN+151CbiYknS8HaQ1NLn+KvnCuxmOjbzGCXJEzJyAfcvD91UYddHZga5/mnP0kOs6AAAAACAAAAAAAAAAAAAAAC4hA1rCcX+QajDkDoEM3azsdEg2Bo0ce8KiYWuZedZbeFERqlBGnpX5SQPU46M5ikHTyrL1K/zCV2lQ8oLX4Hxxlab6kRZKGwInVFkH2c+lKGwhNDLSepXglxLI9sm2oXuIX6iFxeghfT6lLVA+OTFmQIJe8fUA7vl3gj8BigYm4W+oXm4p6QpLJvjd3gvt01/////wAAAAMAAAAAAAAAAAAAAAMAAAAAxteZuDDsYNcRz33Q8Xf4TQ==",
        b"0123456789abcdef" * 16,
        {"k": "v"},
        128,
        id="exact-multiple",
    ),
]


def master_key() -> RawMasterKey:
    """What a trigger function configures in place of the KMS keyring."""
    return RawMasterKey(
        provider_id=NAMESPACE,
        key_id=KEY_NAME.encode(),
        wrapping_key=WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=KEY,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        ),
    )


def client() -> aws_encryption_sdk.EncryptionSDKClient:
    # The current SDKs' default policy: only committing suites, either way.
    return aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)


def assert_tessera_format(header, encryption_context: dict, frame_length: int) -> None:
    assert header.version == SerializationVersion.V2
    assert header.algorithm == SUITE
    assert header.content_type == ContentType.FRAMED_DATA
    assert header.frame_length == frame_length
    assert header.encryption_context == encryption_context
    [edk] = header.encrypted_data_keys
    assert edk.key_provider.provider_id == NAMESPACE
    # Key name, tag length in bits (128), IV length (12), the 12-byte IV.
    info = edk.key_provider.key_info
    assert info[: len(KEY_NAME)] == KEY_NAME.encode()
    assert info[len(KEY_NAME) : len(KEY_NAME) + 8] == bytes.fromhex("00000080 0000000c")
    assert len(info) == len(KEY_NAME) + 8 + 12


@pytest.mark.parametrize(("vector", "plaintext", "encryption_context", "frame_length"), RUST_VECTORS)
def test_sdk_decrypts_what_tessera_encrypts(vector, plaintext, encryption_context, frame_length):
    decrypted, header = client().decrypt(source=base64.b64decode(vector), key_provider=master_key())
    assert decrypted == plaintext
    assert_tessera_format(header, encryption_context, frame_length)


@pytest.mark.parametrize(("vector", "plaintext", "encryption_context", "frame_length"), PYTHON_VECTORS)
def test_python_vectors_for_the_rust_tests_are_the_sdks(vector, plaintext, encryption_context, frame_length):
    message = base64.b64decode(vector)
    decrypted, header = client().decrypt(source=message, key_provider=master_key())
    assert decrypted == plaintext
    assert_tessera_format(header, encryption_context, frame_length)
    # The SDK still makes messages of that shape: same length, differing only in random bytes.
    fresh, _ = client().encrypt(
        source=plaintext,
        key_provider=master_key(),
        algorithm=SUITE,
        frame_length=frame_length,
        encryption_context=encryption_context,
    )
    assert len(fresh) == len(message)
    assert fresh[:3] == message[:3] == bytes.fromhex("020478")


def test_sdk_refuses_a_modified_tessera_message():
    message = bytearray(base64.b64decode(RUST_VECTORS[0].values[0]))
    message[-1] ^= 0x01  # the final frame's tag
    with pytest.raises(InvalidTag):
        client().decrypt(source=bytes(message), key_provider=master_key())


def test_sdk_refuses_tessera_message_under_another_key():
    other = RawMasterKey(
        provider_id=NAMESPACE,
        key_id=KEY_NAME.encode(),
        wrapping_key=WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=bytes(32),
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        ),
    )
    # A single RawMasterKey lets the failed unwrap's InvalidTag through.
    with pytest.raises(InvalidTag):
        client().decrypt(source=base64.b64decode(RUST_VECTORS[0].values[0]), key_provider=other)
