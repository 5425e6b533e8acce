"""Event hooks (one event before and after every attempt) and OpenTelemetry spans (one per call)."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import SecretStr

from hwcloud_client import AsyncHuaweiCloud, CallEvent, ClientConfig, HuaweiCloud, RetryPolicy
from hwcloud_client.errors import ConfigurationError, ConnectError, NotFoundError
from tests.helpers import CREDS, Recorder

pytestmark = pytest.mark.anyio

RETRY = RetryPolicy(max_attempts=3, backoff_base=0.0, backoff_cap=0.0)


def flaky() -> Recorder:
    answers = iter([httpx.Response(503, headers={"X-Request-Id": "r1"}),
                    httpx.Response(200, json={"flavors": []}, headers={"X-Request-Id": "r2"})])
    return Recorder(lambda request: next(answers))


def cloud_with(recorder: Recorder, **kwargs: object) -> AsyncHuaweiCloud:
    return AsyncHuaweiCloud(
        region="cn-north-4", credentials=CREDS.model_copy(update={"security_token": SecretStr("tok-secret")}),
        project="p1", environ={}, config=ClientConfig(retry=RETRY), http_client=recorder.client(), **kwargs,  # type: ignore[arg-type]
    )


async def test_hooks_see_every_attempt_with_its_outcome() -> None:
    events: list[CallEvent] = []
    hooks = {"request": [events.append], "response": [events.append]}
    async with cloud_with(flaky(), event_hooks=hooks) as cloud:
        await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors", params={"q": "secret-ish"},
                            operation="list_flavors")
    assert [(event.phase, event.attempt, event.status_code, event.request_id) for event in events] == [
        ("request", 1, None, None), ("response", 1, 503, "r1"), ("request", 2, None, None), ("response", 2, 200, "r2"),
    ]
    assert {event.service for event in events} == {"ecs"} and {event.operation for event in events} == {"list_flavors"}
    assert all(event.url == "https://ecs.cn-north-4.myhuaweicloud.com/v1/p1/cloudservers/flavors" for event in events)
    assert all(event.elapsed_ms is not None and event.elapsed_ms >= 0 for event in events if event.phase == "response")


async def test_a_transport_failure_is_an_event_with_the_error_class() -> None:
    events: list[CallEvent] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with cloud_with(Recorder(refuse), event_hooks={"response": [events.append]}) as cloud:
        with pytest.raises(ConnectError, match="could not connect"):
            await cloud.request("ecs", "GET", "/v1/x", retry=RetryPolicy(max_attempts=1))
    assert [(event.error, event.status_code) for event in events] == [("ConnectError", None)]


async def test_an_event_is_an_immutable_record_a_hook_can_keep_and_dump() -> None:
    events: list[CallEvent] = []
    async with cloud_with(flaky(), event_hooks={"response": [events.append]}) as cloud:
        await cloud.request("ecs", "GET", "/v1/x")
    first = events[0]
    with pytest.raises(AttributeError):
        first.status_code = 200  # type: ignore[misc]
    assert first._asdict() == {
        "phase": "response", "service": "ecs", "operation": None, "method": "GET",
        "url": "https://ecs.cn-north-4.myhuaweicloud.com/v1/x", "attempt": 1, "status_code": 503,
        "request_id": "r1", "elapsed_ms": first.elapsed_ms, "error": None,
    }
    assert repr(first).startswith("CallEvent(phase='response', service='ecs'")


def test_unknown_hook_names_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="'sent'"):
        cloud_with(flaky(), event_hooks={"sent": [print]})


def traced() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


async def test_one_client_span_per_call_with_http_and_cloud_attributes() -> None:
    provider, exporter = traced()
    async with cloud_with(flaky(), tracing=provider) as cloud:
        await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/flavors", params={"marker": "m"},
                            operation="list_flavors")
    [span] = exporter.get_finished_spans()
    assert span.name == "ecs.list_flavors" and span.kind is SpanKind.CLIENT
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET", "url.full": "https://ecs.cn-north-4.myhuaweicloud.com/v1/p1/cloudservers/flavors",
        "server.address": "ecs.cn-north-4.myhuaweicloud.com", "cloud.provider": "huawei_cloud",
        "rpc.system": "huawei_cloud", "cloud.region": "cn-north-4", "rpc.service": "ecs", "rpc.method": "list_flavors",
        "http.response.status_code": 200, "http.request.resend_count": 1, "hwcloud.request_id": "r2",
    }


async def test_a_failed_call_ends_its_span_as_an_error_without_secrets() -> None:
    provider, exporter = traced()
    recorder = Recorder(lambda request: httpx.Response(404, json={"error_code": "Ecs.0114", "error_msg": "gone"}))
    async with cloud_with(recorder, tracing=provider) as cloud:
        with pytest.raises(NotFoundError):
            await cloud.request("ecs", "GET", "/v1/{project_id}/cloudservers/abc")
    [span] = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    attributes = dict(span.attributes or {})
    assert attributes["http.response.status_code"] == 404 and attributes["hwcloud.error_code"] == "Ecs.0114"
    assert attributes["error.type"] == "NotFoundError"
    shown = repr(attributes) + repr(span.events)
    assert "tok-secret" not in shown and CREDS.sk.get_secret_value() not in shown and "Signature" not in shown


def test_the_blocking_facade_takes_hooks_and_tracing() -> None:
    provider, exporter = traced()
    events: list[CallEvent] = []
    with HuaweiCloud(
        region="cn-north-4", credentials=CREDS, project="p1", environ={}, config=ClientConfig(retry=RETRY),
        http_client=flaky().client(), event_hooks={"response": [events.append]}, tracing=provider,
    ) as cloud:
        cloud.ecs.list_flavors()
    assert [event.status_code for event in events] == [503, 200]
    assert len(exporter.get_finished_spans()) == 1


async def test_generated_operations_name_themselves_and_carry_their_response() -> None:
    import hwcloud_client as hw

    events: list[CallEvent] = []
    recorder = Recorder(lambda request: httpx.Response(200, json={"vpcs": []}, headers={"X-Request-Id": "r-vpc"}))
    async with cloud_with(recorder, event_hooks={"response": [events.append]}) as cloud:
        listed = await cloud.vpc.list_vpcs(limit=10)
    assert [(event.service, event.operation) for event in events] == [("vpc", "list_vpcs")]
    assert listed._request_id == "r-vpc" and hw.response_info(listed).status_code == 200
