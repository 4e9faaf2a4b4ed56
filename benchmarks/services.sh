#!/usr/bin/env bash
# Runs the REST services benchmark of issues 4, 5, 6 and 8 and writes
# benchmarks/target/results-services/results.md and its PNG plots: the trivial Spring MVC endpoint
# alone, then 3 consensus nodes with lock-, queue- and 3 cache-service instances, then etcd
# (3 members) through its JSON gateway, then one redis-server with no replica and nothing on disk
# (--save "" --appendonly no: the non-replicated in-memory upper bound of the cache's GET and PUT,
# driven over RESP, one command in flight per connection), one after the other on 127.0.0.1 with
# fresh data directories, plus the calibration of the load generator against wrk (HTTP) and
# redis-benchmark (RESP). About 20 minutes with the defaults; --parts=calibration runs only the
# calibration (about 4 minutes). Extra arguments go to io.sinkron.bench.ServicesRun, e.g.
#   benchmarks/services.sh --levels=1,16,64 --warmup-seconds=5 --measure-seconds=10 \
#     --open-fractions=0.5,0.8 --resident-messages=1000000 --parts=trivial,sinkron,etcd,redis
# Needs JDK 25, Debian's etcd-server, redis-server, redis-tools (redis-benchmark) and wrk;
# installs them through apt when run as root.
# SKIP_BUILD=1 uses the jars already built; MVN_FLAGS (e.g. -o) go to the Maven build.
set -euo pipefail

cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "services.sh: $* missing and not root; install it with apt-get install -y $*" >&2
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v etcd >/dev/null || apt_install etcd-server
command -v wrk >/dev/null || apt_install wrk
command -v redis-server >/dev/null || apt_install redis-server
command -v redis-benchmark >/dev/null || apt_install redis-tools

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  # shellcheck disable=SC2086
  ./mvnw -B -q ${MVN_FLAGS:-} package -DskipTests
fi

out=benchmarks/target/results-services
rm -rf "$out"
mkdir -p "$out"

exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
  io.sinkron.bench.ServicesRun \
  --bin=. \
  --etcd="$(command -v etcd)" \
  --wrk="$(command -v wrk)" \
  --redis="$(command -v redis-server)" \
  --redis-benchmark="$(command -v redis-benchmark)" \
  --out="$out" \
  --revision="$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')" \
  "$@"
