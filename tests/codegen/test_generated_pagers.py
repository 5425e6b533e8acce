"""The generated ``iter_*`` pagers walk every page of a mocked API and yield each item once.

Two layers:

* ``SAMPLES``: one operation per service and paging style, against a server written here by hand from
  the API reference (item offsets, page numbers from 1, ``start_number``, ``next_marker``…), not from
  ``overrides.json``. A wrong style in the overrides repeats or skips items here.
* every ``paging`` entry of ``overrides.json``, against a server that pages the way the entry says:
  the generated pager must reach every item of a several-page listing, once, and stop.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import httpx
import pytest

import hwcloud_client as hw
from codegen import generate
from hwcloud_client._paging import dig

FACTS = generate.load_facts()
PAGING: dict[str, dict[str, dict[str, Any]]] = generate.load_overrides()["paging"]
TOTAL = 7
SIZE = 3
SIZE_PARAMS = ("limit", "per_page", "page_size", "maxitems")


def version_facts(key: str) -> dict[str, Any]:
    package, version = key.rsplit("_", 1)
    facts: dict[str, Any] = FACTS[package]["versions"][version]
    return facts


def operation(key: str, name: str) -> dict[str, Any]:
    return next(op for op in version_facts(key)["operations"] if op["name"] == name)


def field(models: dict[str, Any], model: str, name: str) -> dict[str, Any]:
    return next(fact for fact in models[model]["fields"] if fact["name"] == name)


def dummy(type_: str, models: dict[str, Any]) -> Any:
    """A value of a facts type that a request or response model accepts."""
    if type_ == "str":
        return "x"
    if type_ in ("int", "float"):
        return 1
    if type_ == "bool":
        return True
    if type_ == "datetime":
        return datetime(2030, 1, 1)
    if type_ == "date":
        return date(2030, 1, 1)
    if type_.startswith("list["):
        return [dummy(type_[5:-1], models)]
    if type_.startswith("dict("):
        return {}
    model = models.get(type_)
    if model is None:
        return "x"
    if model["enum"] is not None:
        return model["enum"][0]
    return {fact["wire"]: dummy(fact["type"], models) for fact in model["fields"] if fact["required"]}


def call_arguments(key: str, op: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """The required arguments of ``op`` but its page parameter, and a page size of ``SIZE``."""
    models = version_facts(key)["models"]
    paging = {entry.get("param", {"marker": "marker"}.get(entry["style"], "offset"))}
    arguments: dict[str, Any] = {}
    for param in op["params"]:
        name, where = generate.python_name(param["name"]), param["in"]
        if where == "body":
            if op["body_kind"] != "none":
                arguments.setdefault("body", dummy(param["type"], models))
            continue
        if name in paging or param["wire"] in ("project_id", "domain_id"):
            continue
        if param["required"] or where == "path":
            arguments[name] = dummy(param["type"], models)
    size = entry.get("size_param") or next(
        (p["name"] for p in op["params"] if p["in"] == "query" and p["name"] in SIZE_PARAMS), None
    )
    if size is not None:
        arguments[generate.python_name(size)] = str(SIZE) if query_type(op, size) == "str" else SIZE
    return arguments


def query_type(op: dict[str, Any], name: str) -> str:
    return str(next(p["type"] for p in op["params"] if p["in"] == "query" and p["name"] == name))


def wire_of(op: dict[str, Any], name: str) -> str:
    return str(next(p["wire"] for p in op["params"] if p["in"] == "query" and p["name"] == name))


class Listing:
    """A server of ``TOTAL`` items under ``items`` (wire names), paged as ``style`` says.

    ``offset``: ``param`` skips that many items; ``page``: ``param`` is a page number from ``start``;
    ``marker``: ``param`` is the last item's ``key`` (``next_marker`` None), or a position the server
    handed out in the dotted ``next_marker`` field. ``count``: where the server writes the total.
    """

    def __init__(
        self, *, items: str, style: str, param: str, size: str | None, start: int = 1, key: str = "id",
        next_marker: str | None = None, count: str | None = None, item: Callable[[int], Any] | None = None,
        default_size: int = SIZE,
    ) -> None:
        self.items_field, self.style, self.param, self.size, self.start = items, style, param, size, start
        self.key, self.next_marker, self.count, self.default_size = key, next_marker, count, default_size
        self.item_given = item
        make = item or (lambda index: nested(key, f"i{index}"))
        self.all = [make(index) for index in range(TOTAL)]
        self.requests: list[httpx.Request] = []

    def identity(self, item: Any) -> Any:
        return identity(item, self.key)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        query = request.url.params
        size = int(query[self.size]) if self.size and self.size in query else self.default_size
        given = query.get(self.param)
        if self.style == "offset":
            position = int(given or 0)
        elif self.style == "page":
            position = (int(given or self.start) - self.start) * size
        elif self.next_marker is not None:
            position = int(given or 0)
        else:
            ids = [str(self.identity(item)) for item in self.all]
            position = ids.index(given) + 1 if given else 0
        body: dict[str, Any] = {self.items_field: self.all[position : position + size]}
        if self.count is not None:
            body[self.count] = TOTAL
        if self.next_marker is not None and position + size < TOTAL:
            body.update(nested(self.next_marker, str(position + size)))
        return httpx.Response(200, json=body)


def nested(dotted: str, value: Any) -> dict[str, Any]:
    """``{"a": {"b": value}}`` for ``"a.b"``."""
    head, _, rest = dotted.partition(".")
    return {head: nested(rest, value) if rest else value}


def collect(listing: Listing, service: str, iterator: str, arguments: dict[str, Any]) -> list[Any]:
    async def main() -> list[Any]:
        async with hw.AsyncHuaweiCloud(
            region="cn-north-4", credentials=hw.Credentials(ak="AK0123456789", sk="sk"), project="p1",
            account="d1", http_client=httpx.AsyncClient(transport=httpx.MockTransport(listing)), environ={},
        ) as cloud:
            pager = getattr(getattr(cloud, service), iterator)(**arguments)
            return [item async for item in pager]

    return asyncio.run(main())


def identity(item: Any, key: str) -> Any:
    """A string item itself; a model's (or dict's) ``key``; a list item's first element's ``key``."""
    if isinstance(item, str):
        return item
    return dig(item[0] if isinstance(item, list) else item, key)


def read_back(items: list[Any], key: str) -> list[Any]:
    return [identity(item, key) for item in items]


def assert_walked(listing: Listing, found: list[Any], size: int = SIZE) -> None:
    assert read_back(found, listing.key) == [listing.identity(item) for item in listing.all], "each item once"
    pages = math.ceil(TOTAL / size)
    # The last page is short or carries the total; at most one more (empty) page confirms the end.
    assert pages <= len(listing.requests) <= pages + 1, [str(r.url) for r in listing.requests]


# ------------------------------------------------------------------ by hand, from the API references

# (service attribute, iterator, arguments, the server as the reference describes it)
SAMPLES: list[tuple[str, str, dict[str, Any], Callable[[], Listing]]] = [
    # AS: start_number is the first row (from 0), limit the rows; total_number the total.
    ("as_v1", "iter_scaling_groups", {"limit": SIZE},
     lambda: Listing(items="scaling_groups", style="offset", param="start_number", size="limit", count="total_number")),
    # CBR: offset skips vaults, limit caps them.
    ("cbr_v1", "iter_vault", {"limit": SIZE},
     lambda: Listing(items="vaults", style="offset", param="offset", size="limit", count="count")),
    ("cbr_v1", "iter_show_members_detail", {"backup_id": "b", "limit": SIZE},
     lambda: Listing(items="members", style="marker", param="marker", size="limit")),
    # Cloud Eye v1: events from the start-th (0-based); metrics follow meta_data.marker.
    ("ces_v1", "iter_events", {"limit": SIZE},
     lambda: Listing(items="events", style="offset", param="start", size="limit")),
    ("ces_v1", "iter_metrics", {"limit": SIZE},
     lambda: Listing(items="metrics", style="marker", param="start", size="limit", next_marker="meta_data.marker")),
    # Cloud Eye v2 and v3: offset skips items, count is the total.
    ("ces_v2", "iter_alarm_rules", {"limit": SIZE},
     lambda: Listing(items="alarms", style="offset", param="offset", size="limit", count="count")),
    ("ces_v3", "iter_agent_invocations", {"limit": SIZE},
     lambda: Listing(items="invocations", style="offset", param="offset", size="limit", count="count")),
    # DCS: offset is where the query starts (>= 0).
    ("dcs_v2", "iter_instances", {"limit": SIZE},
     lambda: Listing(items="instances", style="offset", param="offset", size="limit")),
    # DNS: offset skips resources; the record sets of a zone page by the last one's id.
    ("dns_v2", "iter_endpoints", {"limit": SIZE},
     lambda: Listing(items="endpoints", style="offset", param="offset", size="limit")),
    ("dns_v2", "iter_show_record_set_by_zone", {"zone_id": "z", "limit": SIZE},
     lambda: Listing(items="recordsets", style="marker", param="marker", size="limit")),
    # ECS: offset is a page number from 1 (v1 details); marker the last server's id (v1.1 and Nova).
    ("ecs_v2", "iter_servers_details", {"limit": SIZE},
     lambda: Listing(items="servers", style="page", param="offset", size="limit", count="count")),
    ("ecs_v2", "iter_cloud_servers", {"limit": SIZE},
     lambda: Listing(items="servers", style="marker", param="marker", size="limit")),
    # EIP: offset is the first resource's index; Neutron floating IPs page by the last id.
    ("eip_v2", "iter_bandwidth_pkg", {"limit": SIZE},
     lambda: Listing(items="bandwidthpkgs", style="offset", param="offset", size="limit")),
    ("eip_v2", "iter_neutron_list_floating_ips", {"limit": SIZE},
     lambda: Listing(items="floatingips", style="marker", param="marker", size="limit")),
    ("eip_v3", "iter_common_pools", {"limit": SIZE},
     lambda: Listing(items="common_pools", style="offset", param="offset", size="limit")),
    # EVS: offset skips snapshots; count is the total whatever the limit.
    ("evs_v2", "iter_snapshots", {"limit": SIZE},
     lambda: Listing(items="snapshots", style="offset", param="offset", size="limit", count="count")),
    # FunctionGraph: marker is a position, next_marker the next one.
    ("functiongraph_v2", "iter_functions", {"maxitems": str(SIZE)},
     lambda: Listing(items="functions", style="marker", param="marker", size="maxitems", next_marker="next_marker")),
    # IAM v3: page from 1, with per_page (the pager sends one when the caller does not).
    ("iam_v3", "iter_custom_policies", {"per_page": SIZE},
     lambda: Listing(items="roles", style="page", param="page", size="per_page")),
    # IAM v5: page_info.next_marker.
    ("iam_v5", "iter_show_group_summary", {"limit": SIZE},
     lambda: Listing(items="groups", style="marker", param="marker", size="limit",
                     next_marker="page_info.next_marker")),
    # KMS: offset is the index after which the query starts.
    ("kms_v2", "iter_key_stores", {"limit": SIZE},
     lambda: Listing(items="keystores", style="offset", param="offset", size="limit", count="total")),
    # LTS: alarms page by page_info.next_marker.
    ("lts_v2", "iter_active_or_history_alarms", {"limit": SIZE},
     lambda: Listing(items="events", style="marker", param="marker", size="limit",
                     next_marker="page_info.next_marker")),
    # RDS: offset skips items (instances); offset is a page from 1 (v3 error logs); page from 1 (databases).
    ("rds_v3", "iter_instances", {"limit": SIZE},
     lambda: Listing(items="instances", style="offset", param="offset", size="limit", count="total_count")),
    ("rds_v3", "iter_error_logs", {"instance_id": "i", "start_date": "a", "end_date": "b", "limit": SIZE},
     lambda: Listing(items="error_log_list", style="page", param="offset", size="limit", count="total_record")),
    ("rds_v3", "iter_databases", {"instance_id": "i", "limit": SIZE},
     lambda: Listing(items="databases", style="page", param="page", size="limit", count="total_count")),
    # SMN: offset skips topics; topic_count is the total whatever offset and limit.
    ("smn_v2", "iter_topics", {"limit": SIZE},
     lambda: Listing(items="topics", style="offset", param="offset", size="limit", count="topic_count")),
    # SWR: offset is a start index, total the total; references follow next_marker.
    ("swr_v2", "iter_instance", {"limit": SIZE},
     lambda: Listing(items="instances", style="offset", param="offset", size="limit", count="total")),
    ("swr_v2", "iter_references", {"namespace": "n", "repository": "r", "tag": "t", "limit": SIZE},
     lambda: Listing(items="tags", style="marker", param="marker", size="limit", next_marker="next_marker",
                     item=lambda index: f"t{index}")),
    # VPC v2 Neutron: marker is the last id; VPC v3 tags: offset skips items.
    ("vpc_v2", "iter_neutron_list_ports", {"limit": SIZE},
     lambda: Listing(items="ports", style="marker", param="marker", size="limit")),
    ("vpc_v3", "iter_port_tags", {"limit": SIZE},
     lambda: Listing(items="tags", style="offset", param="offset", size="limit", key="key",
                     item=lambda index: {"key": f"k{index}"})),
    # Services paged by marker before: CCE, ELB v3 and IMS by page_info.next_marker, ELB v2 and NAT by the last id.
    ("cce_v3", "iter_nodes", {"limit": SIZE},
     lambda: Listing(items="items", style="marker", param="marker", size="limit",
                     next_marker="page_info.next_marker")),
    ("elb_v3", "iter_all_l7_rules", {"limit": SIZE},
     lambda: Listing(items="rules", style="marker", param="marker", size="limit",
                     next_marker="page_info.next_marker")),
    ("ims_v2", "iter_glance_list_image_members", {"limit": SIZE},
     lambda: Listing(items="members", style="marker", param="marker", size="limit",
                     next_marker="page_info.next_marker")),
    ("elb_v2", "iter_certificates", {"limit": SIZE},
     lambda: Listing(items="certificates", style="marker", param="marker", size="limit")),
    ("nat_v2", "iter_nat_gateway_dnat_rules", {"limit": SIZE},
     lambda: Listing(items="dnat_rules", style="marker", param="marker", size="limit")),
]


@pytest.mark.parametrize(
    ("service", "iterator", "arguments", "server"), SAMPLES, ids=[f"{s[0]}.{s[1]}" for s in SAMPLES]
)
def test_a_pager_walks_the_pages_as_the_api_reference_describes(
    service: str, iterator: str, arguments: dict[str, Any], server: Callable[[], Listing]
) -> None:
    name = next(op for op in PAGING[service] if generate.iter_name(op) == iterator)
    op, entry = operation(service, name), PAGING[service][name]
    required = call_arguments(service, op, entry)
    listing = server()
    if listing.item_given is None:
        inner = field(version_facts(service)["models"], op["response"], entry["items"])["type"][5:-1]
        listing.all = [item_maker(service, inner, listing.key)(index) for index in range(TOTAL)]
    assert_walked(listing, collect(listing, service, iterator, {**required, **arguments}))


def test_the_samples_cover_every_service_and_each_of_its_offset_and_page_styles() -> None:
    styles = {(key, entry["style"]) for key, ops in PAGING.items() for entry in ops.values()}
    sampled = {
        (service, next(entry["style"] for op, entry in PAGING[service].items() if generate.iter_name(op) == iterator))
        for service, iterator, _, _ in SAMPLES
    }
    assert {key for key, _ in styles} == {key for key, _ in sampled}
    assert {pair for pair in styles if pair[1] != "marker"} <= sampled


def test_keystone_pages_get_a_page_size_when_the_caller_gives_none() -> None:
    """Keystone ignores ``page`` without ``per_page``: the pager sends per_page=5000 (projects) itself."""
    listing = Listing(items="projects", style="page", param="page", size="per_page", default_size=TOTAL + 100,
                      item=item_maker("iam_v3", "ProjectResult", "id"))
    found = collect(listing, "iam_v3", "iter_keystone_list_projects", {})
    assert read_back(found, "id") == [f"i{index}" for index in range(TOTAL)]
    assert [r.url.params["per_page"] for r in listing.requests] == ["5000", "5000"]
    assert [r.url.params["page"] for r in listing.requests] == ["1", "2"]


def test_a_page_number_pager_sent_item_offsets_would_repeat_items() -> None:
    """The test's servers can tell styles apart: an item-offset server read as pages repeats items."""
    listing = Listing(items="error_log_list", style="offset", param="offset", size="limit", count="total_record",
                      item=item_maker("rds_v3", "ErrorLog", "id"))
    found = collect(listing, "rds_v3", "iter_error_logs",
                    {"instance_id": "i", "start_date": "a", "end_date": "b", "limit": SIZE})
    ids = read_back(found, "id")
    assert ids != [f"i{index}" for index in range(TOTAL)]
    assert len(ids) > len(set(ids)), "items repeat, as the docstring says"


# ------------------------------------------------------------------ every entry of overrides.json

ENTRIES = sorted((key, name) for key, ops in PAGING.items() for name in ops)


def item_maker(key: str, inner: str, key_path: str) -> Callable[[int], Any]:
    """The ``index``-th item of type ``inner``: its always-present fields, and ``key_path`` naming it."""
    models = version_facts(key)["models"]
    if inner.startswith("list["):
        element = item_maker(key, inner[5:-1], "name")
        return lambda index: [element(index)]
    item_model = models.get(inner)
    always = generate.load_overrides()["always_present"].get(key, {}).get(inner, [])

    def make(index: int) -> Any:
        if item_model is None:
            return f"i{index}"
        value: dict[str, Any] = {}
        for name in always:
            fact = field(models, inner, name)
            value[fact["wire"]] = dummy(fact["type"], models)
        identity_type = next((f["type"] for f in item_model["fields"] if f["name"] == key_path), "str")
        value.update(nested(key_path, index if identity_type == "int" else f"i{index}"))
        return value

    return make


def server_for(key: str, name: str) -> tuple[Listing, dict[str, Any]]:
    """A server that pages as the ``paging`` entry of ``key.name`` says, and the call's arguments."""
    entry = PAGING[key][name]
    op = operation(key, name)
    models = version_facts(key)["models"]
    response = op["response"]
    items = field(models, response, entry["items"])
    inner = items["type"][5:-1]
    style = entry["style"]
    param = wire_of(op, entry.get("param", {"marker": "marker"}.get(style, "offset")))
    size_name = entry.get("size_param") or next(
        (p["name"] for p in op["params"] if p["in"] == "query" and p["name"] in SIZE_PARAMS), None
    )
    key_path = entry.get("item_key", "id")
    make = item_maker(key, inner, key_path)
    next_marker = entry.get("next_marker")
    if next_marker:
        head, _, rest = next_marker.partition(".")
        outer = field(models, response, head)
        next_marker = outer["wire"] + (
            "." + field(models, outer["type"], rest)["wire"] if rest else ""
        )
    count = field(models, response, entry["count"])["wire"] if entry.get("count") else None
    listing = Listing(
        items=items["wire"], style=style, param=param, size=wire_of(op, size_name) if size_name else None,
        start=entry.get("start", 1), key=key_path, next_marker=next_marker, count=count, item=make,
    )
    return listing, call_arguments(key, op, entry)


@pytest.mark.parametrize(("key", "name"), ENTRIES, ids=[f"{k}.{n}" for k, n in ENTRIES])
def test_every_generated_pager_reaches_each_item_once(key: str, name: str) -> None:
    listing, arguments = server_for(key, name)
    found = collect(listing, key, generate.iter_name(name), arguments)
    assert_walked(listing, found)


# ------------------------------------------------------------------ the generator's paging entries


def tiny_client(entry: dict[str, Any]) -> str:
    """``_client.py`` of the tiny test package, with ``list_things`` paged as ``entry`` says."""
    from tests.codegen.test_generate import tiny_facts, tiny_overrides

    facts = tiny_facts()
    version = facts["as"]["versions"]["v1"]
    query = {"in": "query", "type": "int", "required": False}
    version["operations"][0]["params"] += [{"name": name, "wire": name, **query} for name in ("limit", "page", "start")]
    field_ = {"required": False, "sensitive": False}
    version["models"]["ListThingsResponse"]["fields"] += [
        {"name": "total", "wire": "total", "type": "int", **field_},
        {"name": "name", "wire": "name", "type": "str", **field_},
    ]
    overrides = tiny_overrides()
    overrides["paging"]["as_v1"]["list_things"] = entry
    (found,) = generate.versions(facts, overrides)
    return generate.generate_version(found)["_client.py"]


@pytest.mark.parametrize(
    ("entry", "dialect"),
    [
        ({"style": "offset", "param": "start", "count": "total"}, 'ItemOffset("start", count_field="total")'),
        ({"style": "offset", "param": "from"}, 'ItemOffset("from_")'),
        ({"style": "page", "param": "page", "start": 0, "count": "total"}, 'PageNumber("page", 0, "total")'),
        ({"style": "page", "param": "page", "size_param": "limit", "size": 500},
         'DefaultPageSize(PageNumber("page", 1, None), size_param="limit", size=500)'),
        ({"style": "marker", "param": "start", "next_marker": "page_info.next_marker"},
         'Marker("start", next_marker_field="page_info.next_marker")'),
    ],
)
def test_a_paging_entry_becomes_its_dialect(entry: dict[str, Any], dialect: str) -> None:
    source = tiny_client({"items": "things", **entry})
    assert f"dialect={dialect}\n" in source
    if "DefaultPageSize" in dialect:
        assert "from .._base import DefaultPageSize, paginate" in source


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ({"style": "offset", "param": "start", "counts": "total"}, "unknown paging keys"),
        ({"style": "offset", "param": "start", "count": "name"}, "not an integer field"),
        ({"style": "marker", "count": "total"}, "stops on its marker"),
        ({"style": "page", "param": "page", "start": 2}, "start at 0 or 1"),
        ({"style": "page", "param": "page", "size": 5}, "go together"),
        ({"style": "page", "param": "page", "size_param": "per_page", "size": 5}, "not a query parameter"),
        ({"style": "page", "param": "page", "size_param": "limit", "size": 5, "count": "total"}, "hides the count"),
        ({"style": "links"}, "unknown paging style"),
        ({"style": "offset", "items": "name"}, "not a list"),
    ],
)
def test_a_paging_entry_that_cannot_work_stops_the_generator(entry: dict[str, Any], error: str) -> None:
    with pytest.raises(generate.GenerationError, match=error):
        tiny_client({"items": "things", **entry})
