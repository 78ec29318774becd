"""Processes a test run left behind (anvil nodes, web servers, browsers).

`make test` tags each run: every process the suite starts inherits `NMR_POOLS_TEST_RUN=<id>`
in its environment (pytest's own children, ape-foundry's anvil, the nodes the integration
tests start, a browser). After the suite has exited,

    python -m tests.processes --check <id>

lists the tagged processes still alive, stops them, and exits non-zero, so a test that forgets
to stop what it started fails the run instead of leaking a node into the next one.
"""

from __future__ import annotations

import argparse
import os
import signal
from pathlib import Path

TAG_ENV = "NMR_POOLS_TEST_RUN"


def _ancestors() -> set[int]:
    """This process and its parents (they carry the tag too, and are not strays)."""
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rpartition(")")[2].split()[1])
    return pids


def tagged_processes(tag: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose environment carries `tag`."""
    marker = f"{TAG_ENV}={tag}".encode() + b"\0"
    skip = _ancestors()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in skip:
            continue
        try:
            if marker not in (entry / "environ").read_bytes() + b"\0":
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone, or not ours to read
            continue
        if command:  # zombies have no command line
            found.append((int(entry.name), command))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fail if processes of a test run are still alive.")
    parser.add_argument("--check", metavar="RUN_ID", required=True, help=f"the run's {TAG_ENV} value")
    args = parser.parse_args(argv)
    strays = tagged_processes(args.check)
    if not strays:
        print("no process of the test run is left")
        return 0
    print(f"{len(strays)} process(es) started by the test run are still alive (a test did not stop them):")
    for pid, command in strays:
        print(f"  {pid}: {command[:160]}")
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    print("they have been killed now; fix the test that started them")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
