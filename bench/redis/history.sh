#!/usr/bin/env bash
# Group history, resume and member count on the Redis layer (issue 15), each figure next to its reference measured in
# the same run, on one private redis-server: `Switchyard.Redis.Benchmarks history` (HistoryBench.cs).
#   bench/redis/history.sh [seconds per send scenario] [rounds] [resume repetitions]
#                                       writes bench/results/redis-history.md (defaults: 4 s, 2 rounds, 50 resumes)
#   UNPINNED=1 bench/redis/history.sh   the client on either CPU; writes bench/results/redis-history-unpinned.md
# Builds the checkout's benchmark first, then, if the 1-minute load average is above 1.5 (others building on the two
# cores), waits a minute and looks again, at most twice (QUIET_WAITS=<n> to change that, 0 not to wait), and runs
# anyway, the load average going into the results. The redis-server is pinned to CPU 0 and the client (with its
# in-process Kestrel server for the end-to-end resume) to CPU 1, as in run.sh (unless UNPINNED=1). Needs redis-server and redis-tools. About 1.5 minutes with the defaults, the build apart; see bench/README.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
seconds="${1:-4}"
rounds="${2:-2}"
resumes="${3:-50}"
out="bench/results/redis-history.md"
client="taskset -c 1"
placement="pinned to CPU 0, the client pinned to CPU 1"
if [ "${UNPINNED:-0}" = "1" ]; then
  client=""
  out="bench/results/redis-history-unpinned.md"
  placement="pinned to CPU 0, the client on either CPU"
fi
started=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-redis-history.XXXXXX")"
redis_pid=""
. "$root/bench/redis/lib.sh"
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building the benchmark (the checkout)"
commit="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- Runtime bench ':!bench/results' 2> /dev/null || echo ' with uncommitted changes')"
dll="$(build_bench)"

load_first="$(cut -d' ' -f1-3 /proc/loadavg)"
wait_for_quiet
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_pinned_redis "$work/redis.log"

echo "== history: $seconds s per send scenario, $rounds rounds, $resumes resumes"
run_client history $client dotnet "$dll" history "127.0.0.1:$port" "$seconds" "$rounds" "$resumes"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

{
  echo "# Redis layer: group history, resume and member count (issue 15)"
  echo
  echo "\`bench/redis/history.sh $seconds $rounds $resumes\` on commit $commit, $(date -u '+%Y-%m-%d %H:%M UTC'); redis-server"
  echo "$(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-), $placement. Load average (1, 5, 15 min) after the build"
  echo "$load_first, before the run $load_before, after it $load_after (above about 1.5, others were using the two cores)."
  echo "Send scenarios: $seconds s each, history off and on alternated over $rounds rounds (figures over all rounds)."
  echo "History rule: \`WithGroupHistory(\"feed.*\")\` with its defaults (MaxCount 1,000, MaxAge 5 min). See bench/README.md,"
  echo "\"Group history, resume and member count (issue 15)\"."
  echo
  echo "| Work | figure | reference | ratio | target | met/unmet |"
  echo "|---|---|---|---|---|---|"
  if [ "$(cat "$work/history.status")" = ok ]; then
    sed -n '/^|/p' "$work/history.txt"
    echo
    echo "Details:"
    echo
    sed -n '/^- /p' "$work/history.txt"
  else
    echo "| (the benchmark failed: $(cat "$work/history.status")) | | | | | |"
    echo
    echo '```'
    tail -20 "$work/history.err"
    echo '```'
  fi
} > "$out"
echo
cat "$out"
echo "(whole run: $((SECONDS - started)) s)"
