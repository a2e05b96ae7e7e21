/*
 * Qualcomm QCA6584 model: HTC, the host-target communication layer
 *
 * After BMI_DONE the firmware speaks HTC (ath10k htc.c): a READY message
 * with the credits on offer, service connections that map WMI and HTT
 * to endpoints, credit reports in message trailers, and every message
 * after that dispatched by endpoint to WMI or HTT.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "qca6584-internal.h"
#include "hw/net/trace.h"

#define HTC_MSG_READY           1
#define HTC_MSG_CONNECT         2
#define HTC_MSG_CONNECT_RESP    3
#define HTC_MSG_SETUP_COMPLETE  5
#define HTC_MSG_SUSPEND_DONE    6
#define HTC_SVC_WMI_CONTROL     0x0100
#define HTC_SVC_HTT_DATA        0x0300
#define HTC_CONN_SVC_NOT_FOUND  1
#define HTC_RECORD_CREDITS      1
#define HTC_CREDITS             8
#define HTC_ENDPOINTS           3       /* control, HTT, WMI */

QEMU_BUILD_BUG_ON(sizeof(HtcHdr) != 8);

/* struct ath10k_htc_ready_extended */
typedef struct QEMU_PACKED HtcReadyExt {
    uint16_t message_id;
    uint16_t credit_count;
    uint16_t credit_size;
    uint8_t max_endpoints;
    uint8_t pad0;
    uint8_t htc_version;
    uint8_t max_msgs_per_htc_bundle;
    uint16_t reserved;
} HtcReadyExt;
QEMU_BUILD_BUG_ON(sizeof(HtcReadyExt) != 12);

/* struct ath10k_htc_conn_svc (the part read) and its response */
typedef struct QEMU_PACKED HtcConnSvc {
    uint16_t message_id;
    uint16_t service_id;
} HtcConnSvc;

typedef struct QEMU_PACKED HtcConnSvcResp {
    uint16_t message_id;
    uint16_t service_id;
    uint8_t status;
    uint8_t eid;
    uint16_t max_msg_size;
} HtcConnSvcResp;
QEMU_BUILD_BUG_ON(sizeof(HtcConnSvcResp) != 8);

/* A control message that is only its id (SUSPEND_DONE) */
typedef struct QEMU_PACKED HtcMsgHdr {
    uint16_t message_id;
    uint16_t pad;
} HtcMsgHdr;

/* A trailer record holding one credit report */
typedef struct QEMU_PACKED HtcCreditTrailer {
    uint8_t record_id;                  /* ath10k_htc_record_hdr */
    uint8_t record_len;
    uint8_t pad0;
    uint8_t pad1;
    uint8_t eid;                        /* ath10k_htc_credit_report */
    uint8_t credits;
    uint8_t pad2;
    uint8_t pad3;
} HtcCreditTrailer;
QEMU_BUILD_BUG_ON(sizeof(HtcCreditTrailer) != 8);

/* What an HTC message of @len payload bytes takes in the FIFO */
uint32_t qca6584_htc_padded(uint32_t len)
{
    return ROUND_UP(sizeof(HtcHdr) + len, QCA_BLOCK_SIZE);
}

/* Whether a message of @len payload bytes fits in the mailbox now */
bool qca6584_htc_can_send(QCA6584State *s, uint32_t len)
{
    return qca6584_mbox_has_room(s, qca6584_htc_padded(len));
}

/* An HTC message: header, payload, padded to the block size */
void qca6584_htc_send(QCA6584State *s, uint8_t eid, uint8_t flags,
                      uint8_t trailer_len, const void *payload, uint32_t len)
{
    uint8_t msg[sizeof(HtcHdr) + HTC_MAX_MSG];
    HtcHdr *hdr = (HtcHdr *)msg;
    uint8_t *body = msg + sizeof(HtcHdr);

    assert(len <= HTC_MAX_MSG);
    hdr->eid = eid;
    hdr->flags = flags;
    hdr->len = cpu_to_le16(len);
    hdr->trailer_len = trailer_len;
    hdr->seq_no = s->htc.seq++;
    hdr->pad_len = 0;
    memcpy(body, payload, len);
    trace_qca6584_htc_t2h(eid, len, len >= 4 ? ldl_le_p(body) :
                          len ? body[0] : 0);
    qca6584_mbox_push(s, msg, sizeof(HtcHdr) + len, qca6584_htc_padded(len));
}

/*
 * READY, extended form: it offers bundles of up to HTC_BUNDLE_MAX
 * messages, which the host then reads in one CMD53 (mbox.c) and sends its
 * own HTT messages in.
 */
void qca6584_htc_start(QCA6584State *s)
{
    HtcReadyExt ready = {
        .message_id = cpu_to_le16(HTC_MSG_READY),
        .credit_count = cpu_to_le16(HTC_CREDITS),
        .credit_size = cpu_to_le16(HTC_CREDIT_SIZE),
        .max_endpoints = HTC_ENDPOINTS,
        .max_msgs_per_htc_bundle = HTC_BUNDLE_MAX,
    };

    s->htc.seq = 0;
    qca6584_htc_send(s, HTC_EP_CONTROL, 0, 0, &ready, sizeof(ready));
}

/* Give back the credits a message to @eid used: a trailer-only message */
void qca6584_htc_return_credits(QCA6584State *s, uint8_t eid, uint32_t len)
{
    HtcCreditTrailer trailer = {
        .record_id = HTC_RECORD_CREDITS,
        .record_len = 4,
        .eid = eid,
        .credits = DIV_ROUND_UP(sizeof(HtcHdr) + len, HTC_CREDIT_SIZE),
    };

    qca6584_htc_send(s, HTC_EP_CONTROL, HTC_FLAG_TRAILER, sizeof(trailer),
                     &trailer, sizeof(trailer));
}

void qca6584_htc_suspend_done(QCA6584State *s)
{
    HtcMsgHdr done = { .message_id = cpu_to_le16(HTC_MSG_SUSPEND_DONE) };

    qca6584_htc_send(s, HTC_EP_CONTROL, 0, 0, &done, sizeof(done));
}

/* CONNECT: WMI and HTT get their fixed endpoints, anything else is refused */
static void qca6584_htc_connect(QCA6584State *s, const uint8_t *msg,
                                uint32_t len)
{
    uint16_t svc = len >= sizeof(HtcConnSvc) ?
                   le16_to_cpu(((const HtcConnSvc *)msg)->service_id) : 0;
    uint8_t eid = svc == HTC_SVC_HTT_DATA ? HTC_EP_HTT :
                  svc == HTC_SVC_WMI_CONTROL ? HTC_EP_WMI : 0;
    HtcConnSvcResp resp = {
        .message_id = cpu_to_le16(HTC_MSG_CONNECT_RESP),
        .service_id = cpu_to_le16(svc),
        .status = eid ? 0 : HTC_CONN_SVC_NOT_FOUND,
        .eid = eid,
        .max_msg_size = cpu_to_le16(HTC_MAX_MSG),
    };

    if (eid == HTC_EP_WMI) {
        s->htc.wmi_eid = eid;
    } else if (eid == HTC_EP_HTT) {
        s->htc.htt_eid = eid;
    }
    trace_qca6584_htc_connect(svc, eid);
    qca6584_htc_send(s, HTC_EP_CONTROL, 0, 0, &resp, sizeof(resp));
}

static void qca6584_htc_control(QCA6584State *s, const uint8_t *msg,
                                uint32_t len)
{
    uint16_t id = len >= 2 ? lduw_le_p(msg) : 0;

    switch (id) {
    case HTC_MSG_CONNECT:
        qca6584_htc_connect(s, msg, len);
        break;
    case HTC_MSG_SETUP_COMPLETE:
        qca6584_htt_credit_start(s);
        qca6584_wmi_service_ready(s);
        break;
    default:
        qemu_log_mask(LOG_UNIMP, "qca6584: HTC control message %u\n", id);
        break;
    }
}

/* One complete host-to-target HTC message, header included */
void qca6584_htc_receive(QCA6584State *s, const uint8_t *msg, uint32_t len)
{
    uint8_t eid = ((const HtcHdr *)msg)->eid;
    const uint8_t *payload = msg + sizeof(HtcHdr);
    uint32_t plen = len - sizeof(HtcHdr);

    trace_qca6584_htc_h2t(eid, plen, plen >= 4 ? ldl_le_p(payload) : 0);
    if (eid == HTC_EP_CONTROL) {
        qca6584_htc_control(s, payload, plen);
    } else if (eid != HTC_EP_UNCONNECTED && eid == s->htc.wmi_eid) {
        qca6584_wmi_command(s, payload, plen);
    } else if (eid != HTC_EP_UNCONNECTED && eid == s->htc.htt_eid) {
        qca6584_htt_message(s, payload, plen);
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTC message to endpoint %u, "
                      "which is not connected\n", eid);
    }
}

void qca6584_htc_reset(QCA6584State *s)
{
    s->htc.seq = 0;
    s->htc.wmi_eid = HTC_EP_UNCONNECTED;
    s->htc.htt_eid = HTC_EP_UNCONNECTED;
}
