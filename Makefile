# SPDX-License-Identifier: GPL-2.0
#
# watch_queue: a notification queue device for Linux 6.12, built, booted and
# tested in QEMU.  "make help" lists the targets; README.md explains them.
#
# Pipeline, each step incremental:
#   [1/7] packages      harness/scripts/deps.sh      (apt-get, only what is missing)
#   [2/7] base tree     harness/scripts/unpack.sh    (linux-source-6.12, once per version)
#   [3/7] patches       harness/scripts/sync-tree.sh (patches/series + new files)
#   [4/7] kernel        kconfig.sh + kbuild          (per flavour, with ccache)
#   [5/7] userspace     headers, samples, selftests  (static, against build/usr/include)
#   [6/7] initramfs     harness/scripts/initramfs.sh (busybox + our programs)
#   [7/7] QEMU          harness/scripts/boot.sh      (TCG; verdict by exit status)

SHELL		:= /bin/bash
.DEFAULT_GOAL	:= help
.NOTPARALLEL:

TOP		:= $(CURDIR)
B		:= $(TOP)/build
LOGS		:= $(B)/logs
S		:= $(TOP)/harness/scripts
CFG		:= $(TOP)/harness/config
STEP		:= $(S)/step.sh
JOBS		?= $(shell nproc)

export CCACHE_DIR	?= $(B)/ccache
export CCACHE_BASEDIR	:= $(TOP)
export CCACHE_MAXSIZE	?= 4G

# The Debian packages of everything the build and the tests run.  deps.sh
# installs the missing ones and checks for each command it knows; a command
# it names must come from one of these, or a fresh machine fails.
PACKAGES := build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils \
	    kmod ccache qemu-system-x86 busybox-static keyutils linux-source-6.12 \
	    e2fsprogs rsync python3-docutils gnuplot-nox liburing-dev groff-base \
	    python3-ply python3-git libcap-dev

PRISTINE	:= $(B)/src/pristine
TREE		:= $(B)/src/linux

# Kernel flavours: the source tree each one is built from and its config
# fragments.  Output goes to build/obj/<flavour>.  "debug" is the kernel of
# make check, run, shell and guest-run; "pristine" is the unpatched base
# with the same debugging, for comparing against (make kernel
# FLAVOUR=pristine).  "bench" and "pristine-bench" are the same two without
# any debugging (bench.config instead of debug.config), for make bench.
FLAVOUR		?= debug
tree_debug	:= $(TREE)
frags_debug	:= $(CFG)/guest.config $(CFG)/notify.config $(CFG)/sources.config \
		   $(CFG)/watch_queue.config $(CFG)/debug.config
tree_pristine	:= $(PRISTINE)
frags_pristine	:= $(CFG)/guest.config $(CFG)/notify.config $(CFG)/sources.config \
		   $(CFG)/debug.config
tree_bench	:= $(TREE)
frags_bench	:= $(CFG)/guest.config $(CFG)/notify.config $(CFG)/sources.config \
		   $(CFG)/watch_queue.config $(CFG)/bench.config
tree_pristine-bench := $(PRISTINE)
frags_pristine-bench := $(CFG)/guest.config $(CFG)/notify.config $(CFG)/sources.config \
		   $(CFG)/bench.config

KTREE		= $(tree_$(FLAVOUR))
KOBJ		= $(B)/obj/$(FLAVOUR)
BZIMAGE		= $(KOBJ)/arch/x86/boot/bzImage
# A sub-make of our own, not of this Makefile's jobserver.
KMAKE		= env MAKEFLAGS= MAKELEVEL= make -C $(KTREE) O=$(KOBJ) \
		  CC="ccache gcc" KBUILD_BUILD_USER=watchq \
		  KBUILD_BUILD_HOST=qemu KBUILD_BUILD_TIMESTAMP=2024-12-01

HDR		:= $(B)/usr
GUEST		:= $(B)/guest
INITRAMFS	:= $(B)/initramfs-$(FLAVOUR).cpio
# The guest's ext4 disk, /dev/vda (attached with snapshot=on: never written).
DISK		:= $(B)/disk-ext4.img
BOOT		= $(S)/boot.sh --kernel $(BZIMAGE) --initrd $(INITRAMFS) --logs $(LOGS) \
		  --disk $(DISK)

CHECK_TIMEOUT	?= 3000
RUN_TIMEOUT	?= 600
# make bench: pairs of alternating pristine/patched boots for the
# patched/pristine ratios, and optionally a subset of the cases
# (BENCH_CASES=1,4) or a number of repetitions (BENCH_REPS=5).
BENCH_PAIRS	?= 3
BENCH_TIMEOUT	?= 7200
BENCH_CASES	?=
BENCH_REPS	?=
# make fuzz: the fuzzer alone, with a seed (default: the time) and a number
# of operations (default: the fuzzer's own, what make check runs).
SEED		?=
OPS		?=
FUZZ_TIMEOUT	?= 7200

.PHONY: help deps source tree kconfig kernel headers userprogs initramfs \
	disk run shell check check-pristine check-peers guest-run lint patches \
	patches-check bench bench-smoke fuzz \
	clean distclean

help:
	@echo "make run        build everything, boot QEMU and run the live demo"
	@echo "make check      build the debug kernel and run the selftests in QEMU"
	@echo "make check-pristine"
	@echo "                on the unpatched kernel: the helper says \"not supported\""
	@echo "make check-peers"
	@echo "                the base tree's own tests on the pristine kernel: the"
	@echo "                results make check compares ours with (harness/peers/)"
	@echo "make bench      build the bench kernels, measure under TCG: build/bench/results.md"
	@echo "make bench-smoke"
	@echo "                every case of the benchmark once, tiny, on the debug kernel"
	@echo "make shell      boot the test kernel to an interactive shell"
	@echo "make headers    install the patched UAPI headers to build/usr/include"
	@echo "make lint       checkpatch --strict, kernel-doc, rST, man pages and the"
	@echo "                documents' C examples (in make check)"
	@echo "make patches    the series as upstream would receive it: build/patches/"
	@echo "make patches-check"
	@echo "                git am it on the base, build and checkpatch after each patch"
	@echo "make fuzz [SEED=n] [OPS=n]"
	@echo "                the fuzzer alone on the debug kernel, e.g. to rerun the seed"
	@echo "                a failure printed, or longer than make check does"
	@echo "make guest-run SCRIPT=file [FILES=dir]"
	@echo "                run a script as root in the guest, files at /extra"
	@echo "make clean      remove build output but keep the base tree and ccache"
	@echo "make distclean  remove build/ entirely"

deps:
	@$(S)/deps.sh $(PACKAGES)

source: deps
	@$(S)/unpack.sh $(PRISTINE) $(TREE)

tree: source
	@echo "[3/7] applying patches/ and the repository's files to build/src/linux"
	@$(S)/sync-tree.sh $(TOP) $(PRISTINE) $(TREE)

kconfig: tree
	@$(S)/kconfig.sh $(LOGS)/kconfig-$(FLAVOUR).log $(KTREE) $(KOBJ) $(frags_$(FLAVOUR))

kernel: kconfig
	@$(STEP) "[4/7] building the $(FLAVOUR) kernel (~15 min the first time)" \
		$(LOGS)/kernel-$(FLAVOUR).log $(KMAKE) -j$(JOBS) bzImage

headers: kconfig
	@$(STEP) "[5/7] installing UAPI headers to build/usr/include" \
		$(LOGS)/headers.log $(KMAKE) INSTALL_HDR_PATH=$(HDR) headers_install

userprogs: headers
	@$(STEP) "[5/7] building samples, selftests and guest tools" \
		$(LOGS)/userprogs.log $(S)/userprogs.sh $(TOP) $(TREE) $(HDR)/include $(GUEST)

initramfs: userprogs
	@$(STEP) "[6/7] packing the initramfs" $(LOGS)/initramfs.log \
		$(S)/initramfs.sh $(TOP) $(GUEST) $(INITRAMFS)

disk: deps
	@$(S)/disk-image.sh $(DISK)

run: kernel initramfs disk
	@echo "[7/7] booting QEMU for the demo (log: build/logs/run-console.log)"
	@$(BOOT) --mode demo --timeout $(RUN_TIMEOUT)

shell: kernel initramfs disk
	@echo "[7/7] booting QEMU to a shell; leave with 'exit' (or Ctrl-A x)"
	@$(BOOT) --mode shell

# After headers: the C examples of the documents compile against them.
lint: headers
	@echo "[3/7] checking style: checkpatch --strict, kernel-doc, rST, man pages, C examples (log: build/logs/lint.log)"
	@$(S)/lint.sh $(TOP) $(TREE) $(LOGS)/lint.log $(HDR)/include

# The series as upstream would receive it, new files inside the patches
# that introduce them (patches/new-files), with a cover letter from
# patches/cover-letter.in: build/patches/.  make patches-check applies it
# with git am to the base and builds and checkpatches after each patch
# (allnoconfig plus harness/config/patches-check.config; not in make check).
patches: tree
	@echo "[3/7] writing the series to build/patches/"
	@$(S)/make-patches.sh $(TOP) $(PRISTINE) $(B)/patches-base $(B)/patches

patches-check: patches
	@echo "[4/7] applying build/patches/ to the base, building after each patch (log: build/logs/patches-check.log)"
	@$(S)/patches-check.sh $(TOP) $(B)/patches $(B)/patches-base $(B)/obj/patches-check \
		$(LOGS)/patches-check.log

check: lint kernel initramfs disk
	@echo "[7/7] booting the debug kernel and running the selftests (log: build/logs/check-console.log)"
	@$(BOOT) --mode check --timeout $(CHECK_TIMEOUT)

# A program built against our headers, on the unpatched base kernel (built
# once, ~12 minutes; then incremental), with the same initramfs: watchq_open()
# must fail with EOPNOTSUPP after nothing but the open() of the device, and
# the watch helpers on a notification pipe after nothing but the ioctl.  Not
# part of check: it needs a second kernel and a second boot.
check-pristine: initramfs disk
	@$(MAKE) --no-print-directory kernel FLAVOUR=pristine
	@echo "[7/7] booting the pristine kernel: the helper must say not supported"
	@$(S)/boot.sh --kernel $(B)/obj/pristine/arch/x86/boot/bzImage \
		--initrd $(INITRAMFS) --logs $(LOGS) --disk $(DISK) --mode script \
		--script $(TOP)/harness/guest/pristine-check.sh --timeout $(RUN_TIMEOUT)

# The base tree's own tests of what the series changes, the regression
# peers (its selftests of mount_setattr, move_mount_set_group, mount,
# pidfd, nsfs, clone3, pid_namespace and proc, and its pipe-based
# samples/watch_queue/watch_test against keys; harness/guest/peers.sh), on
# the pristine kernel: their results go to
# harness/peers/pristine-VERSION.txt, VERSION being linux-source-6.12's,
# and make check compares ours with them.  Rerun it and commit the file
# when the base version changes (make check then says so) or the peers'
# list does.  Not part of check: a second kernel and a second boot.
check-peers: initramfs disk
	@$(MAKE) --no-print-directory kernel FLAVOUR=pristine
	@echo "[7/7] booting the pristine kernel for the base tree's tests (log: build/logs/peers-pristine.out)"
	@$(S)/check-peers.sh $(B)/obj/pristine/arch/x86/boot/bzImage $(INITRAMFS) \
		$(DISK) $(LOGS) $(TOP)/harness/peers

# The benchmark (tools/watch_queue/bench/, built with the selftests as
# wq_bench) on kernels without debugging: the patched "bench" kernel and the
# unpatched "pristine-bench" base with the same configuration, each built
# once (~15 minutes; then incremental).  harness/scripts/bench.sh says how
# the boots alternate; the table goes to build/bench/results.md, the plots
# to build/bench/*.svg.
bench: initramfs disk
	@$(MAKE) --no-print-directory kernel FLAVOUR=bench
	@$(MAKE) --no-print-directory kernel FLAVOUR=pristine-bench
	@echo "[7/7] booting the bench kernels under TCG (raw output: build/bench/raw/)"
	@$(S)/bench.sh --patched $(B)/obj/bench/arch/x86/boot/bzImage \
		--pristine $(B)/obj/pristine-bench/arch/x86/boot/bzImage \
		--initrd $(INITRAMFS) --disk $(DISK) --logs $(LOGS) --out $(B)/bench \
		--pairs $(BENCH_PAIRS) --timeout $(BENCH_TIMEOUT) \
		$(if $(BENCH_CASES),--cases $(BENCH_CASES)) $(if $(BENCH_REPS),--reps $(BENCH_REPS))

# Every case of the benchmark once, on tiny sizes, on the debug kernel:
# that it runs and reports numbers, never how fast.  make check runs the
# same (bench_smoke.sh is one of the selftests).
bench-smoke: kernel initramfs disk
	@echo "[7/7] booting the debug kernel for the benchmark's smoke run"
	@$(BOOT) --mode script --script $(TOP)/harness/guest/bench-smoke.sh \
		--timeout $(RUN_TIMEOUT)

# The fuzzer alone (fuzz_test of the selftests, which make check runs for
# its default number of operations): harness/guest/fuzz.sh in the guest,
# with SEED and OPS in /extra/fuzz.env.  Exit status: the verdict, which
# a kernel report (kmemleak's too) makes a failure.
fuzz: kernel initramfs disk
	@rm -rf $(B)/fuzz && mkdir -p $(B)/fuzz
	@printf 'WQ_FUZZ_SEED=%s\nWQ_FUZZ_OPS=%s\n' '$(SEED)' '$(OPS)' >$(B)/fuzz/fuzz.env
	@echo "[7/7] booting the debug kernel for the fuzzer (log: build/logs/guest-run-console.log)"
	@$(BOOT) --mode script --script $(TOP)/harness/guest/fuzz.sh --files $(B)/fuzz \
		--timeout $(FUZZ_TIMEOUT)

guest-run: kernel initramfs disk
	@if [ -z "$(SCRIPT)" ]; then \
		echo "error: SCRIPT is not set; usage: make guest-run SCRIPT=file [FILES=dir]" >&2; \
		exit 2; fi
	@$(BOOT) --mode script --script "$(SCRIPT)" --files "$(FILES)" --timeout $(RUN_TIMEOUT)

clean:
	rm -rf $(B)/obj $(B)/guest $(B)/peers $(B)/usr $(B)/initramfs-*.cpio $(B)/logs

distclean:
	rm -rf $(B)
