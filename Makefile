# i.MX7D kernel lab. The two commands a newcomer needs:
#   make run     build what is missing, boot the board (serial here, display
#                in a window or on VNC)
#   make test    build what is missing, run every test
# Other targets: make debug | bench | check-asan | check-fresh | qemu |
#                kernel-src | check-kernels | image | modules | clean | help
#   make check-fresh  the two commands above on a bare Debian root built on
#                the spot (mmdebstrap, root only): the check for any change
#                to setup, fetch or build scripts or this Makefile
#
# Your own kernel from source: make kernel-src [LINUX_SRC=debian-6.12|/path],
# then make run|test|debug KERNEL_SRC=1 [LINUX_SRC=...]
# Or a kernel you built: make run KERNEL=path/to/zImage KDIR=path/to/build
# (KDIR builds guest-driver/ modules; MODULES_DIR=<INSTALL_MOD_PATH>/lib/modules/<rel>
# adds that kernel's modules to the initramfs).

SHELL := /bin/bash
LAB_BUILD := $(CURDIR)/build
export LAB_BUILD

CROSS_COMPILE ?= arm-linux-gnueabihf-
QEMU := $(LAB_BUILD)/qemu/qemu-system-arm

# Written by scripts/fetch-kernel; targets that need it run in a sub-make
# (_modules, _image) so that a cold build sees it.
-include $(LAB_BUILD)/kernel/kernel.mk
ifeq ($(origin KDIR),command line)
KVER ?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
KCONFIG ?= $(KDIR)/.config
MODULES_DIR ?=
else
KDIR := $(DEBIAN_KDIR)
KVER := $(DEBIAN_KVER)
KCONFIG := $(DEBIAN_KCONFIG)
MODULES_DIR := $(DEBIAN_KMODDIR)
endif
ifneq ($(origin KERNEL),command line)
KERNEL := $(DEBIAN_ZIMAGE)
endif
ifneq ($(origin KSRC),command line)
KSRC := $(DEBIAN_KSRC)
endif

# A kernel built from source (make kernel-src, scripts/build-kernel):
# LINUX_SRC=debian-6.1 (default), debian-6.12 or a path to your tree.
# KERNEL_SRC=1 makes run, test, debug, modules and image use it instead of
# Debian's prebuilt kernel: its modules, its vmlinux, its own output
# directory (build/kernel-src/<name>: images/, guest-driver/, rootfs/), so
# both kernels' images live side by side.
LINUX_SRC ?= debian-6.1
KERNEL_PATCHES ?= default
KSRC_NAME := $(if $(filter debian-6.1 debian-6.12,$(LINUX_SRC)),$(LINUX_SRC),$(notdir $(abspath $(LINUX_SRC))))
KERNEL_SRC_OUT := $(LAB_BUILD)/kernel-src/$(KSRC_NAME)
ifneq ($(KERNEL_SRC),)
-include $(KERNEL_SRC_OUT)/kernel.mk
KERNEL := $(SRC_ZIMAGE)
KDIR := $(SRC_KDIR)
KSRC := $(SRC_KSRC)
KVER := $(SRC_KVER)
KCONFIG := $(SRC_KCONFIG)
MODULES_DIR := $(SRC_KMODDIR)
VMLINUX ?= $(SRC_VMLINUX)
LAB_MODULES := $(KERNEL_SRC_OUT)
LAB_IMAGES := $(KERNEL_SRC_OUT)/images
LAB_KERNEL_SRC := $(KSRC_NAME)
LAB_KERNEL_PATCHES := $(SRC_KPATCHES)
export LAB_KERNEL_SRC LAB_KERNEL_PATCHES
else
LAB_MODULES := $(LAB_BUILD)
LAB_IMAGES := $(CURDIR)/images
endif
export KERNEL KDIR KSRC KVER KCONFIG LAB_MODULES LAB_IMAGES

GUEST_DRIVERS := $(patsubst guest-driver/%/Kbuild,%,$(wildcard guest-driver/*/Kbuild))

.PHONY: all run test check-asan check-fresh check-kernels bench debug qemu kernel kernel-src _kernel-src kexec modules _modules _modules_build guest-bin image _image host clean help
# A cold `make` (fresh clone) records its duration for `make bench`.
all:
	@scripts/timed cold-setup $(MAKE) --no-print-directory qemu image
	@scripts/inputs-unchanged --record $(INPUT_WORDS)

help:
	@sed -n '/^$$/q;p' Makefile

# Host packages, deb-src and armhf for apt: quick when already done.
host:
	@scripts/setup-host

qemu: host
	@scripts/build-qemu

kernel: host
	@scripts/fetch-kernel
ifneq ($(KERNEL_SRC),)
	@$(MAKE) --no-print-directory _kernel-src
endif

# The kernel from source; run again after an edit, it rebuilds what changed.
kernel-src: host
	@scripts/fetch-kernel
	@$(MAKE) --no-print-directory _kernel-src

_kernel-src:
	@DEBIAN_KDEBVER=$(DEBIAN_KDEBVER) LINUX_SRC='$(LINUX_SRC)' \
		KERNEL_PATCHES='$(KERNEL_PATCHES)' scripts/build-kernel

kexec: host
	@scripts/build-kexec

# Each guest-driver/<name>/ is built out of tree in build/guest-driver/<name>
# (with KERNEL_SRC=1: build/kernel-src/<name>/guest-driver/<name>).
modules: kernel
	@$(MAKE) --no-print-directory _modules

# Upstream drivers built out of tree from the kernel's source, unmodified,
# as the peer for `make bench`: DRM tiny/ili9341 and its drm_mipi_dbi
# library (Debian builds neither). fbtft's fb_ili9341 cannot be: it needs
# FB_BACKLIGHT, which changes struct fb_info, and Debian's kernel lacks it.
UPSTREAM_DRM := drivers/gpu/drm/drm_mipi_dbi.c drivers/gpu/drm/tiny/ili9341.c
# ath10k_sdio for the QCA6584 on uSDHC2 (Debian sets ATH10K_SDIO off), the
# same way, against Debian's own ath10k_core.ko: its exports and CRCs are in
# KDIR's Module.symvers, so no KBUILD_EXTRA_SYMBOLS. The copy keeps the
# source's layout (ath/*.h, ath/ath10k/): the ath10k headers include ../ath.h.
# A kernel built from source (KERNEL_SRC=1) has all of them in its own
# tree (guest-driver/kernel-config/lab.config): none is copied out.
UPSTREAM_ATH := drivers/net/wireless/ath

# $(call kbuild,DIR,WHAT): build the out-of-tree modules in DIR against KDIR;
# on failure say that WHAT failed to build and stop. A recipe line that uses
# it starts with + (make sees no $(MAKE) in it: the jobserver, make -n).
kbuild = $(MAKE) -s -C $(KDIR) M=$(1) ARCH=arm CROSS_COMPILE=$(CROSS_COMPILE) \
	modules || { echo "[lab] ERROR: $(2) failed to build" >&2; exit 1; }

# kbuild's own no-op takes over a second a directory (make run waits for
# it): the modules are built again only when their inputs changed since
# the last build (sources, the kernel tree, the .ko files themselves)
MODULES_STAMP = $(LAB_MODULES)/.modules-inputs
modules_inputs = { echo '$(KDIR) $(KSRC) $(KERNEL_SRC)'; \
	find guest-driver $(KSRC)/$(UPSTREAM_ATH) $(addprefix $(KSRC)/,$(UPSTREAM_DRM)) \
		$(KDIR)/Module.symvers $(KDIR)/.config \
		$(LAB_MODULES)/guest-driver $(LAB_BUILD)/upstream \
		\( -name '*.ko' -o -path 'guest-driver/*' -o -path '$(KSRC)/*' -o -path '$(KDIR)/*' \) \
		-type f -printf '%p %s %T@\n' 2>/dev/null | LC_ALL=C sort; } | sha256sum

_modules:
	@if [ "$$($(modules_inputs))" != "$$(cat $(MODULES_STAMP) 2>/dev/null)" ]; then \
		$(MAKE) --no-print-directory _modules_build && \
		$(modules_inputs) >$(MODULES_STAMP); \
	fi

_modules_build:
ifeq ($(KERNEL_SRC),)
	@mkdir -p $(LAB_BUILD)/upstream/drm
	@cd $(KSRC) && cp -u $(UPSTREAM_DRM) $(LAB_BUILD)/upstream/drm/
	@echo 'obj-m += drm_mipi_dbi.o ili9341.o' > $(LAB_BUILD)/upstream/drm/Kbuild
	@+$(call kbuild,$(LAB_BUILD)/upstream/drm,upstream DRM ili9341)
	@mkdir -p $(LAB_BUILD)/upstream/ath10k/ath10k
	@cd $(KSRC)/$(UPSTREAM_ATH) && cp -u *.h $(LAB_BUILD)/upstream/ath10k/ && \
		cp -u ath10k/*.h ath10k/sdio.c $(LAB_BUILD)/upstream/ath10k/ath10k/
	@printf 'obj-m += ath10k_sdio.o\nath10k_sdio-y := ath10k/sdio.o\n' \
		>$(LAB_BUILD)/upstream/ath10k/Kbuild
	@+$(call kbuild,$(LAB_BUILD)/upstream/ath10k,upstream ath10k_sdio)
endif
	@+set -e; for d in $(GUEST_DRIVERS); do \
		mkdir -p $(LAB_MODULES)/guest-driver/$$d; \
		rsync -r --checksum guest-driver/$$d/ $(LAB_MODULES)/guest-driver/$$d/; \
		$(call kbuild,$(LAB_MODULES)/guest-driver/$$d,guest-driver/$$d); \
	done

# Guest programs: scripts/guest/src/*.c, static armhf, into the image's /lab/bin
GUEST_BIN := $(patsubst scripts/guest/src/%.c,$(LAB_BUILD)/guest-bin/%,$(wildcard scripts/guest/src/*.c))
guest-bin: $(GUEST_BIN)
$(LAB_BUILD)/guest-bin/%: scripts/guest/src/%.c | host
	@mkdir -p $(@D)
	$(CROSS_COMPILE)gcc -static -O2 -Wall -Wextra -o $@ $<

image: kernel kexec modules guest-bin
	@$(MAKE) --no-print-directory _image

_image:
	@KMODDIR=$(MODULES_DIR) scripts/build-image

# make run skips `make all` when nothing it builds from changed since it
# last ran (scripts/inputs-unchanged): the board is up in about a second
INPUT_WORDS = '$(KERNEL_SRC)' '$(LINUX_SRC)' '$(KERNEL_PATCHES)' '$(QEMU)'
run:
	@scripts/inputs-unchanged $(INPUT_WORDS) || $(MAKE) --no-print-directory all
	@scripts/run --qemu $(QEMU) $(RUN_ARGS) -- $(QEMU_ARGS)

# two test units at a time (tests/run -j): on 2 cores one board's waits
# and another's work overlap
TEST_JOBS ?= 2
test: all
	@tests/run -j $(TEST_JOBS) $(TEST_ARGS)

# The qtests, device fuzzers included, against QEMU built with ASan and
# UBSan (build/qemu-asan). FUZZ_OPS operations per device, FUZZ_SEED.
FUZZ_OPS ?= 20000
FUZZ_SEED ?= 0x1ab5eed
check-asan: host
	@scripts/build-qemu --asan
	@LAB_FUZZ_OPS=$(FUZZ_OPS) LAB_FUZZ_SEED=$(FUZZ_SEED) \
		tests/run --qtest-only --qemu-build qemu-asan $(TEST_ARGS)

# The whole suite on both kernels from source (6.1 and 6.12, built first
# when missing: ~30 min each cold, which is why CI's make test does not):
# the check for a change to the kernel side (config fragment, kernel
# patches, the source-kernel paths of the scripts)
check-kernels:
	@$(MAKE) --no-print-directory test KERNEL_SRC=1 LINUX_SRC=debian-6.1
	@$(MAKE) --no-print-directory test KERNEL_SRC=1 LINUX_SRC=debian-6.12

# make test and make run in a fresh clone of HEAD on a bare Debian root
check-fresh:
	@scripts/check-fresh $(CHECK_FRESH_ARGS)

bench: all
	@scripts/setup-host --bench
	@scripts/bench

# VMLINUX= / SYSTEM_MAP=: kernel symbols (default: the kernel's own kallsyms)
debug: all
	@scripts/debug --qemu $(QEMU) $(if $(VMLINUX),--vmlinux '$(VMLINUX)') \
		$(if $(SYSTEM_MAP),--system-map '$(SYSTEM_MAP)') $(DEBUG_ARGS)

clean:
	rm -rf $(LAB_BUILD) images/initrd.cpio.lz4 images/*.dtb images/zImage images/uImage images/.stamp images/kernel.release
