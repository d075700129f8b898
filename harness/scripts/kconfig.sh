#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kconfig.sh LOG TREE OBJ FRAGMENT...
#
# Configure OBJ as tinyconfig plus the fragments, and check that every option
# the fragments ask for made it into .config.  Redone only when a fragment,
# the fragment list or a Kconfig file of TREE changed; silent otherwise.
set -eu
log=$1 tree=$2 obj=$3
shift 3
cfg=$obj/.config

need=0
[ -f "$cfg" ] || need=1
for f in "$@" "$tree/.watchq-kconfig-changed"; do
	[ "$f" -nt "$cfg" ] && need=1
done
[ "$(cat "$obj/.watchq-fragments" 2>/dev/null)" = "$*" ] || need=1
[ $need -eq 1 ] || exit 0

mkdir -p "$obj" "$(dirname "$log")"
echo "[4/7] configuring ${obj#"$PWD"/} (log: ${log#"$PWD"/})"
{
	make -C "$tree" O="$obj" tinyconfig &&
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$cfg" "$@" &&
	make -C "$tree" O="$obj" olddefconfig
} >"$log" 2>&1 || {
	tail -n 20 "$log" >&2
	echo "error: configuring the kernel failed; full log: $log" >&2
	exit 1
}

bad=0
for frag in "$@"; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$cfg" && continue ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			grep -q "^$opt=" "$cfg" || continue ;;
		*)
			continue ;;
		esac
		echo "error: '$line' from ${frag#"$PWD"/} did not stick in $cfg:" >&2
		echo "       an option it depends on is missing from the fragments" >&2
		bad=1
	done <"$frag"
done
[ $bad -eq 0 ] || { rm -f "$cfg"; exit 1; }
echo "$*" >"$obj/.watchq-fragments"
