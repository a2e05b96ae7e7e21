/*
 * Qualcomm QCA6584 model: HTT to the host, the data path in
 *
 * The target-to-host HTT messages of ath10k's htt_rx.c: PEER_MAP and
 * PEER_UNMAP when WMI creates and deletes peers, and RX_IND, high-latency
 * form (the SDIO chips'), for each frame from the network: the QEMU
 * network backend's Ethernet frame goes to the host as an 802.11 data
 * frame from the AP. Frames wait in the backend's queue while the
 * mailbox FIFO has no room for one more.
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

#define HTT_RX_NON_QOS_TID      16
#define HTT_RX_ONE_MPDU_RANGE   (1 << 24)   /* info1: num_mpdu_ranges */
#define HTT_RX_MPDU_STATUS_OK   1
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

/*
 * The 802.11 frame @frame of @flen bytes from the AP's peer @peer_id, in
 * an RX_IND. @mcast: sent to a group address.
 */
static void qca6584_htt_rx_ind(QCA6584State *s, uint8_t *msg,
                               uint16_t peer_id, bool mcast, size_t flen)
{
    HttRxIndHl *ind = (HttRxIndHl *)msg;

    memset(ind, 0, sizeof(*ind));
    ind->msg_type = HTT_T2H_RX_IND;
    ind->info0 = HTT_RX_NON_QOS_TID;
    ind->peer_id = cpu_to_le16(peer_id);
    ind->info1 = cpu_to_le32(HTT_RX_ONE_MPDU_RANGE);
    ind->combined_rssi = s->ap_snr;
    ind->fw_rx_desc_bytes = cpu_to_le16(HTT_RX_PREFIX_BYTES);
    ind->fw_desc_len = HTT_RX_DESC_HL_LEN;
    ind->fw_desc_flags = HTT_RX_FIRST_LAST_MSDU;
    ind->mpdu_count = 1;
    ind->mpdu_range_status = HTT_RX_MPDU_STATUS_OK;
    if (mcast) {
        ind->rx_desc_info = cpu_to_le32(HTT_RX_DESC_HL_MCAST);
    }
    qca6584_htc_send(s, s->htc.htt_eid, 0, 0, msg, sizeof(*ind) + flen);
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
 * AP. Dropped, as a real AP would, while the station is not associated.
 */
static ssize_t qca6584_receive(NetClientState *nc, const uint8_t *buf,
                               size_t size)
{
    QCA6584State *s = qemu_get_nic_opaque(nc);
    uint8_t msg[HTC_MAX_MSG];
    uint16_t peer_id = qca6584_wmi_peer_id(s, s->ap.bssid.a);
    size_t flen;

    if (s->mode != QCA_MODE_HTC || !peer_id || size > HTT_RX_ETH_MAX) {
        return size;
    }
    if (!qca6584_htc_can_send(s, HTC_MAX_MSG)) {
        s->htt.rx_held = true;
        return 0;
    }
    flen = wifi_ap_eth_to_data(&s->ap, buf, size, msg + sizeof(HttRxIndHl));
    if (!flen) {
        return size;
    }
    trace_qca6584_rx_data(size);
    qca6584_htt_rx_ind(s, msg, peer_id, buf[0] & 1, flen);
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
