#!/usr/bin/env bash
# One-shot check of a CUDA machine that has no .NET: devices, kernels (PTX and ptxas), the Category=Cuda tests, the
# kernel harness (--quick) and compare against PyTorch, each step under `timeout`, logs and a summary under $OUT.
#
#   tools/cuda-check.sh bundle     on the build machine: Release publishes of the CLI, the tests and the benchmarks
#                                  plus this machine's .NET runtime, trimmed and packed into .device/ (git-ignored);
#                                  prints the size that travels with the working tree (must stay under 64 MiB)
#   tools/cuda-check.sh run        on the CUDA machine, from the repository root with .device/ there (carry it)
#   tools/cuda-check.sh run --dry-run   (or NATIVEGAN_CHECK_DEVICE=ilgpu-cpu tools/cuda-check.sh run) on a machine
#                                  without a GPU: the same steps on ILGPU's CPU accelerator with the smallest workloads
#
# run options: --only a,b (only these steps: devices,kernels,tests,harness,compare,compare-rrdb; for a rerun)
# Environment: OUT (default ./cuda-check-out), NATIVEGAN_CHECK_BUDGET (seconds for all steps, default 420),
#              NATIVEGAN_CHECK_DEVICE (cuda, cuda:N or ilgpu-cpu; default cuda).
# $OUT gets at most 8 files: summary.md, logs.tar.gz (every step's log, the tests' xUnit XML), harness.csv,
# compare.json, compare.png, compare-rrdb.json, compare-rrdb.png, ptx.tar.gz. summary.md is rewritten after every
# step, so a run cut short still leaves one. A step's exit code is recorded and the next step runs whatever it was.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root" || exit 1
dev_dir="$root/.device"
apps=(NativeGan.Cli NativeGan.Tests NativeGan.Benchmarks)
projects=(cli/NativeGan.Cli.csproj tests/NativeGan.Tests.csproj benchmarks/NativeGan.Benchmarks.csproj)
limit_mib=64

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

# ---------------------------------------------------------------------------------------------------------------- bundle
# Keeps what a framework-dependent publish needs on x64 Linux: drops other platforms' native libraries, the code
# coverage collector (the tests run through xUnit's own runner) and BenchmarkDotNet's Windows ETW helpers.
trim_publish() {
  local d=$1
  if [ -d "$d/runtimes" ]; then
    find "$d/runtimes" -mindepth 1 -maxdepth 1 ! -name linux-x64 ! -name linux ! -name unix -exec rm -rf {} +
  fi
  rm -rf "$d/CodeCoverage" "$d/x64" "$d/x86" "$d/arm64" "$d/amd64" "$d/alpine" "$d/ubuntu" "$d/macos"
}

# What the device tool copies: tracked files, untracked files that git does not ignore, plus the carried .device/.
carried_bytes() {
  local tree dev
  tree=$(git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -n1 | cut -f1)
  dev=$(du -sb "$dev_dir" | cut -f1)
  echo "${tree:-0} $dev"
}

bundle() {
  command -v dotnet >/dev/null || { echo "error: bundle needs the .NET SDK (dotnet) on this machine" >&2; exit 1; }
  git rev-parse --show-toplevel >/dev/null 2>&1 || { echo "error: bundle runs inside the git checkout" >&2; exit 1; }
  local shared="$root/../shared/tools/device-bundle.sh"
  # The shared script records /.device/ in .git/info/exclude, which a linked worktree (where .git is a file) lacks.
  if [ -f "$shared" ] && [ -d "$root/.git" ]; then
    echo "== ../shared/tools/device-bundle.sh ${projects[*]} (its size line is before trimming)"
    bash "$shared" "${projects[@]}" || { echo "error: device-bundle.sh failed" >&2; exit 1; }
  else
    if [ -f "$shared" ]; then echo "== the same steps as ../shared/tools/device-bundle.sh (this is a linked worktree)"
    else echo "== the same steps as device-bundle.sh (../shared is absent)"; fi
    git check-ignore -q .device/x || echo '/.device/' >> "$(git rev-parse --git-path info/exclude)"
    mkdir -p "$dev_dir"
    if [ ! -f "$dev_dir/dotnet-rt.tar.xz" ]; then
      local dn
      dn=$(dirname "$(readlink -f "$(command -v dotnet)")")
      (cd "$dn" && tar cf - dotnet host shared/Microsoft.NETCore.App) | xz -T0 -3 > "$dev_dir/dotnet-rt.tar.xz.tmp" \
        && mv "$dev_dir/dotnet-rt.tar.xz.tmp" "$dev_dir/dotnet-rt.tar.xz" || { echo "error: packing the runtime failed" >&2; exit 1; }
    fi
    local proj name
    for proj in "${projects[@]}"; do
      name=$(basename "$proj" .csproj)
      rm -rf "${dev_dir:?}/$name"
      echo "publish $proj"
      dotnet publish "$proj" -c Release -o "$dev_dir/$name" --self-contained false -p:DebugType=none -v quiet -nologo \
        | grep -v ': warning ' ; [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "error: publish of $proj failed" >&2; exit 1; }
    done
  fi
  echo "== trim and pack into .device/apps.tar.xz"
  local a
  for a in "${apps[@]}"; do
    [ -f "$dev_dir/$a/$a.dll" ] || [ -f "$dev_dir/$a/nativegan.dll" ] || { echo "error: $dev_dir/$a has no publish" >&2; exit 1; }
    trim_publish "$dev_dir/$a"
  done
  # The tests' fixtures are files of the working tree, which travels anyway: `run` links them back.
  local fx="$dev_dir/NativeGan.Tests/fixtures"
  if [ -d "$fx" ] && diff -rq "$fx" tests/fixtures >/dev/null 2>&1 \
     && [ "$(find "$fx" -type f | wc -l)" -eq "$(git ls-files -co --exclude-standard tests/fixtures | wc -l)" ]; then
    rm -rf "$fx" && echo tests/fixtures > "$dev_dir/NativeGan.Tests/fixtures.from-tree"
  fi
  # Files in the three publishes are mostly the same: ordered by name so that copies lie next to each other in the
  # tar, xz stores each once (its dictionary is larger than the largest file).
  (cd "$dev_dir" && find "${apps[@]}" -type f -printf '%f\t%p\n' | sort | cut -f2 > apps.list \
    && tar cf - --no-recursion -T apps.list | xz -T2 --lzma2=preset=6,dict=64MiB > apps.tar.xz.tmp \
    && mv apps.tar.xz.tmp apps.tar.xz && rm -f apps.list) || { echo "error: packing the publishes failed" >&2; exit 1; }
  {
    echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "branch: $(git rev-parse --abbrev-ref HEAD)"
    echo "made: $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname)"
    echo "dotnet: $(dotnet --version 2>/dev/null)"
  } > "$dev_dir/BUNDLE_INFO"
  for a in "${apps[@]}"; do rm -rf "${dev_dir:?}/$a"; done
  local sizes tree dev total
  sizes=$(carried_bytes); tree=${sizes% *}; dev=${sizes#* }; total=$((tree + dev))
  ls -l "$dev_dir"
  awk -v d="$dev" -v t="$tree" -v l="$limit_mib" 'BEGIN {
    printf "bundle: .device %.1f MiB + working tree %.1f MiB = %.1f MiB carried (limit %d MiB)\n", d / 1048576, t / 1048576, (d + t) / 1048576, l }' 
  if [ "$total" -ge $((limit_mib * 1048576)) ]; then
    echo "error: over the $limit_mib MiB the device tool carries; trim more in tools/cuda-check.sh (trim_publish)" >&2
    exit 1
  fi
  cat <<TXT
On the CUDA machine (device tool): command "tools/cuda-check.sh run", carry [".device"], timeout_s 540.
Dry run here first: NATIVEGAN_CHECK_DEVICE=ilgpu-cpu tools/cuda-check.sh run
TXT
}

# ------------------------------------------------------------------------------------------------------------------- run
now() { date +%s.%N; }
# Seconds since $1 (a `now`), one decimal; awk rather than bc, which a bare machine may lack.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

py=""
for p in /usr/bin/python3 python3; do command -v "$p" >/dev/null 2>&1 && { py=$p; break; }; done

# step NAME CAP_SECONDS CMD... : runs CMD under timeout in $LOGS/NAME.log, records exit code and wall time.
step() {
  local name=$1 cap=$2; shift 2
  local left limit t0 t1 rc
  left=$(awk -v d="$deadline" -v n="$(now)" 'BEGIN { printf "%d", d - n }')
  limit=$(( cap < left ? cap : left ))
  if [ "$left" -lt 15 ]; then
    record "$name" "skipped" "-" "no time left in the ${budget} s budget"
    return 0
  fi
  {
    echo "\$ $*"
    echo "# timeout ${limit} s, started $(date -u '+%H:%M:%S') UTC"
  } > "$LOGS/$name.log"
  t0=$(now)
  timeout -k 10 "$limit" "$@" >> "$LOGS/$name.log" 2>&1 < /dev/null
  rc=$?
  t1=$(since "$t0")
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then echo "# killed by timeout after ${limit} s" >> "$LOGS/$name.log"; fi
  echo "# exit $rc after $t1 s" >> "$LOGS/$name.log"
  record "$name" "$rc" "$t1" "$(figures "$name" "$rc")"
}

# record NAME EXIT WALL FIGURES: one row of the table; the summary is rewritten at once.
record() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(printf '%s' "$4" | tr '\t\n' '  ' | sed 's/ *$//')" >> "$LOGS/steps.tsv"
  write_summary
}

# The key figures of a step, from its log and its result files.
figures() {
  local name=$1 rc=$2 log="$LOGS/$1.log"
  case "$name" in
    devices)
      local rows
      rows=$(grep -E '^(cuda|ilgpu-cpu)' "$log" | awk -F'  +' '{printf "%s%s: %s, %s, compute %s", (NR>1?"; ":""), $1, $2, $3, $4}')
      echo "${rows:-no CUDA device listed}; $(grep -m1 '^default:' "$log")"
      ;;
    kernels)
      grep -vE '^[$#]' "$log" | grep -E '^sm_[0-9]+: ' | head -n 4 | paste -sd ';' - ;;
    tests|tests-ilgpu)
      test_counts "$LOGS/$name.xml" "$log" ;;
    harness)
      if [ -f "$OUT/harness.csv" ]; then
        awk -F, 'NR>1 {n[$4]++} END {printf "%d ok, %d failed, %d skipped", n["ok"], n["failed"], n["skipped"]}' "$OUT/harness.csv"
      else echo "no harness.csv"; fi ;;
    compare|compare-rrdb)
      compare_figures "$OUT/$name.json" ;;
  esac
}

test_counts() {
  local xml=$1 log=$2
  if [ -f "$xml" ] && [ -n "$py" ]; then
    "$py" - "$xml" <<'PY' 2>/dev/null && return
import sys, xml.etree.ElementTree as ET
a = ET.parse(sys.argv[1]).getroot().find("assembly")
g = lambda k: int(a.get(k, "0"))
print(f"{g('passed')} passed, {g('failed')} failed, {g('skipped')} skipped, {g('errors')} errors (of {g('total')}) in {float(a.get('time', '0')):.1f} s")
PY
  fi
  # The console runner's closing line, when there is no XML (e.g. killed by the timeout).
  grep -m1 -oE 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+' "$log" || echo "no result (see log)"
}

compare_figures() {
  local json=$1
  [ -f "$json" ] && [ -n "$py" ] || { echo "no $(basename "$json")"; return; }
  "$py" - "$json" <<'PY' 2>/dev/null || echo "unreadable $(basename "$json")"
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["rows"]
ok = [r for r in rows if r["Status"] == "ok"]
ratios = [r for r in rows if isinstance(r.get("Ratio"), (int, float))]
meets = sum(1 for r in rows if r.get("MeetsGoal") is True)
print(f"{d['device']} {d['deviceName']}: {len(ok)}/{len(rows)} checked ok, {len(ratios)} ratios, {meets} meet the goal; {d['torch']}")
PY
}

compare_table() {
  [ -n "$py" ] || return
  local files=() f
  for f in "$OUT/compare.json" "$OUT/compare-rrdb.json"; do [ -f "$f" ] && files+=("$f"); done
  [ ${#files[@]} -gt 0 ] || return
  "$py" - "${files[@]}" <<'PY' 2>/dev/null
import json, sys
def ms(v):
    return f"{v / 1000:.3f}" if isinstance(v, (int, float)) else "-"
print("| workload | ours ms | PyTorch ms | PyTorch/ours | goal | meets | check |")
print("| --- | ---: | ---: | ---: | --- | --- | --- |")
for path in sys.argv[1:]:
    for r in json.load(open(path))["rows"]:
        ratio = f"{r['Ratio']:.2f}x" if isinstance(r.get("Ratio"), (int, float)) else "n/a"
        meets = {True: "yes", False: "no"}.get(r.get("MeetsGoal"), "-")
        ours = ms(r["OursUs"]) if r["Status"] == "ok" else r["Status"]
        print(f"| {r['Name']} | {ours} | {ms(r.get('TorchUs'))} | {ratio} | {r['Goal']} | {meets} | {r['Check'].replace('|', '/')} |")
PY
}

# The first lines that say what went wrong in a failed step.
failure_lines() {
  local name=$1 log="$LOGS/$1.log"
  [ -f "$log" ] || return 0
  if [[ $name == tests* ]] && [ -f "$LOGS/$name.xml" ] && [ -n "$py" ]; then
    "$py" - "$LOGS/$name.xml" <<'PY' 2>/dev/null
import sys, xml.etree.ElementTree as ET
bad = [t for t in ET.parse(sys.argv[1]).getroot().iter("test") if t.get("result") == "Fail"]
for t in bad[:12]:
    msg = (t.findtext("failure/message") or "").strip().splitlines()
    print(f"{t.get('name')}: {msg[0][:300] if msg else ''}")
if len(bad) > 12: print(f"... and {len(bad) - 12} more failed tests (logs.tar.gz: {sys.argv[1].split('/')[-1]})")
PY
    return
  fi
  local lines
  lines=$(grep -v '^#' "$log" | grep -m 12 -iE 'error|fail|exception|unhandled|timed out|not found|cannot|could not')
  if [ -n "$lines" ]; then echo "$lines"; else grep -v '^#' "$log" | tail -n 12; fi
}

write_summary() {
  local s="$OUT/summary.md.tmp"
  {
    echo "# NativeGan CUDA check, $(date -u -d "@${started%.*}" '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "- mode: $mode_line"
    echo "- host: $(hostname), $(nproc) cores, $(uname -sm)"
    echo "- GPU (nvidia-smi): ${gpu_line}"
    echo "- ptxas: ${ptxas:-not found}"
    echo "- python: ${torch_line}"
    echo "- bundle: $(grep -E '^(commit|made):' "$dev_dir/BUNDLE_INFO" 2>/dev/null | sed 's/^[a-z]*: //' | paste -sd ',' -)"
    echo "- elapsed: $(since "$started") s (step budget ${budget} s)"
    echo
    echo "| step | exit | wall s | key figures |"
    echo "| --- | --- | ---: | --- |"
    awk -F'\t' '{gsub(/\|/, "/", $4); printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}' "$LOGS/steps.tsv"
    local table
    table=$(compare_table)
    if [ -n "$table" ]; then
      echo
      echo "## compare: PyTorch time / ours (above 1: we are faster)"
      echo
      echo "$table"
    fi
    local name rc
    while IFS=$'\t' read -r name rc _; do
      [[ $rc =~ ^[0-9]+$ ]] && [ "$rc" -ne 0 ] || continue
      echo
      echo "## $name failed (exit $rc$([ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && echo ': timed out'))"
      echo
      echo '```'
      failure_lines "$name" | cut -c1-400
      echo '```'
    done < "$LOGS/steps.tsv"
    echo
    echo "Logs: logs.tar.gz (one log per step$(ls "$LOGS"/*.xml >/dev/null 2>&1 && echo ', the tests'"'"' xUnit XML'))."
  } > "$s"
  mv "$s" "$OUT/summary.md"
  tar czf "$OUT/logs.tar.gz.tmp" -C "$LOGS" . 2>/dev/null && mv "$OUT/logs.tar.gz.tmp" "$OUT/logs.tar.gz"
}

find_ptxas() {
  local c
  for c in "$(command -v ptxas 2>/dev/null)" "${NATIVEGAN_CUDA_TOOLS:+$NATIVEGAN_CUDA_TOOLS/bin/ptxas}" \
           /usr/local/cuda/bin/ptxas /usr/local/cuda-*/bin/ptxas "$HOME/.cache/nativegan/cuda-11.8/bin/ptxas"; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return; }
  done
  # PyTorch's Triton ships one.
  if [ -n "$py" ]; then
    local sp
    for sp in $(timeout 20 "$py" -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null); do
      c=$(find "$sp/triton" "$sp/nvidia" -maxdepth 5 -name ptxas -type f -perm -u+x 2>/dev/null | head -n1)
      [ -n "$c" ] && { echo "$c"; return; }
    done
  fi
}

run_all() {
  local dry=0 only=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --dry-run) dry=1 ;;
      --only) only=",${2:-},"; shift ;;
      --only=*) only=",${1#--only=},";;
      -h|--help) usage; exit 0 ;;
      *) echo "error: unknown option '$1'" >&2; usage >&2; exit 1 ;;
    esac
    shift
  done
  # Old-OpenBLAS tuning some machines set slows a current OpenBLAS: PyTorch's CPU side must run without it.
  unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
  local device=${NATIVEGAN_CHECK_DEVICE:-cuda}
  [ "$device" = ilgpu-cpu ] && dry=1
  [ "$dry" -eq 1 ] && device=ilgpu-cpu
  want() { [ -z "$only" ] || [[ $only == *",$1,"* ]]; }

  started=$(now)
  budget=${NATIVEGAN_CHECK_BUDGET:-420}
  deadline=$(awk -v a="$started" -v b="$budget" 'BEGIN { printf "%.1f", a + b }')
  OUT=${OUT:-./cuda-check-out}
  mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
  tmp=$(mktemp -d /tmp/cuda-check.XXXXXX)
  LOGS="$tmp/logs"; mkdir -p "$LOGS"; : > "$LOGS/steps.tsv"
  if [ "$dry" -eq 1 ]; then mode_line="dry run on ilgpu-cpu (ILGPU's CPU accelerator; smallest workloads; compare on cpu)"
  else mode_line="CUDA ($device)"; fi
  gpu_line="none"
  if command -v nvidia-smi >/dev/null 2>&1; then
    # compute_cap is a query field of recent drivers only.
    gpu_line=$(timeout 30 nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader 2>/dev/null \
      || timeout 30 nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1)
    gpu_line=$(echo "$gpu_line" | head -n2 | paste -sd ';' -)
    timeout 30 nvidia-smi > "$LOGS/nvidia-smi.log" 2>&1
  fi
  torch_line="no python3"
  [ -n "$py" ] && torch_line="$py, $(timeout 60 "$py" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "available" if torch.cuda.is_available() else "not available")' 2>&1 | tail -n1)"
  ptxas=$(find_ptxas)

  # The runtime and the publishes: unpacked into /tmp once per tarball, so .device keeps only what is carried.
  local t0 missing="" a
  t0=$(now)
  unpack() { # TARBALL DIR
    local stamp; stamp=$(cksum < "$1")
    if [ ! -f "$2/.stamp" ] || [ "$(cat "$2/.stamp")" != "$stamp" ]; then
      rm -rf "$2" && mkdir -p "$2" || return 1
      if command -v xz >/dev/null; then tar xJf "$1" -C "$2" || return 1
      else "$py" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2" || return 1; fi
      echo "$stamp" > "$2/.stamp"
    fi
  }
  local dn=/tmp/nativegan-check/dotnet appdir=/tmp/nativegan-check/apps
  if [ ! -f "$dev_dir/dotnet-rt.tar.xz" ] || [ ! -f "$dev_dir/apps.tar.xz" ]; then
    record unpack 1 "-" "no .device/dotnet-rt.tar.xz or .device/apps.tar.xz: run tools/cuda-check.sh bundle on the build machine and carry .device"
    finish; return
  fi
  unpack "$dev_dir/dotnet-rt.tar.xz" "$dn" > "$LOGS/unpack.log" 2>&1
  unpack "$dev_dir/apps.tar.xz" "$appdir" >> "$LOGS/unpack.log" 2>&1
  export DOTNET_ROOT="$dn" PATH="$dn:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  if [ -f "$appdir/NativeGan.Tests/fixtures.from-tree" ]; then
    ln -sfn "$root/$(cat "$appdir/NativeGan.Tests/fixtures.from-tree")" "$appdir/NativeGan.Tests/fixtures"
  fi
  for a in "${apps[@]}"; do [ -d "$appdir/$a" ] || missing="$missing $a"; done
  record unpack "$([ -z "$missing" ] && [ -x "$dn/dotnet" ] && echo 0 || echo 1)" "$(since "$t0")" \
    "$(dotnet --list-runtimes 2>&1 | head -n1)${missing:+; missing publishes:$missing}"

  local cli="$appdir/NativeGan.Cli/nativegan.dll" tests="$appdir/NativeGan.Tests/NativeGan.Tests.dll"
  local bench="$appdir/NativeGan.Benchmarks/NativeGan.Benchmarks.dll"
  [ -f "$cli" ] || cli="$appdir/NativeGan.Cli/NativeGan.Cli.dll"

  # 1. devices
  if want devices; then
    if [ "$dry" -eq 1 ]; then step devices 40 env NATIVEGAN_DEVICE=ilgpu-cpu dotnet "$cli" devices --kernels
    else step devices 40 dotnet "$cli" devices --kernels; fi
  fi

  # 2. kernels: PTX for this GPU's architecture, registers and spills when ptxas is there
  if want kernels; then
    if timeout 30 dotnet "$cli" kernels --help > "$LOGS/kernels-help.log" 2>&1; then
      local cc arch
      cc=$(echo "$gpu_line" | awk -F', *' 'NR==1 && $2 ~ /^[0-9]+\.[0-9]+$/ {print $2}')
      [ -n "$cc" ] || cc=$(grep -m1 -E '^cuda' "$LOGS/devices.log" 2>/dev/null | awk -F'  +' '{print $4}')
      if [[ $cc =~ ^[0-9]+\.[0-9]+$ ]]; then arch="sm_${cc/./}"; else arch=sm_90; fi
      local kargs=(kernels --ptx "$tmp/ptx" --arch "$arch")
      [ -n "$ptxas" ] && kargs+=(--ptxas "$ptxas")
      step kernels 60 dotnet "$cli" "${kargs[@]}"
      if [ -d "$tmp/ptx" ]; then tar czf "$OUT/ptx.tar.gz" -C "$tmp" ptx; fi
    else
      record kernels skipped "-" "no \`nativegan kernels\` verb in this build (\`kernels --help\` exited non-zero)"
    fi
  fi

  # 3. tests: the Category=Cuda tests (they skip without a CUDA device); the dry run adds a few ilgpu-cpu tests
  if want tests; then
    # One test at a time: a first run's failures should not depend on two classes sharing the GPU.
    step tests 120 dotnet "$tests" -trait "Category=Cuda" -parallel none -noColor -noLogo -longRunning 30 -xml "$LOGS/tests.xml"
    if [ "$dry" -eq 1 ]; then
      step tests-ilgpu 120 dotnet "$tests" -parallel none -noColor -noLogo -longRunning 30 -xml "$LOGS/tests-ilgpu.xml" \
        -method "NativeGan.Tests.Optim.OptimizerFixtureTests.MatchesTorchOnIlgpuKernels" \
        -method "NativeGan.Tests.Gemm.GemmTests.IlgpuTiled_MatchesReference"
    fi
  fi

  # 4. the kernel harness, quick set
  if want harness; then
    if [ "$dry" -eq 1 ]; then
      step harness 75 dotnet "$bench" harness --device ilgpu-cpu --quick --cases add,gemm --csv "$OUT/harness.csv"
    else
      step harness 75 dotnet "$bench" harness --device "$device" --quick --csv "$OUT/harness.csv"
    fi
  fi

  # 5. compare against PyTorch in the same run: two calls, so that the long RRDBNet rows cannot cost the others
  #    their PyTorch side. compare has no ilgpu-cpu table: the dry run uses the CPU one.
  if want compare; then
    if [ "$dry" -eq 1 ]; then
      step compare 90 dotnet "$bench" compare --device cpu --workloads gemm_1024 --trials 1 \
        --json "$OUT/compare.json" --png "$OUT/compare.png"
    else
      step compare 90 dotnet "$bench" compare --device "$device" --workloads gemm,conv,pixel_shuffle,dcgan \
        --json "$OUT/compare.json" --png "$OUT/compare.png"
    fi
  fi
  if want compare-rrdb; then
    if [ "$dry" -eq 1 ]; then
      step compare-rrdb 240 dotnet "$bench" compare --device cpu --workloads conv_64_64_fwd --trials 1 \
        --json "$OUT/compare-rrdb.json" --png "$OUT/compare-rrdb.png"
    else
      step compare-rrdb 240 dotnet "$bench" compare --device "$device" --workloads rrdbnet \
        --json "$OUT/compare-rrdb.json" --png "$OUT/compare-rrdb.png"
    fi
  fi
  finish
}

finish() {
  write_summary
  rm -rf "$tmp"
  cat "$OUT/summary.md"
  echo
  echo "files in $OUT:"
  ls -l "$OUT"
}

case "${1:-}" in
  bundle) shift; bundle "$@" ;;
  run) shift; run_all "$@" ;;
  --dry-run) run_all "$@" ;;
  -h|--help|"") usage ;;
  *) echo "error: unknown mode '$1'" >&2; usage >&2; exit 1 ;;
esac
