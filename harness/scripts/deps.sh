#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh PACKAGE...
#
# Install the Debian packages that the build needs and that are missing,
# then check that every command the build and the tests run is there.
# Cheap when all is present (one dpkg-query, the rest shell builtins), so it
# runs each time.
set -eu

# Everything the Makefile, harness/scripts/*, the kernel build (kbuild,
# objtool, kconfig) and kselftest's install run or read, with the Debian
# package that has it and the package of PACKAGES that brings it in ("="
# when it is that package itself).  Packages that are Essential on every
# Debian system (coreutils, findutils, grep, sed, tar, gzip, diffutils,
# mawk, bash, libc-bin, dpkg) are not listed.  A package named here that
# PACKAGES does not bring fails the run on every machine, not just on a
# fresh one.
#
# command or file		package		brought by	needed for
needs="
gcc				gcc		build-essential	the kernel and the guest programs
make				make		build-essential	everything
ld				binutils	build-essential	the kernel
patch				patch		build-essential	applying patches/ (sync-tree.sh)
perl				perl		build-essential	the kernel build, checkpatch.pl
/usr/lib/x86_64-linux-gnu/libc.a libc6-dev	build-essential	the static guest programs
/usr/lib/x86_64-linux-gnu/liburing.a liburing-dev =		uring_watch and wq_bench (static, io_uring)
/usr/lib/x86_64-linux-gnu/libcap.a libcap-dev	=		clone3's selftests, a regression peer (static)
bc				bc		=		the kernel (timeconst.h)
bison				bison		=		kconfig
flex				flex		=		kconfig
/usr/include/gelf.h		libelf-dev	=		objtool
xz				xz-utils	=		unpacking the base tree, the compressed kernel
ccache				ccache		=		the kernel build
rsync				rsync		=		headers_install, the kselftest install
cpio				cpio		=		the initramfs
/bin/busybox			busybox-static	=		the initramfs (a static busybox)
keyctl				keyutils	=		the initramfs
mkfs.ext4			e2fsprogs	=		the guest's disk image
qemu-system-x86_64		qemu-system-x86	=		booting the guest
rst2html			python3-docutils =		checking the rST documents (lint.sh)
/usr/bin/python3		python3		python3-docutils the tables of make bench (bench-report.py)
gnuplot				gnuplot-nox	=		the plots of make bench
groff				groff-base	=		checking the man pages (lint.sh)
/usr/src/linux-source-6.12.tar.xz linux-source-6.12 =		the base tree
"
# mkfs.ext4 is in /sbin, which is not always in a user's PATH.
PATH=$PATH:/usr/sbin:/sbin

# The table must not name a package that PACKAGES does not bring.
declare -A listed=()
for p in "$@"; do listed[$p]=1; done
bad=0
while read -r what pkg via used; do
	[ -n "$what" ] || continue
	[ "$via" = "=" ] && via=$pkg
	[ -n "${listed[$via]-}" ] && continue
	echo "error: the Makefile's PACKAGES does not bring $what (package $pkg, needed for $used)" >&2
	bad=1
done <<<"$needs"
if [ $bad -ne 0 ]; then
	echo "       a fresh machine would not have it: add the package to PACKAGES" >&2
	exit 1
fi

# Install what is missing.
declare -A ok=()
while IFS=$'\t' read -r p st; do
	[ "$st" = "install ok installed" ] && ok[$p]=1
done < <(dpkg-query -W -f='${Package}\t${Status}\n' "$@" 2>/dev/null || true)
missing=()
for p in "$@"; do
	[ -n "${ok[$p]-}" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "[1/7] installing packages: ${missing[*]} (log: build/logs/apt.log)"
	if [ "$(id -u)" -ne 0 ]; then
		echo "error: these packages are missing and installing them needs root:" >&2
		echo "       ${missing[*]}" >&2
		echo "       fix: run make as root, or: sudo apt-get install ${missing[*]}" >&2
		exit 1
	fi
	mkdir -p build/logs
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -q &&
	       apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
		>build/logs/apt.log 2>&1; then
		tail -n 20 build/logs/apt.log >&2
		echo "error: apt-get could not install: ${missing[*]}" >&2
		echo "       fix: check the network and /etc/apt/sources.list, then re-run make" >&2
		echo "       full log: build/logs/apt.log" >&2
		exit 1
	fi
fi

# Every command and file is there.
bad=0
while read -r what pkg via used; do
	[ -n "$what" ] || continue
	case "$what" in
	/*) [ -e "$what" ] && continue ;;
	*) command -v "$what" >/dev/null && continue ;;
	esac
	echo "error: $what is missing (Debian package $pkg, needed for $used)" >&2
	echo "       fix: apt-get install $pkg" >&2
	bad=1
done <<<"$needs"
exit $bad
