/*
 * QTest for the i.MX7 System Reset Controller model (hw/misc/imx7_src.c)
 * on the imx7d-custom board: registers as the guest sees them, and the
 * core1 enable edge with its fault injection knobs. With the qtest
 * accelerator no vCPU executes, so what the SoC did with core1 is checked
 * through the model's read-only counters (releases, starts, stops,
 * injected faults), not through the CPU's state.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "lab-fuzz.h"
#include "lab-migrate.h"
#include "qapi/qmp/qdict.h"

#define SRC_BASE        0x30390000
#define SRC_PATH        "/machine/soc/src"

#define SCR             0x00
#define A7RCR0          0x04
#define A7RCR1          0x08
#define SBMR1           0x58
#define SRSR            0x5c
#define SIMR            0x6c
#define SBMR2           0x70
#define GPR1            0x74
#define GPR3            0x7c    /* core1 entry point */
#define GPR4            0x80    /* core1 r0 */
#define GPR10           0x98

#define A7RCR0_WMASK    0x003f3333
#define A7RCR0_CORE0_RST (1 << 4)
#define A7RCR0_CORE1_RST (1 << 5)
#define A7RCR1_WMASK    0xcf000002
#define A7RCR1_CORE1_EN (1 << 1)

#define NS_PER_MS       1000000LL
#define SRC_MAX_REGS    0x27    /* the model's register array, migrated */

static QTestState *src_start(void)
{
    return qtest_init("-machine imx7d-custom,psci=off");
}

static uint32_t src_read(QTestState *qts, uint32_t offset)
{
    return qtest_readl(qts, SRC_BASE + offset);
}

static void src_write(QTestState *qts, uint32_t offset, uint32_t value)
{
    qtest_writel(qts, SRC_BASE + offset, value);
}

/* The core1 enable, as Linux's imx_enable_cpu() sets and clears it */
static void core1_enable(QTestState *qts, bool on)
{
    src_write(qts, A7RCR1, on ? A7RCR1_CORE1_EN : 0);
}

static uint32_t qom_get_u32(QTestState *qts, const char *name)
{
    QDict *resp;
    int64_t value;

    resp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                     "{ 'path': %s, 'property': %s } }", SRC_PATH, name);
    g_assert(qdict_haskey(resp, "return"));
    value = qdict_get_int(resp, "return");
    qobject_unref(resp);
    g_assert_cmpint(value, >=, 0);
    g_assert_cmpint(value, <=, UINT32_MAX);
    return value;
}

/* qom-set of @name to @value; returns whether QEMU accepted it */
static bool qom_set_u32(QTestState *qts, const char *name, uint32_t value)
{
    QDict *resp;
    bool ok;

    resp = qtest_qmp(qts, "{ 'execute': 'qom-set', 'arguments': "
                     "{ 'path': %s, 'property': %s, 'value': %u } }",
                     SRC_PATH, name, value);
    ok = qdict_haskey(resp, "return");
    g_assert(ok || qdict_haskey(resp, "error"));
    qobject_unref(resp);
    return ok;
}

static void knob_set(QTestState *qts, const char *name, uint32_t value)
{
    g_assert(qom_set_u32(qts, name, value));
    g_assert_cmpuint(qom_get_u32(qts, name), ==, value);
}

/* What the SoC did with core1 since QEMU started */
static void assert_counters(QTestState *qts, uint32_t releases,
                            uint32_t starts, uint32_t stops,
                            uint32_t injected)
{
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-releases"), ==, releases);
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-starts"), ==, starts);
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-stops"), ==, stops);
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-injected"), ==, injected);
}

static void test_reset_values(void)
{
    QTestState *qts = src_start();
    uint32_t off;

    g_assert_cmphex(src_read(qts, SCR), ==, 0xa0);
    g_assert_cmphex(src_read(qts, A7RCR0), ==, 0);
    g_assert_cmphex(src_read(qts, A7RCR1), ==, 0);
    g_assert_cmphex(src_read(qts, SRSR), ==, 0x1);     /* power-on reset */
    g_assert_cmphex(src_read(qts, SIMR), ==, 0x1f);
    g_assert_cmphex(src_read(qts, SBMR1), ==, 0);
    g_assert_cmphex(src_read(qts, SBMR2), ==, 0);
    for (off = GPR1; off <= GPR10; off += 4) {
        g_assert_cmphex(src_read(qts, off), ==, 0);
    }

    /* the boot mode registers are read-only */
    src_write(qts, SBMR1, 0xffffffff);
    src_write(qts, SBMR2, 0xffffffff);
    g_assert_cmphex(src_read(qts, SBMR1), ==, 0);
    g_assert_cmphex(src_read(qts, SBMR2), ==, 0);

    /* SRSR: writing 0 keeps the status, writing 1 clears it */
    src_write(qts, SRSR, 0);
    g_assert_cmphex(src_read(qts, SRSR), ==, 0x1);
    src_write(qts, SRSR, 0x1);
    g_assert_cmphex(src_read(qts, SRSR), ==, 0);
    src_write(qts, SRSR, 0xffffffff);                  /* never sets bits */
    g_assert_cmphex(src_read(qts, SRSR), ==, 0);

    /* nothing above touched core1, and no knob is armed */
    assert_counters(qts, 0, 0, 0, 0);
    g_assert_cmpuint(qom_get_u32(qts, "secondary-el"), ==, 3);
    g_assert_cmpuint(qom_get_u32(qts, "fail-cpu1-on"), ==, 0);
    g_assert_cmpuint(qom_get_u32(qts, "fail-cpu1-on-nth"), ==, 0);
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-on-delay-ms"), ==, 0);
    g_assert_cmpuint(qom_get_u32(qts, "fail-cpu1-off"), ==, 0);
    qtest_quit(qts);
}

static void test_write_masks(void)
{
    QTestState *qts = src_start();
    uint32_t off;

    /* A7RCR0: only the mask sticks, the core resets clear themselves */
    src_write(qts, A7RCR0, 0xffffffff);
    g_assert_cmphex(src_read(qts, A7RCR0), ==,
                    A7RCR0_WMASK & ~(A7RCR0_CORE0_RST | A7RCR0_CORE1_RST));
    src_write(qts, A7RCR0, A7RCR0_CORE0_RST);
    g_assert_cmphex(src_read(qts, A7RCR0), ==, 0);
    src_write(qts, A7RCR0, A7RCR0_CORE1_RST);
    g_assert_cmphex(src_read(qts, A7RCR0), ==, 0);
    src_write(qts, A7RCR0, 0);
    g_assert_cmphex(src_read(qts, A7RCR0), ==, 0);
    /* a core1 reset with core1 disabled leaves it off */
    assert_counters(qts, 0, 0, 0, 0);

    /* A7RCR1: everything but the core1 enable first, so no release */
    src_write(qts, A7RCR1, ~A7RCR1_CORE1_EN);
    g_assert_cmphex(src_read(qts, A7RCR1), ==,
                    A7RCR1_WMASK & ~A7RCR1_CORE1_EN);
    assert_counters(qts, 0, 0, 0, 0);
    src_write(qts, A7RCR1, 0xffffffff);
    g_assert_cmphex(src_read(qts, A7RCR1), ==, A7RCR1_WMASK);
    assert_counters(qts, 1, 1, 0, 0);

    /* a core1 reset with core1 enabled: held, then released again */
    src_write(qts, A7RCR0, A7RCR0_CORE1_RST);
    g_assert_cmphex(src_read(qts, A7RCR0), ==, 0);
    g_assert_cmphex(src_read(qts, A7RCR1), ==, A7RCR1_WMASK);
    assert_counters(qts, 2, 2, 1, 0);

    /* GPR1..GPR10: all 32 bits, each register on its own */
    for (off = GPR1; off <= GPR10; off += 4) {
        src_write(qts, off, 0xa5000000 | off);
    }
    for (off = GPR1; off <= GPR10; off += 4) {
        g_assert_cmphex(src_read(qts, off), ==, 0xa5000000 | off);
    }
    for (off = GPR1; off <= GPR10; off += 4) {
        src_write(qts, off, 0xffffffff);
        g_assert_cmphex(src_read(qts, off), ==, 0xffffffff);
        src_write(qts, off, 0);
        g_assert_cmphex(src_read(qts, off), ==, 0);
    }
    qtest_quit(qts);
}

static void test_enable_edge(void)
{
    QTestState *qts = src_start();

    /* where the ROM would send core1: not part of the edge logic */
    src_write(qts, GPR3, 0x80008000);
    src_write(qts, GPR4, 0x12345678);

    core1_enable(qts, true);
    assert_counters(qts, 1, 1, 0, 0);
    /* the enable is a level: setting it again is no edge, no release */
    core1_enable(qts, true);
    src_write(qts, A7RCR1, A7RCR1_CORE1_EN | 0x40000000);
    assert_counters(qts, 1, 1, 0, 0);
    core1_enable(qts, false);
    assert_counters(qts, 1, 1, 1, 0);
    core1_enable(qts, false);
    assert_counters(qts, 1, 1, 1, 0);
    core1_enable(qts, true);
    assert_counters(qts, 2, 2, 1, 0);
    qtest_quit(qts);
}

/* Wait (up to 10 s) until core1's vCPU has been powered on @n times */
static void wait_power_ons(QTestState *qts, uint32_t n)
{
    int i;

    for (i = 0; i < 10000 && qom_get_u32(qts, "cpu1-power-ons") < n; i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-power-ons"), ==, n);
}

/*
 * The enable cleared and set again in two back-to-back writes, as a
 * kernel that clears a stale enable does (imx_enable_cpu() with the lab's
 * patch) while core1 still runs: the stop must reach the vCPU before the
 * start, so that core1 is powered on again at GPR3 each time rather than
 * going on where it was (Linux: "CPU1: failed to come online").
 */
static void test_enable_restart(void)
{
    QTestState *qts = src_start();
    uint32_t i;

    src_write(qts, GPR3, 0x80008000);
    core1_enable(qts, true);
    wait_power_ons(qts, 1);
    for (i = 1; i <= 200; i++) {
        core1_enable(qts, false);
        core1_enable(qts, true);
        wait_power_ons(qts, 1 + i);
    }
    assert_counters(qts, 201, 201, 200, 0);
    qtest_quit(qts);
}

static void test_fail_cpu1_on(void)
{
    QTestState *qts = src_start();

    knob_set(qts, "fail-cpu1-on", 1);
    core1_enable(qts, true);
    /* released, but core1 never started; the knob is used up */
    assert_counters(qts, 1, 0, 0, 1);
    g_assert_cmpuint(qom_get_u32(qts, "fail-cpu1-on"), ==, 0);
    g_assert_cmphex(src_read(qts, A7RCR1), ==, A7RCR1_CORE1_EN);

    /* core1 never ran, so clearing the enable stops nothing */
    core1_enable(qts, false);
    assert_counters(qts, 1, 0, 0, 1);
    core1_enable(qts, true);
    assert_counters(qts, 2, 1, 0, 1);
    qtest_quit(qts);
}

static void test_fail_cpu1_on_nth(void)
{
    QTestState *qts = src_start();

    knob_set(qts, "fail-cpu1-on-nth", 3);
    core1_enable(qts, true);
    assert_counters(qts, 1, 1, 0, 0);
    core1_enable(qts, false);
    core1_enable(qts, true);
    assert_counters(qts, 2, 2, 1, 0);
    core1_enable(qts, false);
    assert_counters(qts, 2, 2, 2, 0);

    /* the third release since QEMU started is swallowed */
    core1_enable(qts, true);
    assert_counters(qts, 3, 2, 2, 1);
    core1_enable(qts, false);
    assert_counters(qts, 3, 2, 2, 1);

    /* the fourth is not: the knob names one release */
    core1_enable(qts, true);
    assert_counters(qts, 4, 3, 2, 1);
    g_assert_cmpuint(qom_get_u32(qts, "fail-cpu1-on-nth"), ==, 3);
    qtest_quit(qts);
}

static void test_fail_cpu1_off(void)
{
    QTestState *qts = src_start();

    core1_enable(qts, true);
    assert_counters(qts, 1, 1, 0, 0);

    /* a zombie: the stop is ignored, the SoC still sees core1 on */
    knob_set(qts, "fail-cpu1-off", 1);
    core1_enable(qts, false);
    assert_counters(qts, 1, 1, 0, 1);
    g_assert_cmpuint(qom_get_u32(qts, "fail-cpu1-off"), ==, 0);

    /* so the next release finds core1 on, and nothing starts */
    core1_enable(qts, true);
    assert_counters(qts, 2, 1, 0, 1);

    /* the knob is used up: this stop is a real one */
    core1_enable(qts, false);
    assert_counters(qts, 2, 1, 1, 1);
    core1_enable(qts, true);
    assert_counters(qts, 3, 2, 1, 1);
    qtest_quit(qts);
}

static void test_cpu1_on_delay(void)
{
    QTestState *qts = src_start();

    knob_set(qts, "cpu1-on-delay-ms", 500);
    core1_enable(qts, true);
    assert_counters(qts, 1, 0, 0, 1);

    /* the start waits for 500 ms of virtual time, not one less */
    qtest_clock_step(qts, 499 * NS_PER_MS);
    assert_counters(qts, 1, 0, 0, 1);
    qtest_clock_step(qts, 1 * NS_PER_MS);
    assert_counters(qts, 1, 1, 0, 1);
    /* and happens once */
    qtest_clock_step(qts, 2000 * NS_PER_MS);
    assert_counters(qts, 1, 1, 0, 1);

    /* a 1->0 edge while the start waits cancels it */
    core1_enable(qts, false);
    assert_counters(qts, 1, 1, 1, 1);
    core1_enable(qts, true);
    assert_counters(qts, 2, 1, 1, 2);
    qtest_clock_step(qts, 200 * NS_PER_MS);
    core1_enable(qts, false);
    qtest_clock_step(qts, 1000 * NS_PER_MS);
    /* (a core that never ran is not counted as stopped) */
    assert_counters(qts, 2, 1, 1, 2);

    /* without the delay, the next release starts core1 at once */
    knob_set(qts, "cpu1-on-delay-ms", 0);
    core1_enable(qts, true);
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-releases"), ==, 3);
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-starts"), ==, 2);
    qtest_quit(qts);
}

static void test_reserved_and_read_only(void)
{
    static const uint32_t reserved[] = {
        0x10, 0x18, 0x30, 0x50, 0x60, 0x64, 0x9c, 0x100, 0xffc,
    };
    static const char *const counters[] = {
        "cpu1-releases", "cpu1-starts", "cpu1-stops", "cpu1-injected",
        "cpu1-power-ons",
    };
    QTestState *qts = src_start();
    int i;

    for (i = 0; i < ARRAY_SIZE(reserved); i++) {
        g_assert_cmphex(src_read(qts, reserved[i]), ==, 0);
        src_write(qts, reserved[i], 0xffffffff);
        g_assert_cmphex(src_read(qts, reserved[i]), ==, 0);
    }
    /* the writes landed nowhere else */
    g_assert_cmphex(src_read(qts, SCR), ==, 0xa0);
    g_assert_cmphex(src_read(qts, A7RCR0), ==, 0);
    g_assert_cmphex(src_read(qts, A7RCR1), ==, 0);
    g_assert_cmphex(src_read(qts, SIMR), ==, 0x1f);
    g_assert_cmphex(src_read(qts, GPR10), ==, 0);

    /* the counters are oracles: QEMU refuses to set them */
    core1_enable(qts, true);
    for (i = 0; i < ARRAY_SIZE(counters); i++) {
        g_assert(!qom_set_u32(qts, counters[i], 42));
    }
    assert_counters(qts, 1, 1, 0, 0);

    /* core1 can only start in EL1..EL3: other values are refused */
    g_assert(!qom_set_u32(qts, "secondary-el", 0));
    g_assert(!qom_set_u32(qts, "secondary-el", 4));
    g_assert_cmpuint(qom_get_u32(qts, "secondary-el"), ==, 3);
    g_assert(qom_set_u32(qts, "secondary-el", 2));
    qtest_quit(qts);
}

/*
 * Saved while a delayed core1 start is pending (cpu1-on-delay-ms) and
 * restored into a new QEMU: core1 starts when the delay is over there,
 * once, with the entry point and argument the ROM was given. @stream:
 * restored from that committed stream instead (lab_migrate_stream())
 */
static void test_snapshot_start_pending(const void *stream)
{
    QTestState *qts = qtest_initf("-machine imx7d-custom,psci=off %s",
                                  stream ? LAB_STREAM_ARGS : "");

    src_write(qts, GPR3, 0x80008000);
    src_write(qts, GPR4, 0x12345678);
    knob_set(qts, "cpu1-on-delay-ms", 50);
    core1_enable(qts, true);
    qtest_clock_step(qts, 20 * NS_PER_MS);
    assert_counters(qts, 1, 0, 0, 1);
    qts = stream ? lab_migrate_stream(qts, stream,
                                      "-machine imx7d-custom,psci=off "
                                      LAB_STREAM_ARGS)
                 : lab_migrate(qts, "-machine imx7d-custom,psci=off");
    assert_counters(qts, 1, 0, 0, 1);
    /*
     * The timer keeps its deadline, 50 ms of virtual time; qtest's clock
     * (unlike a real run's) is not migrated and starts again from 0 here
     */
    qtest_clock_step(qts, 45 * NS_PER_MS);
    assert_counters(qts, 1, 0, 0, 1);
    qtest_clock_step(qts, 5 * NS_PER_MS);
    assert_counters(qts, 1, 1, 0, 1);           /* started, once */
    qtest_clock_step(qts, 100 * NS_PER_MS);
    assert_counters(qts, 1, 1, 0, 1);
    g_assert_cmphex(src_read(qts, GPR3), ==, 0x80008000);
    g_assert_cmphex(src_read(qts, GPR4), ==, 0x12345678);
    qtest_quit(qts);
}

/*
 * A stream whose pending core1 start names exception level 0 or 7: QEMU
 * used to take it and abort in arm_set_cpu_on() when the delay was over.
 * The load is refused instead (cpu1_el follows regs[SRC_MAX], three bools,
 * the timer and two 64-bit words in the section).
 */
static void test_snapshot_bad_el_refused(void)
{
    static const uint32_t bad_els[] = { 0, 4, 7, 0xffffffff };
    const size_t el_offset = 4 * SRC_MAX_REGS + 3 + 8 + 8 + 8;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad_els); i++) {
        char *path = lab_migrate_tmp_path();
        QTestState *qts = src_start();
        uint8_t el[4];

        src_write(qts, GPR3, 0x80008000);
        knob_set(qts, "cpu1-on-delay-ms", 50);
        core1_enable(qts, true);
        lab_migrate_save(qts, path);
        stl_be_p(el, bad_els[i]);
        lab_migrate_patch(path, "imx7.src", el_offset, el, sizeof(el));
        lab_migrate_load_refused("-machine imx7d-custom,psci=off", path);
        lab_migrate_tmp_remove(path);
    }
}

/*
 * With every knob back at 0 and core1 stopped by a 1->0 edge of its
 * enable (which also ends a zombie left by fail-cpu1-off), an enable
 * edge releases and starts core1 once: the model still works after what
 * came before
 */
static void assert_src_ok(QTestState *qts)
{
    static const char *const knobs[] = {
        "fail-cpu1-on", "fail-cpu1-on-nth", "cpu1-on-delay-ms",
        "fail-cpu1-off",
    };
    uint32_t releases, starts, power_ons;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(knobs); i++) {
        knob_set(qts, knobs[i], 0);
    }
    qtest_clock_step(qts, 100 * NS_PER_MS);    /* delayed starts: done */
    core1_enable(qts, true);
    core1_enable(qts, false);
    releases = qom_get_u32(qts, "cpu1-releases");
    starts = qom_get_u32(qts, "cpu1-starts");
    power_ons = qom_get_u32(qts, "cpu1-power-ons");
    core1_enable(qts, true);
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-releases"), ==, releases + 1);
    g_assert_cmpuint(qom_get_u32(qts, "cpu1-starts"), ==, starts + 1);
    g_assert_cmphex(src_read(qts, A7RCR1) & A7RCR1_CORE1_EN, ==,
                    A7RCR1_CORE1_EN);
    /* the vCPU itself runs, and restarts on a back-to-back 1->0->1 */
    wait_power_ons(qts, power_ons + 1);
    core1_enable(qts, false);
    core1_enable(qts, true);
    wait_power_ons(qts, power_ons + 2);
}

/*
 * Random register writes and reads over the SRC's window, random knob
 * settings (some out of range), time passing (lab-fuzz.h)
 */
/* Bump when the operation mix below changes (lab-fuzz.h) */
#define SRC_FUZZ_GEN 1

/*
 * Core1 states no SoC can be in, and 64-bit entry points for an AArch32
 * core, patched into a stream saved with a start pending (released,
 * not running): each is refused. The migration fuzzer found a stream that
 * ran core1 where the SoC thought it off; a release then failed to
 * restart it.
 */
static void test_snapshot_inconsistent_refused(void)
{
    static const struct {
        size_t offset;          /* in the SRC's section */
        uint8_t bytes[8];
        size_t len;
    } patches[] = {
        { 4 * SRC_MAX_REGS + 0, { 0 }, 1 },         /* not released */
        { 4 * SRC_MAX_REGS + 1, { 1 }, 1 },         /* running and pending */
        { 4 * SRC_MAX_REGS + 3 + 8, { 0, 0, 0xff, 0, 0x80, 0, 0x80, 0 }, 8 },
        { 4 * SRC_MAX_REGS + 3 + 8 + 8, { 0, 0, 0, 1, 0, 0, 0, 0 }, 8 },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(patches); i++) {
        char *path = lab_migrate_tmp_path();
        QTestState *qts = src_start();

        src_write(qts, GPR3, 0x80008000);
        knob_set(qts, "cpu1-on-delay-ms", 50);
        core1_enable(qts, true);
        lab_migrate_save(qts, path);
        lab_migrate_patch(path, "imx7.src", patches[i].offset,
                          patches[i].bytes, patches[i].len);
        lab_migrate_load_refused("-machine imx7d-custom,psci=off", path);
        lab_migrate_tmp_remove(path);
    }
}

static void test_fuzz(const void *repro)
{
    static const char *const knobs[] = {
        "fail-cpu1-on", "fail-cpu1-on-nth", "cpu1-on-delay-ms",
        "fail-cpu1-off", "secondary-el",
    };
    QTestState *qts = src_start();
    LabFuzz f;

    lab_fuzz_init(&f, "imx7-src", SRC_FUZZ_GEN, repro);
    while (lab_fuzz_more(&f)) {
        uint32_t offset = lab_fuzz_below(&f, 0x100 / 4) * 4;

        switch (lab_fuzz_below(&f, 8)) {
        case 0 ... 2:
            src_write(qts, offset, (uint32_t)lab_fuzz_next(&f));
            break;
        case 3:                         /* what Linux touches most */
            src_write(qts, lab_fuzz_chance(&f, 2) ? A7RCR1 : A7RCR0,
                      (uint32_t)lab_fuzz_next(&f));
            break;
        case 4:
            src_read(qts, offset);
            break;
        case 5:
            qom_set_u32(qts, knobs[lab_fuzz_below(&f, G_N_ELEMENTS(knobs))],
                        lab_fuzz_chance(&f, 8) ? (uint32_t)lab_fuzz_next(&f)
                                                : lab_fuzz_below(&f, 4));
            break;
        case 6:
            qtest_clock_step(qts, lab_fuzz_below(&f, 3 * NS_PER_MS));
            break;
        case 7:
            core1_enable(qts, lab_fuzz_chance(&f, 2));
            break;
        }
        if (f.done % 1000 == 0) {
            assert_src_ok(qts);
        }
    }
    assert_src_ok(qts);
    qtest_quit(qts);
    lab_fuzz_end(&f);
}

/* Bump when the operation mix below changes (lab-fuzz.h) */
#define SRC_MIGRATE_FUZZ_GEN 1

/*
 * Migration streams of the SRC (saved with a delayed core1 start
 * pending) with its section's bytes flipped or replaced by boundary
 * values (lab-migrate.h): each load is refused cleanly, or the SRC works
 * in the new QEMU once the pending start had its time. A load costs
 * LAB_MIGRATE_FUZZ_COST operations of the dose.
 */
static void test_migrate_fuzz(const void *repro)
{
    char *path = lab_migrate_tmp_path();
    QTestState *qts = src_start(), *to;
    unsigned refused = 0;
    LabFuzz f;

    src_write(qts, GPR3, 0x80008000);
    knob_set(qts, "cpu1-on-delay-ms", 50);
    core1_enable(qts, true);
    lab_migrate_save(qts, path);
    lab_fuzz_init(&f, "imx7-src-migrate", SRC_MIGRATE_FUZZ_GEN, repro);
    if (!repro) {
        f.ops = MAX(1, f.ops / LAB_MIGRATE_FUZZ_COST);
    }
    while (lab_fuzz_more(&f)) {
        to = lab_migrate_fuzz_load(&f, path, "imx7.src",
                                   "-machine imx7d-custom,psci=off");
        if (!to) {
            refused++;
            continue;
        }
        qtest_clock_step(to, 100 * NS_PER_MS);
        assert_src_ok(to);
        qtest_quit(to);
    }
    g_test_message("%u of %lu fuzzed streams refused", refused, f.ops);
    lab_migrate_tmp_remove(path);
    lab_fuzz_end(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/imx7-src/regs/reset-values", test_reset_values);
    qtest_add_func("/imx7-src/regs/write-masks", test_write_masks);
    qtest_add_func("/imx7-src/regs/reserved-and-read-only",
                   test_reserved_and_read_only);
    qtest_add_func("/imx7-src/core1/enable-edge", test_enable_edge);
    qtest_add_func("/imx7-src/core1/enable-restart", test_enable_restart);
    qtest_add_func("/imx7-src/core1/fail-on", test_fail_cpu1_on);
    qtest_add_func("/imx7-src/core1/fail-on-nth", test_fail_cpu1_on_nth);
    qtest_add_func("/imx7-src/core1/fail-off", test_fail_cpu1_off);
    qtest_add_func("/imx7-src/core1/on-delay", test_cpu1_on_delay);
    lab_fuzz_add_tests("/imx7-src/fuzz", "imx7-src", test_fuzz);
    qtest_add_data_func("/imx7-src/snapshot/start-pending", NULL,
                        test_snapshot_start_pending);
    qtest_add_data_func("/imx7-src/snapshot/stream/start-pending",
                        "imx7-src-start-pending",
                        test_snapshot_start_pending);
    qtest_add_func("/imx7-src/snapshot/inconsistent-refused",
                   test_snapshot_inconsistent_refused);
    qtest_add_func("/imx7-src/snapshot/bad-el-refused",
                   test_snapshot_bad_el_refused);
    lab_fuzz_add_tests("/imx7-src/migrate-fuzz", "imx7-src-migrate",
                       test_migrate_fuzz);
    return g_test_run();
}
