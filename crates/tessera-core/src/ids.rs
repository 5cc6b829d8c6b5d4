//! Newtypes for identifiers. They are parsed (the HTTP edge has already checked
//! the model's patterns) and never passed around as bare strings in core.

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// `{region}_{9 alphanumerics}`, e.g. `us-east-1_AbCdEf123`.
    UserPoolId
);
string_id!(
    /// 26 lower-case alphanumerics.
    ClientId
);
string_id!(
    /// One of a client's secrets: `<client-id>--<epoch-create-time>`.
    ClientSecretId
);
string_id!(
    /// The name a user signs in with, as the caller spelled it.
    Username
);
string_id!(
    /// A group's name, unique in its pool.
    GroupName
);
string_id!(
    /// `{region}:{uuid}`, e.g. `us-east-1:0b1c…`.
    IdentityPoolId
);
string_id!(
    /// `{region}:{uuid}`: an identity of an identity pool.
    IdentityId
);

impl UserPoolId {
    /// The region prefix (`us-east-1` in `us-east-1_AbCdEf123`).
    pub fn region(&self) -> &str {
        self.0.split('_').next().unwrap_or_default()
    }
}
