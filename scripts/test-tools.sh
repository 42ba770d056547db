#!/usr/bin/env bash
# Programs the tests run beside the clusters, from Debian's packages, installed once when missing:
#   prometheus-pushgateway  a real Pushgateway for the --pushgateway test (started by the test on loopback)
#   chromium                a real headless browser that opens report.html
#   haproxy                 the SNI proxy of the Astra-style endpoint (scripts/astra-endpoint.mjs)
#   busybox                 the env of Alpine images: the installed `migrate` must start under it
set -euo pipefail

missing=()
command -v prometheus-pushgateway >/dev/null || missing+=(prometheus-pushgateway)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v busybox >/dev/null || missing+=(busybox)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "the tests need ${missing[*]} (Debian packages): install them with apt-get as root" >&2
  exit 1
fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "Installing ${missing[*]} from Debian's packages (once)" >&2
export DEBIAN_FRONTEND=noninteractive
as_root apt-get install -y --no-install-recommends "${missing[@]}" >&2 || {
  as_root apt-get update >&2
  as_root apt-get install -y --no-install-recommends "${missing[@]}" >&2
}
