#!/usr/bin/env bash
# The Redis layer's "1000 members over 4 receiving processes" row (bench/Switchyard.Redis.Benchmarks ... spread)
# against a private Redis Cluster on loopback: first with 1 master, then with 3 masters (no replicas), and for
# reference against one plain redis-server, all in one run. Writes bench/results/redis-cluster.md.
#   bench/redis/cluster.sh [seconds]             the checkout's benchmark (default 4 s)
#   REF=<commit> bench/redis/cluster.sh [seconds]  the benchmark built from that commit (throwaway worktree), e.g.
#                                                to check the script's plumbing with a layer that has no cluster support
# Each node: redis-server --port P --cluster-enabled yes --cluster-config-file DIR/nodes-P.conf --save '' --appendonly no
# (P <= 55535, so its bus port P+10000 is a valid port too), pinned to CPU 0; the benchmark and its 4 receiving processes
# are pinned to CPU 1. 3 masters: redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes; 1 master (which
# redis-cli --cluster create refuses: it wants at least 3): CLUSTER ADDSLOTSRANGE 0 16383 on the node. The benchmark
# starts only when every node reports cluster_state:ok. Its connection string names every master:
# "127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3", passed as one RedisChannelLayerOptions.Servers entry.
# A row whose benchmark fails is reported as failed (with its error); the other rows still run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
seconds="${1:-4}"
ref="${REF:-}"
client="taskset -c 1"
out="bench/results/redis-cluster.md"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
work="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-redis-cluster.XXXXXX")"
node_pids=()
node_ports=()
. "$root/bench/redis/lib.sh"
stop_nodes() {
  local pid
  for pid in "${node_pids[@]}"; do
    kill "$pid" 2> /dev/null || true
  done
  for pid in "${node_pids[@]}"; do
    wait "$pid" 2> /dev/null || true
  done
  node_pids=()
  node_ports=()
}
cleanup() {
  stop_nodes
  remove_build_worktrees
  rm -rf "$work"
}
trap cleanup EXIT

# Starts one redis-server; cluster node when $2 = cluster. Appends to node_pids and node_ports.
start_node() {
  local port="$1" mode="$2"
  local args=(--port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work")
  if [ "$mode" = cluster ]; then
    args+=(--cluster-enabled yes --cluster-config-file "$work/nodes-$port.conf")
  fi
  taskset -c 0 redis-server "${args[@]}" > "$work/redis-$port.log" 2>&1 &
  node_pids+=($!)
  node_ports+=("$port")
  wait_for_redis "$port"
}

# Waits until every node reports cluster_state:ok, for at most 30 s.
wait_for_cluster() {
  local i port ok
  for i in $(seq 300); do
    ok=1
    for port in "${node_ports[@]}"; do
      redis-cli -p "$port" cluster info 2> /dev/null | grep -q '^cluster_state:ok' || { ok=0; break; }
    done
    [ "$ok" = 1 ] && return 0
    sleep 0.1
  done
  echo "the cluster on ports ${node_ports[*]} did not reach cluster_state:ok" >&2
  for port in "${node_ports[@]}"; do
    redis-cli -p "$port" cluster info 2> /dev/null | grep cluster_state >&2 || true
  done
  return 1
}

# run_spread NAME LABEL SERVERS: the benchmark's spread row against SERVERS.
run_spread() {
  local name="$1" label="$2" servers="$3"
  echo "$label" > "$work/$name.label"
  echo "$servers" > "$work/$name.servers"
  echo "== $label: $servers"
  run_client "$name" $client dotnet "$dll" "$servers" "$seconds" spread
}

# cluster_row NAME MASTERS: a fresh cluster of MASTERS masters, the spread row against it, the nodes stopped.
cluster_row() {
  local name="$1" masters="$2" i port ports=() endpoints=()
  for i in $(seq "$masters"); do
    port="$(free_cluster_port "${node_ports[*]:-}")"
    start_node "$port" cluster
    ports+=("$port")
    endpoints+=("127.0.0.1:$port")
  done
  if [ "$masters" -ge 3 ]; then
    redis-cli --cluster create "${endpoints[@]}" --cluster-replicas 0 --cluster-yes > "$work/create-$name.log" 2>&1 \
      || { cat "$work/create-$name.log" >&2; return 1; }
  else
    redis-cli -p "${ports[0]}" cluster addslotsrange 0 16383 > "$work/create-$name.log" 2>&1
  fi
  wait_for_cluster
  local joined
  joined="$(IFS=,; echo "${endpoints[*]}")"
  run_spread "$name" "Redis Cluster, $masters master$([ "$masters" = 1 ] || echo s)" "$joined"
  stop_nodes
}

if [ -n "$ref" ]; then
  echo "== building the benchmark at $ref"
  dll="$(build_bench "$ref" bench)"
  build="bench/Switchyard.Redis.Benchmarks built from \`$ref\` ($(git -C "$root" rev-parse --short "$ref^{commit}"))"
else
  echo "== building the checkout's benchmark"
  dll="$(build_bench)"
  build="the checkout's bench/Switchyard.Redis.Benchmarks ($(git -C "$root" rev-parse --short HEAD))"
fi

start_node "$(free_port)" standalone
run_spread standalone "one redis-server (no cluster)" "127.0.0.1:${node_ports[0]}"
stop_nodes
cluster_row cluster1 1
cluster_row cluster3 3

/usr/bin/python3 bench/redis/report.py cluster "$work" \
  "seconds=$seconds" "build=$build" "runs=standalone,cluster1,cluster3" \
  "date=$(date -u '+%Y-%m-%d %H:%M UTC')" "redis_version=$(redis-server --version | grep -o 'v=[0-9.]*')" \
  "placement=pinned to CPU 0, the benchmark and its 4 receiving processes to CPU 1" \
  "load_before=$load_before" "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" > "$out"
echo
cat "$out"
