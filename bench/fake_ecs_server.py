"""A fast fake ECS/IAM endpoint for benchmarks: raw asyncio, HTTP/1.1 keep-alive, canned JSON bodies.

It answers without checking signatures, so that what is measured is the client:

* ``GET /v1/{project_id}/cloudservers/detail?limit=N`` → ``{"count": N, "servers": [...]}`` with N
  realistic server records of about 3 KB each (bodies are built once per N and cached);
* ``GET /v3/projects`` → one project; ``GET /v1/{project_id}/vpcs`` → one VPC;
  anything else → 404 with a Huawei-style error body.

    python bench/fake_ecs_server.py [--port 0]

prints ``PORT <n>`` on stdout once listening, then serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from functools import lru_cache
from urllib.parse import parse_qsl

PROJECT_ID = "0123456789abcdef0123456789abcdef"
MAX_SERVERS = 1000
_HEADER_END = b"\r\n\r\n"


def server_record(index: int) -> dict[str, object]:
    """One server as ListServersDetails returns it (the fields the official ServerDetail model knows)."""
    server_id = f"9b1e{index:04d}-5f3c-4a3e-9c2d-{index:012d}"
    port_id = f"6c0ad{index:03d}-1d4e-4f5a-8b6c-{index:012d}"
    return {
        "id": server_id,
        "name": f"bench-server-{index:04d}",
        "status": "ACTIVE",
        "description": "a server the benchmark lists",
        "created": "2024-01-01T00:00:00Z",
        "updated": "2024-01-02T00:00:00Z",
        "auto_terminate_time": "",
        "hostId": "c7f0e6a9b5d44e3b8a2f1d0c9b8a7f6e5d4c3b2a19087f6e5d4c3b2a",
        "OS-EXT-SRV-ATTR:host": "pod01.cn-north-4a",
        "addresses": {
            "5b7d4c1e-8a2f-4b3c-9d0e-1f2a3b4c5d6e": [
                {"version": "4", "addr": f"192.168.{index // 250}.{index % 250 + 2}",
                 "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:12:34:56", "OS-EXT-IPS:type": "fixed",
                 "OS-EXT-IPS:port_id": port_id},
            ]
        },
        "key_name": "bench-keypair",
        "image": {"id": "1c5a2e3b-9f8d-4c7b-a6e5-d4c3b2a19080"},
        "OS-EXT-STS:task_state": "",
        "OS-EXT-STS:vm_state": "active",
        "OS-EXT-SRV-ATTR:instance_name": f"instance-{index:08x}",
        "OS-EXT-SRV-ATTR:hypervisor_hostname": "nova012@7",
        "flavor": {"id": "s6.small.1", "name": "s6.small.1", "disk": "0", "vcpus": "1", "ram": "1024"},
        "security_groups": [{"id": "d1c2b3a4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "name": "default"}],
        "OS-EXT-AZ:availability_zone": "cn-north-4a",
        "user_id": "7f6e5d4c3b2a19087f6e5d4c3b2a1908",
        "tenant_id": PROJECT_ID,
        "OS-DCF:diskConfig": "MANUAL",
        "accessIPv4": "",
        "accessIPv6": "",
        "progress": 0,
        "OS-EXT-STS:power_state": 1,
        "config_drive": "",
        "metadata": {
            "charging_mode": "0", "metering.image_id": "1c5a2e3b-9f8d-4c7b-a6e5-d4c3b2a19080",
            "metering.imagetype": "gold", "metering.resourcespeccode": "s6.small.1.linux",
            "image_name": "Ubuntu 22.04 server 64bit", "os_bit": "64", "vpc_id": "5b7d4c1e-8a2f-4b3c-9d0e-1f2a3b4c5d6e",
            "metering.resourcetype": "1", "os_type": "Linux", "cascaded.instance_extrainfo": "pcibridge:1",
        },
        "OS-SRV-USG:launched_at": "2024-01-01T00:00:10.000000",
        "OS-SRV-USG:terminated_at": "",
        "os-extended-volumes:volumes_attached": [
            {"id": f"0e1f2a3b-{index:04d}-4c5d-8e6f-7a8b9c0d1e2f", "delete_on_termination": "true",
             "bootIndex": "0", "device": "/dev/vda"},
            {"id": f"1f2a3b4c-{index:04d}-4d6e-9f70-8b9c0d1e2f3a", "delete_on_termination": "false",
             "bootIndex": "-1", "device": "/dev/vdb"},
        ],
        "host_status": "UP",
        "OS-EXT-SRV-ATTR:hostname": f"bench-server-{index:04d}",
        "OS-EXT-SRV-ATTR:reservation_id": "r-0a1b2c3d",
        "OS-EXT-SRV-ATTR:launch_index": 0,
        "OS-EXT-SRV-ATTR:kernel_id": "",
        "OS-EXT-SRV-ATTR:ramdisk_id": "",
        "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
        "OS-EXT-SRV-ATTR:user_data": "IyEvYmluL2Jhc2gKZWNobyAnaGVsbG8gZnJvbSB0aGUgYmVuY2htYXJrJwo=",
        "locked": False,
        "tags": ["env=bench", f"index={index}", "team=sdk"],
        "os:scheduler_hints": {},
        "enterprise_project_id": "0",
        "sys_tags": [{"key": "_sys_enterprise_project_id", "value": "0"}],
        "cpu_options": {"hw:cpu_threads": 2},
        "hypervisor": {"hypervisor_type": "kvm", "csd_hypervisor": ""},
        "network_interfaces": [
            {"port_id": port_id, "primary": True, "ip_address": f"192.168.{index // 250}.{index % 250 + 2}",
             "ipv6_address": "", "subnet_id": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
             "association": {"public_ip_address": f"100.64.{index // 250}.{index % 250 + 2}",
                             "public_ip_id": "3b4c5d6e-7f80-4a9b-8c1d-2e3f4a5b6c7d"}},
        ],
        "fault": None,
        "security_options": {"secure_boot_enabled": False, "tpm_enabled": False},
    }


def _http_response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"X-Request-Id: 0b5f4c1a2d3e4f5a6b7c8d9e0f1a2b3c\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


@lru_cache(maxsize=64)
def servers_response(count: int) -> bytes:
    servers = [server_record(index) for index in range(count)]
    return _http_response("200 OK", json.dumps({"count": count, "servers": servers}).encode())


PROJECTS_RESPONSE = _http_response(
    "200 OK", json.dumps({"projects": [{"id": PROJECT_ID, "name": "cn-north-4", "enabled": True}]}).encode()
)
VPCS_RESPONSE = _http_response(
    "200 OK", json.dumps({"vpcs": [{"id": "5b7d4c1e-8a2f-4b3c-9d0e-1f2a3b4c5d6e", "name": "bench-vpc",
                                    "cidr": "192.168.0.0/16", "status": "OK", "routes": [],
                                    "enterprise_project_id": "0"}]}).encode()
)
NOT_FOUND_RESPONSE = _http_response(
    "404 Not Found", b'{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published"}'
)


def route(target: str) -> bytes:
    path, _, query = target.partition("?")
    if path.endswith("/cloudservers/detail"):
        params = dict(parse_qsl(query))
        return servers_response(max(0, min(MAX_SERVERS, int(params.get("limit") or 25))))
    if path == "/v3/projects":
        return PROJECTS_RESPONSE
    if path.endswith("/vpcs"):
        return VPCS_RESPONSE
    return NOT_FOUND_RESPONSE


class FakeHttp(asyncio.Protocol):
    """Pipelining-safe HTTP/1.1: split the stream on header ends, skip request bodies by Content-Length."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(_HEADER_END)
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1")
            body_length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    body_length = int(value)
            request_end = end + len(_HEADER_END) + body_length
            if len(self.buffer) < request_end:
                return
            del self.buffer[:request_end]
            target = head.split(" ", 2)[1]
            assert self.transport is not None
            self.transport.write(route(target))


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(FakeHttp, "127.0.0.1", port, backlog=1024)
    servers_response(1)
    servers_response(100)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
