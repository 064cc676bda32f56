#!/usr/bin/env python3
"""Time from `initialize` to a loaded profile, through the real server.

Starts `pprof-lsp` over stdio with PROFILE as its only profile, sends
`initialize` and `initialized`, answers whatever the server asks, and stops
the clock at the first `pprof/status` notification whose state is `loaded`
(or `failed`, which is reported as an error). Each run is a fresh process,
stopped by its PID afterwards.

    scripts/bench-startup.py [--runs N] [--server PATH] PROFILE...
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_stdio import receive, send  # noqa: E402


def one_run(server, profile):
    workspace = tempfile.mkdtemp(prefix="pprof-startup-")
    proc = subprocess.Popen([server], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        started = time.perf_counter()
        send(proc, {
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {
                "processId": os.getpid(),
                "rootUri": "file://" + workspace,
                "initializationOptions": {"profiles": [os.path.abspath(profile)], "watch": False},
                "capabilities": {"window": {"workDoneProgress": True}},
            },
        })
        while True:
            message = receive(proc)
            if message.get("id") == 1 and "method" not in message:
                initialized = time.perf_counter()
                send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
                continue
            if "id" in message and "method" in message:
                # A request from the server (progress, configuration): answer it.
                result = [None] * len(message["params"]["items"]) if message["method"] == "workspace/configuration" else None
                send(proc, {"jsonrpc": "2.0", "id": message["id"], "result": result})
                continue
            if message.get("method") == "pprof/status":
                state = message["params"].get("state")
                if state == "loaded":
                    return initialized - started, time.perf_counter() - started
                if state == "failed":
                    raise RuntimeError("the load failed: %s" % message["params"])
    finally:
        proc.kill()
        proc.wait()
        os.rmdir(workspace)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--server", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "pprof-lsp"))
    parser.add_argument("profiles", nargs="+")
    args = parser.parse_args()
    print("| profile | MB | initialize answered | loaded: median (min … max) of %d |" % args.runs)
    print("|---|---|---|---|")
    for profile in args.profiles:
        runs = [one_run(args.server, profile) for _ in range(args.runs)]
        answered = statistics.median(r[0] for r in runs)
        loaded = [r[1] for r in runs]
        print("| %s | %.1f | %.0f ms | %.2f s (%.2f … %.2f) |" % (
            os.path.basename(profile), os.path.getsize(profile) / 1e6, answered * 1000,
            statistics.median(loaded), min(loaded), max(loaded)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
