#!/usr/bin/env bash
# The Redis layer of this checkout (new) next to the same benchmark built from an older commit (old), channels_redis 4.0
# and redis-benchmark, on one private redis-server, in one run.
#   bench/redis/run.sh [seconds per scenario]          writes bench/results/redis-layer.md
#   OLD_REF=<commit> bench/redis/run.sh [seconds]      old = that commit (default 2ea025c, the last commit before
#                                                      the layer moved onto StackExchange.Redis)
#   UNPINNED=1 bench/redis/run.sh [seconds]            clients on any CPU; writes bench/results/redis-layer-unpinned.md
# old is built in a throwaway detached worktree (git worktree add --detach), copied to a temporary folder, and the
# worktree removed. The redis-server is pinned to CPU 0 and each client (with its child processes) to CPU 1 (unless
# UNPINNED=1). Needs redis-server, redis-benchmark and Debian's python3-channels-redis
# (apt-get install -y redis-server redis-tools python3-channels-redis). The default, 4 s per scenario, keeps the whole
# run (both builds included) under 5 minutes on 2 cores; see bench/README.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
seconds="${1:-4}"
old_ref="${OLD_REF:-2ea025c}"
client="taskset -c 1"
out="bench/results/redis-layer.md"
placement="pinned to CPU 0, each client (and its child processes) to CPU 1"
if [ "${UNPINNED:-0}" = "1" ]; then
  client=""
  out="bench/results/redis-layer-unpinned.md"
  placement="pinned to CPU 0, clients on either CPU"
fi
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-redis-bench.XXXXXX")"
redis_pid=""
. "$root/bench/redis/lib.sh"
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2> /dev/null || true
  remove_build_worktrees
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building new (the checkout) and old ($old_ref)"
old_commit="$(git -C "$root" rev-parse --short "$old_ref^{commit}")"
new_ref="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- Runtime bench ':!bench/results' 2> /dev/null || echo ' with uncommitted changes')"
new_dll="$(build_bench)" || { echo "build failed" > "$work/new.status"; tail -20 "$work/build-checkout.log" > "$work/new.err"; new_dll=""; }
old_dll="$(build_bench "$old_ref" old)" || { echo "build failed" > "$work/old.status"; tail -20 "$work/build-old.log" > "$work/old.err"; old_dll=""; }

port="$(free_port)"
taskset -c 0 redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no > "$work/redis.log" 2>&1 &
redis_pid=$!
wait_for_redis "$port"

if [ -n "$new_dll" ]; then
  echo "== new: Switchyard RedisChannelLayer, this checkout"
  run_client new $client dotnet "$new_dll" "127.0.0.1:$port" "$seconds"
fi
if [ -n "$old_dll" ]; then
  echo "== old: Switchyard RedisChannelLayer at $old_ref"
  run_client old $client dotnet "$old_dll" "127.0.0.1:$port" "$seconds"
fi
if [ -n "$new_dll" ]; then
  echo "== StackExchange.Redis alone (the client's floor: LPUSH then LPOP, awaited in turn)"
  run_client client $client dotnet "$new_dll" client "127.0.0.1:$port" "$seconds"
fi
echo "== channels_redis"
run_client channels_redis $client /usr/bin/env -i PATH=/usr/bin:/bin /usr/bin/python3 bench/redis/channels_redis_bench.py "127.0.0.1:$port" "$seconds"
echo "== redis-benchmark (the ceiling: one LPUSH or LPOP per request; 50 clients, then 1 client)"
$client redis-benchmark -p "$port" -t lpush,lpop -n 200000 -q | tr '\r' '\n' | grep 'requests per second' | tee "$work/redis-benchmark-50.txt"
$client redis-benchmark -p "$port" -t lpush,lpop -n 50000 -c 1 -q | tr '\r' '\n' | grep 'requests per second' | tee "$work/redis-benchmark-1.txt"

/usr/bin/python3 bench/redis/report.py layer "$work" \
  "seconds=$seconds" "old_ref=$old_ref" "old_commit=$old_commit" "new_ref=$new_ref" \
  "date=$(date -u '+%Y-%m-%d %H:%M UTC')" "redis_version=$(redis-server --version | grep -o 'v=[0-9.]*')" \
  "placement=$placement" "load_before=$load_before" "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" > "$out"
echo
cat "$out"
echo "(whole run: $((SECONDS - started)) s)"
