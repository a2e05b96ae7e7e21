/*
 * QTest for the imx7d-custom kernel-lab machine: what the board promises
 * before any peripheral of the lab is attached (CPUs, RAM, SoC identity,
 * and the controllers the display and Wi-Fi slots hang off).
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest-single.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"

#define ANALOG_DIGPROG      0x30360800  /* i.MX7 silicon revision */
#define ECSPI1_BASE         0x30820000
#define ECSPI_STATREG       0x18
#define ECSPI_STATREG_TE    (1 << 0)    /* TX FIFO empty */
#define USDHC1_BASE         0x30b40000
#define USDHC2_BASE         0x30b50000
#define SDHC_CAPAB          0x40        /* host controller capabilities */

/* The GIC's virtual interface control (GICH), in the A7 MPCore window */
#define GICH_THIS_CPU       0x31004000
#define GICH_CPU(n)         (0x31005000 + 0x200 * (n))
#define GICH_HCR            0x000
#define GICH_VTR            0x004
#define GICH_APR            0x0f0
#define GICH_LR0            0x100
#define GICH_HCR_EN         0x1

static void test_two_cpus_by_default(void)
{
    QDict *resp = qmp("{ 'execute': 'query-cpus-fast' }");
    QList *cpus = qdict_get_qlist(resp, "return");

    g_assert_cmpint(qlist_size(cpus), ==, 2);
    qobject_unref(resp);
}

static void test_512mib_ram_by_default(void)
{
    QDict *resp = qmp("{ 'execute': 'query-memory-size-summary' }");
    QDict *ret = qdict_get_qdict(resp, "return");

    g_assert_cmpint(qdict_get_int(ret, "base-memory"), ==, 512 * MiB);
    qobject_unref(resp);
}

static void test_soc_is_imx7d(void)
{
    /* Linux's cpu_is_imx7d() reads this: major 0x72, revision 1.0 */
    g_assert_cmphex(readl(ANALOG_DIGPROG), ==, 0x00720010);
}

static void test_display_bus_present(void)
{
    /* ECSPI1 out of reset: TX FIFO empty */
    g_assert_cmphex(readl(ECSPI1_BASE + ECSPI_STATREG) & ECSPI_STATREG_TE,
                    ==, ECSPI_STATREG_TE);
}

static void test_sdio_slot_present(void)
{
    uint32_t v1 = readl(USDHC1_BASE + SDHC_CAPAB);
    uint32_t v2 = readl(USDHC2_BASE + SDHC_CAPAB);

    /* uSDHC2 is the same controller as uSDHC1, and it is mapped */
    g_assert_cmphex(v2, !=, 0);
    g_assert_cmphex(v2, ==, v1);
}

/*
 * Each CPU's view of GICH reaches that CPU's registers. QEMU 7.2 wrote
 * through it with the vCPU number as the CPU index, out of bounds of
 * h_hcr[], h_lr[] and h_apr[]: the usdhc-dma fuzzer found it (DMA to a
 * random address, UBSan) and patch 0006 fixes it. A guest store is enough.
 */
static void test_gic_hyp_per_cpu_view(void)
{
    uint32_t vtr = readl(GICH_THIS_CPU + GICH_VTR);
    int cpu;

    for (cpu = 0; cpu < 2; cpu++) {
        writel(GICH_CPU(cpu) + GICH_HCR, GICH_HCR_EN);
        g_assert_cmphex(readl(GICH_CPU(cpu) + GICH_HCR), ==, GICH_HCR_EN);
        writel(GICH_CPU(cpu) + GICH_LR0, 0x10000000 | (cpu + 1));
        g_assert_cmphex(readl(GICH_CPU(cpu) + GICH_LR0), ==,
                        0x10000000 | (cpu + 1));
        /* past the end of h_apr[] lay the number of list registers */
        writel(GICH_CPU(cpu) + GICH_APR, 0xffffffff);
        g_assert_cmphex(readl(GICH_THIS_CPU + GICH_VTR), ==, vtr);
        writel(GICH_CPU(cpu) + GICH_LR0, 0);
        writel(GICH_CPU(cpu) + GICH_APR, 0);
        writel(GICH_CPU(cpu) + GICH_HCR, 0);
    }
    /* under qtest "this CPU" is CPU 0 */
    writel(GICH_CPU(0) + GICH_HCR, GICH_HCR_EN);
    g_assert_cmphex(readl(GICH_THIS_CPU + GICH_HCR), ==, GICH_HCR_EN);
    g_assert_cmphex(readl(GICH_CPU(1) + GICH_HCR), ==, 0);
    writel(GICH_CPU(0) + GICH_HCR, 0);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/imx7d-custom/cpus", test_two_cpus_by_default);
    qtest_add_func("/imx7d-custom/ram", test_512mib_ram_by_default);
    qtest_add_func("/imx7d-custom/soc-id", test_soc_is_imx7d);
    qtest_add_func("/imx7d-custom/ecspi1", test_display_bus_present);
    qtest_add_func("/imx7d-custom/usdhc2", test_sdio_slot_present);
    qtest_add_func("/imx7d-custom/gic/hyp-per-cpu-view",
                   test_gic_hyp_per_cpu_view);

    qtest_start("-machine imx7d-custom");
    ret = g_test_run();
    qtest_end();
    return ret;
}
