#!/usr/bin/env bash
# Fetches NVIDIA's ptxas, nvdisasm and cuobjdump (CUDA 11.8) from Debian bookworm's non-free component into a cache
# folder, without installing anything: `apt-get download` through a private source list and `dpkg -x`.
# The kernel tests (PtxAssemblyTests) and `nativegan kernels` find them through NATIVEGAN_CUDA_TOOLS or this cache.
# Usage: tools/fetch-cuda-tools.sh [CACHE_DIR]     (default: $NATIVEGAN_CUDA_TOOLS, else ~/.cache/nativegan/cuda-11.8)
# Prints the folder holding the three programs on its last line.
set -euo pipefail
cache=${1:-${NATIVEGAN_CUDA_TOOLS:-$HOME/.cache/nativegan/cuda-11.8}}
bin="$cache/bin"
if [ -x "$bin/ptxas" ] && [ -x "$bin/nvdisasm" ] && [ -x "$bin/cuobjdump" ]; then
  echo "$bin"; exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$cache"
# The same archive this machine's apt uses, non-free component only; the system's lists stay untouched.
mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | grep -v security | head -n1 | awk '{print $2}' || true)
mirror=${mirror:-http://deb.debian.org/debian}
echo "deb $mirror bookworm non-free" > "$work/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=/dev/null
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::archives=$work" -o APT::Architecture=amd64 -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" -qq update
(cd "$work" && apt-get "${apt_opts[@]}" -qq download nvidia-cuda-toolkit)
deb=$(ls "$work"/nvidia-cuda-toolkit_*.deb)
dpkg -x "$deb" "$work/root"
mkdir -p "$bin"
for tool in ptxas nvdisasm cuobjdump; do
  src=$(find "$work/root" -type f -name "$tool" -perm -u+x | head -n1)
  [ -n "$src" ] || { echo "error: $tool not found in $(basename "$deb")" >&2; exit 1; }
  cp "$src" "$bin/$tool.tmp" && mv "$bin/$tool.tmp" "$bin/$tool"
done
"$bin/ptxas" --version | tail -n1 >&2
echo "$bin"
