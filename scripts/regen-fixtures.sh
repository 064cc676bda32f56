#!/usr/bin/env bash
# Regenerates the Go profile fixtures in tests/fixtures/profiles and the
# expected `go tool pprof` outputs in tests/golden.
#
#   scripts/regen-fixtures.sh                 # rebuild + rerun the fixture programs, then goldens
#   scripts/regen-fixtures.sh --dumps         # only the goroutine dumps (goleak, crash), then goldens
#   scripts/regen-fixtures.sh --goldens-only  # only re-record goldens from the committed profiles
#
# The fixture programs are built and run from a fixed directory outside the
# repository (/tmp/pprof-lsp-build/pprofdemo, .../goleak, .../crash), with
# GOROOT reached through a fixed symlink (/tmp/pprof-lsp-build/go), so the
# file paths recorded in the profiles do not depend on where the repository
# or Go happen to live. The goroutine dumps are recorded by
# scripts/record-goroutine-dumps.sh; --dumps leaves pprofdemo's profiles, and
# so every golden recorded from them, as they are.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

MODE=full
case "${1:-}" in
    "") ;;
    --goldens-only) MODE=goldens ;;
    --dumps) MODE=dumps ;;
    -h|--help)
        sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
        exit 0 ;;
    *)
        echo "usage: $0 [--dumps | --goldens-only]" >&2
        exit 2 ;;
esac

# shellcheck source=install-go.sh
source "$REPO_ROOT/scripts/install-go.sh"
export TZ=UTC LC_ALL=C

BUILD_ROOT=/tmp/pprof-lsp-build
# The tests assume the build paths recorded in the profiles do not exist
# on the machine that runs them (they must be mapped onto the checkout),
# so nothing is left there.
trap 'rm -rf "$BUILD_ROOT"' EXIT
BUILD_DIR=$BUILD_ROOT/pprofdemo
GOROOT_LINK=$BUILD_ROOT/go
WIN_BUILD_DIR=D:/work/projects/pprofdemo
WIN_GOROOT=c:/go

SRC_DIR=tests/fixtures/goprog
PROFILES=tests/fixtures/profiles
GOLDEN=tests/golden

written=()
note() { written+=("$1"); }

# ---------------------------------------------------------------- profiles --
record_profiles() {
    local real_goroot run_dir trim_dir tool_dir f
    real_goroot="$(env -u GOROOT go env GOROOT)"
    mkdir -p "$BUILD_ROOT"
    ln -sfn "$real_goroot" "$GOROOT_LINK"
    export GOROOT="$GOROOT_LINK"

    rm -rf "$BUILD_DIR" "$BUILD_ROOT/out" "$BUILD_ROOT/trimpath" "$BUILD_ROOT/bin"
    cp -R "$SRC_DIR" "$BUILD_DIR"
    mkdir -p "$BUILD_ROOT/out/normal" "$BUILD_ROOT/out/trimpath" "$BUILD_ROOT/trimpath" "$BUILD_ROOT/bin"
    run_dir=$BUILD_ROOT/out/normal
    trim_dir=$BUILD_ROOT/out/trimpath
    tool_dir=$BUILD_ROOT/bin

    echo "== building fixture program in $BUILD_DIR (GOROOT=$GOROOT)" >&2
    (cd "$BUILD_DIR" && go build -o pprofdemo . && ./pprofdemo "$run_dir" >&2)

    echo "== building fixture program with -trimpath" >&2
    (cd "$BUILD_DIR" && go build -trimpath -o "$BUILD_ROOT/trimpath/pprofdemo" . &&
        "$BUILD_ROOT/trimpath/pprofdemo" "$trim_dir" >&2)

    echo "== building pathrewrite" >&2
    (cd scripts/pathrewrite && go build -o "$tool_dir/pathrewrite" .)

    mkdir -p "$PROFILES"
    rm -f "$PROFILES"/*.pb.gz "$PROFILES"/*.txt
    for f in heap.pb.gz heap.txt heap2.pb.gz allocs.pb.gz allocs.txt cpu.pb.gz \
             goroutine.pb.gz goroutine.txt mutex.pb.gz mutex.txt block.pb.gz block.txt \
             threadcreate.txt; do
        cp "$run_dir/$f" "$PROFILES/$f"
    done
    cp "$trim_dir/heap.pb.gz" "$PROFILES/trimpath.heap.pb.gz"
    cp "$trim_dir/heap.txt" "$PROFILES/trimpath.heap.txt"

    for f in heap.pb.gz heap.txt; do
        "$tool_dir/pathrewrite" -in "$PROFILES/$f" -out "$PROFILES/windows.$f" \
            -map "$BUILD_DIR=$WIN_BUILD_DIR" -map "$GOROOT_LINK=$WIN_GOROOT"
    done

    # One function recorded under two file names: where gen.Collect is
    # inlined into main.churn, it is also filed under main.go.
    "$tool_dir/pathrewrite" -in "$PROFILES/heap2.pb.gz" -out "$PROFILES/split.heap2.pb.gz" \
        -split "pprofdemo/internal/gen.Collect[go.shape.string]=main.churn"

    for f in "$PROFILES"/*; do
        note "$f"
    done
}

# The goroutine dumps of tests/fixtures/goleak and tests/fixtures/crash,
# and the protobuf profiles taken between them.
record_dumps() {
    local f
    scripts/record-goroutine-dumps.sh "$BUILD_ROOT" "$PROFILES"
    for f in "$PROFILES"/goleak.* "$PROFILES"/crash.*; do
        note "$f"
    done
}

# ----------------------------------------------------------------- goldens --
PPROF_COMMON=(-nodecount=1000000 -nodefraction=0 -edgefraction=0)

unit_flag() {
    case "$1" in
        bytes) echo B ;;
        nanoseconds) echo ns ;;
        count) echo count ;;
        *) echo "regen-fixtures: unexpected sample unit '$1'" >&2; return 1 ;;
    esac
}

# sample_types PROFILE: prints the "type/unit" words of the -raw header line
# that follows "Samples:", without the "[dflt]" marker of the default type.
sample_types() {
    go tool pprof -raw "$1" 2>/dev/null |
        awk 'seen { gsub(/\[dflt\]/, ""); print; exit } /^Samples:/ { seen = 1 }'
}

pprof_to() {
    local out=$1
    shift
    local err
    if ! err="$(go tool pprof "$@" 2>&1 >"$out.tmp")"; then
        echo "regen-fixtures: go tool pprof $* failed:" >&2
        echo "$err" >&2
        rm -f "$out.tmp"
        return 1
    fi
    mv "$out.tmp" "$out"
    note "$out"
}

# pprof_stderr_to OUT PPROF_ARGS...: what pprof prints on stderr (its notes
# and warnings), its output discarded.
pprof_stderr_to() {
    local out=$1
    shift
    if ! go tool pprof "$@" 2>"$out.tmp" >/dev/null; then
        echo "regen-fixtures: go tool pprof $* failed:" >&2
        cat "$out.tmp" >&2
        rm -f "$out.tmp"
        return 1
    fi
    mv "$out.tmp" "$out"
    note "$out"
}

# pprof_fails_to OUT PPROF_ARGS...: what pprof prints on stderr when it
# refuses its input; pprof succeeding is an error.
pprof_fails_to() {
    local out=$1
    shift
    if go tool pprof "$@" 2>"$out.tmp" >/dev/null; then
        echo "regen-fixtures: go tool pprof $* succeeded; it should fail" >&2
        rm -f "$out.tmp"
        return 1
    fi
    mv "$out.tmp" "$out"
    note "$out"
}

# top_goldens PREFIX UNIT PPROF_ARGS...: the -top goldens of one sample
# type, at line and function granularity, in every variant:
#   PREFIX.<lines|functions>.top.txt          every row, values unscaled in UNIT
#   PREFIX.<lines|functions>.default.top.txt  pprof's defaults (fractions, unit)
#   PREFIX.<lines|functions>.nodefraction0.top.txt
#                                             -nodefraction=0: every row, with the
#                                             default edge fraction and unit
#   PREFIX.<lines|functions>.cum10.top.txt    -cum -nodecount=10, otherwise defaults
top_goldens() {
    local prefix=$1 unit=$2 kind
    shift 2
    for kind in lines functions; do
        local granularity=()
        if [ "$kind" = lines ]; then granularity=(-lines); fi
        pprof_to "$prefix.$kind.top.txt" \
            "${granularity[@]}" -top "${PPROF_COMMON[@]}" -unit="$unit" "$@"
        pprof_to "$prefix.$kind.default.top.txt" "${granularity[@]}" -top "$@"
        pprof_to "$prefix.$kind.nodefraction0.top.txt" "${granularity[@]}" -top -nodefraction=0 "$@"
        pprof_to "$prefix.$kind.cum10.top.txt" "${granularity[@]}" -top -cum -nodecount=10 "$@"
    done
}

# unit_of PROFILE TYPE: the -unit that prints TYPE's values unscaled.
unit_of() {
    local st
    for st in $(sample_types "$1"); do
        if [ "${st%%/*}" = "$2" ]; then
            unit_flag "${st#*/}"
            return
        fi
    done
    echo "regen-fixtures: $1 has no sample type '$2'" >&2
    return 1
}

# filter_goldens: for every case of tests/fixtures/filters.txt (name, stem,
# sample type, pprof flags), -top with those flags at both granularities:
#   STEM.TYPE.<lines|functions>.CASE.top.txt          every row, unscaled
#   STEM.TYPE.<lines|functions>.default.CASE.top.txt  pprof's defaults
# and what pprof prints on stderr for the case (the same at both):
#   STEM.TYPE.CASE.stderr.txt
filter_goldens() {
    local name stem type rest kind unit
    local flags=() args=()
    while read -r name stem type rest; do
        case "$name" in "" | "#"*) continue ;; esac
        read -r -a flags <<<"$rest"
        if [[ "$stem" == *-diff-* ]]; then
            args=(-diff_base "$PROFILES/${stem#*-diff-}.pb.gz" "$PROFILES/${stem%%-diff-*}.pb.gz")
        else
            args=("$PROFILES/$stem.pb.gz")
        fi
        unit="$(unit_of "${args[-1]}" "$type")"
        for kind in lines functions; do
            local granularity=()
            if [ "$kind" = lines ]; then granularity=(-lines); fi
            pprof_to "$GOLDEN/$stem.$type.$kind.$name.top.txt" "${granularity[@]}" -top \
                "${PPROF_COMMON[@]}" -unit="$unit" -sample_index="$type" "${flags[@]}" "${args[@]}"
            pprof_to "$GOLDEN/$stem.$type.$kind.default.$name.top.txt" "${granularity[@]}" -top \
                -sample_index="$type" "${flags[@]}" "${args[@]}"
        done
        pprof_stderr_to "$GOLDEN/$stem.$type.$name.stderr.txt" -top -sample_index="$type" "${flags[@]}" "${args[@]}"
    done <tests/fixtures/filters.txt
}

# peek_goldens: `go tool pprof -peek` for each case of tests/fixtures/peeks.txt,
# as STEM.TYPE.peek-CASE.txt.
peek_goldens() {
    local name stem type regex
    local args=()
    while read -r name stem type regex; do
        case "$name" in "" | "#"*) continue ;; esac
        if [[ "$stem" == *-diff-* ]]; then
            args=(-diff_base "$PROFILES/${stem#*-diff-}.pb.gz" "$PROFILES/${stem%%-diff-*}.pb.gz")
        else
            args=("$PROFILES/$stem.pb.gz")
        fi
        pprof_to "$GOLDEN/$stem.$type.peek-$name.txt" -peek "$regex" -sample_index="$type" "${args[@]}"
    done <tests/fixtures/peeks.txt
}

record_goldens() {
    local p stem st type unit
    mkdir -p "$GOLDEN" "$PPROF_TMPDIR"
    rm -f "$GOLDEN"/*.txt
    for p in "$PROFILES"/*.pb.gz; do
        stem="$(basename "$p" .pb.gz)"
        for st in $(sample_types "$p"); do
            type=${st%%/*}
            unit="$(unit_flag "${st#*/}")"
            top_goldens "$GOLDEN/$stem.$type" "$unit" -sample_index="$type" "$p"
        done
    done

    # heap2 less heap, as -diff_base computes it, for every sample type.
    for st in $(sample_types "$PROFILES/heap2.pb.gz"); do
        type=${st%%/*}
        unit="$(unit_flag "${st#*/}")"
        top_goldens "$GOLDEN/heap2-diff-heap.$type" "$unit" -sample_index="$type" \
            -diff_base "$PROFILES/heap.pb.gz" "$PROFILES/heap2.pb.gz"
    done

    # heap, heap2 and allocs merged, as `go tool pprof A B C` merges its
    # sources: every sample type, granularity and variant; and with no
    # -sample_index (T = default-type), where pprof picks the merged
    # profile's default type.
    local merged=() stem_list=(heap heap2 allocs)
    for stem in "${stem_list[@]}"; do
        merged+=("$PROFILES/$stem.pb.gz")
    done
    local merged_stem
    merged_stem="$(IFS=+; echo "${stem_list[*]}")"
    for st in $(sample_types "$PROFILES/heap.pb.gz"); do
        type=${st%%/*}
        unit="$(unit_flag "${st#*/}")"
        top_goldens "$GOLDEN/$merged_stem.$type" "$unit" -sample_index="$type" "${merged[@]}"
    done
    pprof_to "$GOLDEN/$merged_stem.default-type.functions.default.top.txt" -top "${merged[@]}"
    pprof_to "$GOLDEN/$merged_stem.default-type.lines.default.top.txt" -lines -top "${merged[@]}"
    # Profiles with no sample type in common do not merge: pprof's message.
    pprof_fails_to "$GOLDEN/heap+cpu.merge-error.stderr.txt" -top "$PROFILES/heap.pb.gz" "$PROFILES/cpu.pb.gz"

    filter_goldens
    peek_goldens

    # Per-line source listing of the catalog init function. pprof reads the
    # source from the path recorded in the profile, so put the fixture
    # sources back at the build path first (a no-op after a full run).
    if [ "$MODE" != full ]; then
        mkdir -p "$BUILD_ROOT"
        rm -rf "$BUILD_DIR"
        cp -R "$SRC_DIR" "$BUILD_DIR"
    fi
    pprof_to "$GOLDEN/heap.inuse_space.list-catalog.txt" \
        -list 'catalog.init' -unit=B -sample_index=inuse_space \
        "$PROFILES/heap.pb.gz"
    # The same with a filter: values of the kept samples only, shares of
    # the unfiltered total.
    pprof_to "$GOLDEN/heap.inuse_space.list-allocate.tagfocus=bytes-from-1kb.txt" \
        -list 'main\.allocate' -unit=B -sample_index=inuse_space -tagfocus=bytes=1kb: \
        "$PROFILES/heap.pb.gz"
}

if [ "$MODE" = full ]; then
    record_profiles
fi
if [ "$MODE" = full ] || [ "$MODE" = dumps ]; then
    record_dumps
fi
if [ "$MODE" = goldens ]; then
    if ! ls "$PROFILES"/*.pb.gz >/dev/null 2>&1; then
        echo "regen-fixtures: no profiles in $PROFILES; run without --goldens-only first" >&2
        exit 1
    fi
fi
record_goldens

echo "== wrote:"
for f in "${written[@]}"; do
    printf '%8d  %s\n' "$(wc -c <"$f")" "$f"
done
