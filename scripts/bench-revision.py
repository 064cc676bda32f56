#!/usr/bin/env python3
"""What mapping a profile from an older git revision costs the language server.

Runs the real `pprof-lsp` over stdio against the repository and profile that
`examples/gen_revision_repo.rs` writes (1,000 Go files, a profile of commit
A, 200 commits after it), and times, in one session, alternating the two
cases run by run:

  none      `revision` unset (and no binary to read build info from), so
            lines are used as recorded;
  revision  `revision` set to A: every annotated file is read at A and
            diffed against the disk.

For each run of each case, a fresh server process:

  load      from sending `initialize` to the first `pprof/status` whose
            state is `loaded` (the first load; for `revision`, the cache of
            line maps is empty);
  reload    `pprof.load` of the same profile, from the request to its
            answer (for `revision`, every line map comes from the cache);
  keystroke an annotated file that changed since A is opened, then, over
            and over, one character is typed (`textDocument/didChange`) and
            `textDocument/inlayHint` asked for the whole file; the time from
            sending the hint request to its answer. Every line with data
            has a hint (`hints.minCumPercent` and `minFlatPercent` 0).

The server logs (RUST_LOG=pprof_lsp=info) give the time spent mapping
(`map_ms` of `loaded`) and, for `revision`, each git call and the diffs
(`revision mapped`); their medians are printed too.

    scripts/bench-revision.py [--runs 5] [--keystrokes 200] [--server PATH]
        [--repo DIR | --keep DIR] [-- GENERATOR ARGUMENTS]

Without `--repo`, the repository is generated first (cargo run --release
--example gen_revision_repo) in a temporary directory, removed at the end,
or in `--keep DIR`, kept. `--repo DIR` reuses one made before (it reads
DIR/profiles/revbench.json, which the generator writes). Arguments after
`--` go to the generator (`--files`, `--commits`, `--samples`, `--seed`).
git runs with GIT_CONFIG_NOSYSTEM=1 and a HOME of its own, for the
generator and the server alike.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_stdio import receive, send  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


class Server:
    """One server process; answers its requests while waiting for ours."""

    def __init__(self, binary, env, stderr):
        self.proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env)
        self.next_id = 1
        self.statuses = []

    def notify(self, method, params):
        send(self.proc, {"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        """Sends a request; returns its id and the time it was sent."""
        self.next_id += 1
        send(self.proc, {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id, time.perf_counter()

    def handle(self, message):
        """Answers a request of the server's; keeps its status notifications."""
        if "id" in message and "method" in message:
            items = message.get("params", {}).get("items", [])
            result = [None] * len(items) if message["method"] == "workspace/configuration" else None
            send(self.proc, {"jsonrpc": "2.0", "id": message["id"], "result": result})
        elif message.get("method") == "pprof/status":
            self.statuses.append(message["params"])

    def wait(self, request_id):
        """The result of a request, and when it arrived."""
        while True:
            message = receive(self.proc)
            if message.get("id") == request_id and "method" not in message:
                arrived = time.perf_counter()
                if "error" in message:
                    raise RuntimeError("request %d failed: %s" % (request_id, message["error"]))
                return message.get("result"), arrived
            self.handle(message)

    def wait_loaded(self):
        """The first `loaded` status from now on, and when it arrived."""
        while True:
            message = receive(self.proc)
            self.handle(message)
            if message.get("method") == "pprof/status":
                state = message["params"].get("state")
                if state == "loaded":
                    return message["params"], time.perf_counter()
                if state == "failed":
                    raise RuntimeError("the load failed: %s" % message["params"])

    def stop(self):
        try:
            request_id, _ = self.request("shutdown", None)
            self.wait(request_id)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def file_uri(path):
    return "file://" + path


def one_session(args, info, case, env, goroot, log_path):
    """One server: first load, reload, keystrokes. Returns the timings."""
    # Every line with data gets a hint, so the keystroke rows place many.
    hints = {"minCumPercent": 0, "minFlatPercent": 0}
    options = {"profiles": [info["profile"]], "watch": False, "goroot": goroot, "hints": hints}
    if case == "revision":
        options["revision"] = info["revA"]
    with open(log_path, "wb") as log:
        server = Server(args.server, env, log)
        try:
            started = time.perf_counter()
            request_id, _ = server.request("initialize", {
                "processId": os.getpid(),
                "rootUri": file_uri(info["dir"]),
                "workspaceFolders": [{"uri": file_uri(info["dir"]), "name": "revbench"}],
                "initializationOptions": options,
                "capabilities": {"window": {"workDoneProgress": True}},
            })
            server.wait(request_id)
            server.notify("initialized", {})
            status, loaded = server.wait_loaded()
            load = loaded - started
            revision = (status.get("revision") or {}).get("sha")
            if case == "revision" and revision != info["revA"]:
                raise RuntimeError("the profile was not mapped from %s: %s" % (info["revA"], json.dumps(status)))
            if case == "none" and revision:
                raise RuntimeError("a revision was found without the setting: %s" % json.dumps(status))

            request_id, sent = server.request("workspace/executeCommand", {"command": "pprof.load", "arguments": [{"path": info["profile"]}]})
            _, answered = server.wait(request_id)
            reload = answered - sent

            path = os.path.join(info["dir"], info["keystrokeFile"])
            with open(path, encoding="utf-8") as f:
                text = f.read()
            uri = file_uri(path)
            server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": text}})
            whole = {"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": text.count("\n") + 1, "character": 0}}}
            hints = []
            for _ in range(20):
                request_id, _ = server.request("textDocument/inlayHint", whole)
                hints, _ = server.wait(request_id)
            if not hints:
                raise RuntimeError("no hints in %s" % path)
            line, version, times = info["keystrokeLine"], 1, []
            for k in range(args.keystrokes):
                version += 1
                at = {"line": line, "character": 1 + k}
                server.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"range": {"start": at, "end": at}, "text": "x"}],
                })
                request_id, sent = server.request("textDocument/inlayHint", whole)
                _, answered = server.wait(request_id)
                times.append(answered - sent)
        finally:
            server.stop()
    with open(log_path, encoding="utf-8", errors="replace") as f:
        logged = f.read()
    return {"load": load, "reload": reload, "keystrokes": times, "hints": len(hints), "log": fields(logged)}


def fields(logged):
    """`key=number` fields of the log lines worth keeping, by message, in order."""
    out = {}
    for line in logged.splitlines():
        for message in ("loaded", "revision mapped", "no revision: lines used as recorded"):
            if re.search(r": %s( |$)" % re.escape(message), line):
                values = {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)(?= |$)", line)}
                out.setdefault(message, []).append(values)
    return out


def generate(directory, generator_args):
    command = ["cargo", "run", "--quiet", "--release", "--example", "gen_revision_repo", "--"] + generator_args + [directory]
    out = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def median_range(values, scale=1.0, digits=3):
    values = [v * scale for v in values]
    return "%.*f (%.*f … %.*f)" % (digits, statistics.median(values), digits, min(values), digits, max(values))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered) + 0.5)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--server", default=os.path.join(ROOT, "target", "release", "pprof-lsp"))
    parser.add_argument("--repo", help="a repository made before by gen_revision_repo")
    parser.add_argument("--keep", help="generate into this directory and keep it")
    parser.add_argument("generator", nargs="*", help="arguments for gen_revision_repo (after --)")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="bench-revision-")
    home = os.path.join(scratch, "home")
    goroot = os.path.join(scratch, "goroot")
    os.makedirs(home)
    os.makedirs(goroot)
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", RUST_LOG="pprof_lsp=info")
    try:
        if args.repo:
            with open(os.path.join(args.repo, "profiles", "revbench.json"), encoding="utf-8") as f:
                info = json.load(f)
        else:
            directory = args.keep or os.path.join(scratch, "repo")
            print("generating the repository in %s" % directory, file=sys.stderr)
            info = generate(directory, args.generator)
        print("repository: %(dir)s, %(files)d files, %(commits)d commits after A (%(changed)d files changed since A, "
              "%(renamed)d renamed), profile of %(samples)d samples, %(functions)d functions, %(locations)d locations" % info)
        print("server: %s; load average before: %s" % (args.server, " ".join(open("/proc/loadavg").read().split()[:3])))
        results = {"none": [], "revision": []}
        for run in range(args.runs):
            # Alternate which case goes first, so neither always runs second.
            order = ["none", "revision"] if run % 2 == 0 else ["revision", "none"]
            for case in order:
                r = one_session(args, info, case, env, goroot, os.path.join(scratch, "server.log"))
                results[case].append(r)
                print("run %d %-8s load %.3f s, reload %.3f s, keystroke hint p50 %.2f ms (%d hints)" % (
                    run + 1, case, r["load"], r["reload"], statistics.median(r["keystrokes"]) * 1e3, r["hints"]), file=sys.stderr)
        print("load average after: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
        print()
        print("| case | first load: initialize → loaded, s | reload (`pprof.load`), s | `map_ms` first load / reload | "
              "keystroke → inlayHint, ms: p50 / p90 / max (%d × %d) | hints |" % (args.runs, args.keystrokes))
        print("|---|---|---|---|---|---|")
        for case in ("none", "revision"):
            rs = results[case]
            maps = [[m["map_ms"] for m in r["log"].get("loaded", [])] for r in rs]
            first = statistics.median(m[0] for m in maps if m)
            again = statistics.median(m[1] for m in maps if len(m) > 1)
            keys = [t * 1e3 for r in rs for t in r["keystrokes"]]
            print("| %s | %s | %s | %.0f / %.0f ms | %.2f / %.2f / %.2f | %d |" % (
                case, median_range([r["load"] for r in rs]), median_range([r["reload"] for r in rs]), first, again,
                statistics.median(keys), percentile(keys, 0.9), max(keys), rs[0]["hints"]))
        a = statistics.median(r["load"] for r in results["none"])
        b = statistics.median(r["load"] for r in results["revision"])
        c = statistics.median(r["reload"] for r in results["revision"])
        a2 = statistics.median(r["reload"] for r in results["none"])
        print()
        print("first load, revision − none (medians): %+.3f s (target ≤ 0.300 s: %s)" % (b - a, "met" if b - a <= 0.3 else "MISSED"))
        print("reload, revision − none (medians): %+.3f s" % (c - a2))
        print()
        print("Where the first load with the revision spends its mapping time (ms, median of %d; from `revision mapped`):" % args.runs)
        mapped = [r["log"].get("revision mapped", []) for r in results["revision"]]
        keys = ["discover_ms", "resolve_ms", "renames_ms", "lookup_ms", "blobs_ms", "diff_ms", "files", "cached", "read", "diffed", "changed", "renames"]
        for label, which in (("first load", 0), ("reload", 1)):
            rows = [m[which] for m in mapped if len(m) > which]
            if rows:
                print("  %-10s %s" % (label, ", ".join("%s %g" % (k, statistics.median(r.get(k, 0) for r in rows)) for k in keys)))
        unmapped = [r["log"].get("no revision: lines used as recorded", []) for r in results["none"]]
        rows = [m[0] for m in unmapped if m]
        if rows:
            print("  without the revision, first load: %s" % ", ".join(
                "%s %g" % (k, statistics.median(r.get(k, 0) for r in rows)) for k in ("files", "discover_ms", "last_change_ms")))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
