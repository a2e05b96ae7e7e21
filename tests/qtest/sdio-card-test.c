/*
 * QTest for the SDIO card layer (hw/sd/sdio-card.c) as the QCA6584 Wi-Fi
 * model (hw/net/qca6584.c) answers it on the imx7d-custom board's uSDHC2:
 * enumeration, the CCCR, FBR and CIS, CMD52 and CMD53 in both modes, the
 * card interrupt, what a host gets wrong (each case its own path) and the
 * card's state across a snapshot. The host side is lab-usdhc.h, data by
 * PIO (cmd53_pio()); the card's function 1 is the QCA6584 (lab-qca.h).
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "lab-log.h"
#include "lab-migrate.h"
#include "lab-usdhc.h"
#include "lab-qca.h"
#include "qapi/qmp/qdict.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)ldl_le_p(p);
}

static uint8_t pattern(unsigned i)
{
    return (uint8_t)(i * 13 + (i >> 8) * 7 + 0x5a);
}

static void test_enumeration(void)
{
    QTestState *qts = sdio_start();
    CISInfo cis;
    uint16_t r5;
    uint8_t byte;

    /* the MMC core's sdio_reset(): a CMD52 to the card in its idle state */
    r5 = cmd52(qts, true, 0, CCCR_ABORT, CCCR_ABORT_RES, false);
    g_assert_cmphex(r5 >> 8 & (R5_OUT_OF_RANGE | R5_FUNCTION_NUMBER |
                               R5_ERROR), ==, 0);

    /* CMD0 has no response; CMD8 (memory cards only) gets none */
    sdio_cmd(qts, 0, 0, CMD_RSP_NONE, 0);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    sdio_cmd_timeout(qts, 8, 0x1aa, CMD_R1, 0);

    /* no CMD3 (nor CMD7) before CMD5 set a voltage */
    sdio_cmd_timeout(qts, 3, 0, CMD_R6, 0);
    g_assert_cmphex(sdio_cmd(qts, 5, 0, CMD_R4, 0), ==, SDIO_R4);
    sdio_cmd_timeout(qts, 3, 0, CMD_R6, 0);
    g_assert_cmphex(sdio_cmd(qts, 5, SDIO_OCR, CMD_R4, 0), ==, SDIO_R4);
    g_assert_cmphex(sdio_cmd(qts, 3, 0, CMD_R6, 0), ==, SDIO_RCA << 16);
    /* selecting another RCA: no answer, the card stays in standby */
    sdio_cmd_timeout(qts, 7, 0x1234 << 16, CMD_R1B, 0);
    g_assert_cmphex(sdio_cmd(qts, 7, SDIO_RCA << 16, CMD_R1B, 0), ==, 0);
    /* CMD5 is illegal once the card has an address */
    sdio_cmd_timeout(qts, 5, SDIO_OCR, CMD_R4, 0);

    /* CCCR */
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_SD_REVISION), ==, 0x02);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_CAPS), ==, 0x13);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_SPEED), ==, 0x01);
    g_assert_cmphex(sdio_read24(qts, 0, CCCR_CIS_PTR), ==, 0x001000);
    /* I/O enable: only function 1 exists; it is ready at once */
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IOE), ==, 0);
    sdio_writeb(qts, 0, CCCR_IOE, 0xff);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IOE), ==, 0x02);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IOR), ==, 0x02);
    /* the revision is read-only */
    r5 = cmd52(qts, true, 0, CCCR_REVISION, 0x00, true);
    g_assert_cmphex(r5, ==, R5_STATE_CMD << 8 | 0x32);

    /* FBR 1 */
    g_assert_cmphex(sdio_read24(qts, 0, FBR1_CIS_PTR), ==, 0x001080);
    g_assert_cmphex(sdio_read16(qts, 0, FBR1_BLKSIZE), ==, 0);

    /* the common CIS, as the bytes the model documents */
    {
        static const uint8_t head[] = {
            0x21, 0x02, 0x0c, 0x00, 0x22, 0x04, 0x00, 0x00, 0x01, 0x32,
            0x20, 0x04, 0x71, 0x02, 0x0a, 0x05, 0xff,
        };
        int i;

        for (i = 0; i < ARRAY_SIZE(head); i++) {
            byte = sdio_readb(qts, 0, 0x1000 + i);
            g_assert_cmphex(byte, ==, head[i]);
        }
    }

    /* and as tuples: SDIO card, fn0 blocks of 256, Atheros AR6005 */
    cis_walk(qts, sdio_read24(qts, 0, CCCR_CIS_PTR), &cis);
    g_assert_cmpuint(cis.tuples, ==, 3);
    g_assert_true(cis.has_funcid);
    g_assert_cmphex(cis.funcid, ==, 0x0c);
    g_assert_true(cis.has_funce);
    g_assert_cmpuint(cis.funce_type, ==, 0);
    g_assert_cmpuint(cis.max_blksize, ==, QCA_BLOCK_SIZE);
    g_assert_true(cis.has_manfid);
    g_assert_cmphex(cis.vendor, ==, 0x0271);
    g_assert_cmphex(cis.device, ==, 0x050a);

    /* function 1's CIS: the same IDs, blocks of up to 256 bytes */
    cis_walk(qts, sdio_read24(qts, 0, FBR1_CIS_PTR), &cis);
    g_assert_cmpuint(cis.tuples, ==, 3);
    g_assert_cmphex(cis.funcid, ==, 0x0c);
    g_assert_cmpuint(cis.funce_type, ==, 1);
    g_assert_cmpuint(cis.max_blksize, ==, QCA_BLOCK_SIZE);
    g_assert_true(cis.has_manfid);
    g_assert_cmphex(cis.vendor, ==, 0x0271);
    g_assert_cmphex(cis.device, ==, 0x050a);

    /* RES: the card is back in its idle state, without an address */
    sdio_writeb(qts, 0, CCCR_ABORT, CCCR_ABORT_RES);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IOE), ==, 0);
    sdio_cmd_timeout(qts, 3, 0, CMD_R6, 0);
    sdio_enumerate(qts);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    qtest_quit(qts);
}

static void test_cmd53_byte_mode(void)
{
    QTestState *qts = sdio_start_enumerated();
    uint8_t out[4] = { 0x11, 0x22, 0x33, 0x44 };
    uint8_t in[4];
    uint8_t en[4] = { 0x00, 0x5a, 0xa5, 0xff };
    uint8_t addr[4];
    uint16_t r5;
    int i;

    sdio_writeb(qts, 0, CCCR_IOE, 0x02);

    /* the diagnostic window's data register: 4 bytes of storage */
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_WINDOW_DATA, true, out, 4);
    memset(in, 0, sizeof(in));
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmpmem(in, 4, out, 4);
    for (i = 0; i < 4; i++) {
        g_assert_cmphex(sdio_readb(qts, 1, QCA_WINDOW_DATA + i), ==, out[i]);
    }

    /* CMD52 read-after-write returns the new value; CMD53 sees it */
    r5 = cmd52(qts, true, 1, QCA_WINDOW_DATA, 0xa5, true);
    g_assert_cmphex(r5, ==, R5_STATE_CMD << 8 | 0xa5);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmphex(le32(in), ==, 0x443322a5);

    /* a fixed address: every byte goes to (comes from) the same register */
    stl_le_p(out, 0x04030201);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_WINDOW_DATA, false, out, 4);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_WINDOW_DATA), ==, 0x04);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_WINDOW_DATA + 1), ==, 0x22);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA + 2, false, in, 4);
    g_assert_cmphex(le32(in), ==, 0x33333333);

    /* chip control: 4 bytes of storage */
    stl_le_p(out, 0xdeadbeef);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_CHIP_CONTROL, true, out, 4);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_CHIP_CONTROL, true, in, 4);
    g_assert_cmphex(le32(in), ==, 0xdeadbeef);

    /* the interrupt enables (nothing is pending, no interrupt) */
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_INT_STATUS_EN, true, en, 4);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_INT_STATUS_EN, true, in, 4);
    g_assert_cmpmem(in, 4, en, 4);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_INT_PENDING), ==, 0);

    /*
     * Target memory through the window: write the data, then the address
     * (its last byte starts the access); clobber the data register; the
     * read address loads it back.
     */
    stl_le_p(out, 0xcafef00d);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_WINDOW_DATA, true, out, 4);
    stl_le_p(addr, QCA_BOARD_ADDR + 0x10);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_WINDOW_WR_ADDR, true, addr, 4);
    for (i = 0; i < 4; i++) {
        sdio_writeb(qts, 1, QCA_WINDOW_DATA + i, 0);
    }
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_WINDOW_RD_ADDR, true, addr, 4);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmphex(le32(in), ==, 0xcafef00d);

    /* a 3-byte transfer: the block's tail in byte accesses to the port */
    memcpy(out, "\x81\x82\x83", 3);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_WINDOW_DATA + 1, true, out, 3);
    memset(in, 0, sizeof(in));
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmphex(le32(in), ==, 0x8382810d);
    qtest_quit(qts);
}

static void test_cmd53_block_mode(void)
{
    QTestState *qts = sdio_start_enumerated();
    enum { CHUNK = 244, TOTAL = 2 * CHUNK };
    uint8_t stream[2 * QCA_BLOCK_SIZE];
    uint8_t cmds[24];
    uint8_t data[2 * QCA_BLOCK_SIZE];
    unsigned len, i;

    sdio_writeb(qts, 0, CCCR_IOE, 0x02);

    /* function 1 blocks of 256 bytes (FBR 1 block size) */
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    g_assert_cmphex(sdio_read16(qts, 0, FBR1_BLKSIZE), ==, QCA_BLOCK_SIZE);
    g_assert_cmphex(sdio_read16(qts, 0, CCCR_BLKSIZE), ==, 0);

    /*
     * Two BMI_WRITE_MEMORY commands of 12 + 244 bytes: exactly two blocks,
     * one block mode CMD53 to the mailbox. The model parses the stream
     * when the transfer ends.
     */
    for (i = 0; i < 2; i++) {
        uint8_t *cmd = stream + i * (12 + CHUNK);
        unsigned j;

        bmi_cmd(cmd, BMI_WRITE_MEMORY, QCA_BOARD_ADDR + i * CHUNK, CHUNK, 3);
        for (j = 0; j < CHUNK; j++) {
            cmd[12 + j] = pattern(i * CHUNK + j);
        }
    }
    sdio_rw_blocks(qts, cmd53_pio, true, 1, QCA_MBOX0, QCA_BLOCK_SIZE, 2,
                   stream);
    /* BMI_WRITE_MEMORY has no response */
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);

    /* two BMI_READ_MEMORY of 256 bytes in one byte mode CMD53 */
    len = bmi_cmd(cmds, BMI_READ_MEMORY, QCA_BOARD_ADDR, BMI_MAX_READ, 3);
    len += bmi_cmd(cmds + len, BMI_READ_MEMORY,
                   QCA_BOARD_ADDR + BMI_MAX_READ, BMI_MAX_READ, 3);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, cmds, len);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 1);

    /* 512 bytes queued: read them as two blocks */
    memset(data, 0xee, sizeof(data));
    sdio_rw_blocks(qts, cmd53_pio, false, 1, QCA_MBOX0, QCA_BLOCK_SIZE, 2,
                   data);
    for (i = 0; i < TOTAL; i++) {
        g_assert_cmphex(data[i], ==, pattern(i));
    }
    for (; i < sizeof(data); i++) {
        g_assert_cmphex(data[i], ==, 0);    /* board data never written */
    }
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);

    /* the second chunk again, by byte mode both ways */
    len = bmi_cmd(cmds, BMI_READ_MEMORY, QCA_BOARD_ADDR + CHUNK, CHUNK, 3);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, cmds, len);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 1);
    memset(data, 0xee, sizeof(data));
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_MBOX0, true, data, CHUNK);
    for (i = 0; i < CHUNK; i++) {
        g_assert_cmphex(data[i], ==, pattern(CHUNK + i));
    }
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);

    /* function 0 in block mode too: the CIS, 2 blocks of 64 bytes */
    sdio_write16(qts, 0, CCCR_BLKSIZE, 64);
    g_assert_cmphex(sdio_read16(qts, 0, CCCR_BLKSIZE), ==, 64);
    sdio_rw_blocks(qts, cmd53_pio, false, 0, 0x1000, 64, 2, data);
    for (i = 0; i < 128; i++) {
        g_assert_cmphex(data[i], ==, sdio_readb(qts, 0, 0x1000 + i));
    }
    g_assert_cmphex(data[0], ==, 0x21);
    qtest_quit(qts);
}

/* NORINTSTS's card interrupt bit and the uSDHC2 line to the GIC */
static void assert_cardint(QTestState *qts, bool status, bool line)
{
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS) & NIS_CARDINT, ==,
                    status ? NIS_CARDINT : 0);
    g_assert_cmpint(qtest_get_irq(qts, USDHC2_IRQ), ==, line);
}

static void test_card_interrupt(void)
{
    QTestState *qts = sdio_start_enumerated();
    uint8_t cmd[4], rsp[12];
    uint32_t en;

    qtest_irq_intercept_in(qts, A7MPCORE_PATH);
    sdio_writeb(qts, 0, CCCR_IOE, 0x02);
    en = sdhc_read(qts, SDHC_NORINTSTSEN);
    sdhc_write(qts, SDHC_NORINTSTSEN, en | NIS_CARDINT);
    sdhc_write(qts, SDHC_NORINTSIGEN, NIS_CARDINT);
    assert_cardint(qts, false, false);

    /* GET_TARGET_INFO queues a response: HOST_INT_STATUS mailbox bit */
    stl_le_p(cmd, BMI_GET_TARGET_INFO);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, cmd, 4);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0x01);
    assert_cardint(qts, false, false);

    /* the function's enable, then the CCCR's: fn1 alone is not enough */
    sdio_writeb(qts, 1, QCA_INT_STATUS_EN, 0x01);
    assert_cardint(qts, false, false);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_INT_PENDING), ==, 0x02);
    sdio_writeb(qts, 0, CCCR_IEN, 0x02);
    assert_cardint(qts, false, false);
    sdio_writeb(qts, 0, CCCR_IEN, 0x03);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IEN), ==, 0x03);
    assert_cardint(qts, true, true);

    /* level: writing 1 does not clear it while it is enabled */
    sdhc_write(qts, SDHC_NORINTSTS, NIS_CARDINT);
    assert_cardint(qts, true, true);
    /* not signalled: the status stays, the line drops */
    sdhc_write(qts, SDHC_NORINTSIGEN, 0);
    assert_cardint(qts, true, false);
    sdhc_write(qts, SDHC_NORINTSIGEN, NIS_CARDINT);
    assert_cardint(qts, true, true);
    /* masked, as Linux's sdhci_irq() does: gone; unmasked: back */
    sdhc_write(qts, SDHC_NORINTSTSEN, en);
    assert_cardint(qts, false, false);
    sdhc_write(qts, SDHC_NORINTSTSEN, en | NIS_CARDINT);
    assert_cardint(qts, true, true);
    /* the function's enable gates it too */
    sdio_writeb(qts, 1, QCA_INT_STATUS_EN, 0x00);
    assert_cardint(qts, false, false);
    sdio_writeb(qts, 1, QCA_INT_STATUS_EN, 0x01);
    assert_cardint(qts, true, true);

    /* reading the response empties the FIFO: the card releases the line */
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_MBOX0, true, rsp, sizeof(rsp));
    g_assert_cmphex(le32(rsp), ==, 12);
    g_assert_cmphex(le32(rsp + 4), ==, 0x05030000);
    g_assert_cmphex(le32(rsp + 8), ==, 7);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_INT_PENDING), ==, 0);
    assert_cardint(qts, false, false);

    /* asserted again, then RES: the card's reset releases it */
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, cmd, 4);
    assert_cardint(qts, true, true);
    sdio_writeb(qts, 0, CCCR_ABORT, CCCR_ABORT_RES);
    assert_cardint(qts, false, false);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IEN), ==, 0);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);
    qtest_quit(qts);
}

/* A system reset while the card interrupt is asserted */
static void test_reset_while_asserted(void)
{
    QTestState *qts = sdio_start_enumerated();
    uint8_t cmd[4];
    QDict *resp;

    stl_le_p(cmd, BMI_GET_TARGET_INFO);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, cmd, 4);
    sdio_writeb(qts, 1, QCA_INT_STATUS_EN, 0x01);
    sdio_writeb(qts, 0, CCCR_IEN, 0x03);
    sdhc_write(qts, SDHC_NORINTSTSEN, EIS_ALL | NIS_ENABLES | NIS_CARDINT);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS) & NIS_CARDINT, ==,
                    NIS_CARDINT);

    resp = qtest_qmp(qts, "{ 'execute': 'system_reset' }");
    g_assert(qdict_haskey(resp, "return"));
    qobject_unref(resp);
    qtest_qmp_eventwait(qts, "RESET");

    /* a fresh card has nothing pending: no card interrupt once enabled */
    sdhc_init(qts);
    sdhc_write(qts, SDHC_NORINTSTSEN, EIS_ALL | NIS_ENABLES | NIS_CARDINT);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    sdio_enumerate(qts);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IEN), ==, 0);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_INT_PENDING), ==, 0);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    qtest_quit(qts);
}

/*
 * What a broken or hostile host can do to the card, one case a path: the
 * card refuses it with the R5 flags the spec gives (or no answer), and
 * then still works (assert_card_ok()). Each case starts on a fresh board
 * with the card enumerated (selected, no function enabled), but for
 * cmd53-before-cmd7, which enumerates it half-way itself.
 */
typedef struct MalformedCase {
    const char *name;
    void (*run)(QTestState *qts);
    bool unselected;            /* the card not enumerated at the start */
} MalformedCase;

/*
 * A CMD53 read the card refuses with R5 flags @flags: the data phase
 * still runs, and what it reads is zeros
 */
static void cmd53_read_refused(QTestState *qts, unsigned fn, uint32_t addr,
                               uint32_t mode, unsigned count, unsigned blksz,
                               unsigned blkcnt, uint8_t flags)
{
    uint8_t buf[2 * QCA_BLOCK_SIZE], zero[2 * QCA_BLOCK_SIZE] = { 0 };
    unsigned len = blksz * blkcnt;
    uint16_t r5;

    g_assert_cmpuint(len, <=, sizeof(buf));
    memset(buf, 0xee, sizeof(buf));
    r5 = cmd53_pio(qts, false, fn, addr, mode, count, blksz, blkcnt, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | flags) << 8);
    g_assert_cmpmem(buf, len, zero, len);
}

/* CMD53 before CMD7: the card is not selected and does not answer */
static void malformed_cmd53_before_cmd7(QTestState *qts)
{
    cmd52(qts, true, 0, CCCR_ABORT, CCCR_ABORT_RES, false);
    sdio_cmd(qts, 5, SDIO_OCR, CMD_R4, 0);
    sdio_cmd(qts, 3, 0, CMD_R6, 0);
    sdhc_write(qts, SDHC_BLKSIZE, 1 << 16 | 4);
    sdio_cmd_timeout(qts, 53, ARG_FN(1) | ARG_INC |
                     ARG_ADDR(QCA_WINDOW_DATA) | 4,
                     CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN | TRN_READ);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    g_assert_cmphex(sdio_cmd(qts, 7, SDIO_RCA << 16, CMD_R1B, 0), ==, 0);
}

/* CMD52 to a function the card does not have */
static void malformed_cmd52_no_function(QTestState *qts)
{
    uint16_t r5;
    int i;

    for (i = 2; i <= 7; i++) {
        r5 = cmd52(qts, false, i, 0x10, 0, false);
        g_assert_cmphex(r5, ==, (R5_STATE_CMD | R5_FUNCTION_NUMBER) << 8);
        r5 = cmd52(qts, true, i, 0x10, 0x55, true);
        g_assert_cmphex(r5, ==, (R5_STATE_CMD | R5_FUNCTION_NUMBER) << 8);
    }
}

/* CMD53 to function 7: refused, the data phase still runs */
static void malformed_cmd53_no_function(QTestState *qts)
{
    cmd53_read_refused(qts, 7, 0x800, ARG_INC, 16, 16, 1, R5_FUNCTION_NUMBER);
}

/*
 * 512 bytes (byte mode count 0) from 0x1ff00: past the end of the
 * function's 128 KiB. Refused, reads return 0, writes are dropped.
 */
static void malformed_cmd53_beyond_function(QTestState *qts)
{
    uint8_t buf[512] = { 0 };
    uint16_t r5;

    cmd53_read_refused(qts, 1, 0x1ff00, ARG_INC, 0, 512, 1, R5_OUT_OF_RANGE);
    assert_card_ok(qts);
    r5 = cmd53_pio(qts, true, 1, 0x1ff00, ARG_INC, 0, 512, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_OUT_OF_RANGE) << 8);
    assert_card_ok(qts);
    /* the same at a fixed address is fine: only one register */
    r5 = cmd53_pio(qts, false, 1, 0x1ff00, 0, 0, 512, 1, buf);
    g_assert_cmphex(r5, ==, R5_STATE_TRN << 8);
    /* and the last 256 bytes of the space, incrementing, too */
    r5 = cmd53_pio(qts, false, 1, QCA_FUNC_SIZE - 256, ARG_INC, 256, 256, 1,
                   buf);
    g_assert_cmphex(r5, ==, R5_STATE_TRN << 8);
}

/* block mode with no block size set (FBR 1 block size 0) */
static void malformed_block_size_unset(QTestState *qts)
{
    g_assert_cmphex(sdio_read16(qts, 0, FBR1_BLKSIZE), ==, 0);
    cmd53_read_refused(qts, 1, QCA_WINDOW_DATA, ARG_BLOCK | ARG_INC, 511, 4,
                       1, R5_ERROR);
}

/* block size beyond what the card layer moves (512) */
static void malformed_block_size_too_big(QTestState *qts)
{
    uint8_t buf[512];
    uint16_t r5;

    sdio_write16(qts, 0, FBR1_BLKSIZE, 1024);
    r5 = cmd53_pio(qts, false, 1, QCA_WINDOW_DATA, ARG_BLOCK | ARG_INC, 1,
                   4, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_ERROR) << 8);
}

/*
 * Block count 0 (an infinite transfer): refused. A write must not
 * reach the register: the window keeps what assert_card_ok() wrote.
 */
static void malformed_block_count_0(QTestState *qts)
{
    uint8_t buf[512], stale[4];
    uint16_t r5;

    assert_card_ok(qts);
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, stale, 4);
    memset(buf, 0x77, sizeof(buf));
    r5 = cmd53_pio(qts, true, 1, QCA_WINDOW_DATA, ARG_BLOCK | ARG_INC, 0,
                   QCA_BLOCK_SIZE, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_ERROR) << 8);
    cmd53_read_refused(qts, 1, QCA_WINDOW_DATA, ARG_BLOCK | ARG_INC, 0,
                       QCA_BLOCK_SIZE, 1, R5_ERROR);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, buf, 4);
    g_assert_cmpmem(buf, 4, stale, 4);
}

/* a block mode transfer past the end of the function */
static void malformed_blocks_beyond_function(QTestState *qts)
{
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    cmd53_read_refused(qts, 1, QCA_FUNC_SIZE - QCA_BLOCK_SIZE,
                       ARG_BLOCK | ARG_INC, 2, QCA_BLOCK_SIZE, 2,
                       R5_OUT_OF_RANGE);
}

/* deselected (CMD7 to RCA 0, no answer): CMD53 gets none either */
static void malformed_cmd53_deselected(QTestState *qts)
{
    sdio_cmd(qts, 7, 0, CMD_RSP_NONE, 0);
    sdhc_write(qts, SDHC_BLKSIZE, 1 << 16 | 4);
    sdio_cmd_timeout(qts, 53, ARG_WRITE | ARG_FN(1) | ARG_INC |
                     ARG_ADDR(QCA_WINDOW_DATA) | 4,
                     CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN);
    /* CMD52 works in any state */
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    g_assert_cmphex(sdio_cmd(qts, 7, SDIO_RCA << 16, CMD_R1B, 0), ==, 0);
}

/* unsupported commands get no answer */
static void malformed_unsupported_commands(QTestState *qts)
{
    sdio_cmd_timeout(qts, 17, 0, CMD_R1, 0);
    sdio_cmd_timeout(qts, 55, SDIO_RCA << 16, CMD_R1, 0);
}

static const MalformedCase malformed_cases[] = {
    { "cmd53-before-cmd7", malformed_cmd53_before_cmd7, true },
    { "cmd52-no-function", malformed_cmd52_no_function },
    { "cmd53-no-function", malformed_cmd53_no_function },
    { "cmd53-beyond-function", malformed_cmd53_beyond_function },
    { "block-size-unset", malformed_block_size_unset },
    { "block-size-too-big", malformed_block_size_too_big },
    { "block-count-0", malformed_block_count_0 },
    { "blocks-beyond-function", malformed_blocks_beyond_function },
    { "cmd53-deselected", malformed_cmd53_deselected },
    { "unsupported-commands", malformed_unsupported_commands },
};

static void test_malformed(const void *data)
{
    const MalformedCase *c = data;
    QTestState *qts = c->unselected ? sdio_start() : sdio_start_enumerated();

    c->run(qts);
    assert_card_ok(qts);
    qtest_quit(qts);
}

/*
 * Guest mistakes the models let pass are still named in -d guest_errors:
 * a read of a function-1 address that is no register of the model, and a
 * CMD53 to a function the host has not enabled (once enabled, no more)
 */
static void test_guest_errors_logged(void)
{
    g_autofree char *log_path = NULL;
    g_autofree char *args = lab_log_args(&log_path);
    QTestState *qts = sdio_start_with(args);
    g_autofree char *log = NULL;
    uint8_t buf[4];
    char *first;

    sdio_enumerate(qts);
    g_assert_cmphex(sdio_readb(qts, 1, 0x900), ==, 0);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_HOST_INT_STATUS, true, buf, 4);
    sdio_writeb(qts, 0, CCCR_IOE, 0x02);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_HOST_INT_STATUS, true, buf, 4);
    qtest_quit(qts);
    log = lab_log_read(log_path);
    g_assert_nonnull(strstr(log, "qca6584: read of function 1 address "
                            "0x00900, not a register the model has"));
    first = strstr(log, "sdio-card: CMD53 to function 1, which is not "
                   "enabled (IOE 0x00)\n");
    g_assert_nonnull(first);
    g_assert_null(strstr(strchr(first, '\n'), "which is not enabled"));
    /* what ath10k reads as a block is modelled, and says nothing */
    g_assert_null(strstr(log, "address 0x00800"));
}

/*
 * Saved in the middle of a two-block CMD53 read of the mailbox (one block
 * read, one to go) and restored into a new QEMU: the second block comes
 * with the right bytes and the transfer ends as it should. @stream:
 * restored from that committed stream instead (lab_migrate_stream())
 */
static void test_snapshot_mid_cmd53(const void *stream)
{
    QTestState *qts = sdio_start_with(stream ? LAB_STREAM_ARGS : "");
    uint8_t cmd[12 + 2 * BMI_MAX_READ], data[2 * QCA_BLOCK_SIZE];
    unsigned len, i;

    sdio_enumerate(qts);
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    /* a pattern in the board data, then two reads of it queued */
    bmi_cmd(cmd, BMI_WRITE_MEMORY, QCA_BOARD_ADDR, 2 * BMI_MAX_READ, 3);
    for (i = 0; i < 2 * BMI_MAX_READ; i++) {
        cmd[12 + i] = pattern(i);
    }
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, cmd,
                  12 + BMI_MAX_READ);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true,
                  cmd + 12 + BMI_MAX_READ, BMI_MAX_READ);
    len = bmi_cmd(cmd, BMI_READ_MEMORY, QCA_BOARD_ADDR, BMI_MAX_READ, 3);
    len += bmi_cmd(cmd + len, BMI_READ_MEMORY,
                   QCA_BOARD_ADDR + BMI_MAX_READ, BMI_MAX_READ, 3);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, cmd, len);

    sdhc_write(qts, SDHC_BLKSIZE, 2 << 16 | QCA_BLOCK_SIZE);
    sdio_cmd(qts, 53, ARG_FN(1) | ARG_BLOCK | ARG_ADDR(QCA_MBOX0) | 2,
             CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN | TRN_MULTI |
             TRN_READ);
    sdhc_pio_block(qts, false, QCA_BLOCK_SIZE, data);
    qts = stream ? lab_migrate_stream(qts, stream, "-machine imx7d-custom "
                                      LAB_STREAM_ARGS)
                 : lab_migrate(qts, "-machine imx7d-custom");
    sdhc_pio(qts, false, QCA_BLOCK_SIZE, 1, data + QCA_BLOCK_SIZE);
    for (i = 0; i < sizeof(data); i++) {
        g_assert_cmphex(data[i], ==, pattern(i));
    }
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);
    assert_card_ok(qts);
    qtest_quit(qts);
}

/*
 * Where the card layer's fields lie in the qca6584 section (vmstate of
 * sdio-card, first in the device's): the card's state, then from
 * xfer_active on the CMD53 in progress
 */
#define VMS_CARD_STATE      0
#define VMS_XFER            46

/* The CMD53 fields as sdio-card's vmstate has them, big-endian */
static void vms_cmd53(uint8_t *p, uint8_t fn, uint32_t start, uint32_t addr,
                      uint32_t len, uint32_t left)
{
    p[0] = 1;                                   /* xfer_active */
    p[1] = 0;                                   /* xfer_write */
    p[2] = 0;                                   /* xfer_dummy */
    p[3] = 1;                                   /* xfer_inc */
    p[4] = fn;
    stl_be_p(p + 5, start);
    stl_be_p(p + 9, addr);
    stl_be_p(p + 13, len);
    stl_be_p(p + 17, left);
}

/*
 * A stream whose CMD53 could not have come from a command (its function,
 * its length, where it is) or whose card state is unknown is refused at
 * load: the data phase would index registers with them.
 */
/* One refused stream: a CMD53 that no command could have left, or a state */
typedef struct BadCmd53 {
    const char *name;
    uint8_t fn;
    uint32_t start, addr, len, left;
    bool bad_state;             /* a card state that does not exist */
} BadCmd53;

static const BadCmd53 bad_cmd53[] = {
    { "function-6", 6, QCA_MBOX0, QCA_MBOX0, 1024, 1024 },  /* the card has 1 */
    { "left-beyond-length", 1, QCA_MBOX0, QCA_MBOX0, 1024, 1025 },
    { "no-length", 1, QCA_MBOX0, QCA_MBOX0, 0, 0 },     /* active, no length */
    { "beyond-function", 1, QCA_FUNC_SIZE - 4, QCA_FUNC_SIZE - 4, 1024,
      1024 },
    { "not-where-it-is", 1, QCA_MBOX0, QCA_MBOX0 + 9, 1024, 1020 },
    { "function-0-all-ones", 0, 0x1fff0, 0x1fff0, 0xffffffff, 0xffffffff },
    { "card-state-4", .bad_state = true },
};

static void test_snapshot_bad_cmd53_refused(const void *data)
{
    const BadCmd53 *bad = data;
    char *path = lab_migrate_tmp_path();
    QTestState *qts = sdio_start_enumerated();
    uint8_t fields[21];

    lab_migrate_save(qts, path);
    if (bad->bad_state) {
        stl_be_p(fields, 4);                    /* no such card state */
        lab_migrate_patch(path, "qca6584", VMS_CARD_STATE, fields, 4);
    } else {
        vms_cmd53(fields, bad->fn, bad->start, bad->addr, bad->len,
                  bad->left);
        lab_migrate_patch(path, "qca6584", VMS_XFER, fields, sizeof(fields));
    }
    lab_migrate_load_refused("-machine imx7d-custom", path);
    lab_migrate_tmp_remove(path);
}

int main(int argc, char **argv)
{
    unsigned i;

    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/sdio-card/enumeration", test_enumeration);
    qtest_add_func("/sdio-card/cmd53/byte-mode", test_cmd53_byte_mode);
    qtest_add_func("/sdio-card/cmd53/block-mode", test_cmd53_block_mode);
    qtest_add_func("/sdio-card/card-interrupt", test_card_interrupt);
    qtest_add_func("/sdio-card/card-interrupt/system-reset",
                   test_reset_while_asserted);
    for (i = 0; i < G_N_ELEMENTS(malformed_cases); i++) {
        g_autofree char *path = g_strdup_printf("/sdio-card/malformed/%s",
                                                malformed_cases[i].name);

        qtest_add_data_func(path, &malformed_cases[i], test_malformed);
    }
    qtest_add_func("/sdio-card/guest-errors-logged", test_guest_errors_logged);
    qtest_add_data_func("/sdio-card/snapshot/mid-cmd53", NULL,
                        test_snapshot_mid_cmd53);
    qtest_add_data_func("/sdio-card/snapshot/stream/mid-cmd53",
                        "sdio-bmi-mid-cmd53", test_snapshot_mid_cmd53);
    for (i = 0; i < G_N_ELEMENTS(bad_cmd53); i++) {
        g_autofree char *path = g_strdup_printf(
            "/sdio-card/snapshot/bad-cmd53-refused/%s", bad_cmd53[i].name);

        qtest_add_data_func(path, &bad_cmd53[i],
                            test_snapshot_bad_cmd53_refused);
    }
    return g_test_run();
}
