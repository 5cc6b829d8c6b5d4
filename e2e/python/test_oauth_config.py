"""The OAuth configuration of a user pool: domains, resource servers, the OAuth members
of app clients, classic UI customization, managed-login branding and terms documents.

Cognito facts used (InvalidParameterException unless said otherwise):
- prefix domain outside `^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$`: "The domain name
  contains an invalid character. Domain names can only contain lower-case letters,
  numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9]
  (?:[a-z0-9\\-]{0,61}[a-z0-9])?$" (https://github.com/mineiros-io/terraform-aws-cognito-user-pool/issues/69);
  the model's DomainType pattern is not applied by the service to custom domains
  (https://github.com/terraform-linters/tflint-ruleset-aws/issues/156)
- reserved words anywhere in a prefix: "Domain cannot contain reserved word: cognito"
  (https://github.com/aws-amplify/amplify-cli/issues/3854, for `newcognito`), "...: aws"
  (https://github.com/aws-solutions/content-analysis-on-aws/issues/8); `amazon` too
  (https://github.com/amazon-connect/voicemail-for-amazon-connect/issues/3)
- a taken domain: "Domain already associated with another user pool."
  (https://github.com/aws-samples/aws-cdk-examples/issues/402)
- a second domain of a kind: "User pool already has a domain configured."
  (https://github.com/aws/aws-cdk/issues/10062)
- a certificate for a pool without a custom domain: "User pool should have a custom domain
  associated, failed to update the certificate." (https://github.com/aws/aws-cdk/issues/25712)
- DescribeUserPoolDomain of a domain no pool has: {"DomainDescription": {}}; deleting it:
  "No such domain or user pool exists." (aws-amplify/amplify-cli,
  packages/amplify-e2e-tests/src/__tests__/auth/hosted-ui.test.ts, against the live service)
- CreateUserPoolDomain answers ManagedLoginVersion, and CloudFrontDomain only for a custom
  domain; version 1 is the classic hosted UI, 2 managed login (botocore model)
- AllowedOAuthScopes outside the standard five and the pool's resource servers:
  ScopeDoesNotExistException "Invalid scope requested: Cognito"
  (https://github.com/awsdocs/aws-cloudformation-user-guide/issues/564)
- callback URLs: absolute, no fragment, HTTPS except http://localhost, http://127.0.0.1 and
  http://[::1]; app schemes allowed (CreateUserPoolClient's CallbackURLs in the model);
  "<url> cannot use the HTTP protocol." for any other http URL (the live text, quoted in
  deployment notes such as "http://...s3-website-us-east-1.amazonaws.com cannot use the
  HTTP protocol."); loopback IPs allowed since 2025 (https://github.com/microsoft/vscode/issues/256122)
- an unknown identity provider: "The provider Salesforce does not exist for User Pool
  <pool>." (https://github.com/lgallard/terraform-aws-cognito-user-pool/issues/71)
- a client_credentials client allowing a standard scope: InvalidOAuthFlowException "openid
  is not supported with client_credentials flow"
  (https://github.com/hashicorp/terraform-provider-aws/issues/4984); such a client allows
  only resource-server scopes
- resource servers: ResourceNotFoundException for an unknown identifier (what clients of the
  live service catch); UpdateResourceServer resets what it leaves out (model docs); deleting
  a server whose scopes a client allows is clean
  (https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/173)
- SetUICustomization needs a domain: "A domain must be associated with this user pool."
  (https://github.com/amazon-connect/voicemail-for-amazon-connect/issues/5); ClientId ALL
  is the default of every client without its own; CSS and logo are set together; the CSS
  may only style the listed `-customizable` classes and may not hold @import, @supports,
  @page, @media or script; logos are PNG or JPEG (developer guide, "Customizing hosted UI
  (classic) branding"); CSSVersion reads like 20250115191928 (AWS CLI example for
  get-ui-customization); GetUICustomization with nothing set answers an empty object
  (model docs)
- managed-login branding: one style per app client (ManagedLoginBrandingExistsException),
  UseCognitoProvidedValues excludes Settings and Assets, Update keeps what it leaves out
  (model docs); ids are UUIDs (ManagedLoginBrandingIdType pattern)
- terms: TermsExistsException for a second document of a name on a client; TermsName is
  terms-of-use or privacy-policy, TermsSource LINK, Enforcement NONE (model)

Tessera's own words, where Cognito's are not on record: a duplicate resource server ("<id>
already exists in user pool <pool>.", moto's), an unknown one ("Resource server <id> does
not exist."), invalid custom domains, ManagedLoginVersion values, redirect URLs that are
relative or have a fragment, DefaultRedirectURI outside CallbackURLs, CSS and logo
refusals, branding and terms not found or already there. Tessera's own rules too: redirect
URLs holding a backslash, whitespace or a control character (browsers read `\\` as `/`) or
using the javascript:, data:, vbscript: or file: schemes are refused, and plain HTTP is
allowed only when the URL's text and a browser (WHATWG) agree the host is loopback; a
custom domain may not be the OAuth base domain, a name under it, or the public URL's
host; CSS is read as a browser reads it (strings, comments, url()), and escapes or
anything a browser would have to recover from (an unclosed string or comment, brackets
that do not match) are refused.
"""

import base64

import pytest

from tessera_e2e.aws import aws_cli, expect_error, make_client, raw_call
from tessera_e2e.flows import is_uuid, make_pool, recent, unique

CERT = "arn:aws:acm:us-east-1:000000000000:certificate/11111111-2222-3333-4444-555555555555"
INVALID_PREFIX = (
    "The domain name contains an invalid character. Domain names can only contain lower-case "
    "letters, numbers, and hyphens. Please enter a different name that follows this format: "
    "^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
MISSING_POOL = "us-east-1_Nope12345"


def prefix() -> str:
    """A prefix no other test takes: lowercase hex, so no reserved word."""
    return unique("dom").lower()


def custom_domain() -> str:
    return f"{prefix()}.example.com"


@pytest.fixture
def domain_pool(cognito, pool):
    """A pool with a prefix domain (SetUICustomization needs one)."""
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=prefix())
    return pool


# ---------------------------------------------------------------- domains


def test_a_prefix_domain_is_created_described_updated_and_deleted(cognito, server, pool):
    name = prefix()
    created = cognito.create_user_pool_domain(UserPoolId=pool, Domain=name)
    assert created["ManagedLoginVersion"] == 1
    assert "CloudFrontDomain" not in created
    described = cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert described == {
        "UserPoolId": pool,
        "AWSAccountId": "000000000000",
        "Domain": name,
        "Status": "ACTIVE",
        "ManagedLoginVersion": 1,
    }
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Domain"] == name

    updated = cognito.update_user_pool_domain(UserPoolId=pool, Domain=name, ManagedLoginVersion=2)
    assert updated["ManagedLoginVersion"] == 2
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]["ManagedLoginVersion"] == 2

    cognito.delete_user_pool_domain(UserPoolId=pool, Domain=name)
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=pool)["UserPool"]


def test_a_custom_domain_sits_beside_the_prefix_and_points_at_this_server(cognito, server, pool):
    name, custom = prefix(), custom_domain()
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=name)
    created = cognito.create_user_pool_domain(
        UserPoolId=pool, Domain=custom, CustomDomainConfig={"CertificateArn": CERT}, ManagedLoginVersion=2)
    assert created == {"ManagedLoginVersion": 2, "CloudFrontDomain": "127.0.0.1",
                       "ResponseMetadata": created["ResponseMetadata"]}
    described = cognito.describe_user_pool_domain(Domain=custom)["DomainDescription"]
    assert described["CustomDomainConfig"] == {"CertificateArn": CERT}
    assert described["CloudFrontDistribution"] == "127.0.0.1"
    assert described["UserPoolId"] == pool
    user_pool = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert (user_pool["Domain"], user_pool["CustomDomain"]) == (name, custom)

    renewed = CERT.replace("5555", "6666")
    cognito.update_user_pool_domain(UserPoolId=pool, Domain=custom, CustomDomainConfig={"CertificateArn": renewed})
    described = cognito.describe_user_pool_domain(Domain=custom)["DomainDescription"]
    assert described["CustomDomainConfig"] == {"CertificateArn": renewed}
    assert described["ManagedLoginVersion"] == 2, "an update keeps what it does not name"
    with expect_error("InvalidParameterException",
                      "User pool should have a custom domain associated, failed to update the certificate."):
        cognito.update_user_pool_domain(UserPoolId=pool, Domain=name, CustomDomainConfig={"CertificateArn": CERT})


def test_the_aws_cli_creates_and_describes_a_domain(server, pool):
    name = prefix()
    assert aws_cli(server, "create-user-pool-domain", "--user-pool-id", pool, "--domain", name) == {
        "ManagedLoginVersion": 1}
    described = aws_cli(server, "describe-user-pool-domain", "--domain", name)["DomainDescription"]
    assert (described["Domain"], described["UserPoolId"]) == (name, pool)


@pytest.mark.parametrize("bad", ["MyApp", "my_app", "-app", "app-", "my.app", "a" * 62 + "-"])
def test_a_prefix_outside_cognitos_pattern_is_refused_in_its_words(cognito, pool, bad):
    with expect_error("InvalidParameterException", INVALID_PREFIX):
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=bad)


@pytest.mark.parametrize("word", ["aws", "amazon", "cognito"])
def test_a_prefix_containing_a_reserved_word_is_refused(cognito, pool, word):
    with expect_error("InvalidParameterException", f"Domain cannot contain reserved word: {word}"):
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=f"my{word}app")


def test_a_custom_domain_must_be_a_fully_qualified_name(cognito, pool):
    for name in ("localhost", "10.0.0.1"):  # an address is not a domain name
        with expect_error("InvalidParameterException",
                          f"The custom domain {name} is not a fully-qualified domain name."):
            cognito.create_user_pool_domain(UserPoolId=pool, Domain=name,
                                            CustomDomainConfig={"CertificateArn": CERT})


@pytest.mark.parametrize("taken", ["auth.localhost", "myapp.auth.localhost", "a.b.auth.localhost",
                                   "MyApp.Auth.LocalHost"])
def test_a_custom_domain_may_not_be_the_base_domain_or_under_it(cognito, pool, taken):
    """It would answer for a prefix domain, taken or not yet."""
    with expect_error("InvalidParameterException",
                      f"The custom domain {taken.lower()} cannot be auth.localhost or a name under it: "
                      "prefix domains are served there."):
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=taken, CustomDomainConfig={"CertificateArn": CERT})


def test_a_custom_domain_may_not_be_the_public_urls_host(start_server):
    srv = start_server(config_toml='public_url = "https://id.example.test"\noauth_base_domain = "login.example.test"\n')
    cognito = make_client(srv)
    pool = make_pool(cognito)
    with expect_error("InvalidParameterException",
                      "The custom domain id.example.test is the host of this server's public URL."):
        cognito.create_user_pool_domain(UserPoolId=pool, Domain="ID.example.test",
                                        CustomDomainConfig={"CertificateArn": CERT})
    with expect_error("InvalidParameterException", contains="cannot be login.example.test or a name under it"):
        cognito.create_user_pool_domain(UserPoolId=pool, Domain="myapp.login.example.test",
                                        CustomDomainConfig={"CertificateArn": CERT})
    created = cognito.create_user_pool_domain(UserPoolId=pool, Domain="auth.id.example.test",
                                              CustomDomainConfig={"CertificateArn": CERT})
    assert created["CloudFrontDomain"] == "id.example.test"


def test_a_custom_domain_needs_its_certificate(lax, pool):
    with expect_error("InvalidParameterException", contains=["customDomainConfig.certificateArn",
                                                             "Member must not be null"]):
        lax.create_user_pool_domain(UserPoolId=pool, Domain=custom_domain(), CustomDomainConfig={})


def test_managed_login_version_is_1_or_2(cognito, pool):
    with expect_error("InvalidParameterException",
                      "ManagedLoginVersion 3 is not valid: use 1 (hosted UI classic) or 2 (managed login)."):
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=prefix(), ManagedLoginVersion=3)


def test_one_domain_of_each_kind_per_pool_and_each_taken_once(cognito, pool):
    name, custom = prefix(), custom_domain()
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=name)
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=custom, CustomDomainConfig={"CertificateArn": CERT})
    with expect_error("InvalidParameterException", "User pool already has a domain configured."):
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=prefix())
    with expect_error("InvalidParameterException", "User pool already has a domain configured."):
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=custom_domain(),
                                        CustomDomainConfig={"CertificateArn": CERT})
    other = make_pool(cognito)
    try:
        for domain, config in [(name, None), (custom, {"CertificateArn": CERT})]:
            extra = {"CustomDomainConfig": config} if config else {}
            with expect_error("InvalidParameterException", "Domain already associated with another user pool."):
                cognito.create_user_pool_domain(UserPoolId=other, Domain=domain, **extra)
        with expect_error("InvalidParameterException", "No such domain or user pool exists."):
            cognito.delete_user_pool_domain(UserPoolId=other, Domain=name)
        assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]["UserPoolId"] == pool
    finally:
        cognito.delete_user_pool(UserPoolId=other)


def test_unknown_domains_and_pools(cognito, pool):
    assert cognito.describe_user_pool_domain(Domain=prefix())["DomainDescription"] == {}
    for call in (cognito.delete_user_pool_domain, cognito.update_user_pool_domain):
        with expect_error("InvalidParameterException", "No such domain or user pool exists."):
            call(UserPoolId=pool, Domain=prefix())
        with expect_error("InvalidParameterException", "No such domain or user pool exists."):
            call(UserPoolId=MISSING_POOL, Domain=prefix())
    with expect_error("ResourceNotFoundException", f"User pool {MISSING_POOL} does not exist."):
        cognito.create_user_pool_domain(UserPoolId=MISSING_POOL, Domain=prefix())


def test_deleting_a_pool_frees_its_domains(cognito):
    doomed, name = make_pool(cognito), prefix()
    cognito.create_user_pool_domain(UserPoolId=doomed, Domain=name)
    cognito.delete_user_pool(UserPoolId=doomed)
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}
    heir = make_pool(cognito)
    try:
        cognito.create_user_pool_domain(UserPoolId=heir, Domain=name)
    finally:
        cognito.delete_user_pool(UserPoolId=heir)


# ---------------------------------------------------------------- resource servers


def scopes(*names):
    return [{"ScopeName": n, "ScopeDescription": f"{n} things"} for n in names]


def test_a_resource_server_is_created_described_updated_and_deleted(cognito, pool):
    created = cognito.create_resource_server(UserPoolId=pool, Identifier="https://api.example.com",
                                             Name="Orders API", Scopes=scopes("read", "write"))["ResourceServer"]
    assert created == {"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "Orders API",
                       "Scopes": scopes("read", "write")}
    assert cognito.describe_resource_server(UserPoolId=pool, Identifier="https://api.example.com")[
        "ResourceServer"] == created

    updated = cognito.update_resource_server(UserPoolId=pool, Identifier="https://api.example.com",
                                             Name="Orders")["ResourceServer"]
    assert updated == {"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "Orders",
                       "Scopes": []}, "scopes left out return to none"

    cognito.delete_resource_server(UserPoolId=pool, Identifier="https://api.example.com")
    with expect_error("ResourceNotFoundException", "Resource server https://api.example.com does not exist."):
        cognito.describe_resource_server(UserPoolId=pool, Identifier="https://api.example.com")


def test_resource_servers_are_listed_in_pages(cognito, pool):
    for n in range(5):
        cognito.create_resource_server(UserPoolId=pool, Identifier=f"api-{n}", Name=f"api {n}",
                                       Scopes=scopes("read"))
    seen, token = [], None
    while True:
        page = cognito.list_resource_servers(UserPoolId=pool, MaxResults=2,
                                             **({"NextToken": token} if token else {}))
        assert len(page["ResourceServers"]) <= 2
        seen += [s["Identifier"] for s in page["ResourceServers"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [f"api-{n}" for n in range(5)]
    assert cognito.list_resource_servers(UserPoolId=pool, MaxResults=50)["ResourceServers"][0] == {
        "UserPoolId": pool, "Identifier": "api-0", "Name": "api 0", "Scopes": scopes("read")}


def test_resource_server_refusals(cognito, lax, pool):
    cognito.create_resource_server(UserPoolId=pool, Identifier="orders", Name="orders")
    with expect_error("InvalidParameterException", f"orders already exists in user pool {pool}."):
        cognito.create_resource_server(UserPoolId=pool, Identifier="orders", Name="again")
    with expect_error("InvalidParameterException", "Duplicate scope name read in resource server dup."):
        cognito.create_resource_server(UserPoolId=pool, Identifier="dup", Name="dup",
                                       Scopes=scopes("read", "read"))
    with expect_error("ResourceNotFoundException", "Resource server nothing does not exist."):
        cognito.update_resource_server(UserPoolId=pool, Identifier="nothing", Name="n")
    with expect_error("ResourceNotFoundException", "Resource server nothing does not exist."):
        cognito.delete_resource_server(UserPoolId=pool, Identifier="nothing")
    with expect_error("ResourceNotFoundException", f"User pool {MISSING_POOL} does not exist."):
        cognito.create_resource_server(UserPoolId=MISSING_POOL, Identifier="x", Name="x")
    # The model's patterns: no space or quote in identifiers, no slash in scope names.
    with expect_error("InvalidParameterException", contains="at 'identifier' failed to satisfy constraint"):
        lax.create_resource_server(UserPoolId=pool, Identifier="has space", Name="n")
    with expect_error("InvalidParameterException", contains="failed to satisfy constraint"):
        lax.create_resource_server(UserPoolId=pool, Identifier="s", Name="n", Scopes=scopes("a/b"))
    with expect_error("InvalidParameterException", contains="Member must have length less than or equal to 100"):
        lax.create_resource_server(UserPoolId=pool, Identifier="many", Name="n",
                                   Scopes=scopes(*[f"s{i}" for i in range(101)]))


# ---------------------------------------------------------------- app clients' OAuth members


def oauth_client(cognito, pool, **settings):
    base = dict(AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"], AllowedOAuthFlowsUserPoolClient=True,
                CallbackURLs=["https://app.example.com/cb"], SupportedIdentityProviders=["COGNITO"])
    base.update(settings)
    return cognito.create_user_pool_client(UserPoolId=pool, ClientName=unique("web"), **base)["UserPoolClient"]


def test_clients_may_allow_standard_scopes_and_the_pools_custom_scopes(cognito, pool):
    cognito.create_resource_server(UserPoolId=pool, Identifier="https://api.example.com/v1", Name="api",
                                   Scopes=scopes("read"))
    allowed = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin",
               "https://api.example.com/v1/read"]
    client = oauth_client(cognito, pool, AllowedOAuthScopes=allowed)
    assert sorted(client["AllowedOAuthScopes"]) == sorted(allowed)
    for scope in ("Cognito", "https://api.example.com/v1/write", "orders/read"):
        with expect_error("ScopeDoesNotExistException", f"Invalid scope requested: {scope}"):
            oauth_client(cognito, pool, AllowedOAuthScopes=["openid", scope])
        with expect_error("ScopeDoesNotExistException", f"Invalid scope requested: {scope}"):
            cognito.update_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"],
                                            AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
                                            CallbackURLs=["https://app.example.com/cb"],
                                            AllowedOAuthScopes=[scope])
    cognito.delete_resource_server(UserPoolId=pool, Identifier="https://api.example.com/v1")
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])
    assert "https://api.example.com/v1/read" in described["UserPoolClient"]["AllowedOAuthScopes"]


@pytest.mark.parametrize("standard", ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"])
def test_a_client_credentials_client_allows_only_resource_server_scopes(cognito, pool, standard):
    cognito.create_resource_server(UserPoolId=pool, Identifier="orders", Name="orders", Scopes=scopes("read"))
    machine = dict(GenerateSecret=True, AllowedOAuthFlows=["client_credentials"], AllowedOAuthFlowsUserPoolClient=True)
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName=unique("m2m"), AllowedOAuthScopes=["orders/read"],
                                             **machine)["UserPoolClient"]
    assert client["AllowedOAuthScopes"] == ["orders/read"]
    with expect_error("InvalidOAuthFlowException", f"{standard} is not supported with client_credentials flow"):
        cognito.create_user_pool_client(UserPoolId=pool, ClientName=unique("m2m"),
                                        AllowedOAuthScopes=["orders/read", standard], **machine)
    with expect_error("InvalidOAuthFlowException", f"{standard} is not supported with client_credentials flow"):
        cognito.update_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"],
                                        AllowedOAuthFlows=["client_credentials"], AllowedOAuthFlowsUserPoolClient=True,
                                        AllowedOAuthScopes=[standard, "orders/read"])
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    assert described["AllowedOAuthScopes"] == ["orders/read"]


def test_redirect_urls_follow_cognitos_rules(cognito, pool):
    good = ["https://app.example.com/cb?x=1", "http://localhost:3000/cb", "http://127.0.0.1/cb",
            "http://[::1]:8080/cb", "myapp://callback"]
    client = oauth_client(cognito, pool, CallbackURLs=good, LogoutURLs=["http://localhost/bye"],
                          DefaultRedirectURI="myapp://callback")
    assert sorted(client["CallbackURLs"]) == sorted(good)
    assert client["DefaultRedirectURI"] == "myapp://callback"
    for member in ("CallbackURLs", "LogoutURLs"):
        with expect_error("InvalidParameterException", "http://app.example.com/cb cannot use the HTTP protocol."):
            oauth_client(cognito, pool, **{member: ["http://app.example.com/cb"]})
    with expect_error("InvalidParameterException",
                      "https://app.example.com/cb#top is not a valid redirect URL: it must not have a fragment."):
        oauth_client(cognito, pool, CallbackURLs=["https://app.example.com/cb#top"])
    with expect_error("InvalidParameterException",
                      "/cb is not a valid redirect URL: it must be an absolute URL."):
        oauth_client(cognito, pool, CallbackURLs=["/cb"])
    with expect_error("InvalidParameterException",
                      "DefaultRedirectURI https://other.example.com/cb must be one of the CallbackURLs."):
        oauth_client(cognito, pool, DefaultRedirectURI="https://other.example.com/cb")


@pytest.mark.parametrize("url", [
    "http://evil.example\\@localhost/cb",      # a browser reads it as / and goes to evil.example
    "https://app.example.com\\@localhost/cb",
    "http://localhost\\cb",
])
def test_redirect_urls_with_a_backslash_are_refused(cognito, pool, url):
    for member in ("CallbackURLs", "LogoutURLs"):
        with expect_error("InvalidParameterException",
                          f"{url} is not a valid redirect URL: it must not contain backslashes, whitespace or "
                          "control characters."):
            oauth_client(cognito, pool, **{member: [url]})


@pytest.mark.parametrize("url", ["http://local\thost/cb", "http://localhost/cb\n", " https://app.example.com/cb",
                                 "https://app.example.com/c b", "https://app.example.com/\u00a0cb"])
def test_redirect_urls_with_whitespace_or_control_characters_are_refused(cognito, pool, url):
    """The model's RedirectUrlType pattern refuses them before the service reads them."""
    with expect_error("InvalidParameterException", contains="Member must satisfy regular expression pattern"):
        oauth_client(cognito, pool, CallbackURLs=[url])


@pytest.mark.parametrize("url, scheme", [
    ("javascript:alert(document.cookie)", "javascript"),
    ("JavaScript://%0Aalert(1)", "javascript"),
    ("data:text/html,<script>alert(1)</script>", "data"),
    ("vbscript:msgbox", "vbscript"),
    ("FILE:///etc/passwd", "file"),
])
def test_redirect_urls_may_not_run_script_or_open_files(cognito, pool, url, scheme):
    for member in ("CallbackURLs", "LogoutURLs"):
        with expect_error("InvalidParameterException",
                          f"{url} is not a valid redirect URL: the {scheme} scheme is not allowed."):
            oauth_client(cognito, pool, **{member: [url]})


def test_plain_http_is_checked_on_the_host_a_browser_goes_to(cognito, pool):
    good = ["http://dev@localhost:3000/cb", "http://evil.example@127.0.0.1/cb"]
    assert sorted(oauth_client(cognito, pool, CallbackURLs=good)["CallbackURLs"]) == sorted(good)
    for url in ["http://localhost@evil.example/cb", "http://localhost:80@evil.example/cb",
                "http://127.1/cb", "http://%6Cocalhost/cb", "http://localhost.evil.example/cb"]:
        with expect_error("InvalidParameterException", f"{url} cannot use the HTTP protocol."):
            oauth_client(cognito, pool, CallbackURLs=[url])


def test_identity_providers_are_cognito_until_federation(cognito, pool):
    with expect_error("InvalidParameterException", f"The provider Salesforce does not exist for User Pool {pool}."):
        oauth_client(cognito, pool, SupportedIdentityProviders=["COGNITO", "Salesforce"])


# ---------------------------------------------------------------- UI customization (classic)


def test_ui_customization_needs_a_domain(cognito, pool):
    with expect_error("InvalidParameterException", "A domain must be associated with this user pool."):
        cognito.set_ui_customization(UserPoolId=pool, ClientId="ALL", CSS=".logo-customizable {max-width: 50%;}")


def test_the_pool_default_applies_to_clients_without_their_own(cognito, domain_pool):
    pool = domain_pool
    web = cognito.create_user_pool_client(UserPoolId=pool, ClientName="web")["UserPoolClient"]["ClientId"]
    assert cognito.get_ui_customization(UserPoolId=pool, ClientId=web)["UICustomization"] == {}

    css = ".banner-customizable { background-color: navy; }\n.submitButton-customizable:hover { color: #fff; }"
    set_all = cognito.set_ui_customization(UserPoolId=pool, ClientId="ALL", CSS=css, ImageFile=PNG)[
        "UICustomization"]
    assert set_all["UserPoolId"] == pool and set_all["ClientId"] == "ALL"
    assert set_all["CSS"] == css
    assert len(set_all["CSSVersion"]) == 14 and set_all["CSSVersion"].isdigit()
    assert set_all["ImageUrl"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert recent(set_all["CreationDate"]) and recent(set_all["LastModifiedDate"])
    assert cognito.get_ui_customization(UserPoolId=pool, ClientId=web)["UICustomization"] == set_all
    assert cognito.get_ui_customization(UserPoolId=pool)["UICustomization"] == set_all

    own = ".label-customizable { font-weight: 700; }"
    mine = cognito.set_ui_customization(UserPoolId=pool, ClientId=web, CSS=own)["UICustomization"]
    assert mine["ClientId"] == web and mine["CSS"] == own and "ImageUrl" not in mine
    assert cognito.get_ui_customization(UserPoolId=pool, ClientId=web)["UICustomization"] == mine
    assert cognito.get_ui_customization(UserPoolId=pool, ClientId="ALL")["UICustomization"] == set_all


@pytest.mark.parametrize("css, says", [
    ("body { color: red; }", 'The CSS selector "body" is not one of the hosted UI\'s customizable classes.'),
    (".label-customizable p { color: red; }",
     'The CSS selector ".label-customizable p" is not one of the hosted UI\'s customizable classes.'),
    ("@media print { .label-customizable { color: red; } }", "The CSS may not contain @media."),
    ("@import url(https://example.com/x.css);", "The CSS may not contain @import."),
    (".logo-customizable { background: url(javascript:alert(1)); }", "The CSS may not contain javascript:."),
    (".logo-customizable { color: red;", "The CSS has a rule without its closing brace."),
    # The "comment" is two strings: a browser applies the body rule between them.
    ('.logo-customizable{content:"/*"} body{color:red} .logo-customizable{x:"*/"}',
     'The CSS selector "body" is not one of the hosted UI\'s customizable classes.'),
    (".logo-customizable{content:'/*'} @import url(x.css); .logo-customizable{x:'*/'}",
     "The CSS may not contain @import."),
    ('.logo-customizable{content:"/*"} @media print{body{color:red}} .logo-customizable{x:"*/"}',
     "The CSS may not contain @media."),
    ("@\\69mport url(x.css);", "The CSS may not contain backslash escapes."),
    ('.logo-customizable { content: "open; }', "The CSS has a string without its closing quote."),
    (".logo-customizable { color: red; } /* open", "The CSS has a comment without its closing */."),
    (".logo-customizable { background: url(x}body{color:red); }",
     "The CSS has a url( value it cannot read: quote the address."),
    (".logo-customizable { a: (} body { color: red } .x { ); }", "The CSS has brackets that do not match."),
    (".logo-customizable { @layer x; color: red; }", "The CSS may not contain at-rules."),
])
def test_css_outside_the_customizable_classes_is_refused_whole(cognito, domain_pool, css, says):
    with expect_error("InvalidParameterException", says):
        cognito.set_ui_customization(UserPoolId=domain_pool, ClientId="ALL", CSS=css)


def test_css_with_strings_comments_and_urls_is_kept_as_sent(cognito, domain_pool):
    css = ('/* brand } body { */\n.banner-customizable { font-family: "Helvetica Neue", \'Arial\'; }\n'
           '.logo-customizable { content: "/* } */"; background: url(https://cdn.example.com/a.png); }\n'
           '.label-customizable, /* and */ .legalText-customizable { width: calc((100% - 2px) / 2); }')
    got = cognito.set_ui_customization(UserPoolId=domain_pool, ClientId="ALL", CSS=css)["UICustomization"]
    assert got["CSS"] == css
    assert cognito.get_ui_customization(UserPoolId=domain_pool, ClientId="ALL")["UICustomization"]["CSS"] == css


def test_the_logo_is_png_or_jpeg_and_the_client_must_exist(cognito, domain_pool):
    with expect_error("InvalidParameterException", "The logo image must be a PNG or JPEG file."):
        cognito.set_ui_customization(UserPoolId=domain_pool, ClientId="ALL", ImageFile=b"GIF89a\x01\x00")
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF"
    got = cognito.set_ui_customization(UserPoolId=domain_pool, ClientId="ALL", ImageFile=jpeg)["UICustomization"]
    assert got["ImageUrl"].startswith("data:image/jpeg;base64,")
    for call in (cognito.set_ui_customization, cognito.get_ui_customization):
        with expect_error("ResourceNotFoundException", "User pool client nosuchclient does not exist."):
            call(UserPoolId=domain_pool, ClientId="nosuchclient")


# ---------------------------------------------------------------- managed-login branding


ASSET_LIGHT = {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": PNG}


def test_a_branding_style_is_created_described_updated_and_deleted(cognito, pool_with_client):
    pool, client = pool_with_client
    settings = {"components": {"form": {"borderRadius": 8, "logo": {"location": "CENTER"}}}}
    created = cognito.create_managed_login_branding(UserPoolId=pool, ClientId=client, Settings=settings,
                                                    Assets=[ASSET_LIGHT])["ManagedLoginBranding"]
    style = created["ManagedLoginBrandingId"]
    assert is_uuid(style) and style[14] == "4"
    assert created["UserPoolId"] == pool
    assert created["UseCognitoProvidedValues"] is False
    assert created["Settings"] == settings
    assert created["Assets"] == [ASSET_LIGHT]
    assert recent(created["CreationDate"]) and recent(created["LastModifiedDate"])
    assert cognito.describe_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style)[
        "ManagedLoginBranding"] == created
    assert cognito.describe_managed_login_branding_by_client(UserPoolId=pool, ClientId=client)[
        "ManagedLoginBranding"] == created

    dark = dict(ASSET_LIGHT, ColorMode="DARK", Extension="SVG", Bytes=b"<svg/>")
    updated = cognito.update_managed_login_branding(
        UserPoolId=pool, ManagedLoginBrandingId=style, Settings={"components": {"form": {"borderRadius": 2}}},
        Assets=[dark])["ManagedLoginBranding"]
    assert updated["Settings"] == {"components": {"form": {"borderRadius": 2, "logo": {"location": "CENTER"}}}}
    assert updated["Assets"] == [ASSET_LIGHT, dark]
    reset = cognito.update_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style,
                                                  UseCognitoProvidedValues=True)["ManagedLoginBranding"]
    assert reset["UseCognitoProvidedValues"] is True and reset["Assets"] == [] and "Settings" not in reset

    cognito.delete_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style)
    with expect_error("ResourceNotFoundException", f"Managed login branding {style} does not exist."):
        cognito.describe_managed_login_branding(UserPoolId=pool, ManagedLoginBrandingId=style)
    with expect_error("ResourceNotFoundException",
                      f"Managed login branding for app client {client} does not exist."):
        cognito.describe_managed_login_branding_by_client(UserPoolId=pool, ClientId=client)
    cognito.create_managed_login_branding(UserPoolId=pool, ClientId=client, UseCognitoProvidedValues=True)


def test_branding_refusals(cognito, pool_with_client):
    pool, client = pool_with_client
    cognito.create_managed_login_branding(UserPoolId=pool, ClientId=client, UseCognitoProvidedValues=True)
    with expect_error("ManagedLoginBrandingExistsException",
                      f"App client {client} already has a managed login branding style."):
        cognito.create_managed_login_branding(UserPoolId=pool, ClientId=client, UseCognitoProvidedValues=True)
    with expect_error("InvalidParameterException",
                      "When UseCognitoProvidedValues is true, omit Settings and Assets."):
        cognito.create_managed_login_branding(UserPoolId=pool, ClientId=client, UseCognitoProvidedValues=True,
                                              Settings={"x": 1})
    with expect_error("ResourceNotFoundException", "User pool client nosuchclient does not exist."):
        cognito.create_managed_login_branding(UserPoolId=pool, ClientId="nosuchclient")
    missing = "11111111-2222-4333-8444-555555555555"
    for call in (cognito.describe_managed_login_branding, cognito.delete_managed_login_branding):
        with expect_error("ResourceNotFoundException", f"Managed login branding {missing} does not exist."):
            call(UserPoolId=pool, ManagedLoginBrandingId=missing)


# ---------------------------------------------------------------- terms documents


def create_terms(cognito, pool, client, name="terms-of-use", links=None):
    return cognito.create_terms(UserPoolId=pool, ClientId=client, TermsName=name, TermsSource="LINK",
                                Enforcement="NONE",
                                Links=links or {"cognito:default": "https://example.com/terms"})["Terms"]


def test_terms_are_created_described_listed_updated_and_deleted(cognito, server, pool_with_client):
    pool, client = pool_with_client
    terms = create_terms(cognito, pool, client)
    assert is_uuid(terms["TermsId"])
    assert {k: terms[k] for k in ("UserPoolId", "ClientId", "TermsName", "TermsSource", "Enforcement", "Links")} == {
        "UserPoolId": pool, "ClientId": client, "TermsName": "terms-of-use", "TermsSource": "LINK",
        "Enforcement": "NONE", "Links": {"cognito:default": "https://example.com/terms"}}
    assert recent(terms["CreationDate"]) and recent(terms["LastModifiedDate"])
    assert cognito.describe_terms(UserPoolId=pool, TermsId=terms["TermsId"])["Terms"] == terms
    # DescribeTermsByClient is newer than this suite's botocore: sent as botocore would.
    by_client = raw_call(server, "DescribeTermsByClient",
                         {"UserPoolId": pool, "ClientId": client, "TermsName": "terms-of-use"})
    assert by_client.status_code == 200, by_client.text
    assert by_client.json()["Terms"]["TermsId"] == terms["TermsId"]

    privacy = create_terms(cognito, pool, client, "privacy-policy")
    listed = cognito.list_terms(UserPoolId=pool)["Terms"]
    assert sorted(t["TermsId"] for t in listed) == sorted([terms["TermsId"], privacy["TermsId"]])
    assert set(listed[0]) == {"TermsId", "TermsName", "Enforcement", "CreationDate", "LastModifiedDate"}

    links = {"cognito:default": "https://example.com/terms", "cognito:spanish": "https://example.com/es/terms"}
    updated = cognito.update_terms(UserPoolId=pool, TermsId=terms["TermsId"], Links=links)["Terms"]
    assert updated["Links"] == links and updated["TermsName"] == "terms-of-use"
    with expect_error("TermsExistsException",
                      f"App client {client} already has terms documents named privacy-policy."):
        cognito.update_terms(UserPoolId=pool, TermsId=terms["TermsId"], TermsName="privacy-policy")

    cognito.delete_terms(UserPoolId=pool, TermsId=privacy["TermsId"])
    renamed = cognito.update_terms(UserPoolId=pool, TermsId=terms["TermsId"], TermsName="privacy-policy")["Terms"]
    assert renamed["TermsName"] == "privacy-policy" and renamed["TermsId"] == terms["TermsId"]
    cognito.delete_terms(UserPoolId=pool, TermsId=terms["TermsId"])
    with expect_error("ResourceNotFoundException", f"Terms {terms['TermsId']} do not exist."):
        cognito.describe_terms(UserPoolId=pool, TermsId=terms["TermsId"])
    assert cognito.list_terms(UserPoolId=pool)["Terms"] == []


def test_terms_refusals(cognito, pool_with_client):
    pool, client = pool_with_client
    create_terms(cognito, pool, client)
    with expect_error("TermsExistsException", f"App client {client} already has terms documents named terms-of-use."):
        create_terms(cognito, pool, client)
    with expect_error("ResourceNotFoundException", "User pool client nosuchclient does not exist."):
        create_terms(cognito, pool, "nosuchclient")
    missing = "11111111-2222-4333-8444-555555555555"
    for call in (cognito.describe_terms, cognito.delete_terms):
        with expect_error("ResourceNotFoundException", f"Terms {missing} do not exist."):
            call(UserPoolId=pool, TermsId=missing)
