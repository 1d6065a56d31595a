#!/usr/bin/env bash
# Makes sure the Debian tools the tests run are present: promtool/prometheus, amtool/alertmanager and the
# blackbox exporter.
# As root they are installed; otherwise the one command to run is printed and the script fails.
set -euo pipefail
missing=()
command -v promtool >/dev/null && command -v prometheus >/dev/null || missing+=(prometheus)
# Debian names the Alertmanager binary prometheus-alertmanager.
command -v amtool >/dev/null && { command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null; } || missing+=(prometheus-alertmanager)
command -v prometheus-blackbox-exporter >/dev/null || missing+=(prometheus-blackbox-exporter)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "installing ${missing[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start their services; the tests run their own instances on free ports.
  for svc in prometheus prometheus-alertmanager prometheus-blackbox-exporter; do
    (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true
    pkill -x "$svc" 2>/dev/null || true
  done
  exit 0
fi
echo "missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
exit 1
