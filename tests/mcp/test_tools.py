"""pprof-lsp mcp driven over stdio by the official Python MCP SDK.

Expected values come from the `go tool pprof` goldens in tests/golden, the
peek cases of tests/fixtures/peeks.txt, the `// marker:` lines of the
fixture programs, go test's own output and `pprof-lsp leaks --json`, never
from this file. Run by scripts/test-mcp.sh (PPROF_LSP names the binary;
scripts/live-env.sh provides PPROF_LEAKY_BIN and PPROF_GOROOT for the
tests that run real Go).
"""

import asyncio
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import unittest
from pathlib import Path

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("PPROF_LSP", str(ROOT / "target/release/pprof-lsp"))
PROFILES = ROOT / "tests/fixtures/profiles"
GOLDEN = ROOT / "tests/golden"
WORKSPACE = ROOT / "tests/fixtures/goprog"
TOOLS = {"profiles", "top", "source", "peek", "leaks", "growth", "runBenchmark"}


def call(args, tool, arguments, progress=None):
    """Starts the server with `args`, calls one tool, returns its result."""
    async def run():
        async with session_of(args) as session:
            if tool is None:
                return await session.list_tools()
            return await session.call_tool(tool, arguments, progress_callback=progress)
    return asyncio.run(asyncio.wait_for(run(), 300))


class session_of:
    """An initialized client session with `pprof-lsp mcp ARGS` (the SDK's
    stdio client stops the server when the block ends, pass or fail)."""

    def __init__(self, args):
        self.params = StdioServerParameters(command=BIN, args=["mcp", *args])

    async def __aenter__(self):
        self.stdio = stdio_client(self.params)
        read, write = await self.stdio.__aenter__()
        self.session = ClientSession(read, write)
        await self.session.__aenter__()
        await self.session.initialize()
        return self.session

    async def __aexit__(self, *exc):
        await self.session.__aexit__(*exc)
        await self.stdio.__aexit__(*exc)


def needs(variable, what):
    """The value of an environment variable scripts/live-env.sh sets: a
    failure under CI when it is missing, a skip elsewhere."""
    value = os.environ.get(variable)
    if not value:
        message = f"{variable} is not set ({what}; source scripts/live-env.sh)"
        if os.environ.get("CI"):
            raise AssertionError(message)
        raise unittest.SkipTest(message)
    return value


def marker_line(program, name):
    """The line of `// marker: NAME` in tests/fixtures/PROGRAM/main.go."""
    lines = (ROOT / "tests/fixtures" / program / "main.go").read_text().splitlines()
    found = [i + 1 for i, l in enumerate(lines) if l.rstrip().endswith(f"// marker: {name}")]
    assert len(found) == 1, (program, name, found)
    return found[0]


class Service:
    """A fixture Go service (`BIN -addr 127.0.0.1:0`), killed by its PID
    when the test ends, pass or fail (and it exits by itself when its stdin
    closes)."""

    def __init__(self, test, binary):
        self.process = subprocess.Popen([binary, "-addr", "127.0.0.1:0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        test.addCleanup(self.stop)
        line = self.process.stdout.readline().decode().strip()
        assert line.startswith("listening on "), line
        self.addr = line.removeprefix("listening on ")

    def stop(self):
        try:
            os.kill(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


class CountingServer:
    """A loopback HTTP server that answers every GET with one profile and
    counts the requests."""

    def __init__(self, test, profile):
        body = profile.read_bytes()
        counter = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                counter.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.requests = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        test.addCleanup(self.server.server_close)
        test.addCleanup(self.server.shutdown)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/debug/pprof/heap"


def heap(profile="heap.pb.gz", *more):
    return ["--workspace", str(WORKSPACE), "--profile", str(PROFILES / profile), *more]


def golden_rows(name):
    """(function, flat, cum) of a -top golden's rows, values in its printed form."""
    rows = []
    lines = (GOLDEN / name).read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if l.lstrip().startswith("flat  flat%"))
    for line in lines[start + 1:]:
        parts = line.split()
        rows.append((" ".join(parts[5:]), parts[0], parts[3]))
    return rows


def text_of(result):
    return "".join(c.text for c in result.content if getattr(c, "type", "") == "text")


class Tools(unittest.TestCase):
    def test_initialize_lists_every_tool_with_an_output_schema(self):
        tools = call(heap(), None, None).tools
        self.assertEqual({t.name for t in tools}, TOOLS)
        for t in tools:
            self.assertTrue(t.output_schema and t.output_schema.get("type") == "object", t.name)
            self.assertTrue(t.description, t.name)

    def top_matches(self, profile, stem):
        for granularity, kind in (("lines", "lines"), ("functions", "functions")):
            result = call(heap(profile), "top", {"granularity": granularity, "limit": 500, "sampleType": "inuse_space"})
            self.assertFalse(result.is_error, text_of(result))
            rows = result.structured_content["rows"]
            want = golden_rows(f"{stem}.inuse_space.{kind}.default.top.txt")
            self.assertEqual(len(rows), len(want), kind)
            for row, (name, flat, cum) in zip(rows, want):
                self.assertEqual((row["flatLabel"], row["cumLabel"]), (flat, cum), name)
                self.assertTrue(name.startswith(row["function"]), (name, row["function"]))
            yield rows

    def test_top_equals_pprof_in_values_and_order(self):
        for _ in self.top_matches("heap.pb.gz", "heap"):
            pass

    def test_top_of_windows_paths_names_workspace_files(self):
        for rows in self.top_matches("windows.heap.pb.gz", "heap"):
            catalog = next(r for r in rows if "catalog.init" in r["function"])
            self.assertEqual(catalog["file"], "internal/catalog/catalog.go")
            self.assertTrue(catalog["mapped"])
            self.assertFalse(any(r["file"].startswith("D:/") and r["mapped"] for r in rows))

    def test_source_has_catalog_line_25_with_pprofs_value(self):
        result = call(heap("windows.heap.pb.gz"), "source", {"file": "internal/catalog/catalog.go", "sampleType": "inuse_space"})
        self.assertFalse(result.is_error, text_of(result))
        line = next(l for l in result.structured_content["lines"] if l["line"] == 25)
        want = next(r for r in golden_rows("heap.inuse_space.lines.top.txt") if "catalog.go:25" in r[0])
        self.assertEqual(str(line["flat"]) + "B", want[1])

    def test_peek_agrees_with_go_tool_pprof_peek(self):
        for case in (ROOT / "tests/fixtures/peeks.txt").read_text().splitlines():
            if not case.strip() or case.startswith("#"):
                continue
            name, stem, sample_type, regex = case.split()
            if "-diff-" in stem:
                continue
            result = call(heap(f"{stem}.pb.gz"), "peek", {"function": regex, "sampleType": sample_type, "limit": 100})
            self.assertFalse(result.is_error, text_of(result))
            golden = (GOLDEN / f"{stem}.{sample_type}.peek-{name}.txt").read_text()
            # The golden's function rows and call rows, in order.
            want = [l.split("|")[0].split() + [l.split("|")[1].strip()] for l in golden.splitlines() if "|" in l and "flat%" not in l]
            got = []
            for f in result.structured_content["functions"]:
                got += [[c["weightLabel"], c["function"] + (" (inline)" if c["inline"] else "")] for c in f["callers"]]
                got.append([f["flatLabel"], f["cumLabel"], f["function"]])
                got += [[c["weightLabel"], c["function"] + (" (inline)" if c["inline"] else "")] for c in f["callees"]]
            simplified = [[w[0], w[-1]] if len(w) == 3 else [w[0], w[3], w[-1]] for w in want]
            self.assertEqual(got, simplified, name)

    def test_run_benchmark_is_refused_without_allow_run(self):
        result = call(heap(), "runBenchmark", {"package": ".", "name": "BenchmarkX"})
        self.assertTrue(result.is_error)
        self.assertIn("--allow-run", text_of(result))

    def test_errors_are_tool_errors_with_their_message(self):
        cases = [
            ("top", {"profile": "nope.pb.gz"}, "nope.pb.gz"),
            ("peek", {"function": "("}, "function: bad regular expression"),
            ("top", {"filters": {"focus": "("}}, "filters.focus"),
            ("growth", {"source": "http://example.com/debug/pprof/heap"}, "is not allowed"),
            ("source", {"file": "../../../Cargo.toml"}, "outside the workspace"),
            ("top", {"limit": 0}, "limit: 0 is not between 1 and 500"),
        ]
        for tool, args, message in cases:
            result = call(heap(), tool, args)
            self.assertTrue(result.is_error, (tool, args))
            self.assertIn(message, text_of(result), (tool, args))


    def test_size_cap_is_a_tool_error_naming_the_cap(self):
        with tempfile.TemporaryDirectory() as ws:
            (Path(ws) / "pprof-lsp.toml").write_text("maxProfileBytes = 1000\n")
            args = ["--workspace", ws, "--profile", str(PROFILES / "heap.pb.gz")]
            result = call(args, "top", {})
        self.assertTrue(result.is_error, text_of(result))
        self.assertIn("heap.pb.gz", text_of(result))
        self.assertIn("maxProfileBytes", text_of(result))

    def test_leaks_of_a_goroutine_dump_are_the_clis_rows_at_workspace_lines(self):
        dump = PROFILES / "goleak.goroutineleak.debug2.txt"
        workspace = ROOT / "tests/fixtures/goleak"
        result = call(["--workspace", str(workspace), "--profile", str(dump)], "leaks", {"source": str(dump)})
        self.assertFalse(result.is_error, text_of(result))
        got = result.structured_content
        cli = subprocess.run([BIN, "leaks", str(dump), "--json", "--source-path", str(workspace)], capture_output=True, text=True, check=True)
        want = json.loads(cli.stdout)
        self.assertEqual((got["leaks"], got["total"], got["summary"]), (want["leaks"], want["total"], want["summary"]))
        self.assertTrue(got["rows"])
        self.assertEqual(
            [(r["line"], r["function"], r["count"], r["label"]) for r in got["rows"]],
            [(r["line"], r["function"], r["count"], r["label"]) for r in want["rows"]],
        )
        self.assertTrue(all(r["file"] == "main.go" for r in got["rows"]), got["rows"])

    def test_growth_of_the_leaking_service_puts_its_leak_line_first_with_progress(self):
        service = Service(self, needs("PPROF_LEAKY_BIN", "the leaking Go service"))
        workspace = ROOT / "tests/fixtures/leaky"
        progress = []

        async def on_progress(done, total, message):
            progress.append((done, total))

        snapshots = 4
        result = call(["--workspace", str(workspace)], "growth",
                      {"source": f"http://{service.addr}/debug/pprof/heap", "snapshots": snapshots, "intervalSeconds": 1},
                      progress=on_progress)
        self.assertFalse(result.is_error, text_of(result))
        rows = result.structured_content["rows"]
        self.assertEqual((rows[0]["file"], rows[0]["line"], rows[0]["mapped"]), ("main.go", marker_line("leaky", "leak"), True), rows[:3])
        self.assertGreater(rows[0]["flatPerMinute"], 0)
        # One report after each snapshot, counting up to all of them.
        self.assertEqual([d for d, _ in progress], sorted(d for d, _ in progress))
        self.assertGreaterEqual(len(progress), snapshots - 1, progress)
        self.assertEqual(progress[-1], (snapshots, snapshots))

    def test_a_cancelled_growth_stops_polling(self):
        served = CountingServer(self, PROFILES / "heap.pb.gz")

        async def run():
            started = asyncio.Event()

            async def on_progress(done, total, message):
                if done >= 1:
                    started.set()

            async with session_of(heap()) as session:
                growth = asyncio.create_task(session.call_tool(
                    "growth", {"source": served.url, "snapshots": 20, "intervalSeconds": 1}, progress_callback=on_progress))
                await asyncio.wait_for(started.wait(), 30)
                growth.cancel()
                with self.assertRaises(asyncio.CancelledError):
                    await growth
                at_cancel = served.requests
                await asyncio.sleep(3)
                # The server still answers, and polled at most the one poll
                # that may have been under way.
                self.assertFalse((await session.call_tool("profiles", {})).is_error)
                return at_cancel, served.requests

        at_cancel, later = asyncio.run(asyncio.wait_for(run(), 120))
        self.assertGreaterEqual(at_cancel, 1)
        self.assertLessEqual(later, at_cancel + 1, (at_cancel, later))


class Benchmarks(unittest.TestCase):
    """runBenchmark with --allow-run, on a copy of tests/fixtures/bench run
    by the Go of PPROF_GOROOT."""

    def module(self, extra=None):
        goroot = needs("PPROF_GOROOT", "the Go that runs benchmarks")
        ws = Path(tempfile.mkdtemp(prefix="pprof-lsp-mcp-bench-"))
        self.addCleanup(shutil.rmtree, ws, True)
        shutil.copytree(ROOT / "tests/fixtures/bench", ws, dirs_exist_ok=True)
        for name, text in (extra or {}).items():
            (ws / name).write_text(text)
        # Every allocation recorded, and a fixed number of iterations.
        (ws / "pprof-lsp.toml").write_text(f'goroot = {json.dumps(goroot)}\n\n[benchmarks]\nmemProfileRate = 1\nbenchtime = "200x"\n')
        return ws

    def test_run_benchmark_gives_go_tests_bytes_per_op_and_the_allocating_line(self):
        ws = self.module()
        result = call(["--workspace", str(ws), "--allow-run"], "runBenchmark", {"package": ".", "name": "BenchmarkRender"})
        self.assertFalse(result.is_error, text_of(result))
        out = result.structured_content
        # go test's own line, and its B/op in the structured result.
        line = out["resultLine"]
        self.assertTrue(line.startswith("BenchmarkRender"), line)
        printed = float(re.search(r"([0-9.]+) B/op", line).group(1))
        self.assertEqual(out["result"]["bytesPerOp"], printed)
        self.assertTrue(8192 <= printed < 8300, line)
        lines = (ws / "render.go").read_text().splitlines()
        alloc = next(i + 1 for i, l in enumerate(lines) if l.rstrip().endswith("// marker: alloc"))
        first = out["rows"][0]
        self.assertEqual((first["file"], first["line"], first["mapped"]), ("render.go", alloc, True), out["rows"][:3])

    def test_a_build_failure_gives_the_compiler_error(self):
        broken = "package benchdemo\n\nimport \"testing\"\n\nfunc TestBroken(t *testing.T) {\n\tundefinedThing()\n}\n"
        ws = self.module({"broken_test.go": broken})
        result = call(["--workspace", str(ws), "--allow-run"], "runBenchmark", {"package": ".", "name": "BenchmarkRender"})
        self.assertTrue(result.is_error, text_of(result))
        self.assertIn("the build failed", text_of(result))
        self.assertRegex(text_of(result), r"broken_test\.go:6:\d+: undefined: undefinedThing")


class Inspector(unittest.TestCase):
    """The MCP Inspector's CLI mode (PPROF_MCP_INSPECTOR, the command that
    scripts/install-mcp-inspector.sh prints) as a second client."""

    def inspect(self, *method):
        command = needs("PPROF_MCP_INSPECTOR", "the MCP Inspector").split()
        with tempfile.TemporaryDirectory() as home:
            # The Inspector keeps a catalog of servers; not in the user's home.
            env = {**os.environ, "MCP_CATALOG_PATH": str(Path(home) / "mcp.json")}
            out = subprocess.run([*command, "--cli", BIN, "mcp", *heap(), *method],
                                 capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def test_the_inspector_lists_the_tools(self):
        tools = self.inspect("--method", "tools/list")["tools"]
        self.assertEqual({t["name"] for t in tools}, TOOLS)
        self.assertTrue(all(t.get("outputSchema") for t in tools))

    def test_the_inspector_calls_top(self):
        result = self.inspect("--method", "tools/call", "--tool-name", "top",
                              "--tool-arg", "limit=5", "--tool-arg", "sampleType=inuse_space")
        self.assertFalse(result["isError"], result)
        rows = result["structuredContent"]["rows"]
        want = golden_rows("heap.inuse_space.lines.default.top.txt")[:5]
        self.assertEqual([(r["flatLabel"], r["cumLabel"]) for r in rows], [(flat, cum) for _, flat, cum in want])
        self.assertEqual(rows[0]["file"], "internal/catalog/catalog.go")


if __name__ == "__main__":
    unittest.main()
