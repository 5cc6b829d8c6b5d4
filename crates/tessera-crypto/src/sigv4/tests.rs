//! SigV4 verification against vectors signed by botocore, and its failure modes.

//! Vectors signed by botocore's `SigV4Auth`; see
//! `tests/vectors/make_sigv4_vectors.py`, which printed every header below.

use super::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2024-05-24T12:00:00Z, the instant every vector was signed at.
const NOW: i64 = 1_716_552_000;
const BODY: &[u8] = br#"{"MaxResults": 10}"#;
const AWS_HOST: &str = "cognito-idp.us-east-1.amazonaws.com";
const JSON: &str = "application/x-amz-json-1.1";
const LIST_USER_POOLS: &str = "AWSCognitoIdentityProviderService.ListUserPools";
const DATE: &str = "20240524T120000Z";

const PLAIN_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0f985b0f538aeb5d70a20450b016791fb534448e60dbd0724de6d0cbef6f753f";

/// A request as the server would see it; `headers` as (name, value) text.
struct Req {
    query: &'static str,
    service: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Req {
    fn new(authorization: &str, extra: &[(&'static str, &str)]) -> Self {
        let mut headers = vec![
            ("Host", AWS_HOST.to_owned()),
            ("Content-Type", JSON.to_owned()),
            ("X-Amz-Target", LIST_USER_POOLS.to_owned()),
            ("X-Amz-Date", DATE.to_owned()),
            ("Authorization", authorization.to_owned()),
            // Unsigned headers a real client also sends; they must not matter.
            ("User-Agent", "Boto3/1.34 md/Botocore#1.34".to_owned()),
            ("Content-Length", BODY.len().to_string()),
        ];
        headers.extend(extra.iter().map(|(n, v)| (*n, (*v).to_owned())));
        Self {
            query: "",
            service: "cognito-idp",
            headers,
            body: BODY.to_vec(),
        }
    }

    fn set(mut self, name: &str, value: &str) -> Self {
        for (n, v) in &mut self.headers {
            if n.eq_ignore_ascii_case(name) {
                *v = value.to_owned();
            }
        }
        self
    }

    fn remove(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    fn with<T>(&self, f: impl FnOnce(&RequestToVerify) -> T) -> T {
        let headers: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .map(|(n, v)| (*n, v.as_bytes()))
            .collect();
        f(&RequestToVerify {
            method: "POST",
            path: "/",
            query: self.query,
            headers: &headers,
            body: &self.body,
            service: self.service,
        })
    }

    fn verify_with(&self, secret: &str, now: i64) -> Result<(), SigV4Error> {
        self.with(|req| verify(req, &req.authorization()?, secret, now))
    }

    fn verify(&self) -> Result<(), SigV4Error> {
        self.verify_with(SECRET, NOW)
    }

    fn well_formed(&self) -> Result<(), SigV4Error> {
        self.with(|req| check_well_formed(req, &req.authorization()?))
    }
}

fn plain() -> Req {
    Req::new(PLAIN_AUTH, &[])
}

fn assert_mismatch(result: Result<(), SigV4Error>) {
    match result {
        Err(e @ SigV4Error::SignatureMismatch { .. }) => {
            assert_eq!(e.aws_error_type(), "InvalidSignatureException");
        }
        other => panic!("expected a signature mismatch, got {other:?}"),
    }
}

fn incomplete(result: Result<impl fmt::Debug, SigV4Error>) -> String {
    match result {
        Err(e @ SigV4Error::Incomplete(_)) => {
            assert_eq!(e.aws_error_type(), "IncompleteSignatureException");
            e.to_string()
        }
        other => panic!("expected IncompleteSignature, got {other:?}"),
    }
}

// ---- botocore vectors verify ---------------------------------------------

#[test]
fn botocore_plain_request_verifies() {
    assert_eq!(plain().verify(), Ok(()));
    assert_eq!(plain().well_formed(), Ok(()));
}

#[test]
fn botocore_request_with_security_token_verifies() {
    let req = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=a7c1bd823e3296d52dfce3706f24e924d6ac183309313ddbede85c71c5ec7114",
        &[(
            "X-Amz-Security-Token",
            "FQoGZXIvYXdzEXAMPLE//token+with/odd=chars",
        )],
    );
    assert_eq!(req.verify(), Ok(()));
    // The token is signed: changing it breaks the signature.
    assert_mismatch(req.set("X-Amz-Security-Token", "other").verify());
}

#[test]
fn botocore_request_with_query_string_verifies() {
    let mut req = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=dd8d00c3a2a54ab364c4427307b2bce5a726101b0beb635131e185eb032f53ed",
        &[],
    );
    req.query = "b=2&a=x%20y&a=1&empty=";
    assert_eq!(req.verify(), Ok(()));
    req.query = "b=2&a=x%20y&a=2&empty=";
    assert_mismatch(req.verify());
}

#[test]
fn botocore_cognito_identity_request_verifies() {
    let mut req = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-identity/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=4a2bccd825352b857d31beb039f73cb86db8ee799c50ced9ea827b31fc6c5f43",
        &[],
    )
    .set("Host", "cognito-identity.us-east-1.amazonaws.com")
    .set("X-Amz-Target", "AWSCognitoIdentityService.ListIdentityPools");
    req.service = "cognito-identity";
    assert_eq!(req.verify(), Ok(()));
}

#[test]
fn botocore_request_to_a_local_endpoint_verifies() {
    let req = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=dc4ce523e92b23d3599f3eb135cf2b0b912e490117dc44734030019e7559b47e",
        &[],
    )
    .set("Host", "127.0.0.1:9229");
    assert_eq!(req.verify(), Ok(()));
    assert_mismatch(req.set("Host", "127.0.0.1:9230").verify());
}

#[test]
fn header_values_are_trimmed_and_collapsed() {
    let req = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-tessera-test, Signature=bde2b59fe78a1a55773f51270c419d2ebc357698d2d4b5897e0e7a6514069620",
        &[("X-Tessera-Test", "  a   b\tc  ")],
    );
    assert_eq!(req.verify(), Ok(()));
    assert_eq!(req.set("x-tessera-test", "a b c").verify(), Ok(()));
}

#[test]
fn repeated_headers_are_joined_with_commas() {
    let req = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-tessera-multi, Signature=407faf85b8a2ab660d848faf3e799370c1af980f62b5469dd160d4e0cdedb650",
        &[
            ("X-Tessera-Multi", "first"),
            ("x-tessera-multi", "  second  value "),
        ],
    );
    assert_eq!(req.verify(), Ok(()));
    assert_mismatch(req.remove("x-tessera-multi").verify());
}

#[test]
fn unsigned_payload_is_accepted_when_signed_as_such() {
    let req = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=819caef9e501d41c8ca5e458004ae14bdd471c1c6675b9fd166b0b98a68753c2",
        &[("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")],
    );
    assert_eq!(req.verify(), Ok(()));
}

#[test]
fn content_hash_header_must_match_the_body() {
    let honest = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=e7d59ee444b2c28c2516c11a3a70c63c1a4759a01d5ee2ebe58a247de9d0b999",
        &[(
            "X-Amz-Content-SHA256",
            "8a9354f6dcd0e97e1f5804c376b5ed41c550757c400462c08746e820bee8250d",
        )],
    );
    assert_eq!(honest.verify(), Ok(()));
    // Correctly signed, but the signed hash is of `{}`, not of the body sent.
    let lying = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=e2f4c3c1e54dbb66e50f38f5f2182d12982116a57dbb26bc026d90cccfceef92",
        &[(
            "X-Amz-Content-SHA256",
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        )],
    );
    assert_mismatch(lying.verify());
}

#[test]
fn date_header_is_used_without_x_amz_date() {
    let req = Req::new(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;date;host;x-amz-target, Signature=e63b2a5b8fd34e7235246f41d55c3588183e8e9d88c19af407ff7512808d4ea0",
        &[("Date", "Fri, 24 May 2024 12:00:00 -0000")],
    )
    .remove("X-Amz-Date");
    assert_eq!(req.verify(), Ok(()));
    assert_eq!(req.well_formed(), Ok(()));
}

// ---- tampering -------------------------------------------------------------

#[test]
fn tampered_body_fails() {
    let mut req = plain();
    req.body = br#"{"MaxResults": 60}"#.to_vec();
    assert_mismatch(req.verify());
}

#[test]
fn tampered_signed_header_fails() {
    assert_mismatch(
        plain()
            .set(
                "X-Amz-Target",
                "AWSCognitoIdentityProviderService.DeleteUserPool",
            )
            .verify(),
    );
}

#[test]
fn unsigned_headers_may_change() {
    assert_eq!(plain().set("User-Agent", "curl/8").verify(), Ok(()));
}

#[test]
fn wrong_secret_fails() {
    assert_mismatch(plain().verify_with("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", NOW));
}

#[test]
fn altered_or_malformed_signature_fails() {
    let altered = PLAIN_AUTH.replace("Signature=0f98", "Signature=0f99");
    assert_mismatch(Req::new(&altered, &[]).verify());
    let short = PLAIN_AUTH.replace("Signature=0f98", "Signature=");
    assert_mismatch(Req::new(&short, &[]).verify());
    let not_hex = PLAIN_AUTH.replace("Signature=0f98", "Signature=zz98");
    assert_mismatch(Req::new(&not_hex, &[]).verify());
    // Permissive mode does not look at the signature.
    assert_eq!(Req::new(&not_hex, &[]).well_formed(), Ok(()));
}

#[test]
fn mismatch_message_is_awss_and_details_stay_in_the_fields() {
    let Err(err) = plain().verify_with("wrong", NOW) else {
        panic!("wrong secret verified");
    };
    assert_eq!(
        err.to_string(),
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. \
         Consult the service documentation for details."
    );
    let SigV4Error::SignatureMismatch {
        canonical_request,
        string_to_sign,
    } = err
    else {
        panic!("not a mismatch");
    };
    assert_eq!(
        canonical_request,
        format!(
            "POST\n/\n\ncontent-type:{JSON}\nhost:{AWS_HOST}\nx-amz-date:{DATE}\n\
             x-amz-target:{LIST_USER_POOLS}\n\ncontent-type;host;x-amz-date;x-amz-target\n{}",
            hex::encode(digest::digest(&digest::SHA256, BODY))
        )
    );
    assert!(string_to_sign.starts_with(
        "AWS4-HMAC-SHA256\n20240524T120000Z\n20240524/us-east-1/cognito-idp/aws4_request\n"
    ));
}

// ---- clock skew ----------------------------------------------------------------

#[test]
fn five_minutes_either_way_is_accepted() {
    assert_eq!(plain().verify_with(SECRET, NOW + 300), Ok(()));
    assert_eq!(plain().verify_with(SECRET, NOW - 300), Ok(()));
}

#[test]
fn old_signature_is_expired() {
    let err = plain().verify_with(SECRET, NOW + 301).expect_err("expired");
    assert_eq!(err.aws_error_type(), "InvalidSignatureException");
    assert_eq!(
        err,
        SigV4Error::OutsideTimeWindow(
            "Signature expired: 20240524T120000Z is now earlier than 20240524T120001Z \
             (20240524T120501Z - 5 min.)"
                .to_owned()
        )
    );
}

#[test]
fn future_signature_is_not_yet_current() {
    let err = plain().verify_with(SECRET, NOW - 301).expect_err("future");
    assert_eq!(
        err.to_string(),
        "Signature not yet current: 20240524T120000Z is still later than 20240524T115959Z \
         (20240524T115459Z + 5 min.)"
    );
    assert_eq!(err.aws_error_type(), "InvalidSignatureException");
}

#[test]
fn expiry_message_matches_awss_example() {
    let signed = parse_basic_date("20130524T000000Z").expect("date");
    let now = parse_basic_date("20130524T001000Z").expect("date");
    let date = RequestDate {
        epoch: signed,
        basic: format_basic_date(signed),
        raw: String::new(),
    };
    assert_eq!(
        check_time_window(&date, now)
            .expect_err("expired")
            .to_string(),
        "Signature expired: 20130524T000000Z is now earlier than 20130524T000500Z \
         (20130524T001000Z - 5 min.)"
    );
}

#[test]
fn extreme_clocks_do_not_panic() {
    for now in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
        assert!(matches!(
            plain().verify_with(SECRET, now),
            Err(SigV4Error::OutsideTimeWindow(_))
        ));
    }
}

// ---- malformed headers -------------------------------------------------------

#[test]
fn missing_or_foreign_authorization_is_missing_token() {
    let err = plain()
        .remove("Authorization")
        .verify()
        .expect_err("no header");
    assert_eq!(err, SigV4Error::MissingAuthenticationToken);
    assert_eq!(err.to_string(), "Missing Authentication Token");
    assert_eq!(err.aws_error_type(), "MissingAuthenticationTokenException");
    for value in [
        "",
        "   ",
        "Bearer eyJhbGciOi",
        "AWS AKID:sig",
        "aws4-hmac-sha256 x=y",
    ] {
        assert_eq!(
            parse_authorization(value),
            Err(SigV4Error::MissingAuthenticationToken),
            "{value:?}"
        );
    }
}

#[test]
fn missing_parameters_are_listed_like_aws() {
    assert_eq!(
        incomplete(parse_authorization("AWS4-HMAC-SHA256 ")),
        "Authorization header requires 'Credential' parameter. \
         Authorization header requires 'Signature' parameter. \
         Authorization header requires 'SignedHeaders' parameter. \
         Authorization=AWS4-HMAC-SHA256"
    );
    let only_credential =
        "AWS4-HMAC-SHA256 Credential=AKID/20240524/us-east-1/cognito-idp/aws4_request";
    assert_eq!(
        incomplete(parse_authorization(only_credential)),
        format!(
            "Authorization header requires 'Signature' parameter. \
             Authorization header requires 'SignedHeaders' parameter. \
             Authorization={only_credential}"
        )
    );
    // Through the request, a missing date joins the list.
    let req = Req::new("AWS4-HMAC-SHA256 Signature=ab", &[]).remove("X-Amz-Date");
    assert_eq!(
        incomplete(req.verify()),
        "Authorization header requires 'Credential' parameter. \
         Authorization header requires 'SignedHeaders' parameter. \
         Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
         Authorization=AWS4-HMAC-SHA256 Signature=ab"
    );
    let empty_credential = PLAIN_AUTH.replace(
        "Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request",
        "Credential=",
    );
    assert!(
        incomplete(parse_authorization(&empty_credential))
            .starts_with("Authorization header requires 'Credential' parameter. Authorization=")
    );
}

#[test]
fn missing_date_is_incomplete() {
    assert_eq!(
        incomplete(plain().remove("X-Amz-Date").verify()),
        format!(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
             Authorization={PLAIN_AUTH}"
        )
    );
    assert!(plain().remove("X-Amz-Date").well_formed().is_err());
}

#[test]
fn unparseable_date_is_incomplete() {
    for bad in [
        "2024-05-24T12:00:00Z",
        "20240524T120000",
        "20241324T120000Z",
        "20240230T120000Z",
        "20240524T250000Z",
        "",
    ] {
        assert_eq!(
            incomplete(plain().set("X-Amz-Date", bad).verify()),
            format!(
                "Date must be in ISO-8601 'basic format'. Got '{bad}'. See http://en.wikipedia.org/wiki/ISO_8601"
            )
        );
        assert!(plain().set("X-Amz-Date", bad).well_formed().is_err());
    }
}

#[test]
fn pair_without_equal_sign_is_incomplete() {
    // A space pasted after `Credential=` splits the pair, as AWS reports it.
    let header = "AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd";
    assert_eq!(
        incomplete(parse_authorization(header)),
        format!(
            "'AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request' not a valid key=value pair \
             (missing equal-sign) in Authorization header: '{header}'."
        )
    );
}

#[test]
fn unsupported_algorithm_is_incomplete() {
    let header = PLAIN_AUTH.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA25");
    assert_eq!(
        incomplete(parse_authorization(&header)),
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "
    );
}

#[test]
fn credential_needs_five_elements() {
    let header = PLAIN_AUTH.replace("/aws4_request", "");
    assert_eq!(
        incomplete(parse_authorization(&header)),
        "Credential must have exactly 5 slash-delimited elements, \
         e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240524/us-east-1/cognito-idp'"
    );
    // Trailing slashes are ignored.
    let trailing = PLAIN_AUTH.replace("/aws4_request", "/aws4_request//");
    let auth = parse_authorization(&trailing).expect("parses");
    assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
    assert_eq!(auth.date, "20240524");
    assert_eq!(auth.region, "us-east-1");
    assert_eq!(auth.service, "cognito-idp");
    assert_eq!(
        auth.signed_headers,
        ["content-type", "host", "x-amz-date", "x-amz-target"]
    );
}

#[test]
fn credential_scope_problems_are_listed_together() {
    let header = PLAIN_AUTH.replace(
        "Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request",
        "Credential=AKIDEXAMPLE/20240523/US_EAST/dynamodb/aws4_reqest",
    );
    let err = Req::new(&header, &[]).verify().expect_err("bad scope");
    assert_eq!(err.aws_error_type(), "InvalidSignatureException");
    assert_eq!(
        err,
        SigV4Error::InvalidScope(
            "Credential should be scoped to a valid region, not 'US_EAST'. \
             Credential should be scoped to correct service: 'cognito-idp'. \
             Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'. \
             Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
             '20240523' != '20240524', from '20240524T120000Z'."
                .to_owned()
        )
    );
    assert_eq!(Req::new(&header, &[]).well_formed(), Err(err));
}

#[test]
fn wrong_service_alone() {
    let mut req = plain();
    req.service = "cognito-identity";
    assert_eq!(
        req.verify(),
        Err(SigV4Error::InvalidScope(
            "Credential should be scoped to correct service: 'cognito-identity'. ".to_owned()
        ))
    );
}

#[test]
fn host_must_be_signed() {
    let header = PLAIN_AUTH.replace("content-type;host;", "content-type;");
    let err = Req::new(&header, &[]).verify().expect_err("host unsigned");
    assert_eq!(err, SigV4Error::HostNotSigned);
    assert_eq!(
        err.to_string(),
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    );
    assert_eq!(err.aws_error_type(), "InvalidSignatureException");
    assert_eq!(Req::new(&header, &[]).well_formed(), Err(err));
    let empty = PLAIN_AUTH.replace("content-type;host;x-amz-date;x-amz-target", "");
    assert_eq!(
        Req::new(&empty, &[]).well_formed(),
        Err(SigV4Error::HostNotSigned)
    );
}

#[test]
fn unrecognized_client_has_awss_wording() {
    let err = SigV4Error::UnrecognizedClient;
    assert_eq!(err.aws_error_type(), "UnrecognizedClientException");
    assert_eq!(
        err.to_string(),
        "The security token included in the request is invalid."
    );
}

// ---- canonical pieces ---------------------------------------------------------

#[test]
fn canonical_uri_normalizes_and_double_encodes() {
    assert_eq!(canonical_uri("/"), "/");
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/a/./b/../c//d/"), "/a/c/d/");
    assert_eq!(canonical_uri("/.."), "/");
    assert_eq!(canonical_uri("/a%20b"), "/a%2520b");
    assert_eq!(canonical_uri("/ü~x"), "/%C3%BC~x");
}

#[test]
fn canonical_query_sorts_and_reencodes() {
    assert_eq!(canonical_query(""), "");
    assert_eq!(
        canonical_query("b=2&a=x%20y&a=1&empty="),
        "a=1&a=x%20y&b=2&empty="
    );
    assert_eq!(canonical_query("flag&&x=%2f"), "flag=&x=%2F");
    assert_eq!(canonical_query("%zz=a+b"), "%25zz=a%2Bb");
}

#[test]
fn dates_roundtrip() {
    for s in [
        "19700101T000000Z",
        "20000229T235959Z",
        "20240524T120000Z",
        "99991231T235959Z",
        "00000101T000000Z",
    ] {
        let epoch = parse_basic_date(s).expect("parses");
        assert_eq!(format_basic_date(epoch), s);
    }
    assert_eq!(parse_basic_date("20240524T120000Z"), Some(NOW));
    assert_eq!(parse_http_date("Fri, 24 May 2024 12:00:00 GMT"), Some(NOW));
    assert_eq!(parse_http_date("24 may 2024 14:00:00 +0200"), Some(NOW));
    assert_eq!(parse_basic_date("20230229T000000Z"), None);
    assert_eq!(parse_http_date("Fri, 24 May 2024 12:00:00 PST"), None);
}

// ---- robustness -----------------------------------------------------------

/// A tiny deterministic generator, enough to vary inputs without a dependency.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn odd_inputs_never_panic() {
    const PIECES: [&str; 24] = [
        "AWS4-HMAC-SHA256",
        "AWS4-",
        " ",
        ",",
        "=",
        "/",
        ";",
        "Credential=",
        "SignedHeaders=",
        "Signature=",
        "host",
        "aws4_request",
        "20240524",
        "%",
        "%zz",
        "%C3",
        "é",
        "\u{10FFFF}",
        "\t",
        "..",
        "0f985b0f538aeb5d70a20450b016791fb534448e60dbd0724de6d0cbef6f753f",
        "T",
        "Z",
        "\0",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..5000 {
        let len = (xorshift(&mut state) % 12) as usize;
        let text: String = (0..len)
            .map(|_| PIECES[(xorshift(&mut state) % PIECES.len() as u64) as usize])
            .collect();
        let _ = parse_authorization(&text);
        let _ = parse_authorization(&format!("{ALGORITHM} {text}"));
        let _ = parse_basic_date(&text);
        let _ = parse_http_date(&text);
        let _ = canonical_uri(&text);
        let _ = canonical_query(&text);
        let mut req = Req::new(
            &format!("{ALGORITHM} {text}"),
            &[("X-Amz-Content-SHA256", &text)],
        )
        .set("X-Amz-Date", &text);
        req.query = "a=%&b";
        let _ = req.verify();
        let _ = req.well_formed();
        let _ = Req::new(PLAIN_AUTH, &[]).set("Host", &text).verify();
    }
    // Header values that are not UTF-8 at all.
    let headers: [(&str, &[u8]); 3] = [
        (
            "Authorization",
            b"AWS4-HMAC-SHA256 Credential=\xff\xfe/a/b/c/d, SignedHeaders=host, Signature=00",
        ),
        ("Host", b"\xff"),
        ("X-Amz-Date", b"\xc3\x28"),
    ];
    let req = RequestToVerify {
        method: "POST",
        path: "/%ff/../\u{0}",
        query: "%",
        headers: &headers,
        body: b"",
        service: "cognito-idp",
    };
    let auth = req.authorization().expect("parses despite odd bytes");
    assert!(verify(&req, &auth, SECRET, NOW).is_err());
    assert!(check_well_formed(&req, &auth).is_err());
}

// ---- signing (sign.rs) -------------------------------------------------------

const KEYS: Credentials = Credentials {
    access_key_id: "AKIDEXAMPLE",
    secret_access_key: SECRET,
};
const US_EAST_1: Scope = Scope {
    region: "us-east-1",
    service: "cognito-idp",
};

/// Signs the vectors' request (its signed headers only) with `extra` headers.
fn sign_vector_request(
    host: &str,
    query: &str,
    extra: &[(&str, &str)],
) -> Result<SignedHeaders, SigV4Error> {
    let mut headers: Vec<(&str, &[u8])> = vec![
        ("Host", host.as_bytes()),
        ("Content-Type", JSON.as_bytes()),
        ("X-Amz-Target", LIST_USER_POOLS.as_bytes()),
    ];
    headers.extend(extra.iter().map(|(n, v)| (*n, v.as_bytes())));
    sign(
        &RequestToSign {
            method: "POST",
            path: "/",
            query,
            headers: &headers,
            body: BODY,
        },
        &KEYS,
        &US_EAST_1,
        NOW,
    )
}

#[test]
fn signing_reproduces_botocore_and_verifies() {
    let signed = sign_vector_request(AWS_HOST, "", &[]).expect("host is given");
    assert_eq!(signed.x_amz_date, DATE);
    assert_eq!(signed.authorization, PLAIN_AUTH);
    assert_eq!(Req::new(&signed.authorization, &[]).verify(), Ok(()));
}

#[test]
fn signing_reproduces_botocore_for_a_local_endpoint_a_token_and_a_query() {
    let local = sign_vector_request("127.0.0.1:9229", "", &[]).expect("host is given");
    assert!(
        local.authorization.ends_with(
            "Signature=dc4ce523e92b23d3599f3eb135cf2b0b912e490117dc44734030019e7559b47e"
        )
    );
    let token = "FQoGZXIvYXdzEXAMPLE//token+with/odd=chars";
    let with_token = sign_vector_request(AWS_HOST, "", &[("X-Amz-Security-Token", token)])
        .expect("host is given");
    assert_eq!(
        with_token.authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240524/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=a7c1bd823e3296d52dfce3706f24e924d6ac183309313ddbede85c71c5ec7114"
    );
    let with_query =
        sign_vector_request(AWS_HOST, "b=2&a=x%20y&a=1&empty=", &[]).expect("host is given");
    assert!(
        with_query.authorization.ends_with(
            "Signature=dd8d00c3a2a54ab364c4427307b2bce5a726101b0beb635131e185eb032f53ed"
        )
    );
}

#[test]
fn a_signed_request_verifies_and_tampering_breaks_it() {
    let body = br#"{"UserPoolId":"us-east-1_AbC","Username":"dora  d'ora"}"#;
    let target = "AWSCognitoIdentityProviderService.AdminGetUser";
    let headers: Vec<(&str, &[u8])> = vec![
        ("host", b"127.0.0.1:40123"),
        ("content-type", JSON.as_bytes()),
        ("x-amz-target", target.as_bytes()),
        // Ignored: the signer sets its own date.
        ("X-Amz-Date", b"19990101T000000Z"),
    ];
    let now = NOW + 12_345;
    let signed = sign(
        &RequestToSign {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        },
        &KEYS,
        &US_EAST_1,
        now,
    )
    .expect("host is given");
    assert!(
        signed
            .authorization
            .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,")
    );
    let received = |body: &[u8], target: &str| -> Result<(), SigV4Error> {
        let headers: Vec<(&str, &[u8])> = vec![
            ("Host", b"127.0.0.1:40123"),
            ("Content-Type", JSON.as_bytes()),
            ("X-Amz-Target", target.as_bytes()),
            ("X-Amz-Date", signed.x_amz_date.as_bytes()),
            ("Authorization", signed.authorization.as_bytes()),
            ("User-Agent", b"tessera-bench"),
        ];
        let req = RequestToVerify {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
            service: "cognito-idp",
        };
        verify(&req, &req.authorization()?, SECRET, now)
    };
    assert_eq!(received(body, target), Ok(()));
    assert_mismatch(received(b"{}", target));
    assert_mismatch(received(
        body,
        "AWSCognitoIdentityProviderService.AdminDeleteUser",
    ));
}

#[test]
fn signing_without_host_is_refused() {
    let headers: Vec<(&str, &[u8])> = vec![("content-type", JSON.as_bytes())];
    let result = sign(
        &RequestToSign {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: BODY,
        },
        &KEYS,
        &US_EAST_1,
        NOW,
    );
    assert_eq!(result, Err(SigV4Error::HostNotSigned));
}
