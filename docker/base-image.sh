#!/usr/bin/env bash
# Builds the image Sinkron's Dockerfile can use as BASE_IMAGE where no registry is reachable: a
# minimal Debian 12 (bookworm) made with debootstrap from the Debian mirror apt already uses, plus
# a Java 25 runtime jlink'd from a local JDK, imported into the local Docker daemon.
#
#   docker/base-image.sh               # builds sinkron-base:local unless it is already up to date
#   docker/base-image.sh --force       # builds it again anyway
#   docker build -f docker/Dockerfile --build-arg BASE_IMAGE=sinkron-base:local \
#       --build-arg MODULE=consensus-node -t sinkron/consensus-node .
#
# Needs root (debootstrap), debootstrap, a running Docker daemon and a JDK 25 with jlink.
# Environment:
#   SINKRON_BASE_IMAGE  the tag to build (default sinkron-base:local)
#   JDK                 the JDK to jlink from (default $JAVA_HOME, else /usr/lib/jvm/temurin-25-jdk-amd64)
#   DEBIAN_MIRROR       the Debian archive (default: the one /etc/apt/sources.list* names for bookworm,
#                       else http://deb.debian.org/debian)
#
# The image is labelled with a digest of its recipe (this script, the JDK's release file, the
# suite, the mirror and the runtime's modules); an existing image with the same digest is kept, so
# a second run costs a second. A changed JDK or script rebuilds it.
set -euo pipefail

readonly SUITE=bookworm
# What the Sinkron jars need (jdeps --print-module-deps over each jar and its libraries; checked by
# deploy-tests' BaseImageScriptTest), plus the modules only found at run time through services:
# extra charsets, DNS lookups through JNDI, zip file systems.
readonly MODULES=java.base,java.compiler,java.desktop,java.instrument,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.security.jgss,java.sql,jdk.jfr,jdk.management,jdk.unsupported,jdk.charsets,jdk.naming.dns,jdk.zipfs
readonly RECIPE_LABEL=io.sinkron.base-image.recipe

tag=${SINKRON_BASE_IMAGE:-sinkron-base:local}
jdk=${JDK:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}}
force=false

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

for arg in "$@"; do
    case $arg in
        --force) force=true ;;
        -h | --help) usage; exit 0 ;;
        *) echo "base-image.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

fail() {
    echo "base-image.sh: $*" >&2
    exit 1
}

# The first archive apt is configured with for the suite, in either sources format: one-line
# "deb [options] URI SUITE COMPONENTS" (sources.list, *.list) or deb822 stanzas (*.sources).
configured_mirror() {
    local file
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -r $file ]] || continue
        awk -v suite="$SUITE" '
            $1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                if ($(i + 1) == suite) { print $i; exit }
            }' "$file"
    done
    for file in /etc/apt/sources.list.d/*.sources; do
        [[ -r $file ]] || continue
        awk -v suite="$SUITE" '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "") {
                    split(uris, u, " "); print u[1]; found = 1
                }
                types = ""; suites = ""; uris = ""
            }
            /^[ \t]*$/ { flush(); if (found) exit; next }
            /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
            /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
            /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
            END { if (!found) flush() }' "$file"
    done
}

mirror=${DEBIAN_MIRROR:-$(configured_mirror | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}

[[ -x $jdk/bin/jlink ]] || fail "no jlink in $jdk; set JDK to a JDK 25"
"$jdk/bin/java" -version 2>&1 | grep -q '"25' || fail "$jdk is not a JDK 25"
command -v docker >/dev/null || fail "docker is not installed (apt-get install docker.io)"
docker info >/dev/null 2>&1 || fail "no Docker daemon answers (start dockerd)"

recipe=$(
    {
        cat "$0"
        cat "$jdk/release"
        echo "$SUITE $mirror $MODULES"
    } | sha256sum | cut -c1-16
)

existing=$(docker image inspect --format "{{ index .Config.Labels \"$RECIPE_LABEL\" }}" "$tag" 2>/dev/null || true)
if [[ $existing == "$recipe" && $force == false ]]; then
    echo "base-image.sh: $tag is up to date (recipe $recipe); --force builds it again"
    exit 0
fi
[[ -n $existing ]] && echo "base-image.sh: $tag exists with recipe ${existing:-none}, rebuilding as $recipe"

((EUID == 0)) || fail "debootstrap needs root; run as root (or with sudo)"
command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install debootstrap)"

started=$SECONDS
work=$(mktemp -d /var/tmp/sinkron-base.XXXXXX)
cleanup() {
    # debootstrap mounts /proc and /sys inside the target; a failure can leave them mounted, and
    # rm must never descend into them.
    local mount
    for mount in $(awk -v dir="$work/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount -l "$mount" || true
    done
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT

rootfs=$work/rootfs
echo "base-image.sh: debootstrap $SUITE (minbase) from $mirror"
# minbase: essential and required packages only (bash, coreutils, passwd for useradd), no apt
# recommends, no init system; a container needs nothing more to run a JVM.
if ! debootstrap --variant=minbase --arch=amd64 "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    fail "debootstrap failed (the last lines of its log are above)"
fi
bootstrapped=$SECONDS

# Nothing in the image installs packages: the package lists and caches, documentation and man
# pages are dead weight.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*

echo "base-image.sh: jlink a Java runtime from $jdk"
# A class-data-sharing archive makes every JVM start faster; stripped debug data and no headers or
# man pages make the runtime a third of the JDK.
"$jdk/bin/jlink" --add-modules "$MODULES" --output "$rootfs/opt/java" \
    --strip-debug --no-header-files --no-man-pages --compress=zip-6 --generate-cds-archive
linked=$SECONDS

echo "base-image.sh: importing $tag"
tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change "ENV JAVA_HOME=/opt/java" \
    --change "ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV LANG=C.UTF-8" \
    --change "LABEL $RECIPE_LABEL=$recipe" \
    --change "LABEL org.opencontainers.image.description=\"Debian $SUITE (debootstrap minbase) with a jlink'd Java $("$jdk/bin/java" -version 2>&1 | awk -F'"' 'NR == 1 { print $2 }') runtime\"" \
    --change 'CMD ["/bin/bash"]' \
    --message "sinkron base image, recipe $recipe" \
    - "$tag" >/dev/null

docker run --rm "$tag" java -version >"$work/java-version" 2>&1 || {
    cat "$work/java-version" >&2
    fail "the imported image cannot run java"
}
size=$(docker image inspect --format '{{ .Size }}' "$tag")
echo "base-image.sh: built $tag ($((size / 1024 / 1024)) MiB, recipe $recipe) in $((SECONDS - started)) s:" \
    "debootstrap $((bootstrapped - started)) s, jlink $((linked - bootstrapped)) s, import $((SECONDS - linked)) s"
