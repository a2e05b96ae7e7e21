/*
 * Qualcomm QCA6584 model: the firmware's scan
 *
 * WMI START_SCAN names the channels; the firmware reports STARTED, then
 * dwells on each channel in turn (FOREIGN_CHANNEL), where the beacons of
 * the simulated APs on that channel come up as management frames, and
 * ends with COMPLETED.
 * The dwell runs in virtual time, so a scan takes the same guest time
 * however fast the host is.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qca6584-internal.h"
#include "hw/net/trace.h"

#define WMI_EV_SCAN             0x3001
#define WMI_TAG_SCAN_EVENT      36
#define WMI_TAG_START_SCAN_CMD  77
#define WMI_SCAN_STARTED        0x1
#define WMI_SCAN_COMPLETED      0x2
#define WMI_SCAN_FOREIGN_CHAN   0x8
#define WMI_SCAN_REASON_DONE    0
#define WMI_SCAN_REASON_CANCEL  1
#define WMI_SCAN_DWELL_MS       10      /* per channel, virtual time */

/* The start of struct wmi_start_scan_common: the ids the events echo */
typedef struct QEMU_PACKED WmiStartScanIds {
    uint32_t scan_id;
    uint32_t scan_req_id;
    uint32_t vdev_id;
} WmiStartScanIds;

/* struct wmi_scan_event */
typedef struct QEMU_PACKED WmiScanEv {
    uint32_t event_type;
    uint32_t reason;
    uint32_t channel_freq;
    uint32_t scan_req_id;
    uint32_t scan_id;
    uint32_t vdev_id;
} WmiScanEv;
QEMU_BUILD_BUG_ON(sizeof(WmiScanEv) != 24);

static uint8_t qca6584_freq_to_chan(uint32_t freq)
{
    if (freq == 2484) {
        return 14;
    }
    return freq < 5000 ? (freq - 2407) / 5 : (freq - 5000) / 5;
}

static void qca6584_scan_event(QCA6584State *s, uint32_t type,
                               uint32_t reason, uint32_t freq)
{
    uint8_t buf[sizeof(WmiTlv) + sizeof(WmiScanEv)], *p = buf;
    WmiScanEv *ev = (WmiScanEv *)qca6584_wmi_tlv_put(&p, WMI_TAG_SCAN_EVENT,
                                                     sizeof(WmiScanEv));

    ev->event_type = cpu_to_le32(type);
    ev->reason = cpu_to_le32(reason);
    ev->channel_freq = cpu_to_le32(freq);
    ev->scan_req_id = cpu_to_le32(s->wmi.scan_req_id);
    ev->scan_id = cpu_to_le32(s->wmi.scan_id);
    ev->vdev_id = cpu_to_le32(s->wmi.scan_vdev);
    qca6584_wmi_event(s, WMI_EV_SCAN, buf, p - buf);
}

static void qca6584_scan_stop(QCA6584State *s, uint32_t reason)
{
    timer_del(s->wmi.scan_timer);
    s->wmi.scan_active = false;
    qca6584_scan_event(s, WMI_SCAN_COMPLETED, reason, 0);
}

/*
 * One scan step, WMI_SCAN_DWELL_MS apart as a radio dwells on each
 * channel: the next channel (with the beacons of the APs on that channel), or
 * the end of the scan. Pacing matters: ath10k checks its scan state after
 * the STARTED event, and a scan that completes before that check fails.
 */
static void qca6584_scan_tick(void *opaque)
{
    QCA6584State *s = opaque;
    QCAWmi *w = &s->wmi;
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL);
    uint8_t beacon[WIFI_MGMT_MAX];
    uint32_t freq, i;

    if (!w->scan_active) {
        return;
    }
    /*
     * room for the channel's event and the beacons of every AP, else the
     * host is behind
     */
    if (!qca6584_htc_can_send(s, (1 + s->n_aps) * QCA_BLOCK_SIZE)) {
        timer_mod(w->scan_timer, now + 1);
        return;
    }
    if (w->scan_next == w->scan_nfreqs) {
        qca6584_scan_stop(s, WMI_SCAN_REASON_DONE);
        return;
    }
    freq = w->scan_freqs[w->scan_next++];
    qca6584_scan_event(s, WMI_SCAN_FOREIGN_CHAN, 0, freq);
    for (i = 0; i < s->n_aps; i++) {
        WifiAP *ap = &s->ap[i];

        if (qca6584_freq_to_chan(freq) == ap->channel && ap->enabled) {
            qca6584_wmi_mgmt_rx(s, ap, beacon,
                                wifi_ap_beacon(ap, NULL, beacon));
        }
    }
    timer_mod(w->scan_timer, now + WMI_SCAN_DWELL_MS);
}

/* START_SCAN: STARTED now, then the channels the host asked for */
void qca6584_scan_start(QCA6584State *s, const uint8_t *tlvs, uint32_t len)
{
    QCAWmi *w = &s->wmi;
    const WmiStartScanIds *cmd;
    const uint8_t *chans;
    uint16_t chans_len = 0;
    uint32_t i;

    cmd = (const WmiStartScanIds *)
        qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_START_SCAN_CMD,
                             sizeof(WmiStartScanIds), NULL);
    chans = qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_ARRAY_UINT32, 0,
                                 &chans_len);
    if (!cmd || !chans) {
        return;
    }
    qca6584_scan_cancel(s);
    w->scan_id = le32_to_cpu(cmd->scan_id);
    w->scan_req_id = le32_to_cpu(cmd->scan_req_id);
    w->scan_vdev = le32_to_cpu(cmd->vdev_id);
    w->scan_nfreqs = MIN(chans_len / 4, WMI_SCAN_MAX_CHANNELS);
    for (i = 0; i < w->scan_nfreqs; i++) {
        w->scan_freqs[i] = ldl_le_p(chans + 4 * i);
    }
    w->scan_next = 0;
    w->scan_active = true;
    trace_qca6584_scan(w->scan_id, w->scan_nfreqs);
    qca6584_scan_event(s, WMI_SCAN_STARTED, 0, 0);
    timer_mod(w->scan_timer,
              qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + WMI_SCAN_DWELL_MS);
}

/* STOP_SCAN, or a new scan: the one running ends as cancelled */
void qca6584_scan_cancel(QCA6584State *s)
{
    if (s->wmi.scan_active) {
        qca6584_scan_stop(s, WMI_SCAN_REASON_CANCEL);
    }
}

void qca6584_scan_init(QCA6584State *s)
{
    s->wmi.scan_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL, qca6584_scan_tick,
                                     s);
}

void qca6584_scan_reset(QCA6584State *s)
{
    timer_del(s->wmi.scan_timer);
    s->wmi.scan_active = false;
}
