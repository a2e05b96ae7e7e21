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

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/imx7d-custom/cpus", test_two_cpus_by_default);
    qtest_add_func("/imx7d-custom/ram", test_512mib_ram_by_default);
    qtest_add_func("/imx7d-custom/soc-id", test_soc_is_imx7d);
    qtest_add_func("/imx7d-custom/ecspi1", test_display_bus_present);
    qtest_add_func("/imx7d-custom/usdhc2", test_sdio_slot_present);

    qtest_start("-machine imx7d-custom");
    ret = g_test_run();
    qtest_end();
    return ret;
}
