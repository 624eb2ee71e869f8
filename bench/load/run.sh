#!/usr/bin/env bash
# The WebSocket load benchmark: every server kind, every scenario, one run, one results file.
#
#   bench/load/run.sh                 full run, writes bench/results/load.md
#   bench/load/run.sh --quick         smoke run with small counts, writes a temporary file and prints it
#   options: --out FILE (results file), --kinds "raw signalr switchyard" (which servers; default: all present),
#            --scenarios "idle echo fanout paced" (which scenarios; default: all),
#            --nice (run server and client at nice -10, so other work on a shared machine takes less of their CPUs)
#
# Each server runs pinned to CPU 0 (taskset -c 0) on a free loopback port; the client runs pinned to CPU 1 and reads
# the server's CPU time and RSS from /proc/<pid>. See bench/README.md, "Load benchmark".
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

quick=0
nice_level=0
out=""
kinds_wanted="raw signalr switchyard"
scenarios="idle echo fanout paced"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --out) out="$2"; shift ;;
    --kinds) kinds_wanted="$2"; shift ;;
    --scenarios) scenarios="$2"; shift ;;
    --nice) nice_level=-10 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ $quick == 1 ]]; then
  echo_args=(--connections 20 --size 64 --seconds 3 --warmup 1)
  fanout_subscribers=(50 200)
  fanout_args=(--messages 500)
  paced_args=(--subscribers 50 --rate 50 --seconds 3 --warmup 1)
  idle_connections=500
  mode="quick"
else
  echo_args=(--connections 50 --size 64 --seconds 10 --warmup 2)
  fanout_subscribers=(100 1000)
  fanout_args=(--messages 2000)
  paced_args=(--subscribers 100 --rate 50 --seconds 10 --warmup 1)
  idle_connections=5000
  mode="full"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-load.XXXXXX")"
if [[ -z "$out" ]]; then
  if [[ $quick == 1 ]]; then out="$work/load.md"; else out="$root/bench/results/load.md"; fi
fi
echo "load benchmark ($mode); work files in $work"

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

# ---- build (Release, once) ------------------------------------------------------------------------------------------
declare -A project=(
  [raw]="bench/Switchyard.LoadBench.Servers.Raw/Switchyard.LoadBench.Servers.Raw.csproj"
  [signalr]="bench/Switchyard.LoadBench.Servers.SignalR/Switchyard.LoadBench.Servers.SignalR.csproj"
  [switchyard]="bench/Switchyard.LoadBench.Servers.Switchyard/Switchyard.LoadBench.Servers.Switchyard.csproj"
)
client_project="bench/Switchyard.LoadBench/Switchyard.LoadBench.csproj"

target_path() { dotnet msbuild "$1" -nologo -getProperty:TargetPath -p:Configuration=Release; }

notes=()
echo "building $client_project"
dotnet build -c Release -nologo -v quiet "$client_project" > "$work/build-client.log" 2>&1 \
  || { cat "$work/build-client.log"; echo "client build failed" >&2; exit 1; }
client_dll="$(target_path "$client_project")"

kinds=()
declare -A server_dll=()
for kind in raw signalr switchyard; do
  [[ " $kinds_wanted " == *" $kind "* ]] || continue
  proj="${project[$kind]}"
  if [[ ! -f "$proj" ]]; then
    note="$kind: skipped, $(dirname "$proj") does not exist yet"
    echo "note: $note"; notes+=("$note"); continue
  fi
  echo "building $proj"
  if ! dotnet build -c Release -nologo -v quiet "$proj" > "$work/build-$kind.log" 2>&1; then
    tail -20 "$work/build-$kind.log"
    note="$kind: skipped, the server does not build (log: $work/build-$kind.log)"
    echo "note: $note"; notes+=("$note"); continue
  fi
  server_dll[$kind]="$(target_path "$proj")"
  kinds+=("$kind")
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

server_pid=""
stop_server() {
  [[ -n "$server_pid" ]] || return 0
  kill "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap stop_server EXIT

start_server() { # kind -> sets server_pid, port
  local kind="$1"
  port="$(free_port)"
  "${prio[@]}" taskset -c 0 dotnet "${server_dll[$kind]}" --urls "http://127.0.0.1:$port" > "$work/server-$kind.log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 60))
  until curl -sf --max-time 2 "http://127.0.0.1:$port/stats" > /dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null || [[ $SECONDS -ge $deadline ]]; then
      echo "the $kind server did not answer /stats; its log:" >&2
      tail -20 "$work/server-$kind.log" >&2
      stop_server
      return 1
    fi
    sleep 0.2
  done
  echo "== $kind server: pid $server_pid, port $port (CPU 0)"
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

# ---- the run --------------------------------------------------------------------------------------------------------
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
for kind in "${kinds[@]}"; do
  if ! start_server "$kind"; then
    notes+=("$kind: the server did not start"); continue
  fi
  # Idle first, on a fresh server, so its heap and RSS are not inflated by the traffic of the other scenarios.
  wants() { [[ " $scenarios " == *" $1 "* ]]; }
  if wants idle; then run "$work/idle.rows" "$kind" idle --kind "$kind" --connections "$idle_connections" --connect-concurrency 100; fi
  if wants echo; then run "$work/echo.rows" "$kind" echo --kind "$kind" "${echo_args[@]}"; fi
  if wants fanout; then
    for n in "${fanout_subscribers[@]}"; do
      run "$work/fanout-$n.rows" "$kind" fanout --kind "$kind" --subscribers "$n" "${fanout_args[@]}"
      if [[ $kind == switchyard ]]; then
        run "$work/fanout-$n.rows" "switchyard (batched)" fanout --kind "$kind" --batch --subscribers "$n" "${fanout_args[@]}"
      fi
    done
  fi
  if wants paced; then run "$work/paced.rows" "$kind" paced --kind "$kind" "${paced_args[@]}"; fi
  stop_server
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the results file -----------------------------------------------------------------------------------------------
table() { # scenario rows-file...
  local scenario="$1"; shift
  client header "$scenario"
  local f
  for f in "$@"; do [[ -f "$f" ]] && cat "$f"; done
  echo
}

mkdir -p "$(dirname "$out")"
{
  echo "# WebSocket load benchmark ($mode run)"
  echo
  echo "Generated by \`bench/load/run.sh$([[ $quick == 1 ]] && echo ' --quick')\` on $started; servers: ${kinds[*]}."
  echo "Every server ran pinned to CPU 0 and the client to CPU 1 (\`taskset\`), one server at a time, in this order$(
    [[ $nice_level != 0 ]] && echo ", both at nice $nice_level")."
  cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "Machine: $(getconf _NPROCESSORS_ONLN) CPUs ($cpu_model), $(uname -sr), .NET SDK $(dotnet --version)."
  echo "Load average (1, 5, 15 min) before the run: $load_before; after: $load_after (other work on the machine"
  echo "shares both CPUs with the server and the client, so figures move from run to run)."
  echo "CPU % is CPU time over wall time of the measured phase (100 % = one core); server CPU is utime + stime"
  echo "from /proc/<pid>/stat. See bench/README.md, \"Load benchmark\", for what each column means."
  for note in "${notes[@]}"; do echo; echo "Note: $note."; done
  echo
  echo "## echo ($(printf '%s ' "${echo_args[@]}"| sed 's/ $//'))"
  echo
  table echo "$work/echo.rows"
  echo "## fanout ($(printf '%s ' "${fanout_args[@]}"| sed 's/ $//'), one warm-up burst first)"
  echo
  fanout_files=()
  for n in "${fanout_subscribers[@]}"; do fanout_files+=("$work/fanout-$n.rows"); done
  table fanout "${fanout_files[@]}"
  echo "## paced ($(printf '%s ' "${paced_args[@]}"| sed 's/ $//'))"
  echo
  table paced "$work/paced.rows"
  echo "## idle ($idle_connections connections)"
  echo
  table idle "$work/idle.rows"
} > "$out"

echo
cat "$out"
echo "results: $out"
