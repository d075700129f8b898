#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh TOP GUEST OUT
#
# Pack the guest's root filesystem into the newc archive OUT: busybox with
# its applets, keyctl from keyutils with its libraries, the programs built
# into GUEST (samples, guest tools, installed kselftests) and harness/guest.
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

cp "$guest"/bin/* "$root/usr/bin/"
cp -a "$guest/kselftest" "$root/kselftest"
install -m 755 "$top/harness/guest/init" "$root/init"
cp "$top/harness/guest/kernel-log-reports" "$root/usr/share/watchq/"
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
