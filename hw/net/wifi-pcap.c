/*
 * A capture of the air: 802.11 frames with radiotap headers in a pcap
 * file
 *
 * The pcap format (the tcpdump/libpcap file, version 2.4) with link type
 * LINKTYPE_IEEE802_11_RADIOTAP, each frame after a radiotap header
 * (radiotap.org) with three fields: flags, channel and antenna signal.
 * Timestamps are the virtual clock's, from the wall clock at the start,
 * as net/dump.c does for Ethernet. A write error stops the capture and
 * says so once; the device goes on.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "hw/net/wifi-ap.h"
#include "hw/net/wifi-pcap.h"

#define PCAP_MAGIC              0xa1b2c3d4
#define PCAP_SNAPLEN            65535
#define LINKTYPE_RADIOTAP       127
#define PCAP_FILE_HDR_LEN       24
#define PCAP_REC_HDR_LEN        16

/* present: FLAGS (bit 1), CHANNEL (bit 3), DBM_ANTSIGNAL (bit 5) */
#define RADIOTAP_PRESENT        ((1 << 1) | (1 << 3) | (1 << 5))
#define RADIOTAP_LEN            15      /* 8, flags, pad, channel, signal */
#define RADIOTAP_CHAN_CCK       0x0020
#define RADIOTAP_CHAN_OFDM      0x0040
#define RADIOTAP_CHAN_2GHZ      0x0080
#define RADIOTAP_CHAN_5GHZ      0x0100
#define WIFI_FRAME_CAPTURED_MAX 4096

bool wifi_pcap_open(WifiPcap *cap, const char *path, Error **errp)
{
    uint8_t hdr[PCAP_FILE_HDR_LEN] = { 0 };

    cap->fd = -1;
    if (!path || !*path) {
        return true;
    }
    cap->fd = qemu_create(path, O_WRONLY | O_TRUNC | O_BINARY, 0644, errp);
    if (cap->fd < 0) {
        return false;
    }
    stl_le_p(hdr, PCAP_MAGIC);
    stw_le_p(hdr + 4, 2);
    stw_le_p(hdr + 6, 4);
    stl_le_p(hdr + 16, PCAP_SNAPLEN);
    stl_le_p(hdr + 20, LINKTYPE_RADIOTAP);
    if (qemu_write_full(cap->fd, hdr, sizeof(hdr)) != sizeof(hdr)) {
        error_setg_errno(errp, errno, "cannot write the capture %s", path);
        wifi_pcap_close(cap);
        return false;
    }
    cap->start_s = time(NULL);
    cap->frames = 0;
    return true;
}

void wifi_pcap_close(WifiPcap *cap)
{
    if (cap->fd >= 0) {
        close(cap->fd);
        cap->fd = -1;
    }
}

void wifi_pcap_frame(WifiPcap *cap, const uint8_t *frame, size_t len,
                     uint16_t mhz, int8_t dbm)
{
    uint8_t rec[PCAP_REC_HDR_LEN + RADIOTAP_LEN + WIFI_FRAME_CAPTURED_MAX];
    uint8_t *rt = rec + PCAP_REC_HDR_LEN, *f = rt + RADIOTAP_LEN;
    int64_t us = qemu_clock_get_us(QEMU_CLOCK_VIRTUAL);
    size_t total;

    if (cap->fd < 0 || len < 2) {
        return;
    }
    len = MIN(len, WIFI_FRAME_CAPTURED_MAX);
    total = RADIOTAP_LEN + len;
    stl_le_p(rec, cap->start_s + us / 1000000);
    stl_le_p(rec + 4, us % 1000000);
    stl_le_p(rec + 8, total);
    stl_le_p(rec + 12, total);
    memset(rt, 0, RADIOTAP_LEN);
    stw_le_p(rt + 2, RADIOTAP_LEN);
    stl_le_p(rt + 4, RADIOTAP_PRESENT);
    rt[8] = 0;                                  /* flags: no FCS */
    stw_le_p(rt + 10, mhz);                     /* after a pad byte */
    stw_le_p(rt + 12, mhz < 5000 ? RADIOTAP_CHAN_2GHZ | RADIOTAP_CHAN_CCK
                                 : RADIOTAP_CHAN_5GHZ | RADIOTAP_CHAN_OFDM);
    rt[14] = dbm;
    memcpy(f, frame, len);
    f[1] &= ~WIFI_FC1_PROTECTED;
    if (qemu_write_full(cap->fd, rec, PCAP_REC_HDR_LEN + total) !=
        PCAP_REC_HDR_LEN + total) {
        error_report("qca6584: capture write error: %s; capture stopped",
                     strerror(errno));
        wifi_pcap_close(cap);
        return;
    }
    cap->frames++;
}
