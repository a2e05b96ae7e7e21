/*
 * The host side of the QCA6584 firmware protocol: BMI, HTC, WMI-TLV and
 * HTT messages to and from the card's mailbox (what and why: lab-qca.h)
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "qapi/qmp/qdict.h"
#include "lab-usdhc.h"
#include "lab-qca.h"

/* -- BMI -- */

unsigned bmi_cmd(uint8_t *buf, uint32_t id, uint32_t a1, uint32_t a2,
                 unsigned words)
{
    stl_le_p(buf, id);
    stl_le_p(buf + 4, a1);
    stl_le_p(buf + 8, a2);
    return 4 * words;
}

/* -- HTC, WMI and HTT: the firmware's side after BMI_DONE -- */

void htc_write(QcaHost *h, uint8_t *buf, unsigned len)
{
    sdio_rw_bytes(h->qts, h->cmd53, true, 1, QCA_MBOX0_EXT_END - len, true,
                  buf, len);
}

void htc_write_any(QcaHost *h, uint8_t *buf, unsigned len)
{
    unsigned padded = ROUND_UP(len, QCA_BLOCK_SIZE);

    if (len <= 512) {
        htc_write(h, buf, len);
        return;
    }
    memset(buf + len, 0, padded - len);
    sdio_rw_blocks(h->qts, h->cmd53, true, 1, QCA_MBOX0_EXT_END - padded,
                   QCA_BLOCK_SIZE, padded / QCA_BLOCK_SIZE, buf);
}

void htc_send(QcaHost *h, uint8_t eid, const void *payload, unsigned len)
{
    uint8_t buf[512] = { eid };

    g_assert_cmpuint(HTC_HDR_LEN + len, <=, sizeof(buf));
    stw_le_p(buf + 2, len);
    memcpy(buf + HTC_HDR_LEN, payload, len);
    htc_write(h, buf, HTC_HDR_LEN + len);
}

void wmi_send(QcaHost *h, uint32_t id, uint16_t tag, const void *value,
              uint16_t len)
{
    uint8_t buf[256];

    g_assert_cmpuint(8 + len, <=, sizeof(buf));
    stl_le_p(buf, id);
    stw_le_p(buf + 4, len);
    stw_le_p(buf + 6, tag);
    memcpy(buf + 8, value, len);
    htc_send(h, HTC_EP_WMI, buf, 8 + len);
}

void htt_tx(QcaHost *h, unsigned type, uint16_t flags1, uint16_t msdu_id,
            const uint8_t *frame, unsigned flen)
{
    uint8_t buf[ROUND_UP(HTC_MSG_MAX, QCA_BLOCK_SIZE) + QCA_BLOCK_SIZE];
    uint8_t *d = buf + HTC_HDR_LEN;

    g_assert_cmpuint(HTC_HDR_LEN + HTT_TX_DESC_LEN + flen, <=, HTC_MSG_MAX);
    memset(buf, 0, HTC_HDR_LEN + HTT_TX_DESC_LEN);
    buf[0] = HTC_EP_HTT;
    stw_le_p(buf + 2, HTT_TX_DESC_LEN + flen);
    d[0] = HTT_H2T_TX_FRM;
    d[1] = type << 5;
    stw_le_p(d + 2, flags1);
    stw_le_p(d + 4, flen);
    stw_le_p(d + 6, msdu_id);
    memcpy(d + HTT_TX_DESC_LEN, frame, flen);
    htc_write_any(h, buf, HTC_HDR_LEN + HTT_TX_DESC_LEN + flen);
}

int htc_read(QcaHost *h, uint8_t *msg, unsigned size)
{
    uint8_t la[4];
    unsigned len;

    if (!(sdio_readb(h->qts, 1, QCA_LOOKAHEAD_VALID) & 1)) {
        return -1;
    }
    sdio_rw_bytes(h->qts, h->cmd53, false, 1, QCA_LOOKAHEAD, true, la, 4);
    len = ROUND_UP(HTC_HDR_LEN + lduw_le_p(la + 2), QCA_BLOCK_SIZE);
    g_assert_cmpuint(len, <=, size);
    sdio_rw_blocks(h->qts, h->cmd53, false, 1, QCA_MBOX0, QCA_BLOCK_SIZE,
                   len / QCA_BLOCK_SIZE, msg);
    g_assert_cmpmem(msg, 4, la, 4);
    return lduw_le_p(la + 2);
}

unsigned htc_drain(QcaHost *h, uint8_t *last)
{
    uint8_t buf[8 * QCA_BLOCK_SIZE], la[4];
    unsigned n = 0, len;

    while (sdio_readb(h->qts, 1, QCA_LOOKAHEAD_VALID) & 1) {
        sdio_rw_bytes(h->qts, h->cmd53, false, 1, QCA_LOOKAHEAD, true, la, 4);
        len = ROUND_UP(HTC_HDR_LEN + lduw_le_p(la + 2), QCA_BLOCK_SIZE);
        g_assert_cmpuint(len, <=, sizeof(buf));
        sdio_rw_blocks(h->qts, h->cmd53, false, 1, QCA_MBOX0, QCA_BLOCK_SIZE,
                       len / QCA_BLOCK_SIZE, buf);
        g_assert_cmpmem(buf, 4, la, 4);
        if (last) {
            memcpy(last, buf, QCA_BLOCK_SIZE);
        }
        g_assert_cmpuint(++n, <, 1000);
    }
    return n;
}

void qca_drain_any(QcaHost *h)
{
    uint8_t buf[8 * QCA_BLOCK_SIZE], la[4];
    unsigned n, blocks;

    /* the block size the driver set (a random CMD52 may have changed it) */
    sdio_write16(h->qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    for (n = 0; n < 300 && sdio_readb(h->qts, 1, QCA_LOOKAHEAD_VALID) & 1;
         n++) {
        sdio_rw_bytes(h->qts, h->cmd53, false, 1, QCA_LOOKAHEAD, true, la, 4);
        blocks = DIV_ROUND_UP(HTC_HDR_LEN + lduw_le_p(la + 2),
                              QCA_BLOCK_SIZE);
        sdio_rw_blocks(h->qts, h->cmd53, false, 1, QCA_MBOX0, QCA_BLOCK_SIZE,
                       MIN(blocks, 8), buf);
    }
}

void htc_connect(QcaHost *h, uint16_t svc, uint8_t eid)
{
    uint8_t msg[8] = { 2, 0 }, resp[QCA_BLOCK_SIZE];

    stw_le_p(msg + 2, svc);
    htc_send(h, HTC_EP_CONTROL, msg, sizeof(msg));
    g_assert_cmpuint(htc_drain(h, resp), ==, 1);
    g_assert_cmphex(lduw_le_p(resp + HTC_HDR_LEN), ==, 3);  /* CONNECT_RESP */
    g_assert_cmphex(resp[HTC_HDR_LEN + 4], ==, 0);          /* success */
    g_assert_cmphex(resp[HTC_HDR_LEN + 5], ==, eid);
}

void htc_boot(QcaHost *h)
{
    uint8_t buf[QCA_BLOCK_SIZE];

    sdio_write16(h->qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    sdio_rw_bytes(h->qts, h->cmd53, true, 1, QCA_MBOX0, true, buf,
                  bmi_cmd(buf, BMI_DONE, 0, 0, 1));
    g_assert_cmpuint(htc_drain(h, buf), ==, 1);
    g_assert_cmphex(lduw_le_p(buf + HTC_HDR_LEN), ==, 1);   /* READY */
    g_assert_cmpuint(buf[HTC_HDR_LEN + 9], ==, 32);         /* bundles */
    htc_connect(h, 0x0300, HTC_EP_HTT);
    htc_connect(h, 0x0100, HTC_EP_WMI);
}

QTestState *htc_start(QcaHost *h)
{
    h->qts = sdio_start_enumerated();
    h->cmd53 = cmd53_pio;
    htc_boot(h);
    return h->qts;
}

/* -- what still works after a malformed operation -- */

void assert_card_ok(QTestState *qts)
{
    uint8_t out[4] = { 0x5a, 0x69, 0x96, 0xa5 };
    uint8_t in[4];

    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_WINDOW_DATA, true, out, 4);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmpmem(in, 4, out, 4);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
}

void assert_peer_create(QcaHost *h, const uint8_t *mac, uint16_t id)
{
    uint8_t cmd[16] = { 0 }, last[QCA_BLOCK_SIZE];

    memcpy(cmd + 4, mac, 6);
    wmi_send(h, WMI_PEER_CREATE, WMI_TAG_PEER_CREATE, cmd, sizeof(cmd));
    /* the WMI credits come back first, then the map */
    g_assert_cmpuint(htc_drain(h, last), ==, 2);
    g_assert_cmpuint(last[0], ==, HTC_EP_HTT);
    g_assert_cmpuint(last[HTC_HDR_LEN], ==, HTT_T2H_PEER_MAP);
    g_assert_cmpuint(lduw_le_p(last + HTC_HDR_LEN + 2), ==, id);
    g_assert_cmpmem(last + HTC_HDR_LEN + 4, 6, mac, 6);
}

void assert_firmware_ok(QcaHost *h)
{
    uint8_t vdev[4] = { 3 }, last[QCA_BLOCK_SIZE];

    wmi_send(h, WMI_VDEV_STOP, WMI_TAG_VDEV_STOP, vdev, sizeof(vdev));
    g_assert_cmpuint(htc_drain(h, last), ==, 2);
    g_assert_cmpuint(last[0], ==, HTC_EP_WMI);
    g_assert_cmphex(ldl_le_p(last + HTC_HDR_LEN), ==, WMI_VDEV_STOPPED);
    g_assert_cmphex(ldl_le_p(last + HTC_HDR_LEN + 8), ==, 3);
    assert_card_ok(h->qts);
}

/* -- the chip's properties -- */

QDict *wifi_qom_get(QTestState *qts, const char *path, const char *name)
{
    g_autofree char *full = g_strconcat(QCA_QOM_PATH, path, NULL);
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                            "{ 'path': %s, 'property': %s } }", full, name);

    g_assert(qdict_haskey(resp, "return"));
    return resp;
}

int64_t wifi_qom_get_int(QTestState *qts, const char *name)
{
    QDict *resp = wifi_qom_get(qts, "", name);
    int64_t value = qdict_get_int(resp, "return");

    qobject_unref(resp);
    return value;
}

void wifi_qom_set_uint(QTestState *qts, const char *name, uint64_t value)
{
    qtest_qmp_assert_success(qts, "{ 'execute': 'qom-set', 'arguments': "
                             "{ 'path': %s, 'property': %s, "
                             "'value': %" PRIu64 " } }", QCA_QOM_PATH, name,
                             value);
}
