/*
 * QTest for the QCA6584 Wi-Fi model's firmware protocol (hw/net/qca6584.c)
 * on the imx7d-custom board's SDIO slot, as ath10k_sdio speaks it: HTC
 * after BMI_DONE, its endpoints and bundles, WMI peers, what a broken
 * driver sends (each case its own path), the state across a snapshot,
 * and fuzzers of the protocol and of its migration stream. The host side
 * is lab-qca.h over lab-usdhc.h, data by PIO.
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
#include "lab-usdhc.h"
#include "lab-qca.h"

/*
 * Before its services are connected the model marks WMI's and HTT's
 * endpoints 0xff; a message to endpoint 0xff used to match that and was
 * taken as a WMI command. It is a message to no endpoint: no answer.
 */
static void test_htc_unconnected_endpoint(void)
{
    QcaHost host = { sdio_start_enumerated(), cmd53_pio }, *h = &host;
    QTestState *qts = h->qts;
    uint8_t buf[QCA_BLOCK_SIZE], cmd[8 + 16] = { 0 };

    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, buf,
                  bmi_cmd(buf, BMI_DONE, 0, 0, 1));
    g_assert_cmpuint(htc_drain(h, buf), ==, 1);           /* READY */
    stl_le_p(cmd, WMI_PEER_CREATE);
    stw_le_p(cmd + 4, 16);
    stw_le_p(cmd + 6, WMI_TAG_PEER_CREATE);
    htc_send(h, 0xff, cmd, sizeof(cmd));
    g_assert_cmpuint(htc_drain(h, buf), ==, 0);
    /* and the endpoints still connect and work */
    htc_connect(h, 0x0300, HTC_EP_HTT);
    htc_connect(h, 0x0100, HTC_EP_WMI);
    assert_firmware_ok(h);
    qtest_quit(qts);
}

static void test_htc_peers(void)
{
    QcaHost host, *h = &host;
    QTestState *qts = htc_start(h);
    uint8_t mac[6] = { 0x02, 0x03, 0x7f, 0x00, 0x00, 0x01 };
    uint8_t cmd[12] = { 0 };

    assert_peer_create(h, mac, 1);
    mac[5] = 2;
    assert_peer_create(h, mac, 2);
    /* deleting the first frees id 1 (HTT PEER_UNMAP), which comes back */
    mac[5] = 1;
    memcpy(cmd + 4, mac, 6);
    wmi_send(h, WMI_PEER_DELETE, WMI_TAG_PEER_DELETE, cmd, sizeof(cmd));
    g_assert_cmpuint(htc_drain(h, NULL), ==, 2);
    mac[5] = 3;
    assert_peer_create(h, mac, 1);
    assert_firmware_ok(h);
    qtest_quit(qts);
}

/*
 * Messages queued on one endpoint come as a bundle: the first one's
 * header (the lookahead) counts the others, and one CMD53 reads them all.
 */
static void test_htc_bundle(void)
{
    QcaHost host, *h = &host;
    QTestState *qts = htc_start(h);
    uint8_t buf[3 * QCA_BLOCK_SIZE] = { HTT_H2T_TX_FRM, 1 << 5 }, la[4];
    int i;

    /* three TX_FRMs the AP does not send: three TX completions */
    stw_le_p(buf + 4, 3000);
    for (i = 0; i < 3; i++) {
        htc_send(h, HTC_EP_HTT, buf, 64);
    }
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_LOOKAHEAD, true, la, 4);
    g_assert_cmpuint(la[0], ==, HTC_EP_HTT);
    g_assert_cmphex(la[1] >> 4, ==, 2);         /* two more follow */
    sdio_rw_blocks(qts, cmd53_pio, false, 1, QCA_MBOX0, QCA_BLOCK_SIZE, 3,
                   buf);
    for (i = 0; i < 3; i++) {
        g_assert_cmpuint(buf[i * QCA_BLOCK_SIZE], ==, HTC_EP_HTT);
        g_assert_cmpuint(buf[i * QCA_BLOCK_SIZE + HTC_HDR_LEN], ==, 7);
    }
    g_assert_cmpuint(sdio_readb(qts, 1, QCA_LOOKAHEAD_VALID), ==, 0);
    assert_firmware_ok(h);
    qtest_quit(qts);
}

/*
 * What a broken or hostile driver can send after BMI_DONE, one case a
 * path: each is logged (LOG_GUEST_ERROR) and ignored, and the firmware
 * goes on answering (assert_firmware_ok()). Each case starts on a fresh
 * board with the HTC up.
 */
typedef struct HtcMalformedCase {
    const char *name;
    void (*run)(QcaHost *h);
} HtcMalformedCase;

/* an endpoint nobody connected */
static void htc_malformed_endpoint(QcaHost *h)
{
    uint8_t buf[16] = { 0 };

    htc_send(h, 7, buf, 16);
    g_assert_cmpuint(htc_drain(h, NULL), ==, 0);
}

/*
 * A header announcing 64 KiB, then a message with 64 KiB of padding,
 * then one cut short by the mailbox's end: the rest of each write is
 * dropped, the next write starts clean.
 */
static void htc_malformed_lengths(QcaHost *h)
{
    uint8_t buf[64] = { 0 };

    buf[0] = HTC_EP_WMI;
    stw_le_p(buf + 2, 0xffff);
    htc_write(h, buf, 32);
    buf[1] = HTC_FLAG_BUNDLE;
    stw_le_p(buf + 2, 4);
    stw_le_p(buf + 6, 0xffff);
    htc_write(h, buf, 64);
    buf[1] = 0;
    stw_le_p(buf + 2, 100);
    htc_write(h, buf, 64);
}

/* WMI: no id; a TLV longer than its command; no TLV at all */
static void htc_malformed_wmi(QcaHost *h)
{
    uint8_t buf[16] = { 0 };

    htc_send(h, HTC_EP_WMI, buf, 2);
    stl_le_p(buf, WMI_START_SCAN);
    stw_le_p(buf + 4, 400);
    stw_le_p(buf + 6, 77);
    htc_send(h, HTC_EP_WMI, buf, 16);
    htc_send(h, HTC_EP_WMI, buf, 4);
    stl_le_p(buf, WMI_PEER_DELETE);
    htc_send(h, HTC_EP_WMI, buf, 4);
    /* a TLV too short for its command: no vdev id */
    wmi_send(h, WMI_VDEV_STOP, WMI_TAG_VDEV_STOP, buf, 2);
    /* every one got its credits back, nothing more */
    g_assert_cmpuint(htc_drain(h, NULL), ==, 5);
}

/* deleting a peer that does not exist; more peers than the chip has */
static void htc_malformed_peers(QcaHost *h)
{
    uint8_t buf[16] = { 0 }, mac[6] = { 0x02, 0, 0, 0, 0, 0 };
    int i;

    wmi_send(h, WMI_PEER_DELETE, WMI_TAG_PEER_DELETE, buf, 12);
    g_assert_cmpuint(htc_drain(h, NULL), ==, 1);
    for (i = 1; i <= 8; i++) {
        mac[5] = i;
        assert_peer_create(h, mac, i);
    }
    mac[5] = 9;
    memcpy(buf + 4, mac, 6);
    wmi_send(h, WMI_PEER_CREATE, WMI_TAG_PEER_CREATE, buf, 16);
    g_assert_cmpuint(htc_drain(h, NULL), ==, 1);
}

/*
 * HTT: empty; TX_FRM shorter than its descriptor; a frame longer than
 * its message; a packet type that does not exist. A frame whose
 * descriptor could be read is still completed (TX_COMPL_IND).
 */
static void htc_malformed_htt(QcaHost *h)
{
    uint8_t buf[64] = { 0 };

    htc_send(h, HTC_EP_HTT, buf, 0);
    buf[0] = HTT_H2T_TX_FRM;
    htc_send(h, HTC_EP_HTT, buf, 8);
    g_assert_cmpuint(htc_drain(h, NULL), ==, 0);
    stw_le_p(buf + 4, 3000);                    /* frame length */
    htc_send(h, HTC_EP_HTT, buf, 64);
    g_assert_cmpuint(htc_drain(h, NULL), ==, 1);
    buf[1] = 7 << 5;                            /* packet type 7 */
    stw_le_p(buf + 4, 24);
    htc_send(h, HTC_EP_HTT, buf, 64);
    g_assert_cmpuint(htc_drain(h, NULL), ==, 1);
    /* a data frame from a station that never associated: not sent */
    buf[1] = 1 << 5;                            /* native wifi */
    buf[16] = 0x08;                             /* data, to the DS */
    buf[17] = 0x01;
    htc_send(h, HTC_EP_HTT, buf, 64);
    g_assert_cmpuint(htc_drain(h, NULL), ==, 1);
}

/*
 * A host that never reads its mailbox: the target-to-host FIFO fills
 * (64 KiB, 256 blocks), what does not fit is dropped and logged. The
 * VDEV_STOPs carry the vdev id the HTT case above left in the buffer
 * they shared when the cases were one test: 0x2001.
 */
static void htc_malformed_fifo_full(QcaHost *h)
{
    uint8_t vdev[4] = { HTT_H2T_TX_FRM, 1 << 5 };
    int i;

    for (i = 0; i < 300; i++) {
        wmi_send(h, WMI_VDEV_STOP, WMI_TAG_VDEV_STOP, vdev, 4);
    }
    g_assert_cmpuint(htc_drain(h, NULL), ==, 256);
}

static const HtcMalformedCase htc_malformed_cases[] = {
    { "unconnected-endpoint-7", htc_malformed_endpoint },
    { "htc-lengths", htc_malformed_lengths },
    { "wmi", htc_malformed_wmi },
    { "peers", htc_malformed_peers },
    { "htt", htc_malformed_htt },
    { "fifo-full", htc_malformed_fifo_full },
};

static void test_htc_malformed(const void *data)
{
    const HtcMalformedCase *c = data;
    QcaHost host, *h = &host;
    QTestState *qts = htc_start(h);

    c->run(h);
    assert_firmware_ok(h);
    qtest_quit(qts);
}

/*
 * Saved with the HTC up, a peer created and a bundle of three HTT
 * messages one block into the CMD53 that reads it, restored into a new
 * QEMU: the other two blocks come as they should, the peer table came
 * along (the next peer gets id 2) and the firmware answers. @stream:
 * restored from that committed stream instead (lab_migrate_stream())
 */
static void test_snapshot_mid_bundle(const void *stream)
{
    QTestState *qts = sdio_start_with(stream ? LAB_STREAM_ARGS : "");
    QcaHost host = { qts, cmd53_pio }, *h = &host;
    uint8_t buf[3 * QCA_BLOCK_SIZE] = { HTT_H2T_TX_FRM, 1 << 5 }, la[4];
    uint8_t mac[6] = { 0x02, 0x03, 0x7f, 0x00, 0x00, 0x01 };
    int i;

    sdio_enumerate(qts);
    htc_boot(h);
    assert_peer_create(h, mac, 1);
    /* three TX_FRMs the AP does not send: three TX completions */
    stw_le_p(buf + 4, 3000);
    for (i = 0; i < 3; i++) {
        htc_send(h, HTC_EP_HTT, buf, 64);
    }
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_LOOKAHEAD, true, la, 4);
    g_assert_cmpuint(la[0], ==, HTC_EP_HTT);
    g_assert_cmphex(la[1] >> 4, ==, 2);
    sdhc_write(qts, SDHC_BLKSIZE, 3 << 16 | QCA_BLOCK_SIZE);
    sdio_cmd(qts, 53, ARG_FN(1) | ARG_BLOCK | ARG_INC | ARG_ADDR(QCA_MBOX0) |
             3, CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN | TRN_MULTI |
             TRN_READ);
    sdhc_pio_block(qts, false, QCA_BLOCK_SIZE, buf);
    qts = stream ? lab_migrate_stream(qts, stream, "-machine imx7d-custom "
                                      LAB_STREAM_ARGS)
                 : lab_migrate(qts, "-machine imx7d-custom");
    h->qts = qts;
    sdhc_pio(qts, false, QCA_BLOCK_SIZE, 2, buf + QCA_BLOCK_SIZE);
    for (i = 0; i < 3; i++) {
        g_assert_cmpuint(buf[i * QCA_BLOCK_SIZE], ==, HTC_EP_HTT);
        g_assert_cmpuint(buf[i * QCA_BLOCK_SIZE + HTC_HDR_LEN], ==, 7);
    }
    g_assert_cmpuint(sdio_readb(qts, 1, QCA_LOOKAHEAD_VALID), ==, 0);
    mac[5] = 2;
    assert_peer_create(h, mac, 2);
    assert_firmware_ok(h);
    qtest_quit(qts);
}

/* -- fuzz -- */

/* An HTC message with random header fields and a plausible payload */
static void fuzz_htc(QcaHost *h, LabFuzz *f)
{
    QTestState *qts = h->qts;
    static const uint32_t wmi_ids[] = {
        0x1, 0x3001, 0x3002, 0x5001, 0x5003, 0x5004, 0x5005, 0x5006, 0x5007,
        0x6001, 0x6002, 0x6005, 0x11001,
    };
    static const uint16_t tags[] = { 16, 77, 80, 88, 93, 97, 98 };
    uint8_t buf[512];
    unsigned len = lab_fuzz_below(f, sizeof(buf) - HTC_HDR_LEN + 1);
    unsigned tlvs, i;

    lab_fuzz_bytes(f, buf, sizeof(buf));
    buf[0] = lab_fuzz_chance(f, 8) ? buf[0] : lab_fuzz_below(f, 3);
    if (!lab_fuzz_chance(f, 4)) {
        buf[1] &= 0x01;                         /* no bundle padding */
        stw_le_p(buf + 2, len);                 /* the true length */
    }
    if (buf[0] == HTC_EP_WMI && len >= 4) {
        stl_le_p(buf + HTC_HDR_LEN, wmi_ids[lab_fuzz_below(f,
                                            G_N_ELEMENTS(wmi_ids))]);
        /* TLVs of known tags with random (sometimes wrong) lengths */
        for (i = 4, tlvs = 0; i + 4 <= len && tlvs < 3; tlvs++) {
            uint16_t tlen = lab_fuzz_below(f, 120);

            stw_le_p(buf + HTC_HDR_LEN + i, tlen);
            stw_le_p(buf + HTC_HDR_LEN + i + 2,
                     tags[lab_fuzz_below(f, G_N_ELEMENTS(tags))]);
            i += 4 + tlen;
        }
    } else if (buf[0] == HTC_EP_HTT && len >= 1) {
        buf[HTC_HDR_LEN] = lab_fuzz_below(f, 9);
    } else if (buf[0] == HTC_EP_CONTROL && len >= 4) {
        stw_le_p(buf + HTC_HDR_LEN, lab_fuzz_below(f, 8));
        stw_le_p(buf + HTC_HDR_LEN + 2, lab_fuzz_chance(f, 2) ? 0x0100
                                                               : 0x0300);
    }
    if (lab_fuzz_chance(f, 4)) {
        /* anywhere in the mailbox windows, not ending at their end */
        sdio_rw_bytes(qts, cmd53_pio, true, 1,
                      QCA_MBOX0 + lab_fuzz_below(f, 0x600), true, buf,
                      HTC_HDR_LEN + len);
    } else {
        htc_write(h, buf, HTC_HDR_LEN + len);
    }
}

/* A CMD53 with random function, address, mode and count, random data */
static void fuzz_cmd53(QTestState *qts, LabFuzz *f)
{
    static const uint32_t bases[] = {
        0x800, 0x828, 0x840, 0x868, 0x874, QCA_MBOX0, 0x12f00, 0x1c700,
        QCA_FUNC_SIZE - 0x100,
    };
    uint8_t buf[8 * QCA_BLOCK_SIZE];
    bool write = lab_fuzz_chance(f, 2);
    unsigned fn = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 8) : 1;
    uint32_t addr = lab_fuzz_chance(f, 4) ? lab_fuzz_below(f, 0x20000)
                    : bases[lab_fuzz_below(f, G_N_ELEMENTS(bases))];
    uint32_t mode = lab_fuzz_chance(f, 2) ? ARG_INC : 0;
    unsigned n;

    lab_fuzz_bytes(f, buf, sizeof(buf));
    if (lab_fuzz_chance(f, 2)) {
        n = 1 + lab_fuzz_below(f, 8);           /* blocks of 256 */
        cmd53_pio(qts, write, fn, addr, mode | ARG_BLOCK,
              lab_fuzz_chance(f, 16) ? lab_fuzz_below(f, 512) : n,
              QCA_BLOCK_SIZE, n, buf);
    } else {
        n = 1 + lab_fuzz_below(f, 512);         /* bytes */
        cmd53_pio(qts, write, fn, addr, mode, n, n, 1, buf);
    }
}

/* After an I/O reset the card needs its address again, as Linux knows */
static void fuzz_reenumerate(QTestState *qts)
{
    sdio_enumerate(qts);
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
}

/*
 * Whatever came before, Linux's enumeration and ath10k's boot work: the
 * card enumerates, leaves its boot loader on BMI_DONE, connects its
 * services and answers WMI
 */
static void assert_boots(QcaHost *h)
{
    sdio_enumerate(h->qts);
    htc_boot(h);
    assert_firmware_ok(h);
}

/*
 * Random but well-typed host operations on the SDIO card and the QCA6584
 * behind it: CMD52 anywhere, CMD53 of any shape, BMI commands, HTC
 * messages with random endpoints, lengths, WMI ids and TLVs, HTT types,
 * resets (lab-fuzz.h). Every 500 operations the card must still boot.
 */
/* Bump when the operation mix below changes (lab-fuzz.h) */
#define SDIO_FUZZ_GEN 1

static void test_fuzz(const void *repro)
{
    QcaHost host, *h = &host;
    QTestState *qts = htc_start(h);
    uint8_t buf[2100];
    LabFuzz f;
    unsigned len, fn;
    uint32_t addr;
    bool write;

    lab_fuzz_init(&f, "sdio-qca6584", SDIO_FUZZ_GEN, repro);
    while (lab_fuzz_more(&f)) {
        switch (lab_fuzz_below(&f, 12)) {
        case 0 ... 1:
            fn = lab_fuzz_below(&f, 8);
            addr = lab_fuzz_chance(&f, 2) ? lab_fuzz_below(&f, 0x200)
                                          : 0x800 + lab_fuzz_below(&f, 0x80);
            write = lab_fuzz_chance(&f, 2);
            cmd52(qts, write, fn, addr, (uint8_t)lab_fuzz_next(&f),
                  lab_fuzz_chance(&f, 4));
            if (write && fn == 0 && addr == CCCR_ABORT) {
                fuzz_reenumerate(qts);  /* maybe a reset: as Linux would */
            }
            break;
        case 2 ... 3:
            fuzz_cmd53(qts, &f);
            break;
        case 4 ... 7:
            fuzz_htc(h, &f);
            break;
        case 8:
            /* a BMI command, its length field random */
            len = 4 + lab_fuzz_below(&f, 508);
            lab_fuzz_bytes(&f, buf, len);
            stl_le_p(buf, lab_fuzz_below(&f, 16));
            sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, buf, len);
            break;
        case 9:
            qca_drain_any(h);
            break;
        case 10:
            if (lab_fuzz_chance(&f, 8)) {
                cmd52(qts, true, 0, CCCR_ABORT, CCCR_ABORT_RES, false);
                fuzz_reenumerate(qts);
            } else {
                sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_MBOX0, true, buf,
                              bmi_cmd(buf, BMI_DONE, 0, 0, 1));
            }
            break;
        case 11:
            qtest_clock_step(qts, lab_fuzz_below(&f, 20000000));
            break;
        }
        if (f.done % 500 == 0) {
            assert_boots(h);
        }
    }
    assert_boots(h);
    qtest_quit(qts);
    lab_fuzz_end(&f);
}

/* Bump when the operation mix below changes (lab-fuzz.h) */
#define SDIO_MIGRATE_FUZZ_GEN 1

/*
 * Migration streams of the SDIO card with its QCA6584 (saved in the
 * middle of a two-block CMD53 read, the HTC up) with the section's bytes
 * flipped or replaced by boundary values (lab-migrate.h): each load is
 * refused cleanly, or the card boots and its firmware answers in the new
 * QEMU. A load costs LAB_MIGRATE_FUZZ_COST operations of the dose.
 */
static void test_migrate_fuzz(const void *repro)
{
    char *path = lab_migrate_tmp_path();
    QcaHost host, *h = &host;
    QTestState *qts = htc_start(h), *to;
    uint8_t data[QCA_BLOCK_SIZE];
    unsigned refused = 0;
    LabFuzz f;

    sdhc_write(qts, SDHC_BLKSIZE, 2 << 16 | QCA_BLOCK_SIZE);
    sdio_cmd(qts, 53, ARG_FN(1) | ARG_BLOCK | ARG_ADDR(QCA_WINDOW_DATA) | 2,
             CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN | TRN_MULTI |
             TRN_READ);
    sdhc_pio_block(qts, false, QCA_BLOCK_SIZE, data);
    lab_migrate_save(qts, path);
    lab_fuzz_init(&f, "sdio-migrate", SDIO_MIGRATE_FUZZ_GEN, repro);
    if (!repro) {
        f.ops = MAX(1, f.ops / LAB_MIGRATE_FUZZ_COST);
    }
    while (lab_fuzz_more(&f)) {
        to = lab_migrate_fuzz_load(&f, path, "qca6584",
                                   "-machine imx7d-custom");
        if (!to) {
            refused++;
            continue;
        }
        /* the transfer saved half-way: what a driver does, then boot */
        sdhc_write(to, SDHC_NORINTSTS, sdhc_read(to, SDHC_NORINTSTS));
        /* one line at a time: sdhci takes both bits at once for neither */
        sdhc_write(to, SDHC_CLKCON, sdhc_read(to, SDHC_CLKCON) |
                   CLK_RESET_DATA);
        sdhc_write(to, SDHC_CLKCON, sdhc_read(to, SDHC_CLKCON) |
                   CLK_RESET_CMD);
        host.qts = to;
        assert_boots(h);
        qtest_quit(to);
    }
    g_test_message("%u of %lu fuzzed streams refused", refused, f.ops);
    lab_migrate_tmp_remove(path);
    lab_fuzz_end(&f);
}

int main(int argc, char **argv)
{
    unsigned i;

    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/qca6584/htc/unconnected-endpoint",
                   test_htc_unconnected_endpoint);
    qtest_add_func("/qca6584/htc/bundle", test_htc_bundle);
    qtest_add_func("/qca6584/wmi/peers", test_htc_peers);
    for (i = 0; i < G_N_ELEMENTS(htc_malformed_cases); i++) {
        g_autofree char *path = g_strdup_printf("/qca6584/malformed/%s",
                                                htc_malformed_cases[i].name);

        qtest_add_data_func(path, &htc_malformed_cases[i], test_htc_malformed);
    }
    qtest_add_data_func("/qca6584/snapshot/mid-bundle", NULL,
                        test_snapshot_mid_bundle);
    qtest_add_data_func("/qca6584/snapshot/stream/mid-bundle",
                        "qca6584-htc-mid-bundle", test_snapshot_mid_bundle);
    lab_fuzz_add_tests("/qca6584/fuzz", "sdio-qca6584", test_fuzz);
    lab_fuzz_add_tests("/qca6584/migrate-fuzz", "sdio-migrate",
                       test_migrate_fuzz);
    return g_test_run();
}
