#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh PACKAGE...
#
# Install the Debian packages that the build needs and that are missing.
# Does nothing when all of them are present, so it is cheap to run each time.
set -eu

missing=()
for p in "$@"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "[1/7] installing packages: ${missing[*]} (log: build/logs/apt.log)"
if [ "$(id -u)" -ne 0 ]; then
	echo "error: these packages are missing and installing them needs root:" >&2
	echo "       ${missing[*]}" >&2
	echo "       fix: run make as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
mkdir -p build/logs
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
	>build/logs/apt.log 2>&1; then
	tail -n 20 build/logs/apt.log >&2
	echo "error: apt-get could not install: ${missing[*]}" >&2
	echo "       fix: check the network and /etc/apt/sources.list, then re-run make" >&2
	echo "       full log: build/logs/apt.log" >&2
	exit 1
fi
