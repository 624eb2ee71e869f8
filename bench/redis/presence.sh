#!/usr/bin/env bash
# Presence on a 10,000-member group on the Redis layer (issue 15), each figure next to its reference measured in the
# same run, on one private redis-server: `Switchyard.Redis.Benchmarks presence` (PresenceBench.cs).
#   bench/redis/presence.sh [members] [listings]
#                                        writes bench/results/redis-presence.md (defaults: 10,000 members, 20 listings)
#   UNPINNED=1 bench/redis/presence.sh   the client on either CPU; writes bench/results/redis-presence-unpinned.md
# Builds the checkout's benchmark first, then, if the 1-minute load average is above 1.5 (others building on the two
# cores), waits a minute and looks again, at most twice (QUIET_WAITS=<n> to change that, 0 not to wait), and runs
# anyway, the load average going into the results. The redis-server is pinned to CPU 0 and the client (with its
# CPU 1, as in run.sh (unless UNPINNED=1). Needs redis-server and redis-tools. See bench/README.md, "Presence on a
# 10,000-member group (issue 15)".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
members="${1:-10000}"
listings="${2:-20}"
out="bench/results/redis-presence.md"
client="taskset -c 1"
placement="pinned to CPU 0, the client pinned to CPU 1"
if [ "${UNPINNED:-0}" = "1" ]; then
  client=""
  out="bench/results/redis-presence-unpinned.md"
  placement="pinned to CPU 0, the client on either CPU"
fi
started=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-redis-presence.XXXXXX")"
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

echo "== presence: $members members, $listings listings"
run_client presence $client dotnet "$dll" presence "127.0.0.1:$port" "$members" "$listings"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

{
  echo "# Redis layer: presence on a $members-member group (issue 15)"
  echo
  echo "\`bench/redis/presence.sh $members $listings\` on commit $commit, $(date -u '+%Y-%m-%d %H:%M UTC'); redis-server"
  echo "$(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-), $placement. Load average (1, 5, 15 min) after the build"
  echo "$load_first, before the run $load_before, after it $load_after (above about 1.5, others were using the two cores)."
  echo "Presence rule: \`WithPresence(\"room.*\")\` (members mode) and, for the reference, \`WithPresence(\"room.*\", countsOnly: true)\`,"
  echo "with the shipped PresenceInterval (250 ms) and PresenceTimeout (30 s); capacity 100,000 and an inbox of 10,000,000, so"
  echo "no member's queue skipped anything. See bench/README.md, \"Presence on a 10,000-member group (issue 15)\"."
  echo
  echo "| Work | figure | reference | ratio | target | met/unmet |"
  echo "|---|---|---|---|---|---|"
  if [ "$(cat "$work/presence.status")" = ok ]; then
    sed -n '/^|/p' "$work/presence.txt"
    echo
    echo "Details:"
    echo
    sed -n '/^- /p' "$work/presence.txt"
  else
    echo "| (the benchmark failed: $(cat "$work/presence.status")) | | | | | |"
    echo
    echo '```'
    tail -20 "$work/presence.err"
    echo '```'
  fi
} > "$out"
echo
cat "$out"
echo "(whole run: $((SECONDS - started)) s)"
