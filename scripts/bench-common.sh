# Helpers shared by scripts/bench.sh and scripts/bench-step.sh (sourced).

# A profile of scripts/bench.sh: .tools/bench/SHAPE-SIZE.pb.gz, the 1M-sample
# heap one being the long-standing large.pb.gz.
profile_of() { # shape size
    if [ "$1" = heap ] && [ "$2" = 1000000 ]; then echo ".tools/bench/large.pb.gz"; else echo ".tools/bench/$1-$2.pb.gz"; fi
}
# Peak RSS of one run of a command, in kB (needs /usr/bin/time).
peak_rss_kb() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }'; }
now() { echo "${EPOCHREALTIME/./}"; } # microseconds
# Runs a command once with its output discarded; prints its wall time in seconds.
wall() {
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>&1
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e6 }'
}
# Prints "median min max" of the numbers on stdin.
summary() { sort -g | awk '{ x[NR] = $1 } END { m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2; printf "%.4f %.4f %.4f\n", m, x[1], x[NR] }'; }
load() { cut -d' ' -f1 /proc/loadavg; }
