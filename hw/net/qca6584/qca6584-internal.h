/*
 * Qualcomm QCA6584 model: what its layers share
 *
 * The model is split the way ath10k itself is (and QEMU's e1000e/igb are):
 *
 *   qca6584.c   the QOM shell: properties, realize, reset, VMState and
 *               the function-1 register decode (ath10k sdio.c's registers)
 *   mbox.c      the mailbox transport: the target-to-host FIFO, lookahead
 *               and bundles, host-to-target message assembly (sdio.c)
 *   bmi.c       the boot loader and target memory (bmi.c)
 *   htc.c       HTC: header, credits, endpoints, dispatch (htc.c)
 *   wmi-tlv.c   WMI-TLV: ready events, vdevs, peers, management frames
 *   scan.c      the firmware's scan, channel by channel (wmi-tlv.c's scan)
 *   link.c      the firmware's connection monitor: beacons, beacon miss
 *   faults.c    injected failures: firmware crash, WMI hang, suspend
 *   htt-tx.c    HTT host-to-target: TX_FRM, completions, checksum offload
 *   htt-rx.c    HTT target-to-host: RX_IND, peer map, the NetClient side
 *
 * One state struct made of per-layer sub-structs keeps one VMState (in
 * qca6584.c). A layer calls another only through the functions below.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_NET_QCA6584_INTERNAL_H
#define HW_NET_QCA6584_INTERNAL_H

#include "hw/net/qca6584.h"
#include "hw/net/wifi-ap.h"
#include "hw/net/wifi-pcap.h"
#include "hw/sd/sdio.h"
#include "net/net.h"
#include "qemu/timer.h"

OBJECT_DECLARE_SIMPLE_TYPE(QCA6584State, QCA6584)

#define QCA_BLOCK_SIZE          256     /* SDIO block: HTC pads to it */

/* Mailbox transport */
#define H2T_BUF_SIZE            4096    /* one host-to-target message */
#define T2H_FIFO_SIZE           65536

/* HTC (ath10k htc.h) */
#define HTC_EP_CONTROL          0
#define HTC_EP_HTT              1
#define HTC_EP_WMI              2
#define HTC_EP_UNCONNECTED      0xff    /* wmi_eid/htt_eid before connect */
#define HTC_FLAG_TRAILER        0x02    /* target to host */
#define HTC_FLAG_SEND_BUNDLE    0x02    /* host to target: pad follows */
#define HTC_FLAG_1MORE_BLOCK    0x01
#define HTC_BUNDLE_MAX          32      /* messages in an RX bundle */
#define HTC_MAX_MSG             1792    /* payload bytes of a message */
#define HTC_CREDIT_SIZE         1792    /* bytes a credit buys */

/* struct ath10k_htc_hdr: every HTC message starts with it */
typedef struct QEMU_PACKED HtcHdr {
    uint8_t eid;
    uint8_t flags;
    uint16_t len;                       /* payload bytes, little endian */
    uint8_t trailer_len;                /* target to host */
    uint8_t seq_no;
    uint16_t pad_len;                   /* host to target, SEND_BUNDLE */
} HtcHdr;

/* WMI-TLV (ath10k wmi-tlv.h): struct wmi_tlv heads every TLV */
typedef struct QEMU_PACKED WmiTlv {
    uint16_t len;
    uint16_t tag;
} WmiTlv;

#define WMI_TAG_ARRAY_UINT32    16
#define WMI_TAG_ARRAY_BYTE      17
#define WMI_TAG_ARRAY_STRUCT    18

/* Target memory (BMI, diagnostic window) */
#define QCA_BOARD_SIZE          8192
#define QCA_MEM_WORDS           64      /* other words, sparse */

#define QCA_MAX_PEERS           8
#define QCA_MAX_APS             4       /* ap-* and up to 3 more in aps= */
#define WMI_SCAN_MAX_CHANNELS   64
#define HTT_TX_DONE_MAX         64      /* msdu ids per TX_COMPL_IND */

enum QCAMode {
    QCA_MODE_BMI,       /* boot loader: request/response over mailbox 0 */
    QCA_MODE_HTC,       /* firmware running: HTC messages */
    QCA_MODE_CRASHED,   /* firmware asserted: deaf until a chip reset */
};

#define QCA_CPU_INT_FW_ASSERT   0x01    /* 0x801: the target CPU interrupt */

/*
 * Mailbox 0: the host-to-target message being assembled, the
 * target-to-host FIFO, and the bundle the host is reading
 * (qca6584_mbox_lookahead): each member's bytes in the FIFO, served
 * padded to the first member's size
 */
typedef struct QCAMbox {
    uint8_t h2t[H2T_BUF_SIZE];
    uint32_t h2t_len;
    bool h2t_skip;                  /* bad header: skip to the window end */
    uint8_t t2h[T2H_FIFO_SIZE];     /* HTC messages padded to blocks */
    uint32_t t2h_head;
    uint32_t t2h_len;
    uint32_t bundle_size[HTC_BUNDLE_MAX];
    uint32_t bundle_members;
    uint32_t bundle_index;
    uint32_t bundle_slot;
    uint32_t bundle_off;
} QCAMbox;

/* Target memory: the board data, and other words the host writes */
typedef struct QCABmi {
    uint8_t board[QCA_BOARD_SIZE];
    uint32_t mem_addr[QCA_MEM_WORDS];
    uint32_t mem_val[QCA_MEM_WORDS];
    uint32_t mem_used;
} QCABmi;

typedef struct QCAHtc {
    uint8_t seq;
    uint8_t wmi_eid;
    uint8_t htt_eid;
} QCAHtc;

#define QCA_KEY_LEN             16      /* CCMP-128, the one cipher here */
#define QCA_GROUP_KEYS          4       /* key IDs 0-3 */

/*
 * A peer the host created, known to it by its HTT peer id (index + 1),
 * and the keys VDEV_INSTALL_KEY put in place for it: the chip's hardware
 * CCMP encrypts and decrypts with them
 */
typedef struct QCAPeer {
    bool used;
    uint8_t vdev;
    uint8_t mac[6];
    bool pairwise_set;
    uint8_t pairwise_key[QCA_KEY_LEN];
    uint8_t group_set;                  /* a bit per key ID */
    uint8_t group_key[QCA_GROUP_KEYS][QCA_KEY_LEN];
} QCAPeer;

/* The firmware's WMI state: the scan in progress, the peers */
typedef struct QCAWmi {
    QEMUTimer *scan_timer;          /* one channel per tick */
    bool scan_active;
    uint32_t scan_id;
    uint32_t scan_req_id;
    uint32_t scan_vdev;
    uint32_t scan_freqs[WMI_SCAN_MAX_CHANNELS];
    uint32_t scan_nfreqs;
    uint32_t scan_next;
    QCAPeer peers[QCA_MAX_PEERS];
} QCAWmi;

/* The BSS the host's station vdev is up on, watched for its beacons */
typedef struct QCALink {
    bool up;
    uint32_t vdev;
    uint8_t bssid[6];
    QEMUTimer *bmiss_timer;         /* virtual time, re-armed at load */
    uint64_t bmiss_events;          /* a statistic */
} QCALink;

/* Injected failures: counts of the next events to fail (faults.c) */
#define QCA_FAIL_CMD53_ANY      UINT32_MAX
typedef struct QCAFaults {
    uint32_t fail_wmi;
    uint32_t fail_suspend_ack;
    uint32_t fail_cmd53;            /* the card's R5 ERROR */
    uint32_t fail_cmd53_crc;        /* data CRC errors, the uSDHC's */
    uint32_t fail_cmd53_timeout;    /* data timeouts, the uSDHC's */
    uint32_t fail_cmd53_addr;       /* only CMD53s that touch it, or ANY */
    uint64_t injected;              /* statistics, not migrated */
    uint64_t crashes;
} QCAFaults;

#define HTT_TX_CREDITS          32      /* the HTT pool under credit flow */

typedef struct QCAHtt {
    /*
     * Reduced TX completions (the host asked in hi_acs_flags, the
     * firmware acknowledged): data frames are complete once sent, and
     * the host's HTT messages are paced by credits, given back in TX
     * credit updates; only frames that ask for it get a completion
     */
    bool credit_flow;
    uint32_t credits_owed;          /* taken by messages, not yet back */
    /* Frames sent whose completion the host has not been told yet */
    uint16_t tx_done[HTT_TX_DONE_MAX];
    uint32_t tx_done_count;
    bool tx_held;                   /* the backend queued a frame: wait */
    uint64_t tx_discarded;          /* dropped while held: a statistic */
    bool rx_held;                   /* the backend waits for FIFO room */
} QCAHtt;

struct QCA6584State {
    SDIOCard parent_obj;

    NICConf conf;
    NICState *nic;
    WifiAPConfig ap_conf;           /* the first AP's, ap-* properties */
    char *aps;                      /* the others: SSID:CHANNEL[:SNR],... */
    WifiAP ap[QCA_MAX_APS];         /* the simulated access points */
    uint32_t n_aps;
    uint32_t n_more_aps;            /* n_aps - 1, for the stream */
    char *pcap_path;                /* the capture of the air, if any */
    WifiPcap pcap;

    uint32_t mode;                  /* enum QCAMode */
    /* Function 1 registers */
    uint8_t irq_en[4];              /* 0x828-0x82b */
    uint8_t cpu_int_status;         /* 0x801, write 1 to clear */
    uint32_t chip_control;
    uint32_t window_data;
    uint8_t window_addr[8];         /* write address, read address */
    bool rtc_on;

    QCAMbox mbox;
    QCABmi bmi;
    QCAHtc htc;
    QCAWmi wmi;
    QCALink link;
    QCAHtt htt;
    QCAFaults faults;
};

/* qca6584.c: the shell */
void qca6584_update_irq(QCA6584State *s);
WifiAP *qca6584_ap_by_bssid(QCA6584State *s, const uint8_t *bssid);
void qca6584_ess_roamed(QCA6584State *s, WifiAP *ap);
void qca6584_capture(QCA6584State *s, WifiAP *ap, const uint8_t *frame,
                     size_t len);

/* mbox.c: the transport */
bool qca6584_is_mbox(uint32_t addr);
bool qca6584_mbox_pending(QCA6584State *s);
bool qca6584_mbox_has_room(QCA6584State *s, uint32_t bytes);
bool qca6584_mbox_push(QCA6584State *s, const void *data, uint32_t len,
                       uint32_t padded);
uint8_t qca6584_mbox_lookahead(QCA6584State *s, uint32_t i);
uint8_t qca6584_mbox_read(QCA6584State *s);
void qca6584_mbox_write(QCA6584State *s, uint32_t addr, uint8_t value);
void qca6584_mbox_transfer_done(QCA6584State *s, bool write);
void qca6584_mbox_reset(QCA6584State *s);

/* bmi.c: the boot loader and target memory */
uint32_t qca6584_bmi_receive(QCA6584State *s, const uint8_t *buf,
                             uint32_t len);
uint32_t qca6584_target_read32(QCA6584State *s, uint32_t addr);
void qca6584_target_write32(QCA6584State *s, uint32_t addr, uint32_t val);
void qca6584_bmi_reset(QCA6584State *s);

/* htc.c */
uint32_t qca6584_htc_padded(uint32_t len);
bool qca6584_htc_can_send(QCA6584State *s, uint32_t len);
void qca6584_htc_send(QCA6584State *s, uint8_t eid, uint8_t flags,
                      uint8_t trailer_len, const void *payload, uint32_t len);
void qca6584_htc_return_credits(QCA6584State *s, uint8_t eid, uint32_t len);
void qca6584_htc_suspend_done(QCA6584State *s);
void qca6584_htc_start(QCA6584State *s);
void qca6584_htc_receive(QCA6584State *s, const uint8_t *msg, uint32_t len);
void qca6584_htc_reset(QCA6584State *s);

/* wmi-tlv.c */
void qca6584_wmi_service_ready(QCA6584State *s);
void qca6584_wmi_command(QCA6584State *s, const uint8_t *msg, uint32_t len);
void qca6584_wmi_mgmt_rx(QCA6584State *s, WifiAP *ap, const uint8_t *frame,
                         uint32_t len);
uint16_t qca6584_wmi_peer_id(QCA6584State *s, const uint8_t *mac);
const uint8_t *qca6584_wmi_peer_key(QCA6584State *s, const uint8_t *mac,
                                    bool group, uint8_t key_id);
void qca6584_wmi_reset(QCA6584State *s);

/* The TLV headers of WMI-TLV messages, and the commands' TLVs */
uint8_t *qca6584_wmi_tlv_put(uint8_t **p, uint16_t tag, uint16_t len);
const uint8_t *qca6584_wmi_tlv_find(const uint8_t *tlvs, uint32_t len,
                                    uint16_t tag, uint16_t min_len,
                                    uint16_t *tlv_len);
void qca6584_wmi_event(QCA6584State *s, uint32_t id, const uint8_t *tlvs,
                       uint32_t len);

/* scan.c */
void qca6584_scan_init(QCA6584State *s);
void qca6584_scan_start(QCA6584State *s, const uint8_t *tlvs, uint32_t len);
void qca6584_scan_cancel(QCA6584State *s);
void qca6584_scan_reset(QCA6584State *s);

/* link.c */
void qca6584_link_init(QCA6584State *s);
void qca6584_link_finalize(QCA6584State *s);
void qca6584_link_up(QCA6584State *s, uint32_t vdev, const uint8_t *bssid);
void qca6584_link_down(QCA6584State *s, uint32_t vdev);
bool qca6584_link_beacon(QCA6584State *s, const uint8_t *frame, size_t len);
WifiAP *qca6584_serving_ap(QCA6584State *s);
void qca6584_link_reset(QCA6584State *s);
void qca6584_link_post_load(QCA6584State *s);

/* faults.c */
void qca6584_fw_crash(QCA6584State *s);
bool qca6584_fault_wmi(QCA6584State *s);
bool qca6584_fault_suspend_ack(QCA6584State *s);
SDIOCmd53Fault qca6584_fault_cmd53(QCA6584State *s, uint32_t addr,
                                   uint32_t span);
bool qca6584_crash_read32(QCA6584State *s, uint32_t addr, uint32_t *val);
void qca6584_faults_reset(QCA6584State *s);

/* htt-tx.c */
void qca6584_htt_message(QCA6584State *s, const uint8_t *msg, uint32_t len);
void qca6584_htt_tx_done_flush(QCA6584State *s);
void qca6584_htt_credit_start(QCA6584State *s);
void qca6584_htt_tx_reset(QCA6584State *s);

/* htt-rx.c */
extern NetClientInfo qca6584_net_info;
void qca6584_htt_peer_map(QCA6584State *s, uint8_t vdev, uint16_t peer_id,
                          const uint8_t *mac);
void qca6584_htt_peer_unmap(QCA6584State *s, uint16_t peer_id);
void qca6584_htt_rx_drained(QCA6584State *s);
void qca6584_htt_sec_ind(QCA6584State *s, uint16_t peer_id, bool unicast,
                         uint8_t sec_type);
void qca6584_htt_rx_from_ap(QCA6584State *s, WifiAP *ap,
                            const uint8_t *frame, size_t len,
                            const uint8_t *key, uint8_t key_id, uint64_t pn);

#endif /* HW_NET_QCA6584_INTERNAL_H */
