#!/usr/bin/env bash
# Makes the git repository of the revision fixture (tests/fixtures/revision,
# described in tests/fixtures/README.md): revision A, tagged `profiled`, a
# heap profile written by A's program, then revision B on top of it.
#
#   source scripts/live-env.sh
#   scripts/make-revision-repo.sh OUT_DIR
#
# OUT_DIR must not exist or be empty. Needs PPROF_GOROOT (the Go that
# builds the program; scripts/live-env.sh exports it) and git. Prints one
# JSON object on stdout and nothing else:
#
#   {"dir", "revA", "revB", "timeA", "timeB", "profile", "binary",
#    "lines": {"moved":   {"file", "a", "b", "bytes"},
#              "changed": {"file", "a", "b", "bytes"},
#              "deleted": {"file", "a", "bytes"},
#              "renamed": {"fileA", "fileB", "a", "b", "bytes"},
#              "same":    {"file", "a", "b", "bytes"}}}
#
# Paths are absolute, as Go records them in the profile; file names in
# "lines" are relative to "dir"; lines are 1-based, found by their
# `// rev:NAME` tags in a/ and b/; "bytes" is the size that A's tagged
# line allocates (read from its `make([]byte, N)`); times are Unix
# seconds. The commits have a fixed author and committer; A has a fixed
# date, so revA is the same on every run; B is dated a second after the
# profile was written, so the profile is older than B and newer than A.
# Nothing keeps running: the program exits once it has written the profile.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixture="$root/tests/fixtures/revision"
tags=(moved changed deleted renamed same)

die() {
    echo "make-revision-repo: $*" >&2
    exit 2
}

[ $# -eq 1 ] || die "usage: make-revision-repo.sh OUT_DIR"
[ -n "${PPROF_GOROOT:-}" ] || die "PPROF_GOROOT is not set: it names the GOROOT of the Go that builds the program (source scripts/live-env.sh)"
go="$PPROF_GOROOT/bin/go"
[ -x "$go" ] || die "no Go at $go (PPROF_GOROOT=$PPROF_GOROOT)"
command -v git >/dev/null || die "git is not installed"

out=$1
if [ -e "$out" ]; then
    [ -d "$out" ] || die "$out exists and is not a directory"
    [ -z "$(ls -A "$out")" ] || die "$out is not empty"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Go offline, with the toolchain it was given, whatever the caller set.
export GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GOTELEMETRY=off

# git sees neither the machine's nor the user's configuration: its HOME is
# a directory of its own, removed at the end.
githome=$(mktemp -d)
trap 'rm -rf "$githome"' EXIT
git_() {
    HOME="$githome" XDG_CONFIG_HOME="$githome" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
        git -C "$out" -c user.name="Rev Demo" -c user.email=revdemo@example.com \
        -c init.defaultBranch=main -c commit.gpgsign=false -c tag.gpgsign=false \
        -c core.autocrlf=false "$@"
}

# The one line of the files in DIR tagged `// rev:TAG`, as FILE:LINE.
tagged() {
    local dir=$1 tag=$2 found
    found=$(cd "$dir" && { grep -n -- "// rev:$tag\$" *.go || true; } | cut -d: -f1,2)
    [ "$(printf '%s\n' "$found" | grep -c .)" -eq 1 ] || die "$dir: want one line tagged rev:$tag, found: ${found:-none}"
    printf '%s\n' "$found"
}

# The N of `make([]byte, N)` on a tagged line of DIR.
tagged_bytes() {
    local dir=$1 tag=$2 n
    n=$(cd "$dir" && { grep -h -- "// rev:$tag\$" *.go || true; } | sed -n 's/.*make(\[\]byte, \([0-9]*\)).*/\1/p')
    [ -n "$n" ] || die "$dir: the line tagged rev:$tag has no make([]byte, N)"
    printf '%s\n' "$n"
}

json_string() {
    local s=${1//\\/\\\\}
    printf '"%s"' "${s//\"/\\\"}"
}

# Revision A, with a .gitignore for what the build and the run write, so
# the working tree stays clean.
cp "$fixture"/a/* "$out"/
printf '.bin/\nprofiles/\n' >"$out/.gitignore"
time_a=1735732800 # 2025-01-01 12:00:00 UTC
git_ init -q
git_ add -A
GIT_AUTHOR_DATE="@$time_a +0000" GIT_COMMITTER_DATE="@$time_a +0000" \
    git_ commit -q -m "revdemo: store, cache and main"
git_ tag profiled
rev_a=$(git_ rev-parse HEAD)

# A's program, with A's revision in its build information, and its profile.
(cd "$out" && "$go" build -buildvcs=true -o .bin/revdemo .) >&2
mkdir -p "$out/profiles"
"$out/.bin/revdemo" "$out/profiles/heap.pb.gz"
time_b=$(($(date +%s) + 1))

# Revision B: the renamed file moves with git mv, files B lacks go, B's
# files replace A's.
renamed_a=$(tagged "$fixture/a" renamed | cut -d: -f1)
renamed_b=$(tagged "$fixture/b" renamed | cut -d: -f1)
if [ "$renamed_a" != "$renamed_b" ]; then
    git_ mv "$renamed_a" "$renamed_b"
fi
for f in "$fixture"/a/*; do
    name=$(basename "$f")
    if [ ! -e "$fixture/b/$name" ] && [ -e "$out/$name" ]; then
        git_ rm -q "$name"
    fi
done
cp "$fixture"/b/* "$out"/
git_ add -A
GIT_AUTHOR_DATE="@$time_b +0000" GIT_COMMITTER_DATE="@$time_b +0000" \
    git_ commit -q -m "revdemo: keys grow, the log is marked, no spare, the cache becomes lru.go"
rev_b=$(git_ rev-parse HEAD)

lines=""
for tag in "${tags[@]}"; do
    a=$(tagged "$fixture/a" "$tag")
    bytes=$(tagged_bytes "$fixture/a" "$tag")
    entry=""
    case $tag in
        deleted)
            ! (cd "$fixture/b" && grep -q -- "// rev:$tag\$" *.go) || die "b/ still has a line tagged rev:$tag"
            entry="{\"file\": $(json_string "${a%%:*}"), \"a\": ${a#*:}, \"bytes\": $bytes}"
            ;;
        renamed)
            b=$(tagged "$fixture/b" "$tag")
            entry="{\"fileA\": $(json_string "${a%%:*}"), \"fileB\": $(json_string "${b%%:*}"), \"a\": ${a#*:}, \"b\": ${b#*:}, \"bytes\": $bytes}"
            ;;
        *)
            b=$(tagged "$fixture/b" "$tag")
            [ "${a%%:*}" = "${b%%:*}" ] || die "rev:$tag is in ${a%%:*} in a/ but in ${b%%:*} in b/"
            entry="{\"file\": $(json_string "${a%%:*}"), \"a\": ${a#*:}, \"b\": ${b#*:}, \"bytes\": $bytes}"
            ;;
    esac
    lines+="${lines:+, }\"$tag\": $entry"
done

printf '{"dir": %s, "revA": "%s", "revB": "%s", "timeA": %s, "timeB": %s, "profile": %s, "binary": %s, "lines": {%s}}\n' \
    "$(json_string "$out")" "$rev_a" "$rev_b" "$time_a" "$time_b" \
    "$(json_string "$out/profiles/heap.pb.gz")" "$(json_string "$out/.bin/revdemo")" "$lines"
