/*
 * Qualcomm QCA6584 model: HTT from the host, the data path out
 *
 * The host's HTT messages (ath10k htt_tx.c): the version request, and
 * TX_FRM, a frame to send. Management frames go to the simulated AP,
 * which may answer with one of its own; data frames (802.11 or Ethernet)
 * go to the QEMU network backend, with the checksums the host offloaded
 * filled in. Every frame is completed in a TX_COMPL_IND, sent once per
 * mailbox write, or held while the backend holds frames: ath10k then
 * runs out of msdu ids and stops, as it does with a busy firmware.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "net/checksum.h"
#include "net/eth.h"
#include "qca6584-internal.h"
#include "hw/net/trace.h"

/* HTT message types and versions (ath10k htt.h, TLV numbering) */
#define HTT_H2T_VERSION_REQ     0
#define HTT_H2T_TX_FRM          1
#define HTT_T2H_VERSION_CONF    0
#define HTT_T2H_TX_COMPL_IND    7
#define HTT_T2H_TX_CREDIT_UPDATE 0xf
#define HTT_TX_CREDIT_DELTA_SHIFT 16
#define HTT_VERSION_MAJOR       3
#define HTT_VERSION_MINOR       87

#define HTT_TX_PKT_TYPE(flags0) ((flags0) >> 5)
#define HTT_TX_PKT_RAW          0
#define HTT_TX_PKT_NATIVE_WIFI  1
#define HTT_TX_PKT_ETHERNET     2
#define HTT_TX_PKT_MGMT         3
#define HTT_TX_CSUM_OFFLOAD     (3 << 13)   /* flags1: L3, L4 checksums */
#define HTT_TX_WANTS_COMPL      (1 << 15)   /* flags1, reduced completions */
#define HTT_TX_STATUS_OK        0
#define HTT_TX_STATUS_DISCARD   1

/* struct htt_ver_resp: the message type, then the version */
typedef struct QEMU_PACKED HttVersionConf {
    uint8_t msg_type;
    uint8_t minor;
    uint8_t major;
    uint8_t rsvd0;
} HttVersionConf;

/* TX_FRM: the message type, then struct htt_data_tx_desc, then the frame */
typedef struct QEMU_PACKED HttTxFrm {
    uint8_t msg_type;
    uint8_t flags0;
    uint16_t flags1;
    uint16_t len;
    uint16_t id;
    uint32_t frags_paddr;
    uint32_t peerid;
} HttTxFrm;
QEMU_BUILD_BUG_ON(sizeof(HttTxFrm) != 16);

/* TX_COMPL_IND: the type, then struct htt_data_tx_completion */
typedef struct QEMU_PACKED HttTxCompl {
    uint8_t msg_type;
    uint8_t status;                     /* flags: status in bits 2:0 */
    uint8_t num_msdus;
    uint8_t flags2;
    uint16_t msdus[HTT_TX_DONE_MAX];
} HttTxCompl;

/* -- completions ----------------------------------------------------------- */

/* TX_COMPL_IND: @n frames done with @status */
static void qca6584_htt_tx_compl(QCA6584State *s, uint8_t status,
                                 const uint16_t *msdu_ids, uint32_t n)
{
    HttTxCompl msg = {
        .msg_type = HTT_T2H_TX_COMPL_IND,
        .status = status,
        .num_msdus = n,
    };
    uint32_t i;

    assert(n <= HTT_TX_DONE_MAX);
    for (i = 0; i < n; i++) {
        msg.msdus[i] = cpu_to_le16(msdu_ids[i]);
    }
    qca6584_htc_send(s, s->htc.htt_eid, 0, 0, &msg,
                     offsetof(HttTxCompl, msdus) + 2 * n);
}

/* Tell the host about the frames sent so far, unless the backend holds them */
/* TX_CREDIT_UPDATE_IND: @delta more HTT messages the host may send */
static void qca6584_htt_credit_update(QCA6584State *s, uint32_t delta)
{
    uint32_t word = cpu_to_le32(HTT_T2H_TX_CREDIT_UPDATE |
                                delta << HTT_TX_CREDIT_DELTA_SHIFT);

    trace_qca6584_htt_credits(delta);
    qca6584_htc_send(s, s->htc.htt_eid, 0, 0, &word, sizeof(word));
}

/* HTC set up: the host gets the HTT pool, under reduced completions */
void qca6584_htt_credit_start(QCA6584State *s)
{
    s->htt.credits_owed = 0;
    if (s->htt.credit_flow) {
        qca6584_htt_credit_update(s, HTT_TX_CREDITS);
    }
}

/*
 * What the host waits for after a transfer: the completions of its
 * frames, and under credit flow the credits its messages took. Both wait
 * while the network backend holds a frame (backpressure).
 */
void qca6584_htt_tx_done_flush(QCA6584State *s)
{
    QCAHtt *h = &s->htt;

    if (h->tx_held) {
        return;
    }
    if (h->tx_done_count) {
        qca6584_htt_tx_compl(s, HTT_TX_STATUS_OK, h->tx_done,
                             h->tx_done_count);
        h->tx_done_count = 0;
    }
    if (h->credits_owed) {
        qca6584_htt_credit_update(s, h->credits_owed);
        h->credits_owed = 0;
    }
}

/*
 * A frame done. While the backend holds frames their completions wait. A
 * frame that never went to the backend (management, malformed) is
 * completed at once when the batch is full, so the batch never grows
 * past HTT_TX_DONE_MAX.
 */
static void qca6584_htt_tx_done(QCA6584State *s, uint16_t msdu_id)
{
    QCAHtt *h = &s->htt;

    if (h->tx_done_count == HTT_TX_DONE_MAX) {
        qca6584_htt_tx_done_flush(s);
    }
    if (h->tx_done_count == HTT_TX_DONE_MAX) {
        qca6584_htt_tx_compl(s, HTT_TX_STATUS_OK, &msdu_id, 1);
        return;
    }
    h->tx_done[h->tx_done_count++] = msdu_id;
}

/* The backend sent what it had queued: the host may send more */
static void qca6584_htt_tx_sent(NetClientState *nc, ssize_t len)
{
    QCA6584State *s = qemu_get_nic_opaque(nc);

    s->htt.tx_held = false;
    qca6584_htt_tx_done_flush(s);
}

/* -- checksum offload ------------------------------------------------------ */

/*
 * An IPv4 header the offload engine can parse: its length at least the
 * fixed header, within the frame, and within its own total length. QEMU's
 * net_checksum_calculate() once trusted IHL against the total length and
 * summed up to 64 KiB past the frame; keep the model safe on its own.
 */
static bool qca6584_ipv4_parsable(const uint8_t *eth, size_t len)
{
    const uint8_t *ip = eth + ETH_HLEN;
    size_t ihl_bytes, total;

    if (len < ETH_HLEN + sizeof(struct ip_header) ||
        lduw_be_p(eth + 12) != ETH_P_IP) {
        return true;                /* not plain IPv4: nothing to bound */
    }
    ihl_bytes = (ip[0] & 0xf) * 4;
    total = lduw_be_p(ip + 2);
    return ihl_bytes >= sizeof(struct ip_header) &&
           ihl_bytes <= len - ETH_HLEN &&
           total >= ihl_bytes && total <= len - ETH_HLEN;
}

/*
 * The checksums the host left to the chip (it offloads them as any
 * ath10k does): IPv4 header, TCP and UDP over IPv4 or IPv6.
 */
static void qca6584_tx_checksum(uint8_t *eth, size_t len)
{
    uint8_t *ip6 = eth + ETH_HLEN, *l4 = ip6 + sizeof(struct ip6_header);
    /* 2 + 14: an IPv4 header after an Ethernet one (or VLAN tags) aligned */
    uint8_t bounce[2 + WIFI_FRAME_MAX] QEMU_ALIGNED(4);
    uint16_t plen;
    uint8_t proto;
    uint32_t sum;
    int at;

    if (len < ETH_HLEN || lduw_be_p(eth + 12) != ETH_P_IPV6) {
        /*
         * net_checksum_calculate() reaches the IPv4 header's fields
         * through a struct pointer, which must be aligned (UBSan saw
         * the frames of the net fuzzer at any offset)
         */
        assert(len <= WIFI_FRAME_MAX);
        if (!qca6584_ipv4_parsable(eth, len)) {
            return;                 /* sent as the host wrote it */
        }
        memcpy(bounce + 2, eth, len);
        net_checksum_calculate(bounce + 2, len, CSUM_ALL);
        memcpy(eth, bounce + 2, len);
        return;
    }
    /* IPv6 with TCP or UDP right after its fixed header */
    if (len < ETH_HLEN + sizeof(struct ip6_header)) {
        return;
    }
    plen = lduw_be_p(ip6 + 4);
    proto = ip6[6];
    at = proto == IP_PROTO_TCP ? 16 : proto == IP_PROTO_UDP ? 6 : -1;
    if (at < 0 || plen > len - (l4 - eth) || plen < at + 2) {
        return;
    }
    stw_be_p(l4 + at, 0);
    sum = net_checksum_add(32, ip6 + 8);            /* source, destination */
    sum += plen + proto;                            /* the rest: pseudo */
    sum += net_checksum_add(plen, l4);
    stw_be_p(l4 + at, net_checksum_finish_nozero(sum));
}

/* -- TX_FRM ---------------------------------------------------------------- */

/*
 * An Ethernet frame to the backend, or false when it was dropped. A
 * backend that does not take frames (a socket peer that stops reading)
 * would have QEMU queue every one of them, with no limit for a queue
 * with a sent callback: like the firmware's own finite queue, at most a
 * batch of frames waits for the backend, and what comes after is
 * discarded.
 */
static bool qca6584_tx_to_network(QCA6584State *s, uint8_t *eth, size_t len,
                                  bool csum_offload)
{
    QCAHtt *h = &s->htt;

    if (csum_offload) {
        qca6584_tx_checksum(eth, len);
    }
    /* a batch waits; beyond it (a host past its credits) frames go */
    if (h->tx_held && (h->tx_done_count == HTT_TX_DONE_MAX ||
                       h->credits_owed > HTT_TX_CREDITS)) {
        h->tx_discarded++;
        return false;
    }
    trace_qca6584_tx_data(len);
    if (!qemu_send_packet_async(qemu_get_queue(s->nic), eth, len,
                                qca6584_htt_tx_sent)) {
        h->tx_held = true;
    }
    return true;
}

/*
 * A management frame to the air: every AP hears it and answers if it is
 * theirs to answer (a probe request to all, the rest to one BSSID)
 */
static void qca6584_tx_mgmt(QCA6584State *s, const uint8_t *frame,
                            uint32_t len, uint16_t msdu_id, bool compl)
{
    uint8_t reply[QCA_MAX_APS][WIFI_MGMT_MAX];
    size_t reply_len[QCA_MAX_APS];
    uint32_t i, was;

    for (i = 0; i < s->n_aps; i++) {
        was = s->ap[i].state;
        reply_len[i] = wifi_ap_mgmt_from_sta(&s->ap[i], frame, len,
                                             reply[i]);
        if (was != WIFI_AP_ASSOCIATED &&
            s->ap[i].state == WIFI_AP_ASSOCIATED) {
            qca6584_ess_roamed(s, &s->ap[i]);
        }
    }
    /* the frame's completion (its ACK) comes before the APs' answers */
    if (compl) {
        qca6584_htt_tx_done(s, msdu_id);
    }
    qca6584_htt_tx_done_flush(s);
    for (i = 0; i < s->n_aps; i++) {
        if (reply_len[i]) {
            qca6584_wmi_mgmt_rx(s, &s->ap[i], reply[i], reply_len[i]);
        }
    }
}

/*
 * The Ethernet frame a data frame of packet type @type carries, at
 * @eth_off into it (@eth_len bytes); false if there is none to send.
 * @bss: the AP an 802.11 frame is addressed to (NULL: none of them)
 */
static bool qca6584_tx_data_eth(QCA6584State *s, uint8_t type, WifiAP *bss,
                                uint8_t *frame, size_t len,
                                size_t *eth_off, size_t *eth_len)
{
    WifiAP *ap = bss;
    int off;

    if (type == HTT_TX_PKT_ETHERNET) {
        ap = qca6584_serving_ap(s);
        *eth_off = 0;
        *eth_len = len;
        return ap && wifi_rsn_port_open(ap) && len >= WIFI_ETH_HDR_LEN;
    }
    if (!ap) {
        return false;
    }
    /* a Protected frame leaves the chip under its pairwise key */
    off = wifi_ap_data_to_eth(ap, frame, len,
                              qca6584_wmi_peer_key(s, ap->bssid.a, false, 0),
                              eth_len);
    if (off < 0) {
        return false;
    }
    *eth_off = off;
    return true;
}

/* HTT TX_FRM: a frame to send; every one is completed */
static void qca6584_htt_tx_frm(QCA6584State *s, const uint8_t *msg,
                               uint32_t len)
{
    const HttTxFrm *desc = (const HttTxFrm *)msg;
    uint8_t frame[WIFI_FRAME_MAX];
    uint16_t flen, msdu_id;
    size_t eth_off, eth_len;
    WifiAP *bss = NULL;
    uint8_t type;
    bool compl;

    if (len < sizeof(HttTxFrm)) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTT TX_FRM of %u bytes, "
                      "shorter than its descriptor\n", len);
        return;
    }
    flen = le16_to_cpu(desc->len);
    msdu_id = le16_to_cpu(desc->id);
    type = HTT_TX_PKT_TYPE(desc->flags0);
    /* under reduced completions the host completed it once it was sent */
    compl = !s->htt.credit_flow ||
            le16_to_cpu(desc->flags1) & HTT_TX_WANTS_COMPL;
    if (flen > len - sizeof(HttTxFrm) || flen > sizeof(frame)) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTT TX_FRM frame of %u "
                      "bytes in a message of %u\n", flen, len);
        if (compl) {
            qca6584_htt_tx_done(s, msdu_id);
        }
        return;
    }
    memcpy(frame, msg + sizeof(HttTxFrm), flen);
    trace_qca6584_tx_frame(type, msdu_id, flen);
    if (type != HTT_TX_PKT_ETHERNET) {
        /* an 802.11 frame goes to its BSSID, Address 1 */
        if (flen >= WIFI_HDR_LEN) {
            bss = qca6584_ap_by_bssid(s, frame + 4);
        }
        /* the air has 802.11 frames, on the channel of their BSS */
        qca6584_capture(s, bss, frame, flen);
    }
    switch (type) {
    case HTT_TX_PKT_MGMT:
        qca6584_tx_mgmt(s, frame, flen, msdu_id, compl);
        return;
    case HTT_TX_PKT_RAW:
    case HTT_TX_PKT_NATIVE_WIFI:
    case HTT_TX_PKT_ETHERNET:
        if (qca6584_tx_data_eth(s, type, bss, frame, flen, &eth_off,
                                &eth_len) &&
            !qca6584_tx_to_network(s, frame + eth_off, eth_len,
                                   le16_to_cpu(desc->flags1) &
                                   HTT_TX_CSUM_OFFLOAD)) {
            if (compl) {
                qca6584_htt_tx_compl(s, HTT_TX_STATUS_DISCARD, &msdu_id, 1);
            }
            return;
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTT TX_FRM of packet type "
                      "%u\n", type);
        break;
    }
    if (compl) {
        qca6584_htt_tx_done(s, msdu_id);
    }
}

/* A host-to-target HTT message */
void qca6584_htt_message(QCA6584State *s, const uint8_t *msg, uint32_t len)
{
    HttVersionConf conf = {
        .msg_type = HTT_T2H_VERSION_CONF,
        .minor = HTT_VERSION_MINOR,
        .major = HTT_VERSION_MAJOR,
    };

    trace_qca6584_htt(len ? msg[0] : 0xff, len);
    if (s->htt.credit_flow) {
        /* the credit it took comes back after the transfer */
        s->htt.credits_owed += DIV_ROUND_UP(sizeof(HtcHdr) + len,
                                            HTC_CREDIT_SIZE);
    }
    if (!len) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: empty HTT message\n");
        return;
    }
    switch (msg[0]) {
    case HTT_H2T_VERSION_REQ:
        qca6584_htc_send(s, s->htc.htt_eid, 0, 0, &conf, sizeof(conf));
        break;
    case HTT_H2T_TX_FRM:
        qca6584_htt_tx_frm(s, msg, len);
        break;
    default:
        break;          /* ring and aggregation setup: nothing to model */
    }
}

void qca6584_htt_tx_reset(QCA6584State *s)
{
    s->htt.tx_done_count = 0;
    s->htt.tx_held = false;
    s->htt.credit_flow = false;
    s->htt.credits_owed = 0;
}
