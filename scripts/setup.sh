#!/usr/bin/env bash
# Installs what Fairground needs from Debian's packages when it is missing:
# GSL (libgsl-dev, found through pkg-config) always; with --tests also Chromium, the headless
# browser the report tests render HTML in. Safe to run repeatedly: it does nothing when
# everything is present.
set -euo pipefail

need=()
pkg-config --exists gsl 2>/dev/null || need+=(libgsl-dev pkg-config)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ "${1:-}" = "--tests" ] && ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)
fi

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift toolchain (6.1 or newer) is not on PATH" >&2
  exit 1
fi
