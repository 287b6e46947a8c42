#!/usr/bin/env bash
# Installs the system packages isf-renderer needs on Debian 12 (run as root, or it uses sudo), then npm deps.
#   libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri : EGL + OpenGL ES 3 (Mesa llvmpipe, surfaceless: no display needed)
#   glslang-tools : GLSL ES syntax checks in the test suite
#   ffmpeg        : video in/out for `isf render -o clip.mp4`
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri glslang-tools ffmpeg >/dev/null
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
