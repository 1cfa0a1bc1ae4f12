#!/usr/bin/env bash
# Builds every image Berth's docker-compose.yml runs, from OS packages, with no container registry:
#   berth/debian:bookworm   debootstrap --variant=minbase from the apt mirror this host uses, `docker import`ed
#   berth/postgres:15       Debian's postgresql-15          (tools/images/airgap/postgres)
#   berth/nats:2.9          Debian's nats-server, JetStream (tools/images/airgap/nats)
#   berth/node:20           the base plus this host's Node.js (Debian has only 18) (tools/images/airgap/node)
#   berth/berth:<version>   the services, from the root Dockerfile (npm ci needs the npm registry); also :latest
# Re-runs are fast: the root filesystem tarball is cached, and Docker's layer cache does the rest.
#
# Usage: bash tools/images/airgap/build.sh [--refresh] [--base-only] [--verbose]
#   --refresh    rebuild the Debian root filesystem (newer packages) instead of using the cached one
#   --base-only  stop after berth/node:20 (skip the app image)
#   --verbose    stream the docker build output (by default it goes to a log file, shown on failure)
# Env: BERTH_AIRGAP_CACHE (/var/cache/berth-airgap), NODE_BIN (node on PATH, >= 20.19),
#      MIRROR, SECURITY_MIRROR (default: apt's own), DOCKER (docker), NPM_CONFIG_REGISTRY (npm's own),
#      HTTP_PROXY, HTTPS_PROXY, NO_PROXY (passed to the builds when set), NODE_EXTRA_CA_CERTS or
#      npm's cafile (the certificates among them that Node does not ship are trusted by npm ci)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
DOCKER="${DOCKER:-docker}"
CACHE="${BERTH_AIRGAP_CACHE:-/var/cache/berth-airgap}"
SUITE=bookworm
NODE_MIN=20.19.0

REFRESH=0
BASE_ONLY=0
VERBOSE=0
for arg in "$@"; do
  case "$arg" in
    --refresh) REFRESH=1 ;;
    --base-only) BASE_ONLY=1 ;;
    --verbose | -v) VERBOSE=1 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build: unknown argument '$arg' (--refresh, --base-only, --verbose)" >&2; exit 2 ;;
  esac
done

log() { echo "airgap: $*"; }
die() { echo "airgap: $*" >&2; exit 1; }
seconds() { echo $((SECONDS - $1)); }
START=$SECONDS

as_root_install() { # $1 = Debian package
  [ "$(id -u)" = 0 ] || die "$1 is missing; install it (apt-get install -y $1) or run this as root"
  log "installing $1"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

# --- prerequisites: Docker engine, the host's Node.js ---------------------------------------------
command -v "$DOCKER" >/dev/null 2>&1 || as_root_install docker.io
if ! "$DOCKER" info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "the Docker engine is not reachable (start it, or run as root)"
  log "starting dockerd"
  if [ -d /run/systemd/system ]; then systemctl start docker; else nohup dockerd >/var/log/dockerd.log 2>&1 & fi
  for _ in $(seq 1 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 1; done
  "$DOCKER" info >/dev/null 2>&1 || die "dockerd did not start (see /var/log/dockerd.log)"
fi
# Only the legacy builder is sure to be here (no buildx); it also never pulls a local FROM image.
export DOCKER_BUILDKIT=0

NODE_BIN="$(readlink -f "${NODE_BIN:-$(command -v node || true)}")"
[ -x "$NODE_BIN" ] || die "no Node.js on this host: install Node.js >= $NODE_MIN (NodeSource .deb) or set NODE_BIN"
NODE_VERSION="$("$NODE_BIN" -p process.versions.node)"
[ "$(printf '%s\n%s\n' "$NODE_MIN" "$NODE_VERSION" | sort -V | head -n1)" = "$NODE_MIN" ] ||
  die "$NODE_BIN is Node.js $NODE_VERSION; Berth needs >= $NODE_MIN (Debian's nodejs 18 is too old)"
NODE_PREFIX="$(dirname "$(dirname "$NODE_BIN")")"
[ -f "$NODE_PREFIX/lib/node_modules/npm/bin/npm-cli.js" ] || die "no npm next to $NODE_BIN (expected $NODE_PREFIX/lib/node_modules/npm)"

mkdir -p "$CACHE/logs"
# One build at a time per cache (a second run waits, then finds everything up to date).
exec 9>"$CACHE/.lock"
flock 9
WORK="$(mktemp -d "${TMPDIR:-/tmp}/berth-airgap.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

build_args=()
for var in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  [ -z "${!var:-}" ] || build_args+=(--build-arg "$var=${!var}")
done

docker_build() { # $1 = image tag (log name), rest = docker build arguments
  local tag="$1" logfile started=$SECONDS
  shift
  logfile="$CACHE/logs/${tag//[\/:]/_}.log"
  log "building $tag"
  if [ "$VERBOSE" = 1 ]; then
    "$DOCKER" build --force-rm "${build_args[@]}" "$@" 2>&1 | tee "$logfile" || die "docker build of $tag failed (log: $logfile)"
  elif ! "$DOCKER" build --force-rm "${build_args[@]}" "$@" >"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2
    die "docker build of $tag failed (full log: $logfile)"
  fi
  log "built $tag in $(seconds "$started")s"
}

# --- berth/debian:bookworm ---------------------------------------------------------------------------
ARCH="$(dpkg --print-architecture)"
# The tarball's name says what made it: the script, the suite, the architecture and the mirrors asked for.
KEY="$(printf '%s|%s|%s|%s\n' "$SUITE" "$ARCH" "${MIRROR:-}" "${SECURITY_MIRROR:-}" | cat - "$HERE/rootfs.sh" | sha256sum | cut -c1-12)"
TARBALL="$CACHE/debian-$SUITE-$ARCH-$KEY.tar"
if [ "$REFRESH" = 1 ] || [ ! -s "$TARBALL" ]; then
  [ "$(id -u)" = 0 ] || die "building the Debian root filesystem needs root (debootstrap)"
  started=$SECONDS
  rm -f "$CACHE/debian-$SUITE-$ARCH-"*.tar
  bash "$HERE/rootfs.sh" "$TARBALL"
  log "root filesystem in $(seconds "$started")s"
else
  log "root filesystem cached: $TARBALL"
fi

# A new import is a new image ID, which would invalidate every build on top: import only on change.
ROOTFS_ID="$(stat -c '%s-%Y' "$TARBALL")-$KEY"
current="$("$DOCKER" image inspect --format '{{index .Config.Labels "berth.rootfs"}}' berth/debian:$SUITE 2>/dev/null || true)"
if [ "$current" = "$ROOTFS_ID" ]; then
  log "berth/debian:$SUITE up to date"
else
  log "importing berth/debian:$SUITE"
  "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' \
    --change "LABEL berth.rootfs=\"$ROOTFS_ID\" org.opencontainers.image.title=\"berth/debian\" org.opencontainers.image.description=\"Debian $SUITE (debootstrap minbase)\"" \
    --message "debootstrap --variant=minbase $SUITE" \
    "$TARBALL" "berth/debian:$SUITE" >/dev/null
fi

# --- berth/node:20, berth/postgres:15, berth/nats:2.9 ---------------------------------------------------
NODE_CTX="$WORK/node"
mkdir -p "$NODE_CTX/node/bin" "$NODE_CTX/node/lib/node_modules"
cp "$HERE/node/Dockerfile" "$NODE_CTX/"
cp "$NODE_BIN" "$NODE_CTX/node/bin/node"
for module in npm corepack; do
  [ ! -d "$NODE_PREFIX/lib/node_modules/$module" ] || cp -a "$NODE_PREFIX/lib/node_modules/$module" "$NODE_CTX/node/lib/node_modules/"
done
rm -rf "$NODE_CTX/node/lib/node_modules/npm/docs" "$NODE_CTX/node/lib/node_modules/npm/man"
docker_build berth/node:20 -t berth/node:20 --build-arg "NODE_VERSION=$NODE_VERSION" "$NODE_CTX"
docker_build berth/postgres:15 -t berth/postgres:15 "$HERE/postgres"
docker_build berth/nats:2.9 -t berth/nats:2.9 "$HERE/nats"

# --- berth/berth:<version> --------------------------------------------------------------------------
images=("berth/debian:$SUITE" berth/node:20 berth/postgres:15 berth/nats:2.9)
if [ "$BASE_ONLY" = 0 ]; then
  VERSION="$("$NODE_BIN" -p "require('$REPO/package.json').version")"
  REVISION="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  registry="${NPM_CONFIG_REGISTRY:-$(command -v npm >/dev/null 2>&1 && npm config get registry 2>/dev/null || true)}"
  app_args=(-t "berth/berth:$VERSION" -t berth/berth:latest -f "$REPO/Dockerfile"
    --build-arg "BERTH_VERSION=$VERSION" --build-arg "BERTH_REVISION=$REVISION")
  [ -z "$registry" ] || app_args+=(--build-arg "NPM_CONFIG_REGISTRY=$registry")
  # A TLS-inspecting proxy's CA that the host trusts (NODE_EXTRA_CA_CERTS or npm's cafile) must be
  # trusted by npm ci too: pass the certificates Node does not already know.
  ca_file="${NODE_EXTRA_CA_CERTS:-$(command -v npm >/dev/null 2>&1 && npm config get cafile 2>/dev/null || true)}"
  if [ -r "$ca_file" ]; then
    extra_ca="$("$NODE_BIN" "$HERE/app/extra-ca.cjs" "$ca_file")"
    [ -z "$extra_ca" ] || app_args+=(--build-arg "NPM_EXTRA_CA=$extra_ca")
  fi
  docker_build "berth/berth:$VERSION" "${app_args[@]}" "$REPO"
  images+=("berth/berth:$VERSION")
fi

log "done in $(seconds "$START")s"
for image in "${images[@]}"; do
  size="$("$DOCKER" image inspect --format '{{.Size}}' "$image")"
  printf '  %-24s %4d MB\n' "$image" $((size / 1000000))
done
