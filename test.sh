#!/usr/bin/env bash
# Runs every Switchyard test on a fresh machine: builds the whole solution (warnings are errors) and the TypeScript
# client, type-checks the samples' page code (Samples/web), runs all test projects, the client's vitest suite and the
# check that the samples' page bundles are current, and prints one summary line taken from the test
# results (TRX and JUnit XML): "tests: N passed, N failed".
# It installs and starts what the tests need and stops it again on exit.
set -uo pipefail
cd "$(dirname "$0")"

results="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-tests.XXXXXX")"
cleanup() {
  # redis-server processes the tests started and did not stop (a crashed test run) are stopped here.
  for pidfile in "$results"/redis-pids/*; do
    [ -e "$pidfile" ] && kill "$(basename "$pidfile")" 2>/dev/null
  done
  rm -rf "$results"
}
trap cleanup EXIT

# The value of attribute $2 in the first <$1 ...> tag of file $3 (empty when absent).
xml_attr() {
  grep -o "<$1 [^>]*" "$3" | head -n 1 | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]*'
}

summary() {
  local passed=0 failed=0 p f junit t e s
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    p=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*')
    f=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
  done
  # JUnit XML (the TypeScript client's vitest run): passed = tests - failures - errors - skipped.
  for junit in "$results"/*.xml; do
    [ -e "$junit" ] || continue
    t=$(xml_attr testsuites tests "$junit")
    f=$(xml_attr testsuites failures "$junit")
    e=$(xml_attr testsuites errors "$junit")
    s=$(xml_attr testsuites skipped "$junit")
    if [ -z "$s" ]; then
      # vitest writes skipped only on each <testsuite>: add those up.
      s=$(grep -o '<testsuite [^>]*' "$junit" | grep -o ' skipped="[0-9]*"' | grep -o '[0-9]*' | awk '{n += $1} END {print n + 0}')
    fi
    passed=$((passed + ${t:-0} - ${f:-0} - ${e:-0} - ${s:-0}))
    failed=$((failed + ${f:-0} + ${e:-0}))
  done
  if [ "$failed" -gt 0 ]; then failures; fi
  echo "tests: $passed passed, $failed failed"
}

# Names every failed test and the first line of its message, so the tail of a CI log says what failed.
failures() {
  echo "failed tests:"
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    python3 - "$trx" <<'PY' 2>/dev/null || grep -o 'testName="[^"]*" [^>]*outcome="Failed"' "$trx" | sed 's/^/  /'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
root = ET.parse(sys.argv[1]).getroot()
for r in root.iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
    msg = r.find(".//t:ErrorInfo/t:Message", ns)
    first = (msg.text or "").strip().splitlines()[0][:300] if msg is not None and msg.text else ""
    print(f"  {r.get('testName')}: {first}")
PY
  done
  for junit in "$results"/*.xml; do
    [ -e "$junit" ] || continue
    python3 - "$junit" <<'PY' 2>/dev/null || grep -o '<failure message="[^"]*' "$junit" | sed 's/^/  /'
import sys, xml.etree.ElementTree as ET
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    for failure in list(case.iter("failure")) + list(case.iter("error")):
        print(f"  {case.get('classname')} > {case.get('name')}: {(failure.get('message') or '')[:300]}")
PY
  done
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK (dotnet) is not on PATH; install the SDK named in global.json." >&2
  echo "tests: 0 passed, 0 failed"
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export SWITCHYARD_REDIS_PIDS="$results/redis-pids"
mkdir -p "$SWITCHYARD_REDIS_PIDS"

# The Redis layer's tests start private redis-server processes on free loopback ports (and stop them); the server
# binary must be installed. Debian's package is the one ENVIRONMENT.md names.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server for the Redis layer's tests"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq redis-server >/dev/null; }; then
    echo "test.sh: could not install redis-server; the Redis tests will fail saying so." >&2
  fi
fi

# The Redis TLS fixture makes its throwaway CA and certificates with openssl (the Redis Cluster fixture uses redis-cli,
# which Debian's redis-server package brings along through redis-tools).
if ! command -v openssl >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "test.sh: installing openssl and redis-tools for the Redis TLS and cluster fixtures"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq openssl redis-tools >/dev/null; }; then
    echo "test.sh: could not install openssl or redis-tools; the Redis TLS and cluster tests will fail saying so." >&2
  fi
fi

# The live-blog sample's Native AOT smoke test publishes it (net10.0, linux-x64), which needs clang and zlib headers.
if ! command -v clang >/dev/null 2>&1 || [ ! -e /usr/include/zlib.h ]; then
  echo "test.sh: installing clang and zlib1g-dev for the Native AOT publish test"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq clang zlib1g-dev >/dev/null; }; then
    echo "test.sh: could not install clang; the Native AOT test will fail saying so." >&2
  fi
fi

# The live-blog sample's PostgreSQL test starts a private cluster with Debian's postgresql.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "test.sh: installing postgresql for the live-blog PostgreSQL test"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null; }; then
    echo "test.sh: could not install postgresql; the PostgreSQL test will fail saying so." >&2
  fi
fi

# The live-blog and TypeScript-client browser tests drive Debian's headless chromium (Playwright with an explicit
# executable; no download).
if ! command -v chromium >/dev/null 2>&1; then
  echo "test.sh: installing chromium for the browser tests"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null; }; then
    echo "test.sh: could not install chromium; the browser test will fail saying so." >&2
  fi
fi

# The TypeScript client (Clients/typescript) builds and tests with Node.js 20+ and npm.
if ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: installing nodejs and npm for the TypeScript client"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs npm >/dev/null; }; then
    echo "test.sh: could not install nodejs and npm; the TypeScript client's build will fail saying so." >&2
  fi
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "test.sh: the TypeScript client needs Node.js 20 or later; node is $(node --version 2>/dev/null || echo missing)." >&2
fi
if ! (cd Clients/typescript && npm ci --no-audit --no-fund && npm run build && npm run typecheck); then
  echo "test.sh: the TypeScript client's build or type check failed; no test ran." >&2
  echo "tests: 0 passed, 0 failed"
  exit 1
fi

# The samples' page code (Samples/web: the chat's and the live blog's TypeScript, with the client above) type-checks
# against the generated modules Samples/*/Client/switchyard.generated.ts.
if ! (cd Samples/web && npm ci --no-audit --no-fund && npm run check); then
  echo "test.sh: the sample pages' type check (Samples/web) failed; no test ran." >&2
  echo "tests: 0 passed, 0 failed"
  exit 1
fi

if ! dotnet build Switchyard.slnx -c Release; then
  echo "test.sh: the build failed (warnings are errors); no test ran." >&2
  echo "tests: 0 passed, 0 failed"
  exit 1
fi

dotnet test Switchyard.slnx -c Release --no-build \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 5m
status=$?

# The TypeScript client's tests (vitest against a real ws server), as JUnit XML for the summary.
if ! (cd Clients/typescript && VITEST_JUNIT="$results/vitest.xml" npm run test:ci); then
  status=1
fi

# The samples' checked-in page bundles (Samples/Chat/chat.js, Samples/LiveBlog/Pages/blog.js) are those npm run build
# makes now, as JUnit XML for the summary.
if ! (cd Samples/web && VITEST_JUNIT="$results/samples-web.xml" npm run test:ci); then
  status=1
fi

summary
exit $status
