/*
 * QTest for the uSDHC's DMA engines (QEMU's hw/sd/sdhci.c, usdhc variant)
 * moving the SDIO card's data on the imx7d-custom board's uSDHC2: SDMA and
 * ADMA2 as Linux's sdhci-esdhc-imx programs them, and a fuzzer of every
 * kind and shape of DMA transfer, the SD core's and sdhci's share of the
 * boundary. The host side is lab-usdhc.h; the card is the QCA6584.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "lab-fuzz.h"
#include "lab-usdhc.h"
#include "lab-qca.h"

/* A byte mode CMD53 of @len bytes by DMA (cmd53_dma_start()) */
static void cmd53_dma(QTestState *qts, bool write, unsigned fn,
                      uint32_t addr, unsigned len, unsigned dmasel,
                      uint32_t dma)
{
    uint32_t arg = (write ? ARG_WRITE : 0) | ARG_FN(fn) | ARG_INC |
                   ARG_ADDR(addr) | (len & 0x1ff);

    g_assert_cmphex(cmd53_dma_start(qts, write, arg, len, 1, dmasel,
                                    dma) >> 8, ==, R5_STATE_TRN);
    qtest_clock_step(qts, 100000);
    cmd53_dma_finish(qts);
}

/*
 * The card's data through both DMA engines: the CCCR read by ADMA2 (a NOP,
 * a link and two buffers) and by SDMA equals what PIO reads; a word
 * written by ADMA2 into the diagnostic window reads back by PIO
 */
static void assert_dma_ok(QTestState *qts)
{
    static const uint8_t out[4] = { 0xc3, 0x3c, 0x5a, 0xa5 };
    uint8_t pio[32], dma[32], in[4];

    sdio_rw_bytes(qts, cmd53_pio, false, 0, CCCR_REVISION, true, pio,
                  sizeof(pio));

    adma_put(qts, DMA_DESC, 0, ADMA_VALID | ADMA_NOP, 0, 0);
    adma_put(qts, DMA_DESC, 1, ADMA_VALID | ADMA_TRAN, 16, DMA_BUF);
    adma_put(qts, DMA_DESC, 2, ADMA_VALID | ADMA_LINK, 0, DMA_DESC + 0x100);
    adma_put(qts, DMA_DESC + 0x100, 0, ADMA_VALID | ADMA_TRAN | ADMA_END, 16,
             DMA_BUF + 0x1000);
    qtest_memset(qts, DMA_BUF, 0, 0x1010);
    cmd53_dma(qts, false, 0, CCCR_REVISION, sizeof(dma), DMASEL_ADMA2,
              DMA_DESC);
    qtest_memread(qts, DMA_BUF, dma, 16);
    qtest_memread(qts, DMA_BUF + 0x1000, dma + 16, 16);
    g_assert_cmpmem(dma, sizeof(dma), pio, sizeof(pio));

    qtest_memset(qts, DMA_BUF, 0, sizeof(dma));
    cmd53_dma(qts, false, 0, CCCR_REVISION, sizeof(dma), DMASEL_SDMA,
              DMA_BUF);
    qtest_memread(qts, DMA_BUF, dma, sizeof(dma));
    g_assert_cmpmem(dma, sizeof(dma), pio, sizeof(pio));

    qtest_memwrite(qts, DMA_BUF, out, sizeof(out));
    adma_put(qts, DMA_DESC, 0, ADMA_VALID | ADMA_TRAN | ADMA_END,
             sizeof(out), DMA_BUF);
    cmd53_dma(qts, true, 1, QCA_WINDOW_DATA, sizeof(out), DMASEL_ADMA2,
              DMA_DESC);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, in,
                  sizeof(in));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));
}

/*
 * A CMD53 of 4 bytes to the diagnostic window's data register by ADMA2,
 * whose data phase the card fails: a clean R5, then the controller
 * reports @error instead of completing the transfer and the DAT line stays
 * busy until the driver resets it (Linux's sdhci resets CMD and DAT after
 * a data error)
 */
static void cmd53_data_error(QTestState *qts, bool write, uint32_t error)
{
    uint32_t arg = (write ? ARG_WRITE : 0) | ARG_FN(1) | ARG_INC |
                   ARG_ADDR(QCA_WINDOW_DATA) | 4;
    uint32_t sts;

    adma_put(qts, DMA_DESC, 0, ADMA_VALID | ADMA_TRAN | ADMA_END, 4, DMA_BUF);
    sts = cmd53_dma_issue(qts, write, arg, 4, 1, DMASEL_ADMA2, DMA_DESC);
    g_assert_cmphex(sts & (EIS_ALL | NIS_ERR), ==, error | NIS_ERR);
    g_assert_cmphex(sdhc_read(qts, SDHC_RSPREG0) >> 8, ==, R5_STATE_TRN);
    qtest_clock_step(qts, 100000);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS) & NIS_TRSCMP, ==, 0);
    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) & PRS_DATA_INHIBIT, ==,
                    PRS_DATA_INHIBIT);
    sdhc_write(qts, SDHC_CLKCON, sdhc_read(qts, SDHC_CLKCON) |
               CLK_RESET_CMD | CLK_RESET_DATA);
    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) &
                    (PRS_CMD_INHIBIT | PRS_DATA_INHIBIT), ==, 0);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    sdhc_write(qts, SDHC_PROCTL, 0);
}

/*
 * The card's data phase faults (fail-cmd53-crc, fail-cmd53-timeout), as
 * the uSDHC reports them: a read's data does not reach RAM, a write's
 * does not reach the card, and the next transfers work again
 */
static void test_data_faults(void)
{
    static const uint8_t stored[4] = { 0x11, 0x22, 0x33, 0x44 };
    static const uint8_t other[4] = { 0x55, 0x66, 0x77, 0x88 };
    static const uint8_t poison[4] = { 0xee, 0xee, 0xee, 0xee };
    QTestState *qts = sdio_start_enumerated();
    int64_t injected = wifi_qom_get_int(qts, "faults-injected");
    uint8_t buf[4];

    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_WINDOW_DATA, true,
                  (uint8_t *)stored, sizeof(stored));
    wifi_qom_set_uint(qts, "fail-cmd53-crc", 2);

    qtest_memwrite(qts, DMA_BUF, poison, sizeof(poison));
    cmd53_data_error(qts, false, EIS_DATACRC);
    qtest_memread(qts, DMA_BUF, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), poison, sizeof(poison));

    qtest_memwrite(qts, DMA_BUF, other, sizeof(other));
    cmd53_data_error(qts, true, EIS_DATACRC);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, buf,
                  sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), stored, sizeof(stored));

    wifi_qom_set_uint(qts, "fail-cmd53-timeout", 1);
    cmd53_data_error(qts, false, EIS_DATATIMEOUT);

    g_assert_cmpint(wifi_qom_get_int(qts, "fail-cmd53-crc"), ==, 0);
    g_assert_cmpint(wifi_qom_get_int(qts, "fail-cmd53-timeout"), ==, 0);
    g_assert_cmpint(wifi_qom_get_int(qts, "faults-injected"), ==,
                    injected + 3);
    assert_dma_ok(qts);
    qtest_quit(qts);
}

static void test_dma(void)
{
    QTestState *qts = sdio_start_enumerated();

    assert_dma_ok(qts);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    qtest_quit(qts);
}

/* Where a guest may point the DMA engine: mostly RAM, but anywhere */
static uint32_t fuzz_dma_addr(LabFuzz *f)
{
    switch (lab_fuzz_below(f, 8)) {
    case 0:
        return (uint32_t)lab_fuzz_next(f);
    case 1:
        return USDHC2_BASE + lab_fuzz_below(f, 0x100);  /* the controller */
    case 2:
        return RAM_END - lab_fuzz_below(f, 0x1000);     /* across its end */
    default:
        return DMA_BUF + lab_fuzz_below(f, 0x10000);
    }
}

/* 1..8 random ADMA2 descriptors at DMA_DESC, links and loops included */
static void fuzz_adma_table(QTestState *qts, LabFuzz *f)
{
    static const uint16_t acts[] = {
        ADMA_NOP, ADMA_RSV, ADMA_TRAN, ADMA_TRAN, ADMA_TRAN, ADMA_LINK,
    };
    unsigned n = 1 + lab_fuzz_below(f, 8), i;

    for (i = 0; i < n; i++) {
        uint16_t attr = acts[lab_fuzz_below(f, G_N_ELEMENTS(acts))] |
                        (lab_fuzz_chance(f, 8) ? 0 : ADMA_VALID) |
                        (lab_fuzz_chance(f, 4) ? ADMA_INT : 0) |
                        (i == n - 1 || lab_fuzz_chance(f, 8) ? ADMA_END : 0);
        uint16_t len = lab_fuzz_chance(f, 8) ? (uint16_t)lab_fuzz_next(f)
                                             : lab_fuzz_below(f, 1024);
        uint32_t addr = (attr & ADMA_ACT_MASK) == ADMA_LINK &&
                        lab_fuzz_chance(f, 2)
                        ? DMA_DESC + 8 * lab_fuzz_below(f, n)
                        : fuzz_dma_addr(f);

        adma_put(qts, DMA_DESC, i, attr, len, addr);
    }
}

/* What a driver does after any transfer: ack all, reset busy lines */
static void fuzz_dma_recover(QTestState *qts, LabFuzz *f)
{
    sdhc_write(qts, SDHC_NORINTSTS, sdhc_read(qts, SDHC_NORINTSTS));
    if (sdhc_read(qts, SDHC_PRNSTS) & (PRS_CMD_INHIBIT | PRS_DATA_INHIBIT) &&
        !lab_fuzz_chance(f, 8)) {
        sdhc_write(qts, SDHC_CLKCON, sdhc_read(qts, SDHC_CLKCON) |
                   CLK_RESET_CMD | CLK_RESET_DATA);
    }
}

/* The card's ways to fail a CMD53: its R5, and its data phase's two */
static const char *const cmd53_faults[] = {
    "fail-cmd53", "fail-cmd53-crc", "fail-cmd53-timeout",
};

/*
 * A CMD53 whose data phase runs by SDMA, ADMA1 or ADMA2 (32 or 64-bit),
 * with random function, address, block size and count, transfer mode bits,
 * buffer addresses and descriptor tables, sometimes failed by the card;
 * time passes, an SDMA boundary may be continued, then the driver's
 * recovery
 */
static void fuzz_dma_cmd53(QTestState *qts, LabFuzz *f)
{
    bool write = lab_fuzz_chance(f, 2), block = lab_fuzz_chance(f, 2);
    unsigned fn = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 8)
                  : !lab_fuzz_chance(f, 4);
    uint32_t addr = lab_fuzz_chance(f, 2) ? lab_fuzz_below(f, 0x20000)
                    : lab_fuzz_chance(f, 2) ? QCA_MBOX0 : QCA_WINDOW_DATA;
    unsigned blksz = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 0x1000)
                     : block ? QCA_BLOCK_SIZE : 1 + lab_fuzz_below(f, 512);
    unsigned blkcnt = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 0x10000)
                      : block ? 1 + lab_fuzz_below(f, 8) : 1;
    unsigned count = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 0x200)
                     : (block ? blkcnt : blksz) & 0x1ff;
    unsigned dmasel = lab_fuzz_below(f, 4);
    uint16_t trn = TRN_DMA | TRN_BLK_CNT_EN | (blkcnt > 1 ? TRN_MULTI : 0) |
                   (write ? 0 : TRN_READ);
    uint8_t data[4096];
    int steps;

    if (lab_fuzz_chance(f, 16)) {
        trn ^= 1u << lab_fuzz_below(f, 16);
    }
    if (lab_fuzz_chance(f, 8)) {
        wifi_qom_set_uint(qts, cmd53_faults[lab_fuzz_below(f,
                               G_N_ELEMENTS(cmd53_faults))], 1);
    }
    if (write && lab_fuzz_chance(f, 4)) {
        lab_fuzz_bytes(f, data, sizeof(data));
        qtest_memwrite(qts, DMA_BUF, data, sizeof(data));
    }
    sdhc_write(qts, SDHC_PROCTL, PROCTL_DMASEL(dmasel));
    if (dmasel == DMASEL_SDMA) {
        sdhc_write(qts, SDHC_DSADDR, fuzz_dma_addr(f));
    } else {
        fuzz_adma_table(qts, f);
        sdhc_write(qts, SDHC_ADMASYSADDR,
                   lab_fuzz_chance(f, 16) ? fuzz_dma_addr(f) : DMA_DESC);
    }
    sdhc_write(qts, SDHC_BLKSIZE, blkcnt << 16 | blksz);
    sdhc_write(qts, USDHC_MIX_CTRL, trn);
    sdhc_write(qts, SDHC_ARGUMENT, (write ? ARG_WRITE : 0) | ARG_FN(fn) |
               (block ? ARG_BLOCK : 0) |
               (lab_fuzz_chance(f, 4) ? 0 : ARG_INC) | ARG_ADDR(addr) |
               count);
    sdhc_write(qts, SDHC_XFERTYP,
               (uint32_t)(53 << 8 | CMD_R5 | CMD_DATA_PRESENT) << 16);
    for (steps = lab_fuzz_below(f, 4); steps > 0; steps--) {
        qtest_clock_step(qts, lab_fuzz_below(f, 200000));
        if (dmasel == DMASEL_SDMA &&
            sdhc_read(qts, SDHC_NORINTSTS) & NIS_DMA &&
            lab_fuzz_chance(f, 2)) {
            sdhc_write(qts, SDHC_NORINTSTS, NIS_DMA);
            sdhc_write(qts, SDHC_DSADDR, fuzz_dma_addr(f));
        }
    }
    fuzz_dma_recover(qts, f);
}

/* Bump when the operation mix below changes (lab-fuzz.h) */
#define USDHC_DMA_FUZZ_GEN 2

/*
 * Random guest operations on the uSDHC with the card behind it, the SD
 * core's and sdhci's share of the boundary (CVE-2020-17380 and
 * CVE-2021-3409 were DMA bugs there): DMA transfers of every kind and
 * shape (some failed by the card: R5 errors, data CRC errors and
 * timeouts), random register writes and reads of any width, random commands,
 * buffer port accesses with or without a transfer, time passing
 * (lab-fuzz.h). Every 100 operations, after a controller reset and
 * Linux's enumeration, both DMA engines must move the card's data right.
 */
static void test_dma_fuzz(const void *repro)
{
    QTestState *qts = sdio_start_enumerated();
    uint32_t offset;
    LabFuzz f;
    int i;

    lab_fuzz_init(&f, "usdhc-dma", USDHC_DMA_FUZZ_GEN, repro);
    while (lab_fuzz_more(&f)) {
        switch (lab_fuzz_below(&f, 10)) {
        case 0 ... 4:
            fuzz_dma_cmd53(qts, &f);
            break;
        case 5:
            offset = lab_fuzz_below(&f, 0x100);
            switch (lab_fuzz_below(&f, 3)) {
            case 0:
                qtest_writeb(qts, USDHC2_BASE + offset,
                             (uint8_t)lab_fuzz_next(&f));
                break;
            case 1:
                qtest_writew(qts, USDHC2_BASE + (offset & ~1),
                             (uint16_t)lab_fuzz_next(&f));
                break;
            default:
                qtest_writel(qts, USDHC2_BASE + (offset & ~3),
                             (uint32_t)lab_fuzz_next(&f));
                break;
            }
            break;
        case 6:
            sdhc_read(qts, lab_fuzz_below(&f, 0x100 / 4) * 4);
            break;
        case 7:
            sdhc_write(qts, SDHC_BLKSIZE, (uint32_t)lab_fuzz_next(&f));
            sdhc_write(qts, USDHC_MIX_CTRL, (uint16_t)lab_fuzz_next(&f));
            sdhc_write(qts, SDHC_ARGUMENT, (uint32_t)lab_fuzz_next(&f));
            sdhc_write(qts, SDHC_XFERTYP, (uint32_t)lab_fuzz_below(&f, 64) <<
                       24 | (uint32_t)lab_fuzz_below(&f, 64) << 16);
            fuzz_dma_recover(qts, &f);
            break;
        case 8:
            for (i = lab_fuzz_below(&f, 130); i > 0; i--) {
                if (lab_fuzz_chance(&f, 2)) {
                    qtest_writel(qts, USDHC2_BASE + SDHC_BDATA,
                                 (uint32_t)lab_fuzz_next(&f));
                } else {
                    qtest_readl(qts, USDHC2_BASE + SDHC_BDATA);
                }
            }
            break;
        case 9:
            qtest_clock_step(qts, lab_fuzz_below(&f, 2000000));
            break;
        }
        if (f.done % 100 == 0) {
            for (i = 0; i < G_N_ELEMENTS(cmd53_faults); i++) {
                wifi_qom_set_uint(qts, cmd53_faults[i], 0);
            }
            sdhc_init(qts);
            sdio_enumerate(qts);
            assert_dma_ok(qts);
        }
    }
    sdhc_init(qts);
    sdio_enumerate(qts);
    assert_dma_ok(qts);
    qtest_quit(qts);
    lab_fuzz_end(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/usdhc-dma/sdma-adma2", test_dma);
    qtest_add_func("/usdhc-dma/data-faults", test_data_faults);
    lab_fuzz_add_tests("/usdhc-dma/fuzz", "usdhc-dma", test_dma_fuzz);
    return g_test_run();
}
