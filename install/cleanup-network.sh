#!/bin/sh
# cleanup-network.sh: removes what `bramble agent` added to this host's network — the jumps into
# its BRAMBLE-* iptables chains (nat and filter, including DOCKER-USER), the chains themselves,
# and its routes to other nodes' pod subnets (tagged `proto 151`). Other rules and routes are not
# touched. Safe to run twice; run by uninstall.sh.
set -u
for table in nat filter; do
  # 1. every rule outside our chains that jumps into one of them (-A X … -j BRAMBLE-…)
  iptables-save -t "$table" 2>/dev/null | grep -E '^-A [^ ]+ .*-j BRAMBLE-' | grep -v '^-A BRAMBLE-' |
    while read -r rule; do
      eval "iptables -w 5 -t $table -D ${rule#-A }" || true
    done
  # 2. then the chains: flushed first (they jump to each other), then deleted
  chains="$(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(BRAMBLE-[^ ]*\) .*/\1/p')"
  for c in $chains; do iptables -w 5 -t "$table" -F "$c"; done
  for c in $chains; do iptables -w 5 -t "$table" -X "$c"; done
done
ip -4 route show proto 151 2>/dev/null | while read -r dst _; do
  ip route del "$dst" proto 151 || true
done
