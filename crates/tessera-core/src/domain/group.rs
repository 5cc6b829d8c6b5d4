//! A group of users in a pool.

use crate::clock::Timestamp;
use crate::ids::{GroupName, UserPoolId};

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub pool_id: UserPoolId,
    pub name: GroupName,
    pub description: Option<String>,
    pub precedence: Option<i64>,
    pub role_arn: Option<String>,
    pub created: Timestamp,
    pub modified: Timestamp,
}
