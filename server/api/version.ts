// version: what /version reports. The minor version matters: gcloud's kubectl dispatcher picks
// the kubectl binary from it, and kubectl ≤ 1.31 sends JSON bodies from every command (1.32+
// sends protobuf from `kubectl create namespace|configmap|…`).
export const KUBE_COMPAT = { major: '1', minor: '31', patch: '0' };

export function versionInfo(brambleVersion: string) {
  return {
    major: KUBE_COMPAT.major,
    minor: KUBE_COMPAT.minor,
    gitVersion: `v${KUBE_COMPAT.major}.${KUBE_COMPAT.minor}.${KUBE_COMPAT.patch}+bramble-${brambleVersion}`,
    gitCommit: 'bramble',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
