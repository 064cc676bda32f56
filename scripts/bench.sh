#!/usr/bin/env bash
# Wall time and peak memory of `pprof-lsp top --lines` against
# `go tool pprof -lines -top` on a large synthetic Go heap profile.
#
#   scripts/bench.sh [--samples N] [--runs N] [--pprof-runs N] [--profile FILE]
#
# Steps: build release binaries, generate the profile if it is missing
# (.tools/bench/large.pb.gz for the default 1M samples), install Go via
# scripts/install-go.sh, then time both tools with hyperfine (or a plain
# loop when hyperfine is unavailable) and take peak RSS from
# /usr/bin/time -v. Prints a summary table and exits non-zero when the
# acceptance target (ours at most 1/40 of pprof's time, peak RSS <= 1 GB)
# is missed.
#
# Environment: TARGET_RATIO (default 40), RSS_LIMIT_KB (default 1048576).

set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

samples=1000000
runs=10
pprof_runs=5
profile=""
while [ $# -gt 0 ]; do
    case "$1" in
        --samples) samples="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --pprof-runs) pprof_runs="$2"; shift 2 ;;
        --profile) profile="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench: unknown argument $1" >&2; exit 2 ;;
    esac
done
target_ratio="${TARGET_RATIO:-40}"
rss_limit_kb="${RSS_LIMIT_KB:-1048576}"

out=".tools/bench"
mkdir -p "$out/bin"
if [ -z "$profile" ]; then
    if [ "$samples" = 1000000 ]; then profile="$out/large.pb.gz"; else profile="$out/samples-$samples.pb.gz"; fi
fi

say() { printf '\n== %s\n' "$*" >&2; }

# Installs a Debian package when running as root; returns 1 otherwise.
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
say "building release binaries"
cargo build --release --bin pprof-lsp --example gen_profile >&2
# Measure private copies: a later build in the same target directory must not
# swap the binary out from under a running measurement.
cp target/release/pprof-lsp "$out/bin/pprof-lsp"
cp target/release/examples/gen_profile "$out/bin/gen_profile"
ours_bin="$out/bin/pprof-lsp"

# --- profile ----------------------------------------------------------------
if [ ! -s "$profile" ]; then
    say "generating $profile ($samples samples)"
    "$out/bin/gen_profile" --samples "$samples" "$profile"
else
    say "using existing $profile"
fi
profile_mb=$(awk -v b="$(stat -c %s "$profile")" 'BEGIN { printf "%.1f", b / 1e6 }')

# --- Go ---------------------------------------------------------------------
say "installing Go (scripts/install-go.sh)"
# shellcheck source=install-go.sh
source scripts/install-go.sh
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false GOSUMDB=off GOTELEMETRY=off
export PPROF_TMPDIR="$repo/.tools/pprof-tmp"
mkdir -p "$PPROF_TMPDIR"
go_version="$(go version)"
echo "$go_version" >&2

# --- measuring tools ----------------------------------------------------------
have_hyperfine=1
command -v hyperfine >/dev/null || apt_install hyperfine || have_hyperfine=0
have_time=1
[ -x /usr/bin/time ] || apt_install time || have_time=0

ours_cmd="$ours_bin top --lines --nodecount 20 $profile"
pprof_cmd="go tool pprof -lines -top -nodecount=20 $profile"

say "warming up (the first go tool pprof call builds the tool)"
go tool pprof -top -nodecount=1 "$profile" >/dev/null 2>&1 || true
$ours_cmd >"$out/ours.txt"
$pprof_cmd >"$out/pprof.txt" 2>&1
# Sanity check: both tools should name the same hottest lines (units and
# node dropping differ, so compare only the names of the first rows).
top_names() { awk '/ flat%/ { on = 1; next } on && NF >= 6 { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' "$1" | head -5; }
if [ "$(top_names "$out/ours.txt")" = "$(top_names "$out/pprof.txt")" ]; then
    echo "both tools agree on the five hottest lines" >&2
else
    echo "bench: WARNING: the two tools disagree on the five hottest lines:" >&2
    diff <(top_names "$out/ours.txt") <(top_names "$out/pprof.txt") >&2 || true
fi

# Prints "MEAN STDDEV MIN MAX" in seconds for a command run N times.
time_command() {
    local name="$1" n="$2" cmd="$3" json="$out/time-$1.json"
    if [ "$have_hyperfine" = 1 ]; then
        hyperfine --style basic --warmup 1 --runs "$n" --export-json "$json" -n "$name" "$cmd" >&2
        jq -r '.results[0] | "\(.mean) \(.stddev // 0) \(.min) \(.max)"' "$json"
    else
        local i start end
        local times=()
        $cmd >/dev/null 2>&1 # warm-up
        for ((i = 0; i < n; i++)); do
            start=$(date +%s.%N)
            $cmd >/dev/null 2>&1
            end=$(date +%s.%N)
            times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')")
        done
        printf '%s\n' "${times[@]}" | awk '
            { x[NR] = $1; s += $1; if (NR == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
            END { m = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
                  sd = NR > 1 ? sqrt(v / (NR - 1)) : 0; printf "%.6f %.6f %.6f %.6f\n", m, sd, lo, hi }'
    fi
}

# Prints the peak RSS in KB of one run of a command.
peak_rss_kb() {
    if [ "$have_time" = 1 ]; then
        /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }'
    else
        echo "n/a"
    fi
}

say "timing pprof-lsp ($runs runs)"
read -r ours_mean ours_sd ours_min ours_max < <(time_command ours "$runs" "$ours_cmd")
say "timing go tool pprof ($pprof_runs runs)"
read -r pprof_mean pprof_sd pprof_min pprof_max < <(time_command pprof "$pprof_runs" "$pprof_cmd")

say "peak RSS"
# shellcheck disable=SC2086
ours_rss=$(peak_rss_kb $ours_cmd)
# `go tool` execs the cached pprof binary, so the peak is pprof's own.
# shellcheck disable=SC2086
pprof_rss=$(peak_rss_kb $pprof_cmd)

ratio=$(awk -v a="$pprof_mean" -v b="$ours_mean" 'BEGIN { printf "%.1f", a / b }')
mb() { awk -v k="$1" 'BEGIN { if (k == "n/a") print "n/a"; else printf "%.0f MB", k / 1024 }'; }

{
    echo
    echo "profile: $profile ($profile_mb MB gzipped), $(nproc) CPUs, $go_version"
    printf '%-34s %22s %22s %12s\n' "command" "wall time (mean ± σ)" "min … max" "peak RSS"
    printf '%-34s %13.3f s ± %5.3f %10.3f … %7.3f s %12s\n' "pprof-lsp top --lines" "$ours_mean" "$ours_sd" "$ours_min" "$ours_max" "$(mb "$ours_rss")"
    printf '%-34s %13.3f s ± %5.3f %10.3f … %7.3f s %12s\n' "go tool pprof -lines -top" "$pprof_mean" "$pprof_sd" "$pprof_min" "$pprof_max" "$(mb "$pprof_rss")"
    echo
    echo "ratio pprof_time / our_time: $ratio (target >= $target_ratio)"
} | tee "$out/summary.txt"

ok=1
if awk -v r="$ratio" -v t="$target_ratio" 'BEGIN { exit !(r < t) }'; then
    echo "MISSED: ours is $ratio× faster than pprof, the target is $target_ratio×" | tee -a "$out/summary.txt"
    ok=0
fi
if [ "$ours_rss" != "n/a" ] && [ "$ours_rss" -gt "$rss_limit_kb" ]; then
    echo "MISSED: peak RSS $(mb "$ours_rss") is over $(mb "$rss_limit_kb")" | tee -a "$out/summary.txt"
    ok=0
fi
[ "$ok" = 1 ] && echo "target met" | tee -a "$out/summary.txt"
[ "$ok" = 1 ]
