#!/usr/bin/env bash
# Records the goroutine-dump fixtures into OUT_DIR (tests/fixtures/profiles
# when run by scripts/regen-fixtures.sh, which is the documented way):
#
#   scripts/record-goroutine-dumps.sh BUILD_ROOT OUT_DIR
#
# From one run of tests/fixtures/goleak (built and run as
# BUILD_ROOT/goleak, with Go's sources reached through the symlink
# BUILD_ROOT/go, so the recorded paths do not depend on where the
# repository or Go live), back to back on one connection, in one second
# between two of its whole-second leak batches:
#
#   goleak.goroutine.debug2.txt              /debug/pprof/goroutine?debug=2 (no leak detection has run yet)
#   goleak.goroutine.pb.gz                   /debug/pprof/goroutine
#   goleak.goroutineleak.debug2.txt          /debug/pprof/goroutineleak?debug=2 (runs the detection)
#   goleak.goroutineleak.pb.gz               /debug/pprof/goroutineleak
#   goleak.goroutineleak.after.debug2.txt    /debug/pprof/goroutineleak?debug=2 again
#
# Each profile is thus taken between two dumps, which is how the tests tell
# goroutines that changed between the requests from decoding errors. From
# tests/fixtures/crash, built as BUILD_ROOT/crash, its stderr:
#
#   crash.goroutines.txt                     with GOTRACEBACK=all
#   crash.goroutines.system.txt              with GOTRACEBACK=system (runtime frames too)
#
# Needs Go 1.27 on PATH (scripts/install-go.sh) and python3.
set -euo pipefail

BUILD_ROOT=${1:?usage: record-goroutine-dumps.sh BUILD_ROOT OUT_DIR}
OUT=${2:?usage: record-goroutine-dumps.sh BUILD_ROOT OUT_DIR}
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATE=3
BATCHES=3

mkdir -p "$BUILD_ROOT" "$OUT"
OUT=$(cd "$OUT" && pwd)
ln -sfn "$(env -u GOROOT go env GOROOT)" "$BUILD_ROOT/go"
export GOROOT="$BUILD_ROOT/go"

for prog in goleak crash; do
    rm -rf "${BUILD_ROOT:?}/$prog"
    cp -R "$REPO_ROOT/tests/fixtures/$prog" "$BUILD_ROOT/$prog"
    (cd "$BUILD_ROOT/$prog" && go build -o "$prog" .)
done

echo "== recording the crash logs" >&2
for level in all system; do
    suffix=""
    if [ "$level" = system ]; then suffix=".system"; fi
    status=0
    (cd "$BUILD_ROOT/crash" && GOTRACEBACK=$level ./crash 2>"$OUT/crash.goroutines$suffix.txt") || status=$?
    if [ "$status" != 2 ]; then
        echo "record-goroutine-dumps: crash exited with $status, not 2 (a panic)" >&2
        exit 1
    fi
done

echo "== recording goroutine dumps of goleak -rate $RATE" >&2
service_pid=""
stop_service() {
    if [ -n "$service_pid" ]; then
        kill "$service_pid" 2>/dev/null || true
        wait "$service_pid" 2>/dev/null || true
    fi
}
trap stop_service EXIT
coproc SERVICE { cd "$BUILD_ROOT/goleak" && exec ./goleak -rate "$RATE" -lifetime 2m; }
service_pid=$SERVICE_PID
read -r -t 20 line <&"${SERVICE[0]}"
addr=${line#listening on }

python3 - "$addr" "$OUT" "$BATCHES" <<'PY'
import http.client, math, os, sys, time

addr, out, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
host, port = addr.rsplit(":", 1)
started = time.time()
# The service leaks on every whole second after it started: the first
# batch is at ceil(started). Wait for `batches` of them, then for the
# middle of a second, when nothing changes.
first = math.ceil(started)
files = [
    ("goroutine?debug=2", "goleak.goroutine.debug2.txt"),
    ("goroutine", "goleak.goroutine.pb.gz"),
    ("goroutineleak?debug=2", "goleak.goroutineleak.debug2.txt"),
    ("goroutineleak", "goleak.goroutineleak.pb.gz"),
    ("goroutineleak?debug=2", "goleak.goroutineleak.after.debug2.txt"),
]
second = first + batches - 1
for attempt in range(5):
    time.sleep(max(0.0, second + 0.3 - time.time()))
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    bodies = []
    t0 = time.time()
    for path, _ in files:
        conn.request("GET", "/debug/pprof/" + path)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit(f"record-goroutine-dumps: {path}: HTTP {r.status}")
        bodies.append(body)
    t1 = time.time()
    conn.close()
    if math.floor(t0) == math.floor(t1) and t1 - math.floor(t1) < 0.9:
        break
    # The requests straddled a batch: try again one second later.
    print(f"record-goroutine-dumps: requests took {t1 - t0:.3f}s across a whole second; again", file=sys.stderr)
    second = math.floor(t1) + 1
else:
    sys.exit("record-goroutine-dumps: could not record within one second")
for (_, name), body in zip(files, bodies):
    with open(os.path.join(out, name), "wb") as f:
        f.write(body)
print(f"record-goroutine-dumps: {len(files)} requests in {(t1 - t0) * 1000:.0f} ms, "
      f"{math.floor(t0) - first + 1} batches after the start", file=sys.stderr)
PY
