#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The live demo of make run: watchq(1) watches the session and user
# keyrings through /dev/watch_queue (and the watch_test sample the same
# through a notification pipe) while this script changes keys, and prints
# each record as it arrives, resolved.  Then one watchq watches a mount
# tree, the whole mount namespace, the ext4 disk's superblock and the
# session keyring through a single ring while this script mounts,
# remounts, moves, unmounts, reports a filesystem error and adds a key;
# then it watches every namespace while a task unshares, enters and leaves
# some; then a monitor inside a container (unshare of user, pid and mount
# namespaces) and one outside show its processes' fork, setsid, exec and
# exit side by side, each with its own pids; then a null_blk disk with bad
# blocks while a read fails on it, it is made read-only and it is removed.
# Keys are watched with keyctl(), the rest with the queue's
# IOC_WATCH_QUEUE_WATCH ioctl.
# The exit status is 0 if every watcher ended as it should: watchq by its
# --timeout (exit status 2), watch_test with 0.

# Run in a session keyring of our own, which the watchers and every keyctl
# below share as @s.
if [ -z "$WATCHQ_DEMO_SESSION" ]; then
	WATCHQ_DEMO_SESSION=1 exec keyctl session watchq-demo sh "$0"
fi

# Wait for the watchq of pid $1, which ends by its --timeout: exit 2.
wait_watchq()
{
	wait "$1"
	st=$?
	[ "$st" -eq 2 ] || { echo "watchq exited with $st" >&2; status=1; }
}

say()
{
	sleep 1
	echo
	echo ">>> $*"
}

echo
echo "=== /dev/watch_queue demo: keyring notifications ==="
# The same watches through both transports: watchq on the ring of
# /dev/watch_queue and the sample on a notification pipe.  Each record
# arrives once through each.
status=0
watchq --keys @s --keys @u --timeout 5 &
watcher=$!
watch_test -l 'pipe: ' -p -k @s -k @u -t 5 &
piper=$!
sleep 2

say "keyctl add user demo-key hello @s"
key=$(keyctl add user demo-key hello @s)
say "keyctl update $key world"
keyctl update "$key" world
say "keyctl setperm $key 0x3f3f0000"
keyctl setperm "$key" 0x3f3f0000
say "keyctl link $key @u; keyctl unlink $key @u"
keyctl link "$key" @u
keyctl unlink "$key" @u
say "keyctl revoke $key"
keyctl revoke "$key"
say "keyctl add user second-key x @s; keyctl invalidate"
key2=$(keyctl add user second-key x @s)
keyctl invalidate "$key2"
say "keyctl clear @s"
keyctl clear @s

wait_watchq $watcher
wait $piper || status=$?

echo
echo "=== mounts, a mount namespace, a superblock and keys in one ring ==="
mount -t tmpfs demo /mnt
mkdir /mnt/a /mnt/b /mnt/disk
disk=
if [ -b /dev/vda ] && mount -t ext4 -o errors=continue /dev/vda /mnt/disk; then
	disk=/mnt/disk
else
	echo "(no ext4 disk at /dev/vda: no superblock events)"
fi
watchq --keys @s --mounts /mnt --ns /proc/self/ns/mnt ${disk:+--sb $disk} --timeout 5 &
watcher=$!
sleep 2

say "mount -t tmpfs scratch /mnt/a"
mount -t tmpfs scratch /mnt/a
say "mount -o remount,ro /mnt/a"
mount -o remount,ro /mnt/a
if [ -n "$disk" ]; then
	say "mount -o remount,commit=10 $disk   (a reconfiguration that keeps rw)"
	mount -o remount,commit=10 "$disk"
fi
say "mount -o move /mnt/a /mnt/b"
mount -o move /mnt/a /mnt/b
say "umount /mnt/b"
umount /mnt/b
if [ -n "$disk" ]; then
	say "echo oops > /sys/fs/ext4/vda/trigger_fs_error   (an ext4 error)"
	echo oops >/sys/fs/ext4/vda/trigger_fs_error
fi
say "keyctl add user third-key x @s"
keyctl add user third-key x @s >/dev/null

wait_watchq $watcher
[ -z "$disk" ] || umount /mnt/disk
umount /mnt

echo "=== namespace notifications: a watch on the initial user namespace ==="
# Every namespace on the system is owned by the initial user namespace or
# one of its descendants: this watch sees them all.
watchq --ns /proc/self/ns/user --timeout 5 &
nswatch=$!
sleep 2

say "unshare -m -u -n: new mount, uts and net namespaces (a holder task)"
unshare -m -u -n sleep 6 &
holder=$!
sleep 1
say "nsenter -t $holder -m -u -n true: setns() into them"
nsenter -t "$holder" -m -u -n true
say "the holder exits: its namespaces are destroyed"
wait $holder
wait_watchq $nswatch

echo
echo "=== process events: a container, seen from inside and from outside ==="
# unshare -U -r -p -m: a user, pid and mount namespace of its own, whose
# root may watch its own pid namespace (the proc connector refuses such a
# listener).  One monitor inside it, one outside watching the same pid
# namespace: the same records, each with the pids its own namespace gives.
unshare -U -r -p -m --fork --mount-proc sh -c '
	watch_test -l "inside:  " -P /proc/self/ns/pid -t 4 &
	sleep 3
	echo ">>> in the container: setsid sh -c \"exec true\" (fork, setsid, exec, exit)"
	setsid sh -c "exec true"
	wait
' &
ctr=$!
sleep 1
watch_test -l 'outside: ' -P "/proc/$ctr/ns/pid_for_children" -t 4 &
outside=$!
wait $ctr || status=1
wait $outside || status=1

echo "=== block device notifications: a null_blk disk with bad sectors ==="
nb=/sys/kernel/config/nullb/demo0
[ -d /sys/kernel/config/nullb ] ||
	mount -t configfs none /sys/kernel/config 2>/dev/null
if mkdir $nb 2>/dev/null; then
	echo 16 >$nb/size
	echo 2 >$nb/irqmode	# completion in a timer's hard interrupt
	echo 1 >$nb/power
	echo +1024-2047 >$nb/badblocks
	watchq --block /dev/demo0 --timeout 5 &
	blkwatch=$!
	sleep 2
	say "dd if=/dev/demo0 skip=128 bs=4096 count=1 iflag=direct   (sectors 1024-1031 are bad)"
	dd if=/dev/demo0 of=/dev/null bs=4096 skip=128 count=1 iflag=direct 2>&1 |
		head -1
	say "blockdev --setro /dev/demo0"
	blockdev --setro /dev/demo0 2>/dev/null ||
		echo "(no blockdev command: no read-only change)"
	say "echo 0 > $nb/power   (the disk is removed)"
	echo 0 >$nb/power
	rmdir $nb
	# Its only watch removed, watchq exits 3.
	wait $blkwatch
	st=$?
	[ "$st" -eq 3 ] || { echo "watchq exited with $st" >&2; status=1; }
else
	echo "(no null_blk in configfs: no block device events)"
fi

echo
echo "=== the same as JSON, one object a line: watchq --json ==="
mount -t tmpfs demo /mnt
watchq --mounts /mnt --json --count 2 &
watcher=$!
sleep 2
mkdir /mnt/j
mount -t tmpfs json-demo /mnt/j
umount /mnt/j
wait $watcher || status=$?
umount /mnt

echo "=== demo done (exit status $status) ==="
exit $status
