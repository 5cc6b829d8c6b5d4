//! The single `match` from operation to handler: every operation of the
//! model has one.

use serde_json::Value;

use super::{Operation, ops};
use crate::awsjson::OperationError;
use crate::router::AppState;

pub async fn call(state: &AppState, op: Operation, input: Value) -> Result<Value, OperationError> {
    use Operation as O;
    use ops::{credentials, developer, identities, pools, roles, tags};
    match op {
        O::CreateIdentityPool => pools::create(state, input).await,
        O::DescribeIdentityPool => pools::describe(state, input).await,
        O::UpdateIdentityPool => pools::update(state, input).await,
        O::DeleteIdentityPool => pools::delete(state, input).await,
        O::ListIdentityPools => pools::list(state, input).await,
        O::SetIdentityPoolRoles => roles::set_roles(state, input).await,
        O::GetIdentityPoolRoles => roles::get_roles(state, input).await,
        O::SetPrincipalTagAttributeMap => roles::set_principal_tags(state, input).await,
        O::GetPrincipalTagAttributeMap => roles::get_principal_tags(state, input).await,
        O::GetId => identities::get_id(state, input).await,
        O::DescribeIdentity => identities::describe(state, input).await,
        O::ListIdentities => identities::list(state, input).await,
        O::DeleteIdentities => identities::delete(state, input).await,
        O::UnlinkIdentity => identities::unlink(state, input).await,
        O::GetOpenIdToken => credentials::open_id_token(state, input).await,
        O::GetCredentialsForIdentity => credentials::credentials(state, input).await,
        O::GetOpenIdTokenForDeveloperIdentity => developer::open_id_token(state, input).await,
        O::LookupDeveloperIdentity => developer::lookup(state, input).await,
        O::MergeDeveloperIdentities => developer::merge(state, input).await,
        O::UnlinkDeveloperIdentity => developer::unlink(state, input).await,
        O::TagResource => tags::tag(state, input).await,
        O::UntagResource => tags::untag(state, input).await,
        O::ListTagsForResource => tags::list(state, input).await,
    }
}
