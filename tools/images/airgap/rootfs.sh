#!/usr/bin/env bash
# Builds a minimal Debian root filesystem tarball with debootstrap (variant minbase) from an apt
# mirror, slimmed like the official Debian images (no docs, man pages, translations, apt lists).
# Called by build.sh, which caches the tarball; run it alone to get just the tarball.
#
# Usage: rootfs.sh OUT.tar
# Env:   SUITE (bookworm), ARCH (dpkg --print-architecture), MIRROR and SECURITY_MIRROR (default:
#        the URIs apt already uses for SUITE and SUITE-security; SECURITY_MIRROR=none to omit it)
set -euo pipefail

OUT="${1:?usage: rootfs.sh OUT.tar}"
SUITE="${SUITE:-bookworm}"
ARCH="${ARCH:-$(dpkg --print-architecture)}"

log() { echo "rootfs: $*"; }
die() { echo "rootfs: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "debootstrap needs root"
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

# The mirror apt already reaches (an air-gapped host has exactly one that works).
apt_uri() { # $1 = release
  # shellcheck disable=SC2016 # $(...) are apt's placeholders, not shell
  apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Created-By: Packages' 2>/dev/null |
    awk -v r="$1" '$1 == r { print $2; exit }'
}
MIRROR="${MIRROR:-$(apt_uri "$SUITE")}"
MIRROR="${MIRROR:-http://deb.debian.org/debian/}"
SECURITY_MIRROR="${SECURITY_MIRROR:-$(apt_uri "$SUITE-security")}"
[ "$SECURITY_MIRROR" != none ] || SECURITY_MIRROR=

WORK="$(mktemp -d "${TMPDIR:-/tmp}/berth-rootfs.XXXXXX")"
ROOT="$WORK/rootfs"
cleanup() {
  # debootstrap mounts /proc and /sys inside the target; never delete through a mount.
  local mnt
  for mnt in $(awk -v root="$ROOT/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$mnt" || true
  done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

log "debootstrap --variant=minbase $SUITE ($ARCH) from $MIRROR"
if ! debootstrap --variant=minbase --arch="$ARCH" --components=main \
  "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.out" 2>&1; then
  tail -n 30 "$WORK/debootstrap.out" >&2
  [ ! -f "$ROOT/debootstrap/debootstrap.log" ] || tail -n 30 "$ROOT/debootstrap/debootstrap.log" >&2
  die "debootstrap failed"
fi

log "slimming"
# Later apt-get installs in images skip docs and translations too (as in Debian's slim images).
cat >"$ROOT/etc/dpkg/dpkg.cfg.d/berth-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
cat >"$ROOT/etc/apt/apt.conf.d/berth-slim" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Acquire::CompressionTypes::Order:: "gz";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
EOF
# Package scripts must not try to start daemons during image builds.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"

rm -f "$ROOT/etc/apt/sources.list"
{
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$MIRROR" "$SUITE" "$SUITE"
  if [ -n "$SECURITY_MIRROR" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$SECURITY_MIRROR" "$SUITE"
  fi
} >"$ROOT/etc/apt/sources.list.d/debian.sources"

chroot "$ROOT" apt-get clean
find "$ROOT/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$ROOT/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$ROOT/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
rm -rf "$ROOT"/usr/share/{man,info,groff,lintian,linda}/* "$ROOT"/var/cache/man \
  "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb \
  "$ROOT"/var/cache/debconf/*-old "$ROOT"/var/lib/dpkg/*-old "$ROOT"/var/cache/ldconfig/aux-cache \
  "$ROOT/debootstrap"
find "$ROOT/var/log" -type f -delete
# Docker provides these at run time; the host's copies must not leak into the image.
: >"$ROOT/etc/resolv.conf"
: >"$ROOT/etc/machine-id"
rm -f "$ROOT/etc/hostname"

mkdir -p "$(dirname "$OUT")"
tar --numeric-owner --xattrs -C "$ROOT" \
  --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' --exclude='./run/*' --exclude='./tmp/*' \
  -cf "$OUT.partial" .
mv "$OUT.partial" "$OUT"
log "wrote $OUT ($(du -h "$OUT" | cut -f1))"
