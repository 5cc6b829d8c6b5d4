"""HTTPS: `tessera serve` with a certificate and key it is given (`tls_cert`, `tls_key`), or
with a self-signed one it generates once into `<data dir>/tls/` (`tls_self_signed`).

With TLS on, the API, the issuer and the JWKS are https; a client speaking plain HTTP, or
a broken or distrustful TLS client, ends only its own connection; a missing or unusable
key stops the server at start with a message naming the file."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import socket
import ssl
import stat

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tessera_e2e.aws import make_client
from tessera_e2e.flows import jwt_claims, pool_with_user, sign_in
from tessera_e2e.server import run_tessera


def write_pem_pair(directory, names=("localhost",), ips=("127.0.0.1",)):
    """A self-signed certificate for `names` and `ips` and its key, as the operator's
    own PEM files would be: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tessera e2e")])
    now = datetime.datetime.now(datetime.timezone.utc)
    sans = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def served_certificate(port: int, cafile, server_hostname: str) -> bytes:
    """The DER certificate the server presents to a client that trusts `cafile` and
    asks for `server_hostname` (the handshake fails unless the certificate names it);
    the same connection then answers GET /health."""
    context = ssl.create_default_context(cafile=str(cafile))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
            assert tls.selected_alpn_protocol() in (None, "http/1.1")
            tls.sendall(f"GET /health HTTP/1.1\r\nHost: {server_hostname}\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while chunk := tls.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
            return tls.getpeercert(binary_form=True)


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def pem_to_der(path) -> bytes:
    return ssl.PEM_cert_to_DER_cert(path.read_text())


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def assert_still_serving(srv, cafile):
    r = requests.get(f"{srv.url}/health", verify=str(cafile), timeout=10)
    assert r.status_code == 200, r.text
    assert srv.running


def test_api_issuer_and_jwks_over_https_with_the_given_certificate(start_server, tmp_path):
    cert, key = write_pem_pair(tmp_path / "pki")
    srv = start_server(config_toml=f'tls_cert = "{cert}"\ntls_key = "{key}"\n')
    assert srv.printed_url.startswith("https://127.0.0.1:"), srv.printed_url
    assert srv.url == f"https://127.0.0.1:{srv.port}"

    cognito = make_client(srv, verify=str(cert))
    pool_id, client_id = pool_with_user(cognito)
    tokens = sign_in(cognito, client_id, "alice")
    issuer = f"https://127.0.0.1:{srv.port}/{pool_id}"
    assert jwt_claims(tokens["IdToken"])["iss"] == issuer
    assert jwt_claims(tokens["AccessToken"])["iss"] == issuer

    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", verify=str(cert), timeout=10).json()
    assert discovery["issuer"] == issuer
    assert discovery["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    jwks = requests.get(discovery["jwks_uri"], verify=str(cert), timeout=10).json()
    kid = jwt.get_unverified_header(tokens["IdToken"])["kid"]
    (signing_key,) = [k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id == kid]
    claims = jwt.decode(tokens["IdToken"], signing_key.key, algorithms=["RS256"], audience=client_id,
                        issuer=issuer)
    assert claims["cognito:username"] == "alice"

    # Stopped with the client's connection still open: a graceful exit, not a kill.
    assert srv.stop() == 0, srv.stderr_text()[-2000:]


def test_bad_clients_end_only_their_own_connection(start_server, tmp_path):
    cert, key = write_pem_pair(tmp_path / "pki")
    srv = start_server(args=["--tls-cert", cert, "--tls-key", key])

    # Plain HTTP to the TLS port: a plain-HTTP error that says what to do.
    r = requests.get(f"http://127.0.0.1:{srv.port}/health", timeout=10)
    assert r.status_code == 400
    assert "https://" in r.text
    assert_still_serving(srv, cert)

    # A client that does not trust the certificate gives up in the handshake.
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{srv.url}/health", timeout=10)
    # A handshake record followed by garbage, and a connection closed unspoken.
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
        raw.sendall(b"\x16\x03\x01\x00\x05garbage-that-is-no-client-hello")
        raw.settimeout(10)
        try:
            while raw.recv(4096):
                pass
        except ConnectionResetError:
            pass
    socket.create_connection(("127.0.0.1", srv.port), timeout=10).close()
    assert_still_serving(srv, cert)

    # A client that connects and never speaks holds up nobody else.
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10):
        assert_still_serving(srv, cert)
        cognito = make_client(srv, verify=str(cert))
        assert "UserPools" in cognito.list_user_pools(MaxResults=1)


def test_self_signed_certificate_is_made_once_kept_and_names_local_hosts(start_server):
    srv = start_server(env={"TESSERA_TLS_SELF_SIGNED": "true"})
    assert srv.url == f"https://127.0.0.1:{srv.port}"
    tls_dir = srv.data_dir / "tls"
    cert, key = tls_dir / "cert.pem", tls_dir / "key.pem"
    assert cert.is_file() and key.is_file(), sorted(os.listdir(srv.data_dir))
    assert mode(key) == 0o600, oct(mode(key))
    # The log says where the certificate is and how to trust it.
    logs = srv.stderr_text()
    assert str(cert) in logs and "SSL_CERT_FILE" in logs and "NODE_EXTRA_CA_CERTS" in logs, logs[-2000:]

    served = served_certificate(srv.port, cert, "localhost")
    assert served == pem_to_der(cert)
    # Pool prefix domains are served at <prefix>.auth.localhost: the wildcard covers them.
    assert served_certificate(srv.port, cert, "myapp.auth.localhost") == served
    with pytest.raises(ssl.SSLCertVerificationError):
        served_certificate(srv.port, cert, "example.com")

    cognito = make_client(srv, verify=str(cert))
    pool_id, client_id = pool_with_user(cognito)
    issuer = f"https://127.0.0.1:{srv.port}/{pool_id}"
    assert jwt_claims(sign_in(cognito, client_id, "alice")["IdToken"])["iss"] == issuer
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", verify=str(cert), timeout=10).json()
    assert discovery["issuer"] == issuer

    # Restarted on the same data directory: the same certificate, so trusting it once lasts.
    key_before = key.read_bytes()
    srv.restart()
    assert fingerprint(served_certificate(srv.port, cert, "localhost")) == fingerprint(served)
    assert key.read_bytes() == key_before and mode(key) == 0o600
    assert "replacing the self-signed certificate" not in srv.stderr_text()


def test_self_signed_certificate_names_the_public_url_host(start_server):
    srv = start_server(args=["--tls-self-signed", "--public-url", "https://id.tessera.test:8443"])
    cert = srv.data_dir / "tls" / "cert.pem"
    assert served_certificate(srv.port, cert, "id.tessera.test") == pem_to_der(cert)
    assert served_certificate(srv.port, cert, "127.0.0.1") == pem_to_der(cert)


BAD_KEYS = {
    "missing": None,
    "garbage": "this is not a key\n",
    "bad-pem": "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
}


@pytest.mark.parametrize("kind", [*BAD_KEYS, "another-key"])
def test_an_unusable_key_stops_the_start_naming_the_file(tessera_bin, tmp_path, kind):
    cert, _ = write_pem_pair(tmp_path / "pki")
    key = tmp_path / f"{kind}.pem"
    if kind == "another-key":
        _, other = write_pem_pair(tmp_path / "other")
        other.rename(key)
    elif BAD_KEYS[kind] is not None:
        key.write_text(BAD_KEYS[kind])
    r = run_tessera(tessera_bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", tmp_path / "data",
                    "--tls-cert", cert, "--tls-key", key, timeout=20)
    assert not r.timed_out, "the server started with an unusable key"
    assert r.returncode not in (0, None), r.output
    assert str(key) in r.output, r.output
    assert "panicked" not in r.output, r.output


def test_a_certificate_without_its_key_is_refused(tessera_bin, tmp_path):
    cert, _ = write_pem_pair(tmp_path / "pki")
    r = run_tessera(tessera_bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", tmp_path / "data",
                    env={"TESSERA_TLS_CERT": cert}, timeout=20)
    assert not r.timed_out and r.returncode != 0, r.output
    assert "tls_key" in r.output, r.output
    assert not (tmp_path / "data").exists(), "refused before touching the data directory"
