#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# disk-image.sh FILE [SIZE_MB]
#
# Create the guest's ext4 disk image FILE (default 32 MiB) unless it exists.
# boot.sh attaches it as /dev/vda with snapshot=on, so the guest never writes
# to FILE and every boot starts from this clean filesystem.
set -eu
img=$1 size=${2:-32}

[ -f "$img" ] && exit 0
# mkfs.ext4 is in /sbin, which is not always in a user's PATH.
PATH=$PATH:/usr/sbin:/sbin
mkdir -p "$(dirname "$img")"
rm -f "$img.tmp"
truncate -s "${size}M" "$img.tmp"
mkfs.ext4 -q -F -L watchq "$img.tmp"
mv "$img.tmp" "$img"
echo "      created $img (${size} MiB ext4, /dev/vda in the guest)"
