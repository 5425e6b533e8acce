"""A local Huawei Cloud emulator for tests and demos.

``FakeHuaweiCloud`` keeps IAM, ECS (and OBS) state in memory, verifies every signature like the API
Gateway does, and is reached in-process (``fake.transport()``) or over HTTP (``fake.serve()``,
``python -m hwcloud_client.testing``). The pytest plugin adds the ``fake_cloud``,
``fake_cloud_client`` and ``fake_cloud_server`` fixtures.
"""

from ._app import (
    DEMO_ACCESS_KEY,
    DEMO_SECRET_KEY,
    ConnectionDropped,
    FakeHuaweiCloud,
    Faults,
    InternalError,
    RecordedCall,
    serve,
)
from ._base import EmulatedRequest, EmulatedResponse, ServiceEmulator

__all__ = [
    "DEMO_ACCESS_KEY",
    "DEMO_SECRET_KEY",
    "ConnectionDropped",
    "EmulatedRequest",
    "EmulatedResponse",
    "FakeHuaweiCloud",
    "Faults",
    "InternalError",
    "RecordedCall",
    "ServiceEmulator",
    "serve",
]
