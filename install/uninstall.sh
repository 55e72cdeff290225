#!/bin/sh
# uninstall.sh: stops and removes Bramble's services and files. Containers started by the agent
# are stopped and removed (they carry the io.bramble.pod.uid label); data directories are kept
# unless BRAMBLE_PURGE=1.
set -u
for unit in bramble-agent bramble-server; do
  systemctl disable --now "$unit" 2>/dev/null
  rm -f "/etc/systemd/system/$unit.service"
done
systemctl daemon-reload 2>/dev/null
if command -v docker >/dev/null; then
  ids="$(docker ps -aq --filter label=io.bramble.pod.uid)"
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
  docker network rm bramble-pods >/dev/null 2>&1 || true
fi
# iptables chains and pod routes of the agent
for f in "$(dirname "$0")/cleanup-network.sh" /usr/local/bin/bramble-cleanup-network.sh; do
  if [ -f "$f" ]; then sh "$f"; break; fi
done
rm -rf "${BRAMBLE_PREFIX:-/opt/bramble}" /usr/local/bin/bramble /usr/local/bin/bramble-uninstall.sh /usr/local/bin/bramble-cleanup-network.sh
[ "${BRAMBLE_PURGE:-}" = 1 ] && rm -rf /var/lib/bramble
echo "bramble removed"
