"""Error bodies as a hostile or broken server may send them: whatever the body, an error response becomes the
typed APIError for its status (so a 5xx stays a retryable ServerError), never another exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwcloud_client.errors import APIError, RateLimitError, ServerError, api_error_from_response, parse_error_body

PROPERTIES = settings(derandomize=True, max_examples=300, deadline=None, database=None)

NESTED = {
    "deep json arrays": b"[" * 60_000,
    "deep json objects": b'{"error":' * 6_000,
    "deep but closed json": b"[" * 5_000 + b"]" * 5_000,
    "deep xml": b"<Error>" + b"<a>" * 9_000 + b"</a>" * 9_000 + b"</Error>",
}


@pytest.mark.parametrize("body", NESTED.values(), ids=NESTED.keys())
def test_deeply_nested_error_bodies_give_the_typed_error(body: bytes) -> None:
    """json.loads recursed once per level: RecursionError escaped, and a 503 was not retried."""
    error = api_error_from_response(status_code=503, headers={"x-request-id": "req-9"}, body=body)
    assert type(error) is ServerError
    assert error.request_id == "req-9"
    assert error.body == body, "the raw body is what is left to diagnose with"


def test_a_huge_error_body_is_kept_but_not_parsed() -> None:
    body = json.dumps({"error_code": "APIGW.0308", "error_msg": "x" * 1_000_000}).encode()
    error = api_error_from_response(status_code=429, headers={}, body=body)
    assert type(error) is RateLimitError  # from the status: a body this size is not read for its code
    assert (error.error_code, error.error_msg, error.body) == (None, None, body)
    assert len(str(error)) < 100


def test_known_dialects_still_parse() -> None:
    assert parse_error_body(b'{"error": {"code": "Ecs.0114", "message": "bad", "request_id": "r"}}') == (
        "Ecs.0114",
        "bad",
        "r",
    )
    assert parse_error_body(b"<Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>r</RequestId></Error>") == (
        "NoSuchKey",
        "m",
        "r",
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=30,
)


@PROPERTIES
@given(
    body=st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=100).map(lambda raw: b"<?xml version='1.0'?><Error><Code>" + raw + b"</Code></Error>"),
        st.binary(max_size=100).map(lambda raw: b'{"error_code": "' + raw + b'"}'),
        st.integers(min_value=1, max_value=3000).map(lambda depth: b'{"a":[' * depth),
    ),
    status=st.sampled_from([400, 401, 403, 404, 409, 429, 500, 503]),
)
def test_any_error_body_gives_an_api_error(body: bytes, status: int) -> None:
    error = api_error_from_response(status_code=status, headers={}, body=body)
    assert isinstance(error, APIError)
    if status >= 500 and error.error_code is None:
        assert isinstance(error, ServerError)
    str(error)
