"""Tags on user pools: TagResource / UntagResource / ListTagsForResource on the pool ARN,
and UserPoolTags given at CreateUserPool.

The pool ARN comes from DescribeUserPool (`arn:aws:cognito-idp:{region}:{account}:userpool/{id}`,
the format of the API reference's resource types for Amazon Cognito user pools).
"""

import re

import pytest

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import make_pool, unique

ARN_RE = re.compile(r"^arn:aws:cognito-idp:us-east-1:\d{12}:userpool/(us-east-1_[0-9A-Za-z]+)$")


def pool_arn(cognito, pool_id):
    return cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]


def tags_of(cognito, arn):
    return cognito.list_tags_for_resource(ResourceArn=arn).get("Tags", {})


def missing_arn(cognito, pool_id):
    """A well-formed ARN in the same account that names no pool."""
    return pool_arn(cognito, pool_id).rsplit("/", 1)[0] + "/us-east-1_Nope12345"


def test_pool_arn_format(cognito, pool):
    arn = pool_arn(cognito, pool)
    m = ARN_RE.match(arn)
    assert m, arn
    assert m.group(1) == pool


def test_fresh_pool_has_no_tags(cognito, pool):
    assert tags_of(cognito, pool_arn(cognito, pool)) == {}


def test_tags_given_at_creation(cognito):
    tags = {"team": "identity", "env": "test", "cost-center": "42"}
    created = cognito.create_user_pool(PoolName=unique("pool"), UserPoolTags=tags)["UserPool"]
    assert created["UserPoolTags"] == tags
    assert tags_of(cognito, created["Arn"]) == tags
    described = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    assert described["UserPoolTags"] == tags


def test_tag_resource_adds_and_overwrites(cognito):
    pool_id = make_pool(cognito, UserPoolTags={"env": "dev"})
    arn = pool_arn(cognito, pool_id)

    cognito.tag_resource(ResourceArn=arn, Tags={"env": "prod", "owner": "alice"})

    expected = {"env": "prod", "owner": "alice"}
    assert tags_of(cognito, arn) == expected
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UserPoolTags"] == expected


def test_tag_values_may_be_empty_and_unicode(cognito, pool):
    arn = pool_arn(cognito, pool)
    cognito.tag_resource(ResourceArn=arn, Tags={"flag": "", "ort": "Zürich", "名前": "値"})
    assert tags_of(cognito, arn) == {"flag": "", "ort": "Zürich", "名前": "値"}


def test_untag_resource(cognito, pool):
    arn = pool_arn(cognito, pool)
    cognito.tag_resource(ResourceArn=arn, Tags={"a": "1", "b": "2", "c": "3"})

    cognito.untag_resource(ResourceArn=arn, TagKeys=["a", "c"])
    assert tags_of(cognito, arn) == {"b": "2"}

    # removing a key that is not there is not an error
    cognito.untag_resource(ResourceArn=arn, TagKeys=["never-set"])
    assert tags_of(cognito, arn) == {"b": "2"}

    cognito.untag_resource(ResourceArn=arn, TagKeys=["b"])
    assert tags_of(cognito, arn) == {}
    assert not cognito.describe_user_pool(UserPoolId=pool)["UserPool"].get("UserPoolTags")


def test_tags_are_per_pool(cognito):
    a = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]
    b = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]
    cognito.tag_resource(ResourceArn=a["Arn"], Tags={"which": "a"})
    assert tags_of(cognito, a["Arn"]) == {"which": "a"}
    assert tags_of(cognito, b["Arn"]) == {}


@pytest.mark.parametrize("op", ["list", "tag", "untag"])
def test_unknown_arn(cognito, pool, op):
    arn = missing_arn(cognito, pool)
    if op == "list":
        with expect_error("ResourceNotFoundException"):
            cognito.list_tags_for_resource(ResourceArn=arn)
    elif op == "tag":
        with expect_error("ResourceNotFoundException"):
            cognito.tag_resource(ResourceArn=arn, Tags={"k": "v"})
    else:
        with expect_error("ResourceNotFoundException"):
            cognito.untag_resource(ResourceArn=arn, TagKeys=["k"])


def test_deleted_pool_arn_is_unknown(cognito):
    created = cognito.create_user_pool(PoolName=unique("pool"), UserPoolTags={"k": "v"})["UserPool"]
    cognito.delete_user_pool(UserPoolId=created["Id"])
    with expect_error("ResourceNotFoundException"):
        cognito.list_tags_for_resource(ResourceArn=created["Arn"])


def test_tag_key_too_long_is_rejected(cognito, pool):
    # model TagKeysType: 1..128 characters (botocore checks only the minimum client-side)
    arn = pool_arn(cognito, pool)
    with expect_error("InvalidParameterException"):
        cognito.tag_resource(ResourceArn=arn, Tags={"k" * 129: "v"})
    assert tags_of(cognito, arn) == {}
