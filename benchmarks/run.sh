#!/usr/bin/env bash
# Runs the whole performance benchmark of issue 2 section 7 and writes
# benchmarks/target/results/results.md: Sinkron and etcd (3 members each on 127.0.0.1, one after
# the other) at 1, 16 and 64 closed-loop clients, the load-generator calibration, and Sinkron
# leader failover. etcd is driven through a plain grpc-java stub of its KV.Put (EtcdTarget); the
# calibration compares it with etcd's own Go client (the native tool below) and with jetcd. Extra arguments go to io.sinkron.bench.BenchmarkRun, e.g.
#   benchmarks/run.sh --levels=1,64 --measure-seconds=30
# Needs JDK 25 and Debian's etcd-server; installs etcd-server, and Go with Debian's etcd client
# sources for the native calibration tool, through apt when run as root. SKIP_NATIVE=1 skips the
# native tool.
set -euo pipefail

cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: $* missing and not root; install it with apt-get install -y $*" >&2
    return 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v etcd >/dev/null || apt_install etcd-server

./mvnw -B -q package -DskipTests

native_args=()
if [ "${SKIP_NATIVE:-0}" != 1 ]; then
  clientv3=/usr/share/gocode/src/go.etcd.io/etcd/clientv3
  if ! command -v go >/dev/null || [ ! -d "$clientv3" ]; then
    apt_install golang-go golang-etcd-server-dev || true
  fi
  if command -v go >/dev/null && [ -d "$clientv3" ]; then
    # GOPATH mode: Debian ships etcd's client and its dependencies as sources under /usr/share/gocode.
    gopath="$PWD/benchmarks/target/gopath"
    tool="$PWD/benchmarks/target/etcd-put"
    mkdir -p "$gopath/src"
    rm -rf "$gopath/src/etcd-put"
    cp -r benchmarks/src/main/go/etcd-put "$gopath/src/"
    (cd "$gopath/src/etcd-put" && GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$gopath/cache" \
      go build -o "$tool" .)
    native_args=(--etcd-native="$tool")
  else
    echo "run.sh: no Go toolchain with etcd's client sources; skipping the native calibration" >&2
  fi
fi

exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar benchmarks/target/benchmarks.jar \
  --jar=consensus-node/target/consensus-node.jar \
  --etcd="$(command -v etcd)" \
  --out=benchmarks/target/results \
  --revision="$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')" \
  "${native_args[@]}" \
  "$@"
