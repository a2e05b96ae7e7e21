// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * imx7-src-fix: make every i.MX7D CPU1 bring-up a real core1 release
 *
 * The i.MX7 System Reset Controller starts core1 on a 0->1 edge of its
 * enable bit (SRC_A7RCR1 bit 1). Linux 6.1's imx_enable_cpu() only ORs
 * the bit in and never pulses a reset, so when whoever ran before left it
 * set (a crashed kernel before kdump, a kill that timed out, a bring-up
 * that failed), the kernel's write changes nothing: "CPU1: failed to come
 * online", on every later attempt and across kexec.
 *
 * This module shows the fix from the guest side: a CPU hotplug callback in
 * the prepare stage, which runs on the control CPU just before the
 * secondary is started, clears a stale enable so that the kernel's own
 * write (or the PSCI firmware's) is an edge again. Loaded, a CPU1 that
 * failed to come online can be brought online through sysfs.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/mfd/syscon.h>
#include <linux/module.h>
#include <linux/regmap.h>

#define SRC_A7RCR1			0x08
/* core1 is bit 1, as in arch/arm/mach-imx/src.c: 1 << (1 + cpu - 1) */
#define SRC_A7RCR1_CORE_ENABLE(cpu)	BIT(cpu)

static struct regmap *imx7_src;
static enum cpuhp_state imx7_src_fix_state;

static int imx7_src_fix_prepare(unsigned int cpu)
{
	unsigned int mask = SRC_A7RCR1_CORE_ENABLE(cpu);
	unsigned int val;
	int ret;

	/* core0 has no enable bit: it is never released this way */
	if (cpu == 0)
		return 0;

	ret = regmap_read(imx7_src, SRC_A7RCR1, &val);
	if (ret)
		return ret;
	if (!(val & mask))
		return 0;

	pr_info("CPU%u: clearing a stale core enable before bring-up\n", cpu);
	return regmap_clear_bits(imx7_src, SRC_A7RCR1, mask);
}

static int __init imx7_src_fix_init(void)
{
	int ret;

	imx7_src = syscon_regmap_lookup_by_compatible("fsl,imx7d-src");
	if (IS_ERR(imx7_src)) {
		pr_err("no usable fsl,imx7d-src node in the device tree: %pe\n",
		       imx7_src);
		return PTR_ERR(imx7_src);
	}

	/* _nocalls: the CPUs already online must not see their enable cleared */
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					"arm/imx7-src-fix:prepare",
					imx7_src_fix_prepare, NULL);
	if (ret < 0) {
		pr_err("cannot register the CPU hotplug callback: %d\n", ret);
		return ret;
	}
	imx7_src_fix_state = ret;
	pr_info("stale core enables are cleared before CPU bring-up\n");
	return 0;
}
module_init(imx7_src_fix_init);

static void __exit imx7_src_fix_exit(void)
{
	cpuhp_remove_state_nocalls(imx7_src_fix_state);
}
module_exit(imx7_src_fix_exit);

MODULE_DESCRIPTION("Clear a stale i.MX7 SRC core enable before CPU bring-up");
MODULE_AUTHOR("The imx7d kernel lab authors");
MODULE_LICENSE("GPL");
