"""pprof-lsp mcp driven over stdio by the official Python MCP SDK.

Expected values come from the `go tool pprof` goldens in tests/golden and
the peek cases of tests/fixtures/peeks.txt, never from this file. Run by
scripts/test-mcp.sh (PPROF_LSP names the binary).
"""

import asyncio
import os
import re
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


def call(args, tool, arguments):
    """Starts the server with `args`, calls one tool, returns its result."""
    async def run():
        params = StdioServerParameters(command=BIN, args=["mcp", *args])
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                if tool is None:
                    return await session.list_tools()
                return await session.call_tool(tool, arguments)
    return asyncio.run(asyncio.wait_for(run(), 120))


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


if __name__ == "__main__":
    unittest.main()
