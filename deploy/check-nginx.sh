#!/usr/bin/env bash
# Checks deploy/nginx/site.conf with the local nginx (`nginx -t`): the compose service names
# become loopback addresses and a throwaway self-signed certificate stands in for the real one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
nginx="${NGINX_PATH:-/usr/sbin/nginx}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
  -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" 2>/dev/null
sed -e 's#app1:3000#127.0.0.1:3001#; s#app2:3000#127.0.0.1:3002#' -e "s#/etc/nginx/certs#$tmp#g" \
  "$here/nginx/site.conf" >"$tmp/site.conf"
cat >"$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
  access_log off;
  client_body_temp_path $tmp/body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  include $tmp/site.conf;
}
CONF
"$nginx" -t -q -p "$tmp" -c "$tmp/nginx.conf"
echo "deploy/nginx/site.conf: nginx -t passed"
