#!/bin/bash
# Prints a nats-server configuration generated from the environment; the image's entrypoint writes it
# to /etc/nats/nats.conf, and tools/e2e/src/nats-permissions.spec.ts runs this same script.
# Env: NATS_USER, NATS_PASSWORD   the control plane's credentials (required; every subject)
#      NATS_AGENT_USERS           "node-1:secret,node-2:secret2": one user per node-agent, named after its
#                                 node, allowed to publish and subscribe only berth.node.<node>.> (its
#                                 request inbox is berth.node.<node>.inbox, its log replies go to
#                                 berth.node.<node>.logs.reply.<id>); no JetStream, no other node's subjects
#      NATS_SERVER_NAME (berth), NATS_JS_MAX_MEMORY, NATS_JS_MAX_FILE (e.g. 1G; default: NATS's own)
#      NATS_STORE_DIR (/var/lib/nats), NATS_PORT (4222), NATS_HTTP_PORT (8222; monitoring, /healthz)
#      NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE   both set: clients must connect with TLS
#      NATS_TLS_CA_FILE           with the two above: clients must also present a certificate signed by this CA
set -euo pipefail

die() { echo "berth-nats: $*" >&2; exit 78; }

[ -n "${NATS_USER:-}" ] || die "NATS_USER is required (the control plane's user name)"
[ -n "${NATS_PASSWORD:-}" ] || die "NATS_PASSWORD is required (the control plane's password)"

quote() { # a NATS config string literal
  local s="${1//\\/\\\\}"
  printf '"%s"' "${s//\"/\\\"}"
}
port() { # $1 variable name, $2 value
  [[ "$2" =~ ^[0-9]{1,5}$ ]] && [ "$2" -le 65535 ] || die "$1: '$2' is not a port number"
  printf '%s' "$2"
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
  subjects="[\"berth.node.$node.>\"]"
  users+=$'\n'"    {user: $(quote "$node"), password: $(quote "$password"), permissions: {publish: {allow: $subjects}, subscribe: {allow: $subjects}}}"
done

limits=""
[ -z "${NATS_JS_MAX_MEMORY:-}" ] || limits+=$'\n'"  max_memory_store: $NATS_JS_MAX_MEMORY"
[ -z "${NATS_JS_MAX_FILE:-}" ] || limits+=$'\n'"  max_file_store: $NATS_JS_MAX_FILE"

tls=""
if [ -n "${NATS_TLS_CERT_FILE:-}" ] || [ -n "${NATS_TLS_KEY_FILE:-}" ]; then
  [ -n "${NATS_TLS_CERT_FILE:-}" ] && [ -n "${NATS_TLS_KEY_FILE:-}" ] || die "NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together"
  tls=$'\n'"tls {"$'\n'"  cert_file: $(quote "$NATS_TLS_CERT_FILE")"$'\n'"  key_file: $(quote "$NATS_TLS_KEY_FILE")"
  [ -z "${NATS_TLS_CA_FILE:-}" ] || tls+=$'\n'"  ca_file: $(quote "$NATS_TLS_CA_FILE")"$'\n'"  verify: true"
  tls+=$'\n'"}"
elif [ -n "${NATS_TLS_CA_FILE:-}" ]; then
  die "NATS_TLS_CA_FILE needs NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE"
fi

client_port="$(port NATS_PORT "${NATS_PORT:-4222}")"
http_port="$(port NATS_HTTP_PORT "${NATS_HTTP_PORT:-8222}")"

cat <<CONF
server_name: $(quote "${NATS_SERVER_NAME:-berth}")
port: $client_port
http_port: $http_port
jetstream {
  store_dir: $(quote "${NATS_STORE_DIR:-/var/lib/nats}")$limits
}$tls
authorization {
  users: [
$users
  ]
}
CONF
