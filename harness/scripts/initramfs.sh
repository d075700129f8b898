#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh TOP GUEST OUT
#
# Pack the guest's root filesystem into the newc archive OUT: busybox with
# its applets, keyctl from keyutils and bash with their libraries, the
# programs built into GUEST (samples, guest tools, installed kselftests,
# the regression peers), harness/guest and the peers' pristine results.
set -eux
top=$1 guest=$2 out=$3
root=${out%.cpio}.root

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,mnt,root,etc,extra}
mkdir -p "$root"/usr/share/watchq

cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
rm -f "$root/usr/bin/timeout"
install -m 755 "$top/harness/guest/timeout" "$root/usr/bin/timeout"

# A dynamically linked program from the host, with the libraries it needs.
copy_with_libs()
{
	local prog=$1 dest=$2 lib
	install -D -m 755 "$prog" "$root/$dest"
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		[ -e "$root/$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root/$lib"
	done
}
copy_with_libs "$(command -v keyctl)" /usr/bin/keyctl
# The mount peers are bash scripts; busybox has no bash.
copy_with_libs /bin/bash /bin/bash

cp "$guest"/bin/* "$root/usr/bin/"
cp -a "$guest/kselftest" "$root/kselftest"
cp -a "$guest/peers" "$root/peers"
install -m 755 "$top/harness/guest/init" "$root/init"
cp "$top/harness/guest/kernel-log-reports" "$root/usr/share/watchq/"
# The peers' results on the pristine kernel of this base version, for
# peers.sh to compare ours with (make check-peers writes them).  Without
# them every peer must pass; peers.sh says so, naming the fix.
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
echo "$ver" >"$root/usr/share/watchq/peers-version"
if [ -f "$top/harness/peers/pristine-$ver.txt" ]; then
	cp "$top/harness/peers/pristine-$ver.txt" "$root/usr/share/watchq/peers-pristine.txt"
else
	echo "warning: no harness/peers/pristine-$ver.txt: every peer must pass; fix: make check-peers" >&2
fi
for f in "$top"/harness/guest/*.sh; do
	install -m 755 "$f" "$root/usr/share/watchq/"
done

cat >"$root/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<GROUP
root:x:0:
nogroup:x:65534:
GROUP

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
