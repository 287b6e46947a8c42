#!/usr/bin/env bash
# The bench on an NVIDIA GPU through the EGL device platform (../shared/docs/gpu-runs.md), as one prepared run.
#
#   scripts/gpu-bench.sh prepare    here, once: fills .gpu/ (ignored by git) with what the GPU machine lacks:
#                                   node (xz), Debian's GL loader .debs (apt-get download), the production
#                                   node_modules (koffi, sharp, tsx...) as one tar.xz (node_modules is not carried)
#                                   and the bench shaders + official tests from ../shared (outside the tree)
#   scripts/gpu-bench.sh run        on the GPU machine (device tool: carry [".gpu"]): unpacks all that, installs the
#                                   GL loader (dpkg -x + ldconfig), points glvnd at NVIDIA's EGL, runs
#                                   scripts/bench.ts --device gpu --json and writes every figure at once to $OUT:
#                                   bench-gpu.json (the JSON line), bench-gpu.txt (tables + JSON), bench-gpu.log
#                                   (progress, errors), machine.txt (nvidia-smi, driver, CPU)
#   ISF_BENCH_REHEARSAL=1 scripts/gpu-bench.sh run
#                                   rehearsal on a CPU machine, in a copy of the tree under /tmp: the same unpacking
#                                   (node, node_modules from .gpu/ only) and a --quick bench on llvmpipe, without
#                                   touching the system's libraries
#
# Chromium and Redis are not on the GPU machine: the browser comparison and the farm are left out there
# (docs/benchmarks.md keeps their CPU figures).
set -euo pipefail
cd "$(dirname "$0")/.."
GPU=.gpu

prepare() {
  mkdir -p "$GPU/debs"
  xz -T2 -6 -c "$(command -v node)" >"$GPU/node.xz"
  rm -f "$GPU"/debs/*.deb
  (cd "$GPU/debs" && apt-get download libegl1 libglvnd0 libgles2 libopengl0 libgl1 libglx0)
  # Production dependencies only (no typescript, biome, playwright): what scripts/bench.ts imports at run time.
  npm ls --omit=dev --parseable --all | sed 1d | sed "s|^$PWD/||" | sort -u >"$GPU/node_modules.list"
  tar -cf - -T "$GPU/node_modules.list" | xz -T2 -6 >"$GPU/node_modules.tar.xz"
  # The shaders the bench reads (../shared is outside the working tree, so it does not travel).
  rm -rf "$GPU/shared"
  mkdir -p "$GPU/shared/corpus"
  cp -r ../shared/corpus/bench ../shared/corpus/isf-tests "$GPU/shared/corpus/"
  du -sh "$GPU"/node.xz "$GPU"/node_modules.tar.xz "$GPU"/debs
  du -sch "$GPU" | tail -n 1
}

run() {
  local out="${OUT:-$PWD/out/gpu-bench}"
  mkdir -p "$out"
  local node=/tmp/isf-bench-node
  xz -d -c "$GPU/node.xz" >"$node"
  chmod +x "$node"
  local device=gpu extra=(--only overhead,batch,memory,compile)
  if [[ "${ISF_BENCH_REHEARSAL:-}" == 1 ]]; then
    # A copy of the tree without node_modules (.gpu/ included), as the GPU machine gets it.
    REHEARSAL_COPY=$(mktemp -d /tmp/isf-gpu-rehearsal.XXXXXX)
    trap 'rm -rf "$REHEARSAL_COPY"' EXIT
    tar --exclude=./.git --exclude=./node_modules --exclude=./out --exclude=./tmp -cf - . |
      tar -xf - -C "$REHEARSAL_COPY"
    cd "$REHEARSAL_COPY"
    device=cpu
    extra=(--only overhead,batch,memory,compile --quick)
  else
    for deb in "$GPU"/debs/*.deb; do dpkg -x "$deb" /; done
    ldconfig
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
  [[ -d node_modules/koffi ]] || xz -d -c "$GPU/node_modules.tar.xz" | tar -xf -
  {
    date -u
    uname -a
    grep -m1 'model name' /proc/cpuinfo || true
    nproc
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || echo 'nvidia-smi: not available'
  } >"$out/machine.txt"
  local status=0
  timeout 540 "$node" --import tsx scripts/bench.ts --device "$device" --json --shared "$GPU/shared" "${extra[@]}" \
    >"$out/bench-gpu.txt" 2>"$out/bench-gpu.log" || status=$?
  tail -n 1 "$out/bench-gpu.txt" >"$out/bench-gpu.json" || true
  cat "$out/machine.txt"
  sed '$d' "$out/bench-gpu.txt"
  tail -n 20 "$out/bench-gpu.log"
  echo "bench exit status: $status; figures in $out/bench-gpu.json"
  return "$status"
}

case "${1:-}" in
prepare) prepare ;;
run) run ;;
*)
  echo "usage: scripts/gpu-bench.sh prepare | run   (ISF_BENCH_REHEARSAL=1 ... run: CPU rehearsal)" >&2
  exit 2
  ;;
esac
