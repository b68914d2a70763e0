#!/usr/bin/env bash
# Rebuilds the local control-plane binaries (etcd, kube-apiserver, kube-controller-manager)
# from Debian bookworm's packages alone, as ../shared/kube-assets/README.md describes, into
# DEST (default .cache/kube-assets). Needs root for apt. Takes about ten minutes on 2 cores.
set -euo pipefail
dest="$(mkdir -p "${1:-.cache/kube-assets}" && cd "${1:-.cache/kube-assets}" && pwd)"
echo "build-kube-assets: building kube-apiserver and kube-controller-manager v1.20.2 from Debian's source package; this takes about ten minutes" >&2

apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o=Dpkg::Use-Pty=0 -qq "$@"; }
# `apt-get source` needs deb-src entries; add them for the Debian sources already configured.
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "build-kube-assets: enabling deb-src for bookworm" >&2
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    > /etc/apt/sources.list.d/promfleet-deb-src.sources
  apt_get update
fi
apt_get install -y dpkg-dev golang-go rsync make golang-github-modern-go-reflect2-dev etcd-server >/dev/null

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source -qq kubernetes >/dev/null 2>&1
cd kubernetes-*/

# Go >= 1.18 crashes the vendored reflect2 v1.0.1 at run time; v1.0.2 from Debian fixes it.
reflect2=vendor/github.com/modern-go/reflect2
find "$reflect2" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) -delete
find /usr/share/gocode/src/github.com/modern-go/reflect2/ -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) ! -name '*_test.go' -exec cp {} "$reflect2/" \;

mkdir -p .go/src/k8s.io && ln -s ../../.. .go/src/k8s.io/kubernetes
GOPATH="$PWD/.go" CGO_ENABLED=0 make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" GOLDFLAGS="-s -w"

install -m 0755 _output/bin/kube-apiserver _output/bin/kube-controller-manager /usr/bin/etcd "$dest/"
echo "build-kube-assets: done: $dest" >&2
echo "$dest"
