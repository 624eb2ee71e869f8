#!/usr/bin/env bash
# The WebSocket load benchmark: every server kind, every scenario, N rounds, one results file of medians.
#
#   bench/load/run.sh                 full run, 3 rounds (about 15 minutes), writes bench/results/load.md
#   bench/load/run.sh --quick         smoke run with small counts, 1 round (about 2 minutes), writes a temporary file
#   options: --out FILE (results file), --rounds N (rounds; default 3, 1 with --quick),
#            --kinds "raw signalr switchyard switchyard-redis signalr-redis" (which servers; default: these five;
#            also switchyard-tuned: Switchyard with the issue-4 tuning instead of shipped defaults),
#            --scenarios "idle echo fanout paced relay churn" (which scenarios; default: all; churn runs for the raw
#            and switchyard kinds only, each on a server started afresh for it),
#            --nice (run server and client at nice -10, so other work on a shared machine takes less of their CPUs)
#
# Each server runs pinned to CPU 0 (taskset -c 0) on a free loopback port, started afresh in every round; the client
# runs pinned to CPU 1 and reads the server's CPU time and RSS from /proc/<pid>. switchyard-redis is Switchyard on the
# Redis channel layer: a private redis-server, pinned to CPU 0 too (the server's core), started and stopped with it;
# it runs the relay scenario only. signalr-redis is its reference: SignalR with its Redis backplane, set up the same way. Each figure in the results is the median of the rounds; lost, duplicates,
# reordered, closed by server and errors are the worst round's. See bench/README.md, "Load benchmark".
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

quick=0
nice_level=0
out=""
rounds=""
kinds_wanted="raw signalr switchyard switchyard-redis signalr-redis"
scenarios="idle echo fanout paced relay churn"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --out) out="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --kinds) kinds_wanted="$2"; shift ;;
    --scenarios) scenarios="$2"; shift ;;
    --nice) nice_level=-10 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ $quick == 1 ]]; then
  echo_args=(--connections 20 --size 64 --seconds 3 --warmup 1)
  fanout_subscribers=(50 200)
  fanout_args=(--messages 500)
  paced_args=(--subscribers 50 --rate 50 --seconds 3 --warmup 1)
  relay_sizes=("1000x50" "100x500")      # burst x members
  idle_connections=500
  churn_args=(--connections 1000 --cycles 2)
  mode="quick"
  rounds="${rounds:-1}"
else
  echo_args=(--connections 50 --size 64 --seconds 10 --warmup 2)
  fanout_subscribers=(100 1000)
  fanout_args=(--messages 2000)
  paced_args=(--subscribers 100 --rate 50 --seconds 10 --warmup 1)
  relay_sizes=("2000x100" "200x1000")
  idle_connections=5000
  churn_args=(--connections 10000 --cycles 3)
  mode="full"
  rounds="${rounds:-3}"
fi
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds needs a positive number, not '$rounds'" >&2; exit 2; }
relay_args=(--size 64)

work="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-load.XXXXXX")"
if [[ -z "$out" ]]; then
  if [[ $quick == 1 ]]; then out="$work/load.md"; else out="$root/bench/results/load.md"; fi
fi
echo "load benchmark ($mode, $rounds round(s)); work files in $work"

prio=()
if [[ $nice_level != 0 ]]; then
  if [[ "$(nice -n "$nice_level" nice 2>/dev/null)" == "$nice_level" ]]; then prio=(nice -n "$nice_level"); else
    echo "note: cannot raise priority (nice $nice_level not permitted); running at normal priority"; nice_level=0; fi
fi

command -v taskset >/dev/null || { echo "taskset is required (util-linux)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
if [[ $(getconf _NPROCESSORS_ONLN) -lt 2 ]]; then
  echo "needs at least 2 CPUs (server on CPU 0, client on CPU 1)" >&2; exit 1
fi

# The idle scenario holds thousands of sockets in the client and in the server (both inherit this limit).
hard="$(ulimit -Hn)"
if [[ "$hard" == unlimited || "$hard" -ge 65536 ]]; then ulimit -n 65536; else ulimit -n "$hard"; fi
echo "open files limit: $(ulimit -n); ephemeral ports: $(tr '\t' '-' < /proc/sys/net/ipv4/ip_local_port_range)"
if [[ $(ulimit -n) -lt $((idle_connections + 1000)) ]]; then
  echo "warning: the open files limit $(ulimit -n) is low for $idle_connections idle connections" >&2
fi
if [[ " $scenarios " == *" churn "* && $(ulimit -n) -lt $((churn_args[1] + 1000)) ]]; then
  echo "warning: the open files limit $(ulimit -n) is low for churn's ${churn_args[1]} connections" >&2
fi

wants() { [[ " $scenarios " == *" $1 "* ]]; }
notes=()

# The -redis kinds need redis-server (Debian's package, as test.sh installs it for the Redis layer's tests).
if [[ " $kinds_wanted " == *"-redis "* ]] && wants relay && ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server for the Redis rows"
  sudo_cmd=""
  if [[ "$(id -u)" -ne 0 ]]; then sudo_cmd="sudo"; fi
  { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq redis-server >/dev/null; } \
    || echo "could not install redis-server" >&2
fi

# ---- build (Release, once) ------------------------------------------------------------------------------------------
declare -A project=(
  [raw]="bench/Switchyard.LoadBench.Servers.Raw/Switchyard.LoadBench.Servers.Raw.csproj"
  [signalr]="bench/Switchyard.LoadBench.Servers.SignalR/Switchyard.LoadBench.Servers.SignalR.csproj"
  [switchyard]="bench/Switchyard.LoadBench.Servers.Switchyard/Switchyard.LoadBench.Servers.Switchyard.csproj"
)
client_project="bench/Switchyard.LoadBench/Switchyard.LoadBench.csproj"

target_path() { dotnet msbuild "$1" -nologo -getProperty:TargetPath -p:Configuration=Release; }

echo "building $client_project"
dotnet build -c Release -nologo -v quiet "$client_project" > "$work/build-client.log" 2>&1 \
  || { cat "$work/build-client.log"; echo "client build failed" >&2; exit 1; }
client_dll="$(target_path "$client_project")"

# Every kind is a server project and its arguments; the switchyard kinds share one project.
declare -A kind_project=([raw]=raw [signalr]=signalr [switchyard]=switchyard [switchyard-redis]=switchyard [switchyard-tuned]=switchyard [signalr-redis]=signalr)
declare -A kind_args=([raw]="" [signalr]="" [switchyard]="" [switchyard-redis]="--layer redis" [switchyard-tuned]="--tuned true" [signalr-redis]="")
declare -A built=()   # project -> dll, or "" when it does not build
build_project() { # project -> sets built[project]
  local name="$1" proj="${project[$1]}"
  [[ -v built[$name] ]] && return 0
  built[$name]=""
  if [[ ! -f "$proj" ]]; then
    note="$name: skipped, $(dirname "$proj") does not exist yet"
    echo "note: $note"; notes+=("$note"); return 0
  fi
  echo "building $proj"
  if dotnet build -c Release -nologo -v quiet "$proj" > "$work/build-$name.log" 2>&1; then
    built[$name]="$(target_path "$proj")"; return 0
  fi
  tail -20 "$work/build-$name.log"
  note="$name: skipped, the server does not build (log: $work/build-$name.log)"
  echo "note: $note"; notes+=("$note")
}

kinds=()
for kind in raw signalr switchyard switchyard-redis signalr-redis switchyard-tuned; do
  [[ " $kinds_wanted " == *" $kind "* ]] || continue
  if [[ $kind == *-redis ]]; then
    if ! wants relay; then continue; fi
    if ! command -v redis-server >/dev/null 2>&1; then
      note="$kind: skipped, redis-server is not installed"; echo "note: $note"; notes+=("$note"); continue
    fi
  fi
  build_project "${kind_project[$kind]}"
  [[ -n "${built[${kind_project[$kind]}]}" ]] && kinds+=("$kind")
done
[[ ${#kinds[@]} -gt 0 ]] || { echo "no server to run" >&2; exit 1; }

client() { dotnet "$client_dll" "$@"; }

# ---- helpers --------------------------------------------------------------------------------------------------------
free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  for p in $(seq 5080 5999); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port" >&2; return 1
}

stop_pid() { # pid: TERM, up to 10 s, then KILL
  local pid="$1"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

server_pid=""
redis_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then stop_pid "$server_pid"; server_pid=""; fi
  if [[ -n "$redis_pid" ]]; then stop_pid "$redis_pid"; redis_pid=""; fi
}
trap stop_server EXIT

start_redis() { # -> sets redis_pid, redis_port
  redis_port="$(free_port)"
  "${prio[@]}" taskset -c 0 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    > "$work/redis-$round.log" 2>&1 &
  redis_pid=$!
  local deadline=$((SECONDS + 20))
  until [[ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" == PONG ]]; do
    if ! kill -0 "$redis_pid" 2>/dev/null || [[ $SECONDS -ge $deadline ]]; then
      echo "redis-server did not answer; its log:" >&2; tail -20 "$work/redis-$round.log" >&2
      stop_server; return 1
    fi
    sleep 0.1
  done
  echo "== redis-server: pid $redis_pid, port $redis_port (CPU 0)"
}

start_server() { # kind -> sets server_pid, port (and redis_pid for the -redis kinds)
  local kind="$1"
  local args=(${kind_args[$kind]})
  if [[ $kind == *-redis ]]; then
    start_redis || return 1
    args+=(--redis "127.0.0.1:$redis_port")
  fi
  port="$(free_port)"
  "${prio[@]}" taskset -c 0 dotnet "${built[${kind_project[$kind]}]}" --urls "http://127.0.0.1:$port" "${args[@]}" \
    > "$work/server-$kind-$round.log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 60))
  until curl -sf --max-time 2 "http://127.0.0.1:$port/stats" > /dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null || [[ $SECONDS -ge $deadline ]]; then
      echo "the $kind server did not answer /stats; its log:" >&2
      tail -20 "$work/server-$kind-$round.log" >&2
      stop_server
      return 1
    fi
    sleep 0.2
  done
  echo "== $kind server: pid $server_pid, port $port (CPU 0) ${args[*]}"
}

run() { # rows-file label scenario args... : one client run, one row (or a row saying it failed)
  local rows="$1" label="$2" scenario="$3"; shift 3
  echo "-- $label: $scenario $*"
  local status=0
  timeout 900 "${prio[@]}" taskset -c 1 dotnet "$client_dll" "$scenario" --url "ws://127.0.0.1:$port" --server-pid "$server_pid" \
    --label "$label" --out "$rows" --timeout 840 "$@" || status=$?
  if [[ $status -ne 0 ]]; then
    echo "| $label | failed (exit $status, see the console output) |" >> "$rows"
  fi
}

relay() { # round-dir kind label shape extra-args...
  local dir="$1" kind="$2" label="$3" shape="$4"; shift 4
  local size messages members
  for size in "${relay_sizes[@]}"; do
    messages="${size%x*}"; members="${size#*x}"
    run "$dir/relay-$size.rows" "$label" relay --kind "$kind" --shape "$shape" --subscribers "$members" \
      --messages "$messages" "${relay_args[@]}" "$@"
  done
}

# ---- the run --------------------------------------------------------------------------------------------------------
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
started_seconds=$SECONDS
for round in $(seq 1 "$rounds"); do
  dir="$work/round-$round"
  mkdir -p "$dir"
  echo "==== round $round of $rounds"
  for kind in "${kinds[@]}"; do
    if ! start_server "$kind"; then
      notes+=("$kind: the server did not start in round $round"); continue
    fi
    case "$kind" in
      raw|signalr) client_kind="$kind"; name="$kind"; layer="" ;;
      signalr-redis) client_kind=signalr; name="signalr (Redis backplane)"; layer="Redis" ;;
      switchyard) client_kind=switchyard; name="switchyard"; layer="in-memory" ;;
      switchyard-tuned) client_kind=switchyard; name="switchyard (tuned)"; layer="in-memory, tuned" ;;
      switchyard-redis) client_kind=switchyard; name="switchyard (Redis)"; layer="Redis" ;;
    esac
    if [[ $kind != *-redis ]]; then
      # Idle first, on a fresh server, so its heap and RSS are not inflated by the traffic of the other scenarios.
      if wants idle; then run "$dir/idle.rows" "$name" idle --kind "$client_kind" --connections "$idle_connections" --connect-concurrency 100; fi
      if wants echo; then run "$dir/echo.rows" "$name" echo --kind "$client_kind" "${echo_args[@]}"; fi
      if wants fanout; then
        for n in "${fanout_subscribers[@]}"; do
          run "$dir/fanout-$n.rows" "$name" fanout --kind "$client_kind" --subscribers "$n" "${fanout_args[@]}"
          if [[ $client_kind == switchyard ]]; then
            run "$dir/fanout-$n.rows" "${name} (batched)" fanout --kind "$client_kind" --batch --subscribers "$n" "${fanout_args[@]}"
          fi
        done
      fi
      if wants paced; then run "$dir/paced.rows" "$name" paced --kind "$client_kind" "${paced_args[@]}"; fi
    fi
    if wants relay; then
      if [[ $client_kind == switchyard ]]; then
        layer_pid=()
        [[ -n "$redis_pid" ]] && layer_pid=(--layer-pid "$redis_pid")
        relay "$dir" switchyard "switchyard (raw shape, $layer)" raw "${layer_pid[@]}"
        relay "$dir" switchyard "switchyard (JSON shape, $layer)" json "${layer_pid[@]}"
      else
        layer_pid=()
        [[ -n "$redis_pid" ]] && layer_pid=(--layer-pid "$redis_pid")
        relay "$dir" "$client_kind" "$name" raw "${layer_pid[@]}"
      fi
    fi
    # Churn last, on a server started afresh for it, so its RSS figures start from an unused process.
    if wants churn && [[ $kind == raw || $kind == switchyard ]]; then
      if [[ " $scenarios " != " churn " ]]; then
        stop_server
        start_server "$kind" || { notes+=("$kind: the server did not restart for churn in round $round"); continue; }
      fi
      run "$dir/churn.rows" "$name" churn --kind "$client_kind" "${churn_args[@]}" --connect-concurrency 100
    fi
    stop_server
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
elapsed=$((SECONDS - started_seconds))

# ---- the results file -----------------------------------------------------------------------------------------------
table() { # scenario rows-file-name...: the medians over the rounds
  local scenario="$1"; shift
  client header "$scenario"
  local name files=() r
  for name in "$@"; do
    files=()
    for r in $(seq 1 "$rounds"); do [[ -f "$work/round-$r/$name" ]] && files+=("$work/round-$r/$name"); done
    [[ ${#files[@]} -gt 0 ]] && client median "$scenario" "${files[@]}"
  done
  echo
}

round_tables() { # scenario rows-file-name...: every round's rows, for the appendix
  local scenario="$1"; shift
  local r name
  for r in $(seq 1 "$rounds"); do
    echo "Round $r:"
    echo
    client header "$scenario"
    for name in "$@"; do [[ -f "$work/round-$r/$name" ]] && cat "$work/round-$r/$name"; done
    echo
  done
}

fanout_files=()
for n in "${fanout_subscribers[@]}"; do fanout_files+=("fanout-$n.rows"); done
relay_files=()
for size in "${relay_sizes[@]}"; do relay_files+=("relay-$size.rows"); done
args_text() { printf '%s ' "$@" | sed 's/ $//'; }

mkdir -p "$(dirname "$out")"
{
  echo "# WebSocket load benchmark ($mode run)"
  echo
  echo "Generated by \`bench/load/run.sh$([[ $quick == 1 ]] && echo ' --quick') --rounds $rounds\` on $started ($((elapsed / 60)) min $((elapsed % 60)) s); servers: ${kinds[*]}."
  echo "**Each figure is the median of $rounds round(s)**; lost, duplicates, reordered, closed by server and errors are"
  echo "the worst round's (they must hold in every round)."
  echo "A round starts every server afresh, one at a time, in this order; the rounds ran one after another. The rows of"
  echo "each round are at the end of this file."
  echo "Every server ran pinned to CPU 0 and the client to CPU 1 (\`taskset\`)$(
    [[ $nice_level != 0 ]] && echo ", both at nice $nice_level")$(
    [[ " ${kinds[*]} " == *" switchyard-redis "* ]] && echo "; the Redis rows' redis-server ran on CPU 0 too, with the server")."
  echo "Switchyard runs on shipped defaults (\`AddSwitchyard()\`, no tuned layer capacity or send queue)$(
    [[ " ${kinds[*]} " == *" switchyard-tuned "* ]] && echo ', except the rows marked tuned')."
  cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "Machine: $(getconf _NPROCESSORS_ONLN) CPUs ($cpu_model), $(uname -sr), .NET SDK $(dotnet --version)$(
    command -v redis-server >/dev/null && echo ", $(redis-server --version | cut -d' ' -f1-3)")."
  echo "Load average (1, 5, 15 min) before the run: $load_before; after: $load_after (other work on the machine"
  echo "shares both CPUs with the server and the client, so figures move from run to run)."
  echo "CPU % is CPU time over wall time of the measured phase (100 % = one core); server CPU is utime + stime"
  echo "from /proc/<pid>/stat. See bench/README.md, \"Load benchmark\", for what each column means."
  for note in "${notes[@]}"; do echo; echo "Note: $note."; done
  echo
  if wants echo; then
    echo "## echo ($(args_text "${echo_args[@]}"))"
    echo
    table echo echo.rows
  fi
  if wants fanout; then
    echo "## fanout ($(args_text "${fanout_args[@]}"), one warm-up burst first)"
    echo
    table fanout "${fanout_files[@]}"
  fi
  if wants relay; then
    echo "## relay (bursts of $(args_text "${relay_sizes[@]}" | sed 's/ /, /g') (messages × members), $(args_text "${relay_args[@]}"), one warm-up burst first)"
    echo
    echo "Every member connects to the group route; the first member bursts the messages and the server sends each to"
    echo "every member, the sender included. Raw shape: text frames relayed as they are; JSON shape: \`bench.tick\` messages."
    echo
    table relay "${relay_files[@]}"
  fi
  if wants paced; then
    echo "## paced ($(args_text "${paced_args[@]}"))"
    echo
    table paced paced.rows
  fi
  if wants idle; then
    echo "## idle ($idle_connections connections)"
    echo
    table idle idle.rows
  fi
  if wants churn; then
    echo "## churn ($(args_text "${churn_args[@]}"))"
    echo
    echo "Each cycle opens the connections (idle), then starts every close handshake at once, while another connection"
    echo "times \`GET /stats?gc=false\` every 10 ms (timed from when each request was due). p50/p99/max: the requests due from"
    echo "the first close until 0.5 s after the server counted every connection closed. RSS after close: 3 s later."
    echo
    table churn churn.rows
  fi
  echo "## Every round"
  echo
  echo "<details><summary>The rows each round gave (the tables above are their medians)</summary>"
  echo
  if wants echo; then echo "### echo"; echo; round_tables echo echo.rows; fi
  if wants fanout; then echo "### fanout"; echo; round_tables fanout "${fanout_files[@]}"; fi
  if wants relay; then echo "### relay"; echo; round_tables relay "${relay_files[@]}"; fi
  if wants paced; then echo "### paced"; echo; round_tables paced paced.rows; fi
  if wants idle; then echo "### idle"; echo; round_tables idle idle.rows; fi
  if wants churn; then echo "### churn"; echo; round_tables churn churn.rows; fi
  echo "</details>"
} > "$out"

echo
cat "$out"
echo "results: $out ($((elapsed / 60)) min $((elapsed % 60)) s)"
