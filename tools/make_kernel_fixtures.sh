#!/usr/bin/env bash
# Regenerates tests/fixtures/kernels/ (the texts the kernel-analysis tests parse) from ILGPU's PTX with NVIDIA's tools.
# Usage: tools/make_kernel_fixtures.sh [PTX_DIR] [OUT_DIR]
#   PTX_DIR holds sm_90/ and sm_80/ folders of Class.Method.ptx files, as `nativegan kernels --ptx DIR` writes them
#           (default /tmp/ptx-samples); a folder of .ptx files without those subfolders serves both targets.
#   OUT_DIR defaults to tests/fixtures/kernels.
# The tools come from tools/fetch-cuda-tools.sh ($NATIVEGAN_CUDA_TOOLS/bin, else ~/.cache/nativegan/cuda-11.8/bin, else PATH).
# Writes, per kernel and target: NAME.ARCH.ptxas.txt (ptxas -v, as printed) and NAME.ARCH.sass (cuobjdump -sass with the
# encoding-only comment lines dropped; instruction lines as printed), Fill's `nvdisasm -c` listing too. Also GemmKernels.Tiled128.ptx (the end-to-end test's
# input) and three ptxas reports of altered PTX: spills (-maxrregcount=32), a syntax error, too much shared memory.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ptx_dir=${1:-/tmp/ptx-samples}
out=${2:-$here/tests/fixtures/kernels}
bin=""
for d in "${NATIVEGAN_CUDA_TOOLS:+$NATIVEGAN_CUDA_TOOLS/bin}" "$HOME/.cache/nativegan/cuda-11.8/bin" "$(dirname "$(command -v ptxas 2>/dev/null || echo /nonexistent/x)")"; do
  if [ -n "$d" ] && [ -x "$d/ptxas" ] && [ -x "$d/cuobjdump" ]; then bin=$d; break; fi
done
[ -n "$bin" ] || { echo "error: ptxas/cuobjdump not found; run tools/fetch-cuda-tools.sh" >&2; exit 1; }

ptx_for() {  # ptx_for ARCH NAME -> path of the PTX file
  if [ -f "$ptx_dir/$1/$2.ptx" ]; then echo "$ptx_dir/$1/$2.ptx"; else echo "$ptx_dir/$2.ptx"; fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# Runs ptxas in the work folder on a file named kernel.ptx, so that messages do not carry this machine's paths.
assemble() {  # assemble ARCH PTX_FILE REPORT_FILE [ptxas options...]; leaves $work/kernel.cubin when ptxas succeeds
  local arch=$1 ptx=$2 report=$3; shift 3
  cp "$ptx" "$work/kernel.ptx"
  rm -f "$work/kernel.cubin"
  (cd "$work" && "$bin/ptxas" -arch "$arch" -v "$@" -o kernel.cubin kernel.ptx) >"$report" 2>&1 || true
}

for spec in sm_90:GemmKernels.Tiled128 sm_90:Conv2dKernels.BackwardWeight sm_90:ElementwiseKernels.Fill sm_90:PoolKernels.MaxForward \
            sm_80:GemmKernels.Tiled128; do
  arch=${spec%%:*}; name=${spec#*:}
  ptx=$(ptx_for "$arch" "$name")
  [ -f "$ptx" ] || { echo "error: $ptx missing" >&2; exit 1; }
  assemble "$arch" "$ptx" "$out/$name.$arch.ptxas.txt"
  [ -f "$work/kernel.cubin" ] || { echo "error: ptxas failed on $ptx:" >&2; cat "$out/$name.$arch.ptxas.txt" >&2; exit 1; }
  "$bin/cuobjdump" -sass "$work/kernel.cubin" | grep -vE '^[[:space:]]*/\* 0x[0-9a-f]{16} \*/[[:space:]]*$' >"$out/$name.$arch.sass"
  if [ "$name" = ElementwiseKernels.Fill ] && [ -x "$bin/nvdisasm" ]; then
    "$bin/nvdisasm" -c "$work/kernel.cubin" >"$out/$name.$arch.nvdisasm.txt"   # labels instead of branch addresses
  fi
  echo "$name $arch: $(grep -c '^ */\*[0-9a-f]*\*/' "$out/$name.$arch.sass") instructions"
done

tiled=$(ptx_for sm_90 GemmKernels.Tiled128)
cp "$tiled" "$out/GemmKernels.Tiled128.ptx"
assemble sm_90 "$tiled" "$out/GemmKernels.Tiled128.sm_90.maxrreg32.ptxas.txt" -maxrregcount=32
sed 's/__shared_alloca0\[4224\]/__shared_alloca0[65536]/' "$tiled" >"$work/big.ptx"
assemble sm_90 "$work/big.ptx" "$out/GemmKernels.Tiled128.sm_90.smem-overflow.ptxas.txt"
fill=$(ptx_for sm_90 ElementwiseKernels.Fill)
sed 's/^\tmov.b32\t%r3, %nctaid.x;/&\n\tbogus.op %r3;/' "$fill" >"$work/bad.ptx"
assemble sm_90 "$work/bad.ptx" "$out/ElementwiseKernels.Fill.sm_90.syntax-error.ptxas.txt"
assemble sm_90 "$fill" "$out/ElementwiseKernels.Fill.sm_90.maxrreg8.ptxas.txt" -maxrregcount=8
"$bin/ptxas" --version | tail -n1 >"$out/TOOLS_VERSION"
echo "fixtures in $out"
