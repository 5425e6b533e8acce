"""``python -m hwcloud_client.testing [--port 8900] [--region cn-north-4] [--job-delay 0]``.

Serves a FakeHuaweiCloud on 127.0.0.1 and prints the environment variables that point this SDK (and
the official SDKs) at it: one per service, all the same base URL (the emulator routes by path). The printed
key pair is the emulator's demo pair, valid nowhere else.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import threading

from ._app import FakeHuaweiCloud


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hwcloud_client.testing", description=__doc__)
    parser.add_argument("--port", type=int, default=8900, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--region", default="cn-north-4")
    parser.add_argument("--job-delay", type=float, default=0.0, help="seconds before ECS jobs finish")
    args = parser.parse_args(argv)

    fake = FakeHuaweiCloud(region=args.region, job_delay=args.job_delay)
    with fake.serve(port=args.port) as base_url:
        print(f"Huawei Cloud emulator listening on {base_url}")
        print("IAM, ECS, OBS, VPC, EIP, EVS and IMS keep state; every other operation of the generated services is")
        print("answered from its spec. All on this one base URL, which every service's variable below points at.")
        print("Point the SDK at it with:")
        for name, value in fake.environment(base_url).items():
            print(f"export {name}={shlex.quote(value)}")
        print("Press Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
