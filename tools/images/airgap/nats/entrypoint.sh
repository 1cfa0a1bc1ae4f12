#!/bin/bash
# Writes /etc/nats/nats.conf from the environment (berth-nats-config, see nats-config.sh for the
# variables), then runs nats-server as the nats user.
# Extra arguments go to nats-server (e.g. -DV for debug and trace logs).
set -euo pipefail

CONF=/etc/nats/nats.conf

if [ "$(id -u)" = 0 ]; then
  # A fresh volume or bind mount may belong to root: hand it to nats, then drop privileges.
  chown nats:nats /var/lib/nats /etc/nats
  exec setpriv --reuid=nats --regid=nats --init-groups "$0" "$@"
fi
[ -w /etc/nats ] || CONF="${TMPDIR:-/tmp}/nats.conf"

umask 077
config="$(berth-nats-config)"
printf '%s\n' "$config" >"$CONF"

exec nats-server -c "$CONF" "$@"
