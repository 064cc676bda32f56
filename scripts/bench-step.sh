#!/usr/bin/env bash
# One step's before/after ratios, measured in one run with both builds
# alternated, on the profiles of scripts/bench.sh.
#
#   scripts/bench-step.sh BEFORE_DIR [AFTER_DIR] [--shapes "heap deep shallow wide"]
#                         [--sizes "100000 1000000"] [--runs N] [--what "top index"]
#
# BEFORE_DIR and AFTER_DIR hold a `pprof-lsp` and a `load_index` each (the
# after side defaults to a fresh release build copied to
# .tools/bench/after). Per profile and command it runs before, after,
# before, after … N times each and prints the medians (min … max), the
# before/after ratio of the medians and each side's peak RSS:
#
# - top:   `pprof-lsp top --lines FILE` (the outputs are compared first);
# - index: `load_index FILE` (read, decode, index the shown sample type).
#
# Profiles are generated as scripts/bench.sh generates them. Results also go
# to .tools/bench/step.md.

set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

[ $# -ge 1 ] || { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
before="$(cd "$1" && pwd)"; shift
after=""
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then after="$(cd "$1" && pwd)"; shift; fi
shapes="heap deep shallow wide"
sizes="100000 1000000"
runs=7
what="top index"
while [ $# -gt 0 ]; do
    case "$1" in
        --shapes) shapes="$2"; shift 2 ;;
        --sizes) sizes="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --what) what="$2"; shift 2 ;;
        *) echo "bench-step: unknown argument $1" >&2; exit 2 ;;
    esac
done

out=".tools/bench"
mkdir -p "$out"
if [ -z "$after" ]; then
    cargo build --release --bin pprof-lsp --example gen_profile --example load_index >&2
    after="$repo/$out/after"
    mkdir -p "$after"
    for b in pprof-lsp examples/gen_profile examples/load_index; do cp "target/release/$b" "$after/"; done
fi
for side in "$before" "$after"; do
    for b in pprof-lsp load_index; do [ -x "$side/$b" ] || { echo "bench-step: no $side/$b" >&2; exit 2; }; done
done

# shellcheck source=bench-common.sh
source scripts/bench-common.sh
gen="$after/gen_profile"
[ -x "$gen" ] || gen="$before/gen_profile"
for shape in $shapes; do
    for size in $sizes; do
        f="$(profile_of "$shape" "$size")"
        [ -s "$f" ] || "$gen" --shape "$shape" --samples "$size" "$f" >&2
    done
done

[ -x /usr/bin/time ] || { echo "bench-step: /usr/bin/time is needed for peak RSS" >&2; exit 1; }
peak_mb() { awk -v k="$(peak_rss_kb "$@")" 'BEGIN { printf "%d", k / 1024 }'; }

export TZ=UTC
report="$out/step.md"
: >"$report"
emit() { echo "$*" | tee -a "$report"; }
emit "before: $before; after: $after; $runs runs each, alternating; $(nproc) CPUs"
emit ""
emit "| command | profile | load | before | after | before / after | before peak RSS | after peak RSS |"
emit "|---|---|---|---|---|---|---|---|"
for size in $sizes; do
    for shape in $shapes; do
        f="$(profile_of "$shape" "$size")"
        for w in $what; do
            case "$w" in
                top)
                    cmd=(pprof-lsp top --lines "$f")
                    "$before/pprof-lsp" top --lines "$f" >"$out/before.txt" 2>&1
                    "$after/pprof-lsp" top --lines "$f" >"$out/after.txt" 2>&1
                    cmp -s "$out/before.txt" "$out/after.txt" || { echo "bench-step: top differs on $f" >&2; exit 1; } ;;
                index) cmd=(load_index "$f") ;;
                *) echo "bench-step: unknown command $w" >&2; exit 2 ;;
            esac
            l=$(load)
            : >"$out/t.before"; : >"$out/t.after"
            for ((i = 0; i < runs; i++)); do
                wall "$before/${cmd[0]}" "${cmd[@]:1}" >>"$out/t.before"
                wall "$after/${cmd[0]}" "${cmd[@]:1}" >>"$out/t.after"
            done
            read -r bm blo bhi < <(summary <"$out/t.before")
            read -r am alo ahi < <(summary <"$out/t.after")
            brss=$(peak_mb "$before/${cmd[0]}" "${cmd[@]:1}")
            arss=$(peak_mb "$after/${cmd[0]}" "${cmd[@]:1}")
            ratio=$(awk -v a="$bm" -v b="$am" 'BEGIN { printf "%.2f", a / b }')
            emit "| $w | $shape $size | $l | $bm ($blo … $bhi) | $am ($alo … $ahi) | **$ratio×** | $brss MB | $arss MB |"
        done
    done
done
