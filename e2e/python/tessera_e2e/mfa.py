"""MFA helpers: the server's test clock, an authenticator app (pyotp) reading it, and
the TOTP steps of a sign-in."""

import pyotp
import requests

from .flows import AUTH_PASSWORD, make_pool, sign_in


def server_now(server) -> float:
    return requests.get(f"{server.url}/_tessera/clock", timeout=10).json()["now"]


def move_clock(server, seconds: int) -> None:
    offset = requests.get(f"{server.url}/_tessera/clock", timeout=10).json()["offset_seconds"]
    r = requests.post(f"{server.url}/_tessera/clock", json={"offset_seconds": offset + seconds}, timeout=10)
    assert r.status_code == 200, r.text


def code(server, secret: str, steps: int = 0) -> str:
    """The authenticator's code at the server's time, `steps` steps away."""
    return pyotp.TOTP(secret).at(server_now(server) + 30 * steps)


def next_step(server) -> None:
    """Moves the server's clock into the next 30-second step."""
    move_clock(server, 30)


def totp_pool(cognito, mode="OPTIONAL", **extra) -> str:
    pool_id = make_pool(cognito, **extra)
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=mode,
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    return pool_id


def enroll(server, cognito, client_id, username) -> str:
    """A signed-in user sets up an authenticator app and turns TOTP on; returns its secret."""
    token = sign_in(cognito, client_id, username)["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
    assert cognito.verify_software_token(AccessToken=token, UserCode=code(server, secret),
                                         FriendlyDeviceName="phone")["Status"] == "SUCCESS"
    cognito.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={
        "Enabled": True, "PreferredMfa": True})
    next_step(server)  # the code just used is spent
    return secret


def start_sign_in(cognito, client_id, username, password=AUTH_PASSWORD) -> dict:
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": password})


def answer_totp(cognito, client_id, username, session, user_code):
    return cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
        ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": user_code})
