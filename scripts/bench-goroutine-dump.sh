#!/usr/bin/env bash
# Time and peak memory of `pprof-lsp top` on large generated goroutine dumps
# (the `?debug=2` format), to show that decoding one holds little beyond
# the dump itself, whatever the number of goroutines.
#
#   scripts/bench-goroutine-dump.sh [--sizes "100000 1000000"] [--runs N]
#
# Dumps are .tools/bench/goroutines-N.txt, generated when missing by
# examples/gen_goroutine_dump.rs (N goroutines at 500 blocking places, see
# benches/support/goroutine_dump.rs). For each, `pprof-lsp top
# --max-profile-bytes 4000000000 DUMP` (the 1M-goroutine dump is larger
# than the default limit of 512 MiB) runs N times (default 3): the median
# wall time, and the peak RSS from /usr/bin/time -v (installed with apt-get
# when missing and running as root), printed with the dump's size and the
# peak less the size: what decoding, indexing and the report add to the
# file held in memory. tests/goroutine_dumps.rs checks the same bound for
# 100k goroutines with a counting allocator.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

sizes="100000 1000000"
runs=3
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-goroutine-dump: unknown argument $1" >&2; exit 2 ;;
    esac
done

out=".tools/bench"
mkdir -p "$out/bin"
if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >&2 ||
            { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >&2; }
    else
        echo "bench-goroutine-dump: /usr/bin/time is needed for peak RSS" >&2
        exit 1
    fi
fi

cargo build --release --bin pprof-lsp --example gen_goroutine_dump >&2
for b in pprof-lsp examples/gen_goroutine_dump; do cp "target/release/$b" "$out/bin/"; done

printf '%s CPUs (%s), %s, %s; load %s\n' "$(nproc)" "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
    "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)" "$(uname -sr)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| goroutines | dump MB | wall s (median of %s) | peak RSS MB | peak RSS less the dump, MB |\n|---|---|---|---|---|\n' "$runs"
for n in $sizes; do
    dump="$out/goroutines-$n.txt"
    [ -s "$dump" ] || "$out/bin/gen_goroutine_dump" --goroutines "$n" "$dump" >&2
    size=$(stat -c %s "$dump")
    walls=() peak=0
    for _ in $(seq "$runs"); do
        stats=$( { /usr/bin/time -v "$out/bin/pprof-lsp" top --max-profile-bytes 4000000000 "$dump" >/dev/null; } 2>&1)
        walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' <<<"$stats")")
        rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' <<<"$stats")
        [ "$rss" -gt "$peak" ] && peak=$rss
    done
    median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ x[NR] = $1 } END { print x[int((NR + 1) / 2)] }')
    awk -v n="$n" -v size="$size" -v wall="$median" -v rss="$peak" \
        'BEGIN { printf "| %d | %.1f | %.2f | %.1f | %.1f |\n", n, size / 1e6, wall, rss * 1024 / 1e6, (rss * 1024 - size) / 1e6 }'
done
