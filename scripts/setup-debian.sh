#!/usr/bin/env bash
# Installs what isf-renderer needs on Debian 12 (run as root, or it uses sudo), then the npm packages.
#   bash scripts/setup-debian.sh         run-time packages only
#   bash scripts/setup-debian.sh --dev   also what the test suite uses
# Run-time:
#   libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri : EGL + OpenGL ES 3 (Mesa llvmpipe, surfaceless: no display needed)
#   ffmpeg        : video in/out (`isf render -o clip.mp4`, `--image inputImage=clip.mp4`)
# Tests (--dev):
#   glslang-tools : GLSL ES syntax checks of the generated shaders
#   chromium      : the browser build and `isf serve` page, driven by playwright-core
#   redis-server  : the BullMQ render-farm tests
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
PACKAGES="libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri ffmpeg"
if [ "${1:-}" = "--dev" ]; then
  PACKAGES="$PACKAGES glslang-tools chromium redis-server"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
