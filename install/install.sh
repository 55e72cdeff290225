#!/bin/sh
# install.sh: installs Bramble on a Raspberry Pi (or any Linux with systemd) as a server or an agent.
#
#   curl … | sh -s - server                          # control plane (+ an agent for this host)
#   curl … | sh -s - agent --server https://pi-0:6443 --token K10…::id.secret
#
# Settings (environment, or flags after the role; every bramble flag is also BRAMBLE_<FLAG>):
#   BRAMBLE_PACKAGE       a package tarball (from `npm pack`) to install (default: pack the checkout
#                         this script is in; the checkout must have been built with `npm ci`)
#   BRAMBLE_PREFIX        where the package goes (default: /opt/bramble)
#   BRAMBLE_NODE          node binary to use (default: `command -v node`; Node ≥ 20 required)
#   BRAMBLE_NO_START      set to 1 to install the service without starting it
#
# Architectures: uname -m aarch64 → arm64, armv7l → arm (32-bit Raspberry Pi OS), x86_64 → amd64.
# The agent needs a Docker engine (apt-get install docker.io).
set -eu

role="${1:-}"
[ "$role" = server ] || [ "$role" = agent ] || { echo "usage: install.sh server|agent [bramble flags]" >&2; exit 1; }
shift

case "$(uname -m)" in
  aarch64|arm64) arch=arm64 ;;
  armv7l|armv6l) arch=arm ;;
  x86_64|amd64) arch=amd64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

node="${BRAMBLE_NODE:-$(command -v node || true)}"
[ -n "$node" ] || { echo "Node.js ≥ 20 is required (apt-get install nodejs)" >&2; exit 1; }
major="$("$node" -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || { echo "Node.js ≥ 20 is required, found $("$node" --version)" >&2; exit 1; }

here="$(cd "$(dirname "$0")" && pwd)"
pkg="${BRAMBLE_PACKAGE:-}"
if [ -z "$pkg" ]; then
  [ -f "$here/../dist/cli/main.js" ] || { echo "build the checkout first (npm ci), or set BRAMBLE_PACKAGE" >&2; exit 1; }
  pkg="$(cd "$here/.." && npm pack --silent --pack-destination "${TMPDIR:-/tmp}")"
  pkg="${TMPDIR:-/tmp}/$pkg"
fi
prefix="${BRAMBLE_PREFIX:-/opt/bramble}"
mkdir -p "$prefix"
echo "installing $pkg for linux/$arch into $prefix"
npm install --prefix "$prefix" --omit=dev --ignore-scripts --no-audit --no-fund "$pkg"
bin="$prefix/node_modules/bramble/bin/bramble.js"
ln -sf "$bin" /usr/local/bin/bramble

unit="bramble-$role"
args=""
for a in "$@"; do args="$args '$a'"; done
sed -e "s#@NODE@#$node#g" -e "s#@BIN@#$bin#g" -e "s#@ARGS@#$args#g" "$here/systemd/$unit.service" > "/etc/systemd/system/$unit.service"
cp "$here/uninstall.sh" /usr/local/bin/bramble-uninstall.sh
cp "$here/cleanup-network.sh" /usr/local/bin/bramble-cleanup-network.sh
chmod 0755 /usr/local/bin/bramble-uninstall.sh /usr/local/bin/bramble-cleanup-network.sh
systemctl daemon-reload
systemctl enable "$unit"
[ "${BRAMBLE_NO_START:-}" = 1 ] || systemctl restart "$unit"
echo "installed $unit; logs: journalctl -u $unit -f; uninstall: bramble-uninstall.sh"
