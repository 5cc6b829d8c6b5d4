//! The hosted pages' sign-in: the same state machine as the API's, for the
//! app client the authorization request names, ending signed in (the tokens
//! come from the authorization code). The pages act for the client on the
//! server, so they prove its secret themselves: the SECRET_HASH a client
//! with a secret must send is computed here from the sealed secret.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::challenge::ChallengeAnswer;
use super::{AuthOutcome, flow::AuthFlow, flow::SignInStart};
use crate::domain::client::AppClient;
use crate::domain::user::User;
use crate::error::Result;
use crate::services::Services;
use crate::services::client_context::ClientContext;
use crate::services::oauth::SignedIn;
use crate::services::oauth::authorize::AuthorizeRequest;
use crate::services::triggers::Caller;

impl Services {
    /// The context of a page's sign-in step, from the browser at `peer`
    /// (whose address the risk checks and auth events take).
    async fn hosted_context(
        &self,
        request: &AuthorizeRequest,
        peer: Option<IpAddr>,
    ) -> Result<ClientContext> {
        let mut ctx = self
            .client_context(&request.client_id, Some(&request.pool_id))
            .await?;
        ctx.hosted = true;
        ctx.ip = peer;
        Ok(ctx)
    }

    fn hosted_secret_hash(&self, client: &AppClient, username: &str) -> Result<Option<String>> {
        Ok(self
            .any_client_secret(client)?
            .map(|secret| tessera_crypto::srp::secret_hash(&secret, username, client.id.as_str())))
    }

    /// A username and password typed on the sign-in page.
    pub async fn hosted_sign_in(
        &self,
        request: &AuthorizeRequest,
        peer: Option<IpAddr>,
        username: &str,
        password: &str,
    ) -> Result<AuthOutcome> {
        let ctx = self.hosted_context(request, peer).await?;
        let secret_hash = self.hosted_secret_hash(&ctx.client, username)?;
        self.start_sign_in(
            &ctx,
            SignInStart {
                flow: AuthFlow::Password {
                    username: username.to_owned(),
                    password: password.to_owned(),
                },
                secret_hash,
                device_key: None,
            },
        )
        .await
    }

    /// An answer given on a challenge page (new password, MFA code, …), with
    /// the challenge's responses as the API names them.
    pub async fn hosted_respond(
        &self,
        request: &AuthorizeRequest,
        peer: Option<IpAddr>,
        challenge: &str,
        mut responses: BTreeMap<String, String>,
        session: Option<&str>,
    ) -> Result<AuthOutcome> {
        let ctx = self.hosted_context(request, peer).await?;
        if let Some(username) = responses.get("USERNAME").cloned()
            && let Some(hash) = self.hosted_secret_hash(&ctx.client, &username)?
        {
            responses.insert("SECRET_HASH".into(), hash);
        }
        let answer = ChallengeAnswer::parse(challenge, &responses)?;
        self.answer_challenge(&ctx, answer, session).await
    }

    /// The end of a hosted sign-in: PostAuthentication, and the user signed in.
    pub(crate) async fn complete_hosted(
        &self,
        ctx: &ClientContext,
        user: &User,
    ) -> Result<AuthOutcome> {
        let caller = Caller {
            pool: &ctx.pool,
            client_id: Some(ctx.client.id.as_str()),
            username: &user.username,
        };
        self.triggers
            .post_authentication(&caller, user, false, &ctx.client_metadata)
            .await?;
        Ok(AuthOutcome::SignedIn(SignedIn {
            sub: user.sub.clone(),
            username: user.username.clone(),
            auth_time: self.clock.now(),
        }))
    }
}
