#!/bin/bash
# Writes /etc/nats/nats.conf from the environment, then runs nats-server as the nats user.
# Env: NATS_USER, NATS_PASSWORD   the control plane's credentials (required; all subjects)
#      NATS_AGENT_USERS           "node-1:secret,node-2:secret2": one user per node-agent, named after
#                                 its node, allowed only berth.node.<node>.> and _INBOX.> (replies)
#      NATS_SERVER_NAME (berth), NATS_JS_MAX_MEMORY, NATS_JS_MAX_FILE (e.g. 1G; default: NATS's own)
# Extra arguments go to nats-server (e.g. -DV for debug and trace logs).
set -euo pipefail

CONF=/etc/nats/nats.conf
die() { echo "berth-nats: $*" >&2; exit 78; }

if [ "$(id -u)" = 0 ]; then
  # A fresh volume or bind mount may belong to root: hand it to nats, then drop privileges.
  chown nats:nats /var/lib/nats /etc/nats
  exec setpriv --reuid=nats --regid=nats --init-groups "$0" "$@"
fi
[ -w /etc/nats ] || CONF="${TMPDIR:-/tmp}/nats.conf"

[ -n "${NATS_USER:-}" ] || die "NATS_USER is required (the control plane's user name)"
[ -n "${NATS_PASSWORD:-}" ] || die "NATS_PASSWORD is required (the control plane's password)"

quote() { # a NATS config string literal
  local s="${1//\\/\\\\}"
  printf '"%s"' "${s//\"/\\\"}"
}

users="    {user: $(quote "$NATS_USER"), password: $(quote "$NATS_PASSWORD")}"
IFS=',' read -r -a agents <<<"${NATS_AGENT_USERS:-}"
for entry in "${agents[@]}"; do
  entry="${entry#"${entry%%[![:space:]]*}"}"
  [ -n "$entry" ] || continue
  node="${entry%%:*}"
  password="${entry#*:}"
  [ "$node" != "$entry" ] && [ -n "$password" ] || die "NATS_AGENT_USERS: '$node' needs a password (node:password)"
  [[ "$node" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || die "NATS_AGENT_USERS: '$node' is not a node name (DNS-1123 label)"
  [ "$node" != "$NATS_USER" ] || die "NATS_AGENT_USERS: '$node' is also NATS_USER"
  subjects="[\"berth.node.$node.>\", \"_INBOX.>\"]"
  users+=$'\n'"    {user: $(quote "$node"), password: $(quote "$password"), permissions: {publish: {allow: $subjects}, subscribe: {allow: $subjects}}}"
done

limits=""
[ -z "${NATS_JS_MAX_MEMORY:-}" ] || limits+=$'\n'"  max_memory_store: $NATS_JS_MAX_MEMORY"
[ -z "${NATS_JS_MAX_FILE:-}" ] || limits+=$'\n'"  max_file_store: $NATS_JS_MAX_FILE"

umask 077
cat >"$CONF" <<CONF
server_name: $(quote "${NATS_SERVER_NAME:-berth}")
port: 4222
http_port: 8222
jetstream {
  store_dir: "${NATS_STORE_DIR:-/var/lib/nats}"$limits
}
authorization {
  users: [
$users
  ]
}
CONF

exec nats-server -c "$CONF" "$@"
