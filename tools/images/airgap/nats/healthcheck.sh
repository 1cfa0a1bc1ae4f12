#!/bin/bash
# GET /healthz on the monitoring port (NATS_HTTP_PORT, 8222; 200 once the server and JetStream are ready); the image has no curl.
exec 3<>"/dev/tcp/127.0.0.1/${NATS_HTTP_PORT:-8222}" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r -t 4 status <&3 || exit 1
[[ "$status" == *" 200 "* ]]
