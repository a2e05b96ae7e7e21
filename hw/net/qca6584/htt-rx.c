/*
 * Qualcomm QCA6584 model: HTT to the host, the data path in
 *
 * The target-to-host HTT messages of ath10k's htt_rx.c: PEER_MAP and
 * PEER_UNMAP when WMI creates and deletes peers, SEC_IND when it installs
 * a key, and RX_IND, high-latency form (the SDIO chips'), for each frame
 * from the network: the QEMU network backend's Ethernet frame goes to the
 * host as an 802.11 data frame from the AP. Frames wait in the backend's
 * queue while the mailbox FIFO has no room for one more.
 *
 * Under WPA2 the AP's frames are Protected. The chip decrypts them in
 * hardware with the key the host installed, so the host gets them as
 * ath10k expects from this firmware: the Protected bit still set, the
 * body in plaintext without the CCMP header and MIC, the packet number
 * in the descriptor. A frame whose key the chip does not have (or has
 * another one of) cannot be decrypted and is dropped, as on the air.
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

#define HTT_T2H_RX_IND          1
#define HTT_T2H_PEER_MAP        3
#define HTT_T2H_PEER_UNMAP      4
#define HTT_T2H_SEC_IND         0xb
#define HTT_SEC_IND_UNICAST     0x80

#define HTT_RX_NON_QOS_TID      16
#define HTT_RX_ONE_MPDU_RANGE   (1 << 24)   /* info1: num_mpdu_ranges */
#define HTT_RX_MPDU_STATUS_OK   1
#define HTT_RX_DESC_HL_ENCRYPTED (1 << 12)
#define HTT_RX_DESC_HL_MCAST    (1 << 16)
#define HTT_RX_FIRST_LAST_MSDU  0x03

/* PEER_MAP: the type, then struct htt_peer_map_event */
typedef struct QEMU_PACKED HttPeerMap {
    uint8_t msg_type;
    uint8_t vdev_id;
    uint16_t peer_id;
    uint8_t addr[6];
    uint8_t rsvd0;
    uint8_t rsvd1;
} HttPeerMap;
QEMU_BUILD_BUG_ON(sizeof(HttPeerMap) != 12);

/* PEER_UNMAP: the type, then struct htt_peer_unmap_event */
typedef struct QEMU_PACKED HttPeerUnmap {
    uint8_t msg_type;
    uint8_t rsvd0;
    uint16_t peer_id;
} HttPeerUnmap;

/* SEC_IND: the type, then struct htt_security_indication */
typedef struct QEMU_PACKED HttSecInd {
    uint8_t msg_type;
    uint8_t flags;                      /* security type, unicast bit */
    uint16_t peer_id;
    uint8_t michael_key[8];
    uint8_t wapi_rsc[16];
} HttSecInd;
QEMU_BUILD_BUG_ON(sizeof(HttSecInd) != 28);

/*
 * RX_IND, high latency: the type, then struct htt_rx_indication_hl
 * (header, PPDU, prefix, firmware descriptor, one MPDU range), then
 * struct htt_hl_rx_desc, then the frame
 */
typedef struct QEMU_PACKED HttRxIndHl {
    uint8_t msg_type;
    uint8_t info0;                      /* htt_rx_indication_hdr */
    uint16_t peer_id;
    uint32_t info1;
    uint8_t combined_rssi;              /* htt_rx_indication_ppdu */
    uint8_t ppdu_rest[35];
    uint16_t fw_rx_desc_bytes;          /* htt_rx_indication_prefix */
    uint8_t prefix_pad[2];
    uint8_t fw_desc_info0;              /* fw_rx_desc_hl */
    uint8_t fw_desc_version;
    uint8_t fw_desc_len;
    uint8_t fw_desc_flags;
    uint8_t mpdu_count;                 /* htt_rx_indication_mpdu_range */
    uint8_t mpdu_range_status;
    uint8_t mpdu_range_pad[2];
    uint32_t rx_desc_info;              /* htt_hl_rx_desc */
    uint32_t rx_desc_pn[4];
} HttRxIndHl;
QEMU_BUILD_BUG_ON(offsetof(HttRxIndHl, fw_rx_desc_bytes) != 44);
QEMU_BUILD_BUG_ON(offsetof(HttRxIndHl, rx_desc_info) != 56);
QEMU_BUILD_BUG_ON(sizeof(HttRxIndHl) != 76);

/* What ath10k takes as the HL descriptor: from rx_desc_info to the frame */
#define HTT_RX_DESC_HL_LEN \
    (sizeof(HttRxIndHl) - offsetof(HttRxIndHl, rx_desc_info))
/* The prefix counts the firmware descriptor, the range and the HL one */
#define HTT_RX_PREFIX_BYTES \
    (sizeof(HttRxIndHl) - offsetof(HttRxIndHl, fw_desc_info0))

/* The largest network frame that fits one RX_IND as an 802.11 frame */
#define HTT_RX_ETH_MAX \
    (HTC_MAX_MSG - sizeof(HttRxIndHl) - WIFI_HDR_LEN - WIFI_SNAP_LEN + \
     WIFI_ETH_HDR_LEN)

void qca6584_htt_peer_map(QCA6584State *s, uint8_t vdev, uint16_t peer_id,
                          const uint8_t *mac)
{
    HttPeerMap map = {
        .msg_type = HTT_T2H_PEER_MAP,
        .vdev_id = vdev,
        .peer_id = cpu_to_le16(peer_id),
    };

    memcpy(map.addr, mac, 6);
    qca6584_htc_send(s, s->htc.htt_eid, 0, 0, &map, sizeof(map));
}

void qca6584_htt_peer_unmap(QCA6584State *s, uint16_t peer_id)
{
    HttPeerUnmap unmap = {
        .msg_type = HTT_T2H_PEER_UNMAP,
        .peer_id = cpu_to_le16(peer_id),
    };

    qca6584_htc_send(s, s->htc.htt_eid, 0, 0, &unmap, sizeof(unmap));
}

void qca6584_htt_sec_ind(QCA6584State *s, uint16_t peer_id, bool unicast,
                         uint8_t sec_type)
{
    HttSecInd ind = {
        .msg_type = HTT_T2H_SEC_IND,
        .flags = sec_type | (unicast ? HTT_SEC_IND_UNICAST : 0),
        .peer_id = cpu_to_le16(peer_id),
    };

    qca6584_htc_send(s, s->htc.htt_eid, 0, 0, &ind, sizeof(ind));
}

/*
 * The 802.11 frame of @flen bytes after the RX_IND in @msg, from @ap, the
 * host's peer @peer_id, to the host. @mcast: sent to a group address; @pn: its
 * packet number if it came Protected under @key (@key_id), which the
 * chip must have installed to decrypt it. Returns false if not sent.
 */
static bool qca6584_htt_rx_ind(QCA6584State *s, WifiAP *ap, uint8_t *msg,
                               uint16_t peer_id, bool mcast, size_t flen,
                               const uint8_t *key, uint8_t key_id,
                               uint64_t pn)
{
    HttRxIndHl *ind = (HttRxIndHl *)msg;
    const uint8_t *frame = msg + sizeof(*ind);
    const uint8_t *chip_key = NULL;
    bool protected = frame[1] & WIFI_FC1_PROTECTED;

    qca6584_capture(s, ap, frame, flen);
    if (protected) {
        chip_key = qca6584_wmi_peer_key(s, ap->bssid.a, mcast, key_id);
        if (!key || !chip_key || memcmp(key, chip_key, QCA_KEY_LEN)) {
            trace_qca6584_rx_undecryptable(mcast, key_id, pn);
            return false;
        }
    }

    memset(ind, 0, sizeof(*ind));
    ind->msg_type = HTT_T2H_RX_IND;
    ind->info0 = HTT_RX_NON_QOS_TID;
    ind->peer_id = cpu_to_le16(peer_id);
    ind->info1 = cpu_to_le32(HTT_RX_ONE_MPDU_RANGE);
    ind->combined_rssi = ap->snr;
    ind->fw_rx_desc_bytes = cpu_to_le16(HTT_RX_PREFIX_BYTES);
    ind->fw_desc_len = HTT_RX_DESC_HL_LEN;
    ind->fw_desc_flags = HTT_RX_FIRST_LAST_MSDU;
    ind->mpdu_count = 1;
    ind->mpdu_range_status = HTT_RX_MPDU_STATUS_OK;
    ind->rx_desc_info = cpu_to_le32((mcast ? HTT_RX_DESC_HL_MCAST : 0) |
                                    (protected ? HTT_RX_DESC_HL_ENCRYPTED
                                               : 0));
    /* ath10k checks that the PN (48 bits) rises, per TID */
    ind->rx_desc_pn[0] = cpu_to_le32(pn);
    ind->rx_desc_pn[1] = cpu_to_le32((pn >> 32) & 0xffff);
    qca6584_htc_send(s, s->htc.htt_eid, 0, 0, msg, sizeof(*ind) + flen);
    return true;
}

/* A data frame the AP itself sends (EAPOL): dropped if there is no room */
void qca6584_htt_rx_from_ap(QCA6584State *s, WifiAP *ap,
                            const uint8_t *frame, size_t len,
                            const uint8_t *key, uint8_t key_id, uint64_t pn)
{
    uint8_t msg[HTC_MAX_MSG];
    uint16_t peer_id = qca6584_wmi_peer_id(s, ap->bssid.a);

    if (s->mode != QCA_MODE_HTC || !peer_id ||
        len > sizeof(msg) - sizeof(HttRxIndHl) ||
        !qca6584_htc_can_send(s, HTC_MAX_MSG)) {
        trace_qca6584_rx_ap_dropped(len);
        return;
    }
    memcpy(msg + sizeof(HttRxIndHl), frame, len);
    qca6584_htt_rx_ind(s, ap, msg, peer_id, false, len, key, key_id, pn);
}

/* Whether a frame from the network can be delivered: else it waits */
static bool qca6584_can_receive(NetClientState *nc)
{
    QCA6584State *s = qemu_get_nic_opaque(nc);

    if (s->mode == QCA_MODE_HTC && !qca6584_htc_can_send(s, HTC_MAX_MSG)) {
        s->htt.rx_held = true;
        return false;
    }
    return true;
}

/*
 * A frame from the network: to the host as an 802.11 data frame from the
 * AP that serves the station (the network behind all the APs is one).
 * Dropped, as a real AP would, while the station is not associated.
 */
static ssize_t qca6584_receive(NetClientState *nc, const uint8_t *buf,
                               size_t size)
{
    QCA6584State *s = qemu_get_nic_opaque(nc);
    WifiAP *ap = qca6584_serving_ap(s);
    uint8_t msg[HTC_MAX_MSG];
    uint16_t peer_id = ap ? qca6584_wmi_peer_id(s, ap->bssid.a) : 0;
    const uint8_t *key;
    uint8_t key_id;
    uint64_t pn;
    size_t flen;

    if (s->mode != QCA_MODE_HTC || !peer_id || size > HTT_RX_ETH_MAX) {
        return size;
    }
    if (!qca6584_htc_can_send(s, HTC_MAX_MSG)) {
        s->htt.rx_held = true;
        return 0;
    }
    flen = wifi_ap_eth_to_data(ap, buf, size, msg + sizeof(HttRxIndHl),
                               &key, &key_id, &pn);
    if (!flen) {
        return size;
    }
    trace_qca6584_rx_data(size);
    qca6584_htt_rx_ind(s, ap, msg, peer_id, buf[0] & 1, flen, key, key_id,
                       pn);
    return size;
}

NetClientInfo qca6584_net_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = qca6584_can_receive,
    .receive = qca6584_receive,
};

/* The host read from its mailbox: frames held back may come now */
void qca6584_htt_rx_drained(QCA6584State *s)
{
    if (s->htt.rx_held && qca6584_htc_can_send(s, HTC_MAX_MSG)) {
        s->htt.rx_held = false;
        qemu_flush_queued_packets(qemu_get_queue(s->nic));
    }
}
