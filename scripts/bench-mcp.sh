#!/usr/bin/env bash
# `top` through MCP on the 1M-sample heap profile, beside `pprof-lsp top`
# and `go tool pprof -top` on the same file, all three for the hottest 20
# lines.
#
#   scripts/bench-mcp.sh [--runs N] [--pprof-runs N]
#
# For each MCP run a fresh `pprof-lsp mcp --profile FILE` is started and
# spoken to in JSON-RPC over its stdio (newline-delimited, as any MCP
# client does), timing:
#   - start → the `initialize` answer;
#   - the first answer's latency: from sending `initialize` to the result
#     of the first `tools/call top` (what an agent waits for first: the
#     profile is read, decoded and indexed within it);
#   - a second `top` on the same server (the loaded profile is kept);
# and the server's peak resident size (VmHWM) after the calls. The CLI
# (`pprof-lsp top --lines --nodecount 20 FILE`) and pprof
# (`go tool pprof -lines -top -nodecount=20 FILE`) are timed around the
# whole process, alternating with the MCP runs. Wall times are medians
# (min … max). The profile is .tools/bench/large.pb.gz, made by
# examples/gen_profile.rs as scripts/bench.sh makes it when missing.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

runs=5
pprof_runs=2
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --pprof-runs) pprof_runs="$2"; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-mcp: unknown argument $1" >&2; exit 2 ;;
    esac
done

out=".tools/bench"
mkdir -p "$out/bin"
echo "bench-mcp: building release binaries" >&2
cargo build --release --bin pprof-lsp --example gen_profile >&2
# A private copy: a later build must not swap the binary out mid-run.
cp target/release/pprof-lsp "$out/bin/pprof-lsp-mcp-bench"
ours="$out/bin/pprof-lsp-mcp-bench"
profile="$out/large.pb.gz"
if [ ! -s "$profile" ]; then
    echo "bench-mcp: generating $profile" >&2
    target/release/examples/gen_profile --shape heap --samples 1000000 "$profile" >&2
fi
# shellcheck source=install-go.sh
source scripts/install-go.sh >&2
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false GOSUMDB=off GOTELEMETRY=off TZ=UTC
export PPROF_TMPDIR="$repo/.tools/pprof-tmp"
mkdir -p "$PPROF_TMPDIR"
go tool pprof -top -nodecount=1 "$profile" >/dev/null 2>&1 || true # builds pprof once

workspace=$(mktemp -d)
trap 'rm -rf "$workspace"' EXIT

python3 - "$ours" "$profile" "$workspace" "$runs" "$pprof_runs" <<'EOF'
import json, os, statistics, subprocess, sys, time

ours, profile, workspace, runs, pprof_runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])


def mcp_run():
    """One fresh server: (start→initialize, initialize→first top, second top, VmHWM MB, first row)."""
    t0 = time.perf_counter()
    server = subprocess.Popen([ours, "mcp", "--workspace", workspace, "--profile", profile],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        def send(message):
            server.stdin.write(json.dumps(message) + "\n")
            server.stdin.flush()

        def answer(id):
            for line in server.stdout:
                message = json.loads(line)
                if message.get("id") == id:
                    if "error" in message or message.get("result", {}).get("isError"):
                        raise SystemExit(f"bench-mcp: request {id} failed: {line}")
                    return message["result"]
            raise SystemExit("bench-mcp: the server closed its output")

        t_sent = time.perf_counter()
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench-mcp", "version": "0"}}})
        answer(1)
        t_init = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        top = {"name": "top", "arguments": {"granularity": "lines", "limit": 20}}
        send({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": top})
        first = answer(2)
        t_first = time.perf_counter()
        send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": top})
        answer(3)
        t_second = time.perf_counter()
        with open(f"/proc/{server.pid}/status") as status:
            hwm = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
        row = first["structuredContent"]["rows"][0]
        return t_init - t0, t_first - t_sent, t_second - t_first, hwm, (row["function"], row["flat"])
    finally:
        server.stdin.close()
        server.kill()
        server.wait()


def wall(command):
    t0 = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench-mcp: {command} failed")
    return time.perf_counter() - t0, done.stdout


def stats(xs):
    return f"{statistics.median(xs):.3f} ({min(xs):.3f} … {max(xs):.3f})"


mcp, cli, pprof = [], [], []
cli_out = pprof_out = ""
for i in range(runs):
    mcp.append(mcp_run())
    t, cli_out = wall([ours, "top", "--lines", "--nodecount", "20", profile])
    cli.append(t)
    if i < pprof_runs:
        t, pprof_out = wall(["go", "tool", "pprof", "-lines", "-top", "-nodecount=20", profile])
        pprof.append(t)

load = open("/proc/loadavg").read().split()[0]
size = os.path.getsize(profile) / 1e6
print(f"profile: {profile} ({size:.1f} MB gzipped); load average {load} at the end; {runs} runs of ours, {pprof_runs} of pprof")
print()
print("| what | wall time, s: median (min … max) |")
print("|---|---|")
print(f"| MCP: start → `initialize` answer | {stats([m[0] for m in mcp])} |")
print(f"| MCP: first answer (`initialize` sent → first `top` result) | {stats([m[1] for m in mcp])} |")
print(f"| MCP: a second `top` on the same server | {stats([m[2] for m in mcp])} |")
print(f"| `pprof-lsp top --lines --nodecount 20` (whole process) | {stats(cli)} |")
print(f"| `go tool pprof -lines -top -nodecount=20` (whole process) | {stats(pprof)} |")
print()
print(f"MCP server peak RSS: {stats([m[3] for m in mcp])} MB")
function, flat = mcp[0][4]
name = function.rsplit("/", 1)[-1]
first_row = lambda text: next((l for l in text.splitlines() if l.strip() and l.split()[0][0].isdigit()), "")
print(f"first row through MCP: {function} flat {flat}; also the first row of the CLI: {name in first_row(cli_out)}, of pprof: {name in first_row(pprof_out)}")
EOF
