/*
 * Qualcomm QCA6584 model: the firmware's watch over the connection
 *
 * ath10k leaves connection monitoring to this firmware (it sets
 * CONNECTION_MONITOR, so mac80211 arms no beacon timer of its own): once
 * the host has brought a station vdev up on a BSS (VDEV_UP), the firmware
 * hears that BSS's beacons, passes them on (MGMT_RX), and when none has
 * come for QCA_BMISS_BEACONS beacon intervals it tells the host with the
 * ROAM event, reason BEACON_MISS. ath10k then calls
 * ieee80211_beacon_loss(): mac80211 probes the AP (a null frame, which
 * the chip acknowledges, as it sends it), and 3 s later ath10k reports
 * the connection lost. The event is sent once per silence; a beacon
 * heard again, VDEV_DOWN or VDEV_STOP ends the watch's alarm.
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

#define QCA_BMISS_BEACONS       10      /* beacons missed before the event */
#define WMI_EV_ROAM             0xb001
#define WMI_TAG_ROAM_EVENT      48
#define WMI_ROAM_REASON_BMISS   2
#define TU_NS                   1024000

/* struct wmi_tlv_roam_ev */
typedef struct QEMU_PACKED WmiRoamEv {
    uint32_t vdev_id;
    uint32_t reason;
    uint32_t rssi;
} WmiRoamEv;

/* The watch: the BSS's beacons are due each of its beacon intervals */
static void qca6584_link_arm(QCA6584State *s)
{
    WifiAP *ap = qca6584_ap_by_bssid(s, s->link.bssid);
    uint16_t interval = ap ? ap->beacon_int : s->ap[0].beacon_int;

    timer_mod(s->link.bmiss_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
              (int64_t)QCA_BMISS_BEACONS * interval * TU_NS);
}

static void qca6584_link_bmiss(void *opaque)
{
    QCA6584State *s = opaque;
    uint8_t buf[sizeof(WmiTlv) + sizeof(WmiRoamEv)], *p = buf;
    WmiRoamEv *ev;

    if (!s->link.up || s->mode != QCA_MODE_HTC) {
        return;
    }
    trace_qca6584_beacon_miss(s->link.vdev);
    s->link.bmiss_events++;
    ev = (WmiRoamEv *)qca6584_wmi_tlv_put(&p, WMI_TAG_ROAM_EVENT,
                                          sizeof(WmiRoamEv));
    ev->vdev_id = cpu_to_le32(s->link.vdev);
    ev->reason = cpu_to_le32(WMI_ROAM_REASON_BMISS);
    qca6584_wmi_event(s, WMI_EV_ROAM, buf, p - buf);
}

void qca6584_link_init(QCA6584State *s)
{
    s->link.bmiss_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                       qca6584_link_bmiss, s);
}

void qca6584_link_finalize(QCA6584State *s)
{
    timer_free(s->link.bmiss_timer);
}

void qca6584_link_up(QCA6584State *s, uint32_t vdev, const uint8_t *bssid)
{
    trace_qca6584_link(true, vdev);
    s->link.up = true;
    s->link.vdev = vdev;
    memcpy(s->link.bssid, bssid, 6);
    qca6584_link_arm(s);
}

void qca6584_link_down(QCA6584State *s, uint32_t vdev)
{
    if (s->link.up && s->link.vdev == vdev) {
        trace_qca6584_link(false, vdev);
        s->link.up = false;
        timer_del(s->link.bmiss_timer);
    }
}

bool qca6584_link_beacon(QCA6584State *s, const uint8_t *frame, size_t len)
{
    if (!s->link.up || len < WIFI_HDR_LEN ||
        memcmp(frame + 16, s->link.bssid, 6)) {
        return false;
    }
    qca6584_link_arm(s);
    return true;
}

/*
 * The AP the station is associated with, whose network carries its data:
 * the BSS the vdev is up on, or before VDEV_UP (or a firmware restart)
 * the one AP that has the station
 */
WifiAP *qca6584_serving_ap(QCA6584State *s)
{
    WifiAP *ap = s->link.up ? qca6584_ap_by_bssid(s, s->link.bssid) : NULL;
    uint32_t i;

    if (ap && ap->state == WIFI_AP_ASSOCIATED) {
        return ap;
    }
    for (i = 0; i < s->n_aps; i++) {
        if (s->ap[i].state == WIFI_AP_ASSOCIATED) {
            return &s->ap[i];
        }
    }
    return NULL;
}

void qca6584_link_reset(QCA6584State *s)
{
    s->link.up = false;
    timer_del(s->link.bmiss_timer);
}

/* After a load: the watch runs again from now */
void qca6584_link_post_load(QCA6584State *s)
{
    if (s->link.up) {
        qca6584_link_arm(s);
    } else {
        timer_del(s->link.bmiss_timer);
    }
}
