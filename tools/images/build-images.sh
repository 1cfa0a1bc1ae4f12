#!/usr/bin/env bash
# Builds Berth's local test images FROM scratch around the static busybox binary:
# no registry, no network. Idempotent: a content hash (this script + busybox) is stored
# as a label, so a second run is a single `docker image inspect` unless --force is given.
#
# Usage: tools/images/build-images.sh [--force] [--quiet]
# Env:   BUSYBOX=/path/to/static/busybox (default /bin/busybox), DOCKER=docker
set -euo pipefail

FORCE=0
QUIET=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --quiet|-q) QUIET=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "build-images: unknown argument '$arg' (use --force, --quiet)" >&2; exit 2 ;;
  esac
done

DOCKER="${DOCKER:-docker}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
IMAGES=(berth/busybox:test berth/http:test berth/crash:test berth/slow-ready:test berth/memhog:test berth/pause:test)
ALIASES=(nginx:latest) # tags of berth/http:test
HASH_LABEL=berth.images.hash

log() { [ "$QUIET" = 1 ] || echo "build-images: $*"; }
die() { echo "build-images: $*" >&2; exit 1; }

[ -x "$BUSYBOX" ] || die "no busybox binary at $BUSYBOX (apt-get install -y busybox-static)"
if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" 2>&1 | grep -q '=>'; then
  die "$BUSYBOX is dynamically linked; a FROM scratch image needs busybox-static"
fi
"$DOCKER" info >/dev/null 2>&1 || die "docker engine not reachable (start dockerd)"

HASH="$(cat "$SELF" "$BUSYBOX" | sha256sum | cut -c1-16)"

up_to_date() {
  local labels
  labels="$("$DOCKER" image inspect --format "{{index .Config.Labels \"$HASH_LABEL\"}}" \
    "${IMAGES[@]}" "${ALIASES[@]}" 2>/dev/null)" || return 1
  [ -z "$(grep -vx "$HASH" <<<"$labels")" ]
}

if [ "$FORCE" = 0 ] && up_to_date; then
  log "images up to date ($HASH)"
  exit 0
fi

# Tests in several jest workers may call this at once: one builds, the others wait and re-check.
exec 9>"${TMPDIR:-/tmp}/berth-build-images.lock"
flock 9
if [ "$FORCE" = 0 ] && up_to_date; then
  log "images up to date ($HASH)"
  exit 0
fi

CTX="$(mktemp -d "${TMPDIR:-/tmp}/berth-images.XXXXXX")"
trap 'rm -rf "$CTX"' EXIT
ROOT="$CTX/rootfs"
mkdir -p "$ROOT/bin" "$ROOT/usr/local/bin" "$ROOT/www" "$ROOT/etc" "$ROOT/root" "$ROOT/tmp"
chmod 1777 "$ROOT/tmp"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$ROOT/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$ROOT/etc/group"

# One script serves both http images: slow-ready only differs by READY_AFTER.
cat >"$ROOT/usr/local/bin/berth-http" <<'EOF'
#!/bin/sh
# GET / -> the hostname (tells replicas apart); GET /healthz -> 200 "ok" once READY_AFTER seconds passed.
PORT="${PORT:-80}"
READY_AFTER="${READY_AFTER:-0}"
mkdir -p /www
hostname >/www/index.html
rm -f /www/healthz
if [ "$READY_AFTER" -gt 0 ] 2>/dev/null; then
  (sleep "$READY_AFTER" && echo ok >/www/healthz && echo "ready after ${READY_AFTER}s") &
else
  echo ok >/www/healthz
fi
echo "berth-http: $(hostname) listening on :$PORT (ready after ${READY_AFTER}s)"
httpd -f -v -p "$PORT" -h /www &
HTTPD=$!
# PID 1 gets no default SIGTERM action: exit at once so `docker stop` need not wait for SIGKILL.
trap 'kill $HTTPD 2>/dev/null; exit 0' TERM INT
wait $HTTPD
EOF

cat >"$ROOT/usr/local/bin/berth-crash" <<'EOF'
#!/bin/sh
# Runs CRASH_AFTER seconds, then exits with EXIT_CODE.
CRASH_AFTER="${CRASH_AFTER:-3}"
EXIT_CODE="${EXIT_CODE:-1}"
echo "berth-crash: exiting with code $EXIT_CODE in ${CRASH_AFTER}s"
trap 'exit 143' TERM INT
sleep "$CRASH_AFTER" &
wait $!
echo "berth-crash: exit $EXIT_CODE"
exit "$EXIT_CODE"
EOF

cat >"$ROOT/usr/local/bin/berth-memhog" <<'EOF'
#!/bin/sh
# Grows a shell string (in PID 1 itself, so the OOM killer picks PID 1) to MEMHOG_MB MiB, then holds it.
MEMHOG_MB="${MEMHOG_MB:-256}"
target=$((MEMHOG_MB * 1048576))
echo "berth-memhog: allocating ${MEMHOG_MB}MiB"
x=$(head -c 65536 /dev/zero | tr '\0' x)
while [ "${#x}" -lt "$target" ]; do
  x="$x$x"
done
echo "berth-memhog: holding ${#x} bytes"
trap 'exit 0' TERM INT
sleep 2147483647 &
wait $!
EOF
cat >"$ROOT/usr/local/bin/berth-pause" <<'EOF'
#!/bin/sh
# Holds a network namespace for the node-agent's sandbox pool: sleeps until SIGTERM, then exits 0.
trap 'exit 0' TERM INT
while :; do
  sleep 2147483647 &
  wait $!
done
EOF
chmod 755 "$ROOT"/usr/local/bin/*

common() { # $1 = description
  cat <<EOF
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin
LABEL $HASH_LABEL="$HASH" org.opencontainers.image.description="$1"
EOF
}

dockerfile() { # $1 = image
  case "$1" in
    berth/busybox:test) common "busybox: sh, sleep, nc, wget..."; echo 'CMD ["sh"]' ;;
    berth/http:test) common "HTTP: / = hostname, /healthz = 200 on PORT"
      printf 'ENV PORT=80\nEXPOSE 80\nCMD ["/usr/local/bin/berth-http"]\n' ;;
    berth/slow-ready:test) common "HTTP: /healthz = 200 only READY_AFTER seconds after start"
      printf 'ENV PORT=80 READY_AFTER=5\nEXPOSE 80\nCMD ["/usr/local/bin/berth-http"]\n' ;;
    berth/crash:test) common "exits with EXIT_CODE after CRASH_AFTER seconds"
      printf 'ENV CRASH_AFTER=3 EXIT_CODE=1\nCMD ["/usr/local/bin/berth-crash"]\n' ;;
    berth/memhog:test) common "allocates MEMHOG_MB MiB (OOMKilled under a smaller limit)"
      printf 'ENV MEMHOG_MB=256\nCMD ["/usr/local/bin/berth-memhog"]\n' ;;
    berth/pause:test) common "network sandbox: sleeps until SIGTERM, exits 0 (node-agent SANDBOX_POOL_SIZE)"
      printf 'CMD ["/usr/local/bin/berth-pause"]\n' ;;
    *) die "no recipe for $1" ;;
  esac
}

# The legacy builder resolves nothing remotely for FROM scratch; buildx is not installed here.
export DOCKER_BUILDKIT=0
build_flags=(--quiet --force-rm)
[ "$FORCE" = 0 ] || build_flags+=(--no-cache)
for image in "${IMAGES[@]}"; do
  dockerfile "$image" >"$CTX/Dockerfile"
  if ! out="$("$DOCKER" build "${build_flags[@]}" -t "$image" "$CTX" 2>&1)"; then
    echo "$out" >&2
    die "docker build failed for $image"
  fi
  log "built $image"
done
for alias in "${ALIASES[@]}"; do
  "$DOCKER" tag berth/http:test "$alias"
  log "tagged berth/http:test as $alias (stand-in: no registry here)"
done
# Drop the previous builds' images that lost their tags to this run.
"$DOCKER" image prune --force --filter "label=$HASH_LABEL" >/dev/null 2>&1 || true
log "done ($HASH)"
