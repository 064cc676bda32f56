#!/usr/bin/env bash
# Speed against `go tool pprof` and against the cost of decompressing, on
# generated Go profiles of several shapes and sizes, each measured as a
# ratio within one run.
#
#   scripts/bench.sh [--shapes "heap deep shallow wide"] [--sizes "100000 1000000"]
#                    [--runs N] [--pprof-runs N] [--only pprof|floor]
#
# 1. Against pprof: `pprof-lsp top --lines FILE` and
#    `go tool pprof -lines -top FILE` (both with their default node
#    fraction and count), run alternately: one pprof run, then
#    runs/pprof-runs of ours, and so on. The two outputs are compared byte
#    for byte first (TZ=UTC, as the goldens are recorded). Target: pprof's
#    median wall time at least 40 times ours, per profile.
# 2. Against the floor (1M-sample profiles): `load_index FILE` (read,
#    decode, index the shown sample type, exit) and `zcat FILE > /dev/null`,
#    alternately. Targets: ours within 1.5 times zcat's median, and peak RSS
#    at most 4 times the uncompressed size.
#
# Profiles are .tools/bench/SHAPE-SIZE.pb.gz (generated when missing by
# examples/gen_profile.rs; heap-1000000 is the long-standing large.pb.gz).
# Wall times come from bash's EPOCHREALTIME around each run, peak RSS from
# /usr/bin/time -v (installed with apt-get when missing and running as
# root). The load average is printed with each profile, since the machine
# may be shared. Results go to stdout and .tools/bench/summary.md; the
# exit status is 1 when any target is missed.
#
# Environment: TARGET_RATIO (40), FLOOR_RATIO (1.5), RSS_FACTOR (4).

set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

shapes="heap deep shallow wide"
sizes="100000 1000000"
runs=9
pprof_runs=3
only=""
while [ $# -gt 0 ]; do
    case "$1" in
        --shapes) shapes="$2"; shift 2 ;;
        --sizes) sizes="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --pprof-runs) pprof_runs="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench: unknown argument $1" >&2; exit 2 ;;
    esac
done
target_ratio="${TARGET_RATIO:-40}"
floor_ratio="${FLOOR_RATIO:-1.5}"
rss_factor="${RSS_FACTOR:-4}"

out=".tools/bench"
mkdir -p "$out/bin"
say() { printf '\n== %s\n' "$*" >&2; }

apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing $1 with apt-get"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >&2 ||
            { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >&2; }
    else
        return 1
    fi
}

# --- build ------------------------------------------------------------------
# shellcheck source=bench-common.sh
source scripts/bench-common.sh
say "building release binaries"
cargo build --release --bin pprof-lsp --example gen_profile --example load_index >&2
# Private copies: a later build in the same target directory must not swap
# a binary out from under a running measurement.
for b in pprof-lsp examples/gen_profile examples/load_index; do cp "target/release/$b" "$out/bin/"; done
ours="$out/bin/pprof-lsp"

for shape in $shapes; do
    for size in $sizes; do
        f="$(profile_of "$shape" "$size")"
        if [ ! -s "$f" ]; then
            say "generating $f"
            "$out/bin/gen_profile" --shape "$shape" --samples "$size" "$f" >&2
        fi
    done
done

# --- tools --------------------------------------------------------------------
[ -x /usr/bin/time ] || apt_install time || { echo "bench: /usr/bin/time is needed for peak RSS" >&2; exit 1; }

export TZ=UTC
machine="$(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
missed=0
report="$out/summary.md"
: >"$report"
emit() { echo "$*" | tee -a "$report"; }

emit "machine: $machine; $(rustc --version)"

# --- 1: against pprof -----------------------------------------------------------
if [ "$only" != floor ]; then
    say "installing Go (scripts/install-go.sh)"
    # shellcheck source=install-go.sh
    source scripts/install-go.sh
    export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false GOSUMDB=off GOTELEMETRY=off
    export PPROF_TMPDIR="$repo/.tools/pprof-tmp"
    mkdir -p "$PPROF_TMPDIR"
    emit "pprof: $(go version)"
    say "warming up go tool pprof (its first call builds it)"
    go tool pprof -top -nodecount=1 "$(profile_of heap 100000)" >/dev/null 2>&1 || true

    emit ""
    emit "Against \`go tool pprof -lines -top\` (ours: \`pprof-lsp top --lines\`), wall time in s, median (min … max) of $runs runs of ours and $pprof_runs of pprof, alternating"
    emit ""
    emit "| profile | MB gz | load | ours | pprof | ratio | ours peak RSS | pprof peak RSS | same output | target ${target_ratio}× |"
    emit "|---|---|---|---|---|---|---|---|---|---|"
    per=$(( (runs + pprof_runs - 1) / pprof_runs ))
    for size in $sizes; do
        for shape in $shapes; do
            f="$(profile_of "$shape" "$size")"
            say "$shape, $size samples: $f"
            "$ours" top --lines "$f" >"$out/ours.txt" 2>&1
            go tool pprof -lines -top "$f" >"$out/pprof.txt" 2>/dev/null
            same=yes
            cmp -s "$out/ours.txt" "$out/pprof.txt" || { same=NO; diff "$out/ours.txt" "$out/pprof.txt" | head -5 >&2 || true; }
            l=$(load)
            : >"$out/t.ours"; : >"$out/t.pprof"
            done_ours=0
            for ((p = 0; p < pprof_runs; p++)); do
                wall go tool pprof -lines -top "$f" >>"$out/t.pprof"
                for ((i = 0; i < per && done_ours < runs; i++)); do
                    wall "$ours" top --lines "$f" >>"$out/t.ours"
                    done_ours=$((done_ours + 1))
                done
            done
            while [ "$done_ours" -lt "$runs" ]; do wall "$ours" top --lines "$f" >>"$out/t.ours"; done_ours=$((done_ours + 1)); done
            read -r om olo ohi < <(summary <"$out/t.ours")
            read -r pm plo phi < <(summary <"$out/t.pprof")
            orss=$(peak_rss_kb "$ours" top --lines "$f")
            prss=$(peak_rss_kb go tool pprof -lines -top "$f")
            ratio=$(awk -v a="$pm" -v b="$om" 'BEGIN { printf "%.1f", a / b }')
            verdict=ok
            awk -v r="$ratio" -v t="$target_ratio" 'BEGIN { exit !(r < t) }' && { verdict=MISSED; missed=1; }
            [ "$same" = yes ] || { verdict="$verdict, output differs"; missed=1; }
            mbgz=$(awk -v b="$(stat -L -c %s "$f")" 'BEGIN { printf "%.1f", b / 1e6 }')
            emit "| $shape $size | $mbgz | $l | $om ($olo … $ohi) | $pm ($plo … $phi) | **$ratio×** | $((orss / 1024)) MB | $((prss / 1024)) MB | $same | $verdict |"
        done
    done
fi

# --- 2: against the floor ---------------------------------------------------------
if [ "$only" != pprof ]; then
    emit ""
    emit "Decode + index of the shown sample type (\`load_index\`) against \`zcat FILE > /dev/null\`, 1M-sample profiles, wall time in s, median (min … max) of $runs runs each, alternating"
    emit ""
    emit "| profile | MB raw | load | load_index | zcat | ratio (target ≤ ${floor_ratio}) | peak RSS | RSS / raw (target ≤ ${rss_factor}) | verdict |"
    emit "|---|---|---|---|---|---|---|---|---|"
    for shape in $shapes; do
        f="$(profile_of "$shape" 1000000)"
        [ -s "$f" ] || continue
        raw=$(zcat "$f" | wc -c)
        l=$(load)
        : >"$out/t.load"; : >"$out/t.zcat"
        for ((i = 0; i < runs; i++)); do
            wall sh -c "zcat '$f' >/dev/null" >>"$out/t.zcat"
            wall "$out/bin/load_index" "$f" >>"$out/t.load"
        done
        read -r lm llo lhi < <(summary <"$out/t.load")
        read -r zm zlo zhi < <(summary <"$out/t.zcat")
        rss=$(peak_rss_kb "$out/bin/load_index" "$f")
        ratio=$(awk -v a="$lm" -v b="$zm" 'BEGIN { printf "%.2f", a / b }')
        per_raw=$(awk -v k="$rss" -v r="$raw" 'BEGIN { printf "%.2f", k * 1024 / r }')
        verdict=ok
        awk -v r="$ratio" -v t="$floor_ratio" 'BEGIN { exit !(r > t) }' && { verdict="MISSED (time)"; missed=1; }
        awk -v r="$per_raw" -v t="$rss_factor" 'BEGIN { exit !(r > t) }' && { verdict="MISSED (RSS)"; missed=1; }
        emit "| $shape 1000000 | $(awk -v r="$raw" 'BEGIN { printf "%.1f", r / 1e6 }') | $l | $lm ($llo … $lhi) | $zm ($zlo … $zhi) | **$ratio** | $((rss / 1024)) MB | $per_raw | $verdict |"
    done
fi

emit ""
if [ "$missed" = 0 ]; then emit "all targets met"; else emit "MISSED: see the verdicts above"; fi
exit "$missed"
