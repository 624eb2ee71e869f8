# Shared by bench/redis/run.sh and bench/redis/cluster.sh (sourced, not run). Expects $root (the checkout) and
# $work (a private temporary folder, removed by the caller).

# A free TCP port on 127.0.0.1.
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# A port P <= 55535 such that P and its cluster bus port P+10000 are both free on 127.0.0.1 and not in $1 (a
# space-separated list of ports already handed out).
free_cluster_port() {
  /usr/bin/python3 - "${1:-}" <<'EOF'
import random, socket, sys
taken = {int(p) for p in sys.argv[1].split()}
def free(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()
for _ in range(1000):
    port = random.randint(20000, 55535)
    if port not in taken and port + 10000 not in taken and free(port) and free(port + 10000):
        print(port)
        sys.exit(0)
sys.exit("no free port pair (P, P+10000) found")
EOF
}

# Builds bench/Switchyard.Redis.Benchmarks in Release and prints the path of its dll.
#   build_bench            the checkout's (incremental, into its own bin/)
#   build_bench REF NAME   the benchmark as it was at commit REF, built in a throwaway detached worktree
#                          ($work/NAME-src, removed afterwards) and copied to $work/NAME
# Build output goes to $work/build-*.log; on failure its tail is printed and the function fails.
build_bench() {
  local ref="${1:-}" name="${2:-}"
  if [ -z "$ref" ]; then
    dotnet build -c Release -nologo -v quiet "$root/bench/Switchyard.Redis.Benchmarks" > "$work/build-checkout.log" 2>&1 \
      || { tail -20 "$work/build-checkout.log" >&2; return 1; }
    echo "$root/bench/Switchyard.Redis.Benchmarks/bin/Release/net10.0/Switchyard.Redis.Benchmarks.dll"
    return 0
  fi
  local src="$work/$name-src" log="$work/build-$name.log"
  git -C "$root" worktree add --detach "$src" "$ref" > "$log" 2>&1 || { tail -5 "$log" >&2; return 1; }
  if ! dotnet build -c Release -nologo -v quiet "$src/bench/Switchyard.Redis.Benchmarks" >> "$log" 2>&1; then
    tail -20 "$log" >&2
    git -C "$root" worktree remove --force "$src" > /dev/null 2>&1 || true
    return 1
  fi
  mkdir -p "$work/$name"
  cp -r "$src/bench/Switchyard.Redis.Benchmarks/bin/Release/net10.0/." "$work/$name/"
  git -C "$root" worktree remove --force "$src" >> "$log" 2>&1
  echo "$work/$name/Switchyard.Redis.Benchmarks.dll"
}

# Removes what build_bench REF left if the script was stopped mid-build (called from the caller's EXIT trap).
remove_build_worktrees() {
  local src
  for src in "$work"/*-src; do
    [ -d "$src" ] && git -C "$root" worktree remove --force "$src" > /dev/null 2>&1
  done
  git -C "$root" worktree prune > /dev/null 2>&1 || true
}

# Runs a benchmark client: run_client NAME COMMAND...; its output in $work/NAME.txt (and on the console), its
# standard error in $work/NAME.err, and "ok" or "exit N" in $work/NAME.status. Never fails: one client's failure is
# reported in the results, the other clients still run.
run_client() {
  local name="$1" status=0
  shift
  "$@" > "$work/$name.txt" 2> "$work/$name.err" || status=$?
  cat "$work/$name.txt"
  if [ "$status" = 0 ]; then
    echo ok > "$work/$name.status"
  else
    echo "exit $status" > "$work/$name.status"
    echo "-- $name failed (exit $status):" >&2
    tail -5 "$work/$name.err" >&2
  fi
}

# Waits until `redis-cli -p PORT ping` answers, for at most 10 s.
wait_for_redis() {
  local port="$1" i
  for i in $(seq 100); do
    redis-cli -p "$port" ping > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server on port $port did not start" >&2
  return 1
}

# Waits while the 1-minute load average is above 1.5 (others building on the two cores), a minute at a time, at most
# QUIET_WAITS times (default 2; 0 does not wait).
wait_for_quiet() {
  local waits="${QUIET_WAITS:-2}"
  while [ "$waits" -gt 0 ] && awk '{ exit !($1 > 1.5) }' /proc/loadavg; do
    echo "== load average $(cut -d' ' -f1-3 /proc/loadavg): waiting a minute for a quieter machine"
    sleep 60
    waits=$((waits - 1))
  done
}

# Starts a private redis-server on a free loopback port, pinned to CPU 0, without persistence, its log in $1; sets
# port and redis_pid (the caller's cleanup kills it) and returns once it answers.
start_pinned_redis() {
  port="$(free_port)"
  taskset -c 0 redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no > "$1" 2>&1 &
  redis_pid=$!
  wait_for_redis "$port"
}
