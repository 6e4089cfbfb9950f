#!/usr/bin/env bash
# install-deps.sh: installs everything Ladder needs to build, run, test and benchmark, from
# Debian 12's package archive. Safe to run again; skips apt when everything is present.
# (lintian, dpkg-dev, file, systemd and man-db: the install.* tests of the .deb and the units)
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang-format valgrind
  clang libclang-rt-dev llvm wrk
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
  libx264-dev libxml2-dev libxml2-utils libjansson-dev libcmocka-dev libssl-dev
  ffmpeg x264 python3 time
  uap-core python3-yaml python3-jsonschema
  libmicrohttpd-dev zlib1g-dev strace
  nginx redis-server libhiredis-dev
  chromium fonts-dejavu-core
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-libav
  lintian dpkg-dev file binutils systemd man-db
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (for the third-party playlist/MP4 readers in tests/js): any install will do,
# and a nodejs package that bundles npm conflicts with Debian's separate npm package.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
