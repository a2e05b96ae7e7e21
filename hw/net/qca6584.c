/*
 * Qualcomm QCA6584 Wi-Fi on SDIO (ath10k family), as Linux's ath10k_sdio
 * drives it
 *
 * The model is the chip's SDIO function 1 and the firmware's side of the
 * host interfaces: the mailbox register window, the boot loader (BMI) and,
 * after BMI_DONE, HTC with the WMI-TLV and HTT messages the driver needs to
 * probe and register a wiphy. It runs no firmware: what BMI downloads is
 * accepted and ignored (the lab's firmware files are synthetic, see
 * scripts/make-ath10k-firmware).
 *
 * The radio side is a simulated access point (hw/net/wifi-ap.c, an open
 * network, properties ap-ssid, ap-channel, ap-bssid, ap-snr): scans find
 * it, the station authenticates and associates with it, and its data
 * frames go to the QEMU network backend given with netdev= (and back), so
 * with -netdev user the guest gets a DHCP address through Wi-Fi.
 *
 * Function 1 address map (Linux ath10k hw.h, sdio.h):
 *   0x800-0x82b   interrupt status, RX lookahead and interrupt enables
 *   0x840+4n      counters; n = 4 is the BMI command credit
 *   0x868         chip control (wakes the target: fn0 0x1138 reads 1)
 *   0x874-0x87f   diagnostic window: data, write address, read address
 *   0x1000-0x17ff mailbox 0 (BMI, HTC target-to-host reads)
 *   0x5000-0x12fff, 0x13800-0x1c7ff  mailbox 0 extended windows (HTC
 *                 host-to-target writes end at the window's end)
 *
 * Every mailbox message is traced (trace events qca6584_*): Debian's ath10k
 * has no debug output, so this is where the traffic can be seen.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "hw/net/qca6584.h"
#include "hw/net/wifi-ap.h"
#include "hw/qdev-properties.h"
#include "qapi/error.h"
#include "hw/sd/sdio.h"
#include "migration/vmstate.h"
#include "net/checksum.h"
#include "net/eth.h"
#include "net/net.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "trace.h"

OBJECT_DECLARE_SIMPLE_TYPE(QCA6584State, QCA6584)

/* SDIO identity: Atheros vendor, AR6005 (QCA6174-class, chip rev 0x0a) */
#define QCA_SDIO_VENDOR         0x0271
#define QCA_SDIO_DEVICE         0x050a
#define QCA_BLOCK_SIZE          256

/* Function 1 registers */
#define REG_HOST_INT_STATUS     0x800
#define REG_CPU_INT_STATUS      0x801
#define REG_ERROR_INT_STATUS    0x802
#define REG_COUNTER_INT_STATUS  0x803
#define REG_RX_LOOKAHEAD_VALID  0x805
#define REG_RX_LOOKAHEAD0       0x808
#define REG_IRQ_PROC_END        0x828   /* the block ath10k reads at once */
#define REG_INT_STATUS_EN       0x828
#define REG_CPU_INT_STATUS_EN   0x829
#define REG_ERR_INT_STATUS_EN   0x82a
#define REG_CNTR_INT_STATUS_EN  0x82b
#define REG_COUNT_DEC           0x840
#define REG_BMI_CREDIT          (REG_COUNT_DEC + 4 * 4)
#define REG_COUNT_DEC_END       0x860   /* COUNT and COUNT_DEC, 8 words */
#define REG_CHIP_CONTROL        0x868
#define REG_WINDOW_DATA         0x874
#define REG_WINDOW_WRITE_ADDR   0x878
#define REG_WINDOW_READ_ADDR    0x87c
#define MBOX0_BASE              0x1000
#define MBOX0_END               0x1800
#define MBOX0_EXT0_BASE         0x5000
#define MBOX0_EXT0_END          0x13000
#define MBOX0_EXT1_BASE         0x13800
#define MBOX0_EXT1_END          0x1c800
#define QCA_FUNC_SIZE           0x20000

#define HOST_INT_MBOX0_DATA     0x01
#define FN0_RTC_STATE           0x1138      /* function 0: target awake */

/* BMI commands (ath10k bmi.h) */
enum {
    BMI_DONE = 1,
    BMI_READ_MEMORY = 2,
    BMI_WRITE_MEMORY = 3,
    BMI_EXECUTE = 4,
    BMI_SET_APP_START = 5,
    BMI_READ_SOC_REGISTER = 6,
    BMI_WRITE_SOC_REGISTER = 7,
    BMI_GET_TARGET_INFO = 8,
    BMI_LZ_STREAM_START = 13,
    BMI_LZ_DATA = 14,
};
#define BMI_TARGET_VERSION      0x05030000  /* "qca6174 hw3.2 sdio" */
#define BMI_TARGET_TYPE         7
#define BMI_MAX_DATA            2048        /* LZ_DATA: at most 2040 */
#define BMI_MAX_READ            256

/* Target memory the driver reads back (host interest area, board data) */
#define HI_BOARD_DATA           0x00400854
#define QCA_BOARD_ADDR          0x00434000
#define QCA_BOARD_SIZE          8192
#define QCA_MEM_WORDS           64          /* other words, sparse */

/* HTC (ath10k htc.h) */
#define HTC_HDR_LEN             8
#define HTC_EP_CONTROL          0
#define HTC_EP_HTT              1
#define HTC_EP_WMI              2
#define HTC_EP_UNCONNECTED      0xff    /* wmi_eid/htt_eid before connect */
#define HTC_MSG_READY           1
#define HTC_MSG_CONNECT         2
#define HTC_MSG_CONNECT_RESP    3
#define HTC_MSG_SETUP_COMPLETE  5
#define HTC_MSG_SUSPEND_DONE    6
#define HTC_SVC_WMI_CONTROL     0x0100
#define HTC_SVC_HTT_DATA        0x0300
#define HTC_FLAG_TRAILER        0x02        /* target to host */
#define HTC_FLAG_SEND_BUNDLE    0x02        /* host to target: pad follows */
#define HTC_FLAG_1MORE_BLOCK    0x01
#define HTC_BUNDLE_MAX          32          /* messages in an RX bundle */
#define HTC_BUNDLE_BYTES        65536       /* the host's bundle buffer */
#define HTC_RECORD_CREDITS      1
#define HTC_CREDITS             8
#define HTC_CREDIT_SIZE         1792
#define HTC_MAX_MSG             1792

/* WMI-TLV (ath10k wmi-tlv.h) */
#define WMI_CMD_INIT            0x00001
#define WMI_CMD_START_SCAN      0x03001
#define WMI_CMD_STOP_SCAN       0x03002
#define WMI_CMD_VDEV_START      0x05003
#define WMI_CMD_VDEV_RESTART    0x05004
#define WMI_CMD_VDEV_STOP       0x05006
#define WMI_CMD_PEER_CREATE     0x06001
#define WMI_CMD_PEER_DELETE     0x06002
#define WMI_CMD_PDEV_SUSPEND    0x11001
#define WMI_EV_SERVICE_READY    0x1
#define WMI_EV_READY            0x2
#define WMI_EV_SCAN             0x3001
#define WMI_EV_VDEV_START_RESP  0x5001
#define WMI_EV_VDEV_STOPPED     0x5002
#define WMI_EV_MGMT_RX          0x7001
#define WMI_TAG_ARRAY_UINT32    16
#define WMI_TAG_ARRAY_BYTE      17
#define WMI_TAG_ARRAY_STRUCT    18
#define WMI_TAG_SERVICE_READY   32
#define WMI_TAG_HAL_REG_CAPS    33
#define WMI_TAG_READY           35
#define WMI_TAG_SCAN_EVENT      36
#define WMI_TAG_VDEV_START_RESP 40
#define WMI_TAG_VDEV_STOPPED    41
#define WMI_TAG_MGMT_RX_HDR     44
#define WMI_TAG_START_SCAN_CMD  77
#define WMI_TAG_CHANNEL         80
#define WMI_TAG_VDEV_START_CMD  88
#define WMI_TAG_VDEV_STOP_CMD   93
#define WMI_TAG_PEER_CREATE_CMD 97
#define WMI_TAG_PEER_DELETE_CMD 98
#define WMI_SCAN_STARTED        0x1
#define WMI_SCAN_COMPLETED      0x2
#define WMI_SCAN_FOREIGN_CHAN   0x8
#define WMI_SCAN_REASON_DONE    0
#define WMI_SCAN_REASON_CANCEL  1
#define WMI_SCAN_MAX_CHANNELS   64
#define WMI_SCAN_DWELL_MS       10      /* per channel, virtual time */
#define WMI_VDEV_RESP_START     0
#define WMI_VDEV_RESP_RESTART   1
#define WMI_PHY_MODE_11G        1
#define WMI_PHY_MODE_11A        0
#define WMI_ABI_VER0            0x01000000
#define WMI_ABI_VER1            53
#define WMI_ABI_NS0             0x5f414351
#define WMI_ABI_NS1             0x00004c4d
#define WMI_PHY_11A_11G         3

/* HTT (ath10k htt.h, TLV numbering) */
#define HTT_H2T_VERSION_REQ     0
#define HTT_H2T_TX_FRM          1
#define HTT_T2H_VERSION_CONF    0
#define HTT_T2H_RX_IND          1
#define HTT_T2H_PEER_MAP        3
#define HTT_T2H_PEER_UNMAP      4
#define HTT_T2H_TX_COMPL_IND    7
#define HTT_VERSION_MAJOR       3
#define HTT_VERSION_MINOR       87
/* TX_FRM: type byte, then htt_data_tx_desc (15 bytes), then the frame */
#define HTT_TX_DESC_LEN         16
#define HTT_TX_PKT_TYPE(f0)     ((f0) >> 5)
#define HTT_TX_PKT_RAW          0
#define HTT_TX_PKT_NATIVE_WIFI  1
#define HTT_TX_PKT_ETHERNET     2
#define HTT_TX_PKT_MGMT         3
#define HTT_TX_CSUM_OFFLOAD     (3 << 13)   /* flags1: L3, L4 checksums */
#define HTT_TX_STATUS_OK        0
#define HTT_TX_STATUS_DISCARD   1
#define HTT_TX_DONE_MAX         64      /* msdu ids per TX_COMPL_IND */
/*
 * RX_IND, high latency: type, hdr (7), ppdu (36), prefix (4), fw_desc (4),
 * one MPDU range (4), then the 20-byte HL RX descriptor
 */
#define HTT_RX_IND_HL_LEN       76
#define HTT_RX_NON_QOS_TID      16
#define HTT_RX_MPDU_STATUS_OK   1
#define HTT_RX_DESC_HL_LEN      20
#define HTT_RX_DESC_HL_MCAST    (1 << 16)
#define HTT_RX_FIRST_LAST_MSDU  0x03
#define HTT_NOISE_FLOOR         (-95)

#define QCA_MAX_PEERS           8
#define H2T_BUF_SIZE            4096
#define T2H_FIFO_SIZE           65536

enum QCAMode {
    QCA_MODE_BMI,       /* boot loader: request/response over mailbox 0 */
    QCA_MODE_HTC,       /* firmware running: HTC messages */
};

/* A peer the host created, known to it by its HTT peer id (index + 1) */
typedef struct QCAPeer {
    bool used;
    uint8_t vdev;
    uint8_t mac[6];
} QCAPeer;

struct QCA6584State {
    SDIOCard parent_obj;

    NICConf conf;
    NICState *nic;
    WifiAP ap;                      /* the simulated access point */
    uint32_t ap_snr;                /* dB above the noise floor (-95 dBm) */

    /* The scan in progress: its ids and channels, one per timer tick */
    QEMUTimer *scan_timer;
    bool scan_active;
    uint32_t scan_id;
    uint32_t scan_req_id;
    uint32_t scan_vdev;
    uint32_t scan_freqs[WMI_SCAN_MAX_CHANNELS];
    uint32_t scan_nfreqs;
    uint32_t scan_next;

    QCAPeer peers[QCA_MAX_PEERS];
    /* Frames sent whose completion the host has not been told yet */
    uint16_t tx_done[HTT_TX_DONE_MAX];
    uint32_t tx_done_count;
    bool tx_held;                   /* the backend queued a frame: wait */
    uint64_t tx_discarded;          /* dropped while held: a statistic */
    bool rx_held;                   /* the backend waits for FIFO room */

    uint32_t mode;
    /* Host-to-target: the message being assembled */
    uint8_t h2t[H2T_BUF_SIZE];
    uint32_t h2t_len;
    bool h2t_skip;                  /* bad header: skip to the window end */
    /* Target-to-host: queued message bytes (HTC: padded to blocks) */
    uint8_t t2h[T2H_FIFO_SIZE];
    uint32_t t2h_head;
    uint32_t t2h_len;
    /*
     * The bundle the host is reading (qca6584_rx_lookahead): each member's
     * bytes in the FIFO, served padded to the first member's size
     */
    uint32_t bundle_size[HTC_BUNDLE_MAX];
    uint32_t bundle_members;
    uint32_t bundle_index;
    uint32_t bundle_slot;
    uint32_t bundle_off;

    uint8_t irq_en[4];              /* 0x828-0x82b */
    uint32_t chip_control;
    uint32_t window_data;
    uint8_t window_addr[8];         /* write address, read address */
    bool rtc_on;

    /* Target memory and SoC registers (BMI, diagnostic window) */
    uint8_t board[QCA_BOARD_SIZE];
    uint32_t mem_addr[QCA_MEM_WORDS];
    uint32_t mem_val[QCA_MEM_WORDS];
    uint32_t mem_used;

    uint8_t htc_seq;
    uint8_t wmi_eid;
    uint8_t htt_eid;
};

/* -- CIS ------------------------------------------------------------------- */

/* Common CIS at 0x1000, function 1's at 0x1080 (SDIO spec 16.7) */
#define QCA_FUNC1_CIS           0x1080
static const uint8_t qca6584_cis[] = {
    /* 0x1000: common */
    0x21, 0x02, 0x0c, 0x00,                     /* FUNCID: SDIO card */
    0x22, 0x04, 0x00,                           /* FUNCE type 0: */
    QCA_BLOCK_SIZE & 0xff, QCA_BLOCK_SIZE >> 8, /*   fn0 max block */
    0x32,                                       /*   25 MHz */
    0x20, 0x04,                                 /* MANFID */
    QCA_SDIO_VENDOR & 0xff, QCA_SDIO_VENDOR >> 8,
    QCA_SDIO_DEVICE & 0xff, QCA_SDIO_DEVICE >> 8,
    0xff,                                       /* END */
    [QCA_FUNC1_CIS - SDIO_CIS_BASE] =
    /* 0x1080: function 1 */
    0x21, 0x02, 0x0c, 0x00,                     /* FUNCID */
    0x22, 0x2a, 0x01,                           /* FUNCE type 1 (42 B): */
    0x00, 0x20,                                 /*   info, I/O revision */
    0x00, 0x00, 0x00, 0x00,                     /*   serial number */
    0x00, 0x00, 0x00, 0x00,                     /*   CSA size */
    0x00,                                       /*   CSA properties */
    QCA_BLOCK_SIZE & 0xff, QCA_BLOCK_SIZE >> 8, /*   max block size */
    0x00, 0x80, 0xff, 0x00,                     /*   OCR */
    0x00, 0x00, 0x00, 0x00, 0x00,               /*   power */
    0x00, 0x00, 0x00, 0x00, 0x00,
    0x0a, 0x00,                                 /*   enable timeout x10ms */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,         /*   power (SDIO 2.0) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x20, 0x04,                                 /* MANFID */
    QCA_SDIO_VENDOR & 0xff, QCA_SDIO_VENDOR >> 8,
    QCA_SDIO_DEVICE & 0xff, QCA_SDIO_DEVICE >> 8,
    0xff,                                       /* END */
};

/* -- interrupt ------------------------------------------------------------- */

static uint8_t qca6584_host_int_status(QCA6584State *s)
{
    return s->t2h_len ? HOST_INT_MBOX0_DATA : 0;
}

static void qca6584_update_irq(QCA6584State *s)
{
    bool level = qca6584_host_int_status(s) & s->irq_en[0];

    sdio_card_set_func_irq(&s->parent_obj, 1, level);
}

/* -- target-to-host FIFO --------------------------------------------------- */

static uint8_t qca6584_t2h_peek(QCA6584State *s, uint32_t i)
{
    return i < s->t2h_len ? s->t2h[(s->t2h_head + i) % T2H_FIFO_SIZE] : 0;
}

static bool qca6584_t2h_push(QCA6584State *s, const uint8_t *data,
                             uint32_t len, uint32_t padded)
{
    uint32_t i;

    if (padded > T2H_FIFO_SIZE - s->t2h_len) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: target-to-host FIFO full, "
                      "message of %u bytes dropped (the host does not read "
                      "its mailbox)\n", len);
        return false;
    }
    for (i = 0; i < padded; i++) {
        s->t2h[(s->t2h_head + s->t2h_len + i) % T2H_FIFO_SIZE] =
            i < len ? data[i] : 0;
    }
    s->t2h_len += padded;
    qca6584_update_irq(s);
    return true;
}

/* What an HTC message of @len payload bytes takes in the FIFO */
static uint32_t qca6584_htc_padded(uint32_t len)
{
    return ROUND_UP(HTC_HDR_LEN + len, QCA_BLOCK_SIZE);
}

/* Whether @len more bytes of HTC message fit, padded */
static bool qca6584_t2h_room(QCA6584State *s, uint32_t len)
{
    return qca6584_htc_padded(len) <= T2H_FIFO_SIZE - s->t2h_len;
}

static uint8_t qca6584_t2h_pop(QCA6584State *s)
{
    uint8_t value;

    if (!s->t2h_len) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: mailbox read with nothing "
                      "queued\n");
        return 0;
    }
    value = s->t2h[s->t2h_head];
    s->t2h_head = (s->t2h_head + 1) % T2H_FIFO_SIZE;
    s->t2h_len--;
    if (!s->t2h_len) {
        qca6584_update_irq(s);
    }
    return value;
}

/* A BMI response: exactly the bytes the host will read */
static void qca6584_bmi_respond(QCA6584State *s, const void *data,
                                uint32_t len)
{
    qca6584_t2h_push(s, data, len, len);
}

/* An HTC message: header, payload, padded to the block size */
static void qca6584_htc_send(QCA6584State *s, uint8_t eid, uint8_t flags,
                             uint8_t trailer_len, const void *payload,
                             uint32_t len)
{
    uint8_t msg[HTC_HDR_LEN + HTC_MAX_MSG];

    assert(len <= HTC_MAX_MSG);
    msg[0] = eid;
    msg[1] = flags;
    stw_le_p(msg + 2, len);
    msg[4] = trailer_len;
    msg[5] = s->htc_seq++;
    stw_le_p(msg + 6, 0);
    memcpy(msg + HTC_HDR_LEN, payload, len);
    trace_qca6584_htc_t2h(eid, len, len >= 4 ? ldl_le_p(msg + HTC_HDR_LEN) :
                          len ? msg[HTC_HDR_LEN] : 0);
    qca6584_t2h_push(s, msg, HTC_HDR_LEN + len,
                     qca6584_htc_padded(len));
}

/* -- target memory --------------------------------------------------------- */

static uint32_t *qca6584_mem_word(QCA6584State *s, uint32_t addr, bool create)
{
    uint32_t i;

    for (i = 0; i < s->mem_used; i++) {
        if (s->mem_addr[i] == addr) {
            return &s->mem_val[i];
        }
    }
    if (!create) {
        return NULL;
    }
    if (s->mem_used == QCA_MEM_WORDS) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: target memory model full, "
                      "write to 0x%08x dropped\n", addr);
        return NULL;
    }
    s->mem_addr[s->mem_used] = addr;
    s->mem_val[s->mem_used] = 0;
    return &s->mem_val[s->mem_used++];
}

static uint32_t qca6584_mem_read32(QCA6584State *s, uint32_t addr)
{
    uint32_t *word;

    if (addr >= QCA_BOARD_ADDR && addr - QCA_BOARD_ADDR <= QCA_BOARD_SIZE - 4) {
        return ldl_le_p(s->board + addr - QCA_BOARD_ADDR);
    }
    if (addr == HI_BOARD_DATA) {
        return QCA_BOARD_ADDR;      /* where the board data goes */
    }
    word = qca6584_mem_word(s, addr, false);
    return word ? *word : 0;
}

static void qca6584_mem_write32(QCA6584State *s, uint32_t addr, uint32_t val)
{
    uint32_t *word;

    if (addr >= QCA_BOARD_ADDR && addr - QCA_BOARD_ADDR <= QCA_BOARD_SIZE - 4) {
        stl_le_p(s->board + addr - QCA_BOARD_ADDR, val);
        return;
    }
    word = qca6584_mem_word(s, addr, true);
    if (word) {
        *word = val;
    }
}

/* -- BMI ------------------------------------------------------------------- */

static void qca6584_htc_ready(QCA6584State *s);

/*
 * For a BMI command with data: @hdr header bytes, the data's length at
 * @len_at. Returns as qca6584_bmi_cmd_len().
 */
static int qca6584_bmi_data_cmd_len(QCA6584State *s, uint32_t hdr,
                                    uint32_t len_at)
{
    uint32_t len;

    if (s->h2t_len < hdr) {
        return 0;
    }
    len = ldl_le_p(s->h2t + len_at);
    if (len > BMI_MAX_DATA) {
        return -1;
    }
    return s->h2t_len >= hdr + len ? hdr + len : 0;
}

/*
 * Length of the BMI command at the start of h2t, 0 if it is not complete
 * yet, -1 if it is malformed.
 */
static int qca6584_bmi_cmd_len(QCA6584State *s)
{
    uint32_t id, need;

    if (s->h2t_len < 4) {
        return 0;
    }
    id = ldl_le_p(s->h2t);
    switch (id) {
    case BMI_DONE:
    case BMI_GET_TARGET_INFO:
        need = 4;
        break;
    case BMI_SET_APP_START:
    case BMI_READ_SOC_REGISTER:
    case BMI_LZ_STREAM_START:
        need = 8;
        break;
    case BMI_READ_MEMORY:
    case BMI_EXECUTE:
    case BMI_WRITE_SOC_REGISTER:
        need = 12;
        break;
    case BMI_WRITE_MEMORY:         /* id, address, length, data */
        return qca6584_bmi_data_cmd_len(s, 12, 8);
    case BMI_LZ_DATA:              /* id, length, data */
        return qca6584_bmi_data_cmd_len(s, 8, 4);
    default:
        return -1;
    }
    return s->h2t_len >= need ? need : 0;
}

static void qca6584_bmi_command(QCA6584State *s)
{
    uint32_t id = ldl_le_p(s->h2t);
    uint32_t a1 = s->h2t_len >= 8 ? ldl_le_p(s->h2t + 4) : 0;
    uint32_t a2 = s->h2t_len >= 12 ? ldl_le_p(s->h2t + 8) : 0;
    uint8_t buf[BMI_MAX_READ];
    uint32_t i, n;

    trace_qca6584_bmi(id, a1, a2);
    switch (id) {
    case BMI_DONE:
        s->mode = QCA_MODE_HTC;
        qca6584_htc_ready(s);
        break;
    case BMI_GET_TARGET_INFO:
        stl_le_p(buf, 12);                  /* length of this answer */
        stl_le_p(buf + 4, BMI_TARGET_VERSION);
        stl_le_p(buf + 8, BMI_TARGET_TYPE);
        qca6584_bmi_respond(s, buf, 12);
        break;
    case BMI_READ_MEMORY:
        if (a2 > BMI_MAX_READ) {
            qemu_log_mask(LOG_GUEST_ERROR, "qca6584: BMI read of %u bytes "
                          "(at most %u)\n", a2, BMI_MAX_READ);
            a2 = BMI_MAX_READ;
        }
        for (i = 0; i < a2; i += 4) {
            uint32_t w = qca6584_mem_read32(s, a1 + i);

            for (n = 0; n < 4 && i + n < a2; n++) {
                buf[i + n] = w >> (8 * n);
            }
        }
        qca6584_bmi_respond(s, buf, a2);
        break;
    case BMI_WRITE_MEMORY:
        for (i = 0; i + 4 <= a2; i += 4) {
            qca6584_mem_write32(s, a1 + i, ldl_le_p(s->h2t + 12 + i));
        }
        break;
    case BMI_EXECUTE:
        /* the OTP program: "no board id", success */
        stl_le_p(buf, 0);
        qca6584_bmi_respond(s, buf, 4);
        break;
    case BMI_READ_SOC_REGISTER:
        stl_le_p(buf, qca6584_mem_read32(s, a1));
        qca6584_bmi_respond(s, buf, 4);
        break;
    case BMI_WRITE_SOC_REGISTER:
        qca6584_mem_write32(s, a1, a2);
        break;
    case BMI_SET_APP_START:
    case BMI_LZ_STREAM_START:
    case BMI_LZ_DATA:
        break;                          /* firmware image: not executed */
    }
}

static void qca6584_bmi_receive(QCA6584State *s)
{
    int len;

    while ((len = qca6584_bmi_cmd_len(s)) != 0) {
        if (len < 0) {
            qemu_log_mask(LOG_GUEST_ERROR, "qca6584: bad BMI command 0x%x, "
                          "%u bytes dropped\n", ldl_le_p(s->h2t), s->h2t_len);
            s->h2t_len = 0;
            return;
        }
        qca6584_bmi_command(s);
        memmove(s->h2t, s->h2t + len, s->h2t_len - len);
        s->h2t_len -= len;
    }
}

/* -- HTC, WMI, HTT --------------------------------------------------------- */

/*
 * READY, extended form: it offers bundles of up to HTC_BUNDLE_MAX
 * messages, which the host then reads in one CMD53 (see
 * qca6584_rx_lookahead) and sends its own HTT messages in.
 */
static void qca6584_htc_ready(QCA6584State *s)
{
    uint8_t ready[12] = { 0 };

    stw_le_p(ready, HTC_MSG_READY);
    stw_le_p(ready + 2, HTC_CREDITS);
    stw_le_p(ready + 4, HTC_CREDIT_SIZE);
    ready[6] = 3;                       /* endpoints: control, HTT, WMI */
    ready[9] = HTC_BUNDLE_MAX;
    s->htc_seq = 0;
    qca6584_htc_send(s, HTC_EP_CONTROL, 0, 0, ready, sizeof(ready));
}

/* Give back the credits a message to @eid used: a trailer-only message */
static void qca6584_htc_return_credits(QCA6584State *s, uint8_t eid,
                                       uint32_t len)
{
    /* record header (id, length, 2 pad), then one credit report */
    uint8_t trailer[8] = {
        HTC_RECORD_CREDITS, 4, 0, 0,
        eid, DIV_ROUND_UP(HTC_HDR_LEN + len, HTC_CREDIT_SIZE), 0, 0,
    };

    qca6584_htc_send(s, HTC_EP_CONTROL, HTC_FLAG_TRAILER, sizeof(trailer),
                     trailer, sizeof(trailer));
}

static void qca6584_wmi_event(QCA6584State *s, uint32_t id,
                              const uint8_t *tlvs, uint32_t len)
{
    uint8_t ev[HTC_MAX_MSG];

    assert(len <= sizeof(ev) - 4);
    stl_le_p(ev, id);
    memcpy(ev + 4, tlvs, len);
    trace_qca6584_wmi_event(id, len);
    qca6584_htc_send(s, s->wmi_eid, 0, 0, ev, 4 + len);
}

/* Append a TLV header (len first, then tag) at @p; returns the value */
static uint8_t *qca6584_tlv(uint8_t **p, uint16_t tag, uint16_t len)
{
    uint8_t *value = *p + 4;

    stw_le_p(*p, len);
    stw_le_p(*p + 2, tag);
    memset(value, 0, len);
    *p = value + len;
    return value;
}

static void qca6584_put_abi(uint8_t *p)
{
    stl_le_p(p, WMI_ABI_VER0);
    stl_le_p(p + 4, WMI_ABI_VER1);
    stl_le_p(p + 8, WMI_ABI_NS0);
    stl_le_p(p + 12, WMI_ABI_NS1);
}

static void qca6584_wmi_service_ready(QCA6584State *s)
{
    uint8_t buf[256], *p = buf, *v;

    v = qca6584_tlv(&p, WMI_TAG_SERVICE_READY, 104);
    stl_le_p(v, 0x00000001);            /* fw_build_vers */
    qca6584_put_abi(v + 4);
    stl_le_p(v + 28, WMI_PHY_11A_11G);  /* phy_capability: 2.4 + 5 GHz */
    stl_le_p(v + 36, 2);                /* num_rf_chains */
    stl_le_p(v + 56, 30);               /* hw_max_tx_power, dBm */
    stl_le_p(v + 76, 64);               /* max_num_scan_chans */
    v = qca6584_tlv(&p, WMI_TAG_HAL_REG_CAPS, 36);
    stl_le_p(v, 0);                     /* eeprom_rd: default (US) */
    stl_le_p(v + 20, 2412);             /* low/high 2 GHz, 5 GHz channels */
    stl_le_p(v + 24, 2484);
    stl_le_p(v + 28, 4900);
    stl_le_p(v + 32, 5935);
    qca6584_tlv(&p, WMI_TAG_ARRAY_UINT32, 16);  /* services: none */
    qca6584_tlv(&p, WMI_TAG_ARRAY_STRUCT, 0);   /* memory requests: none */
    qca6584_wmi_event(s, WMI_EV_SERVICE_READY, buf, p - buf);
}

static void qca6584_wmi_ready(QCA6584State *s)
{
    uint8_t buf[64], *p = buf, *v;

    v = qca6584_tlv(&p, WMI_TAG_READY, 36);
    qca6584_put_abi(v);
    memcpy(v + 24, s->conf.macaddr.a, 6);
    qca6584_wmi_event(s, WMI_EV_READY, buf, p - buf);
}

/*
 * The TLV with @tag in a WMI command, at least @min_len long, or NULL.
 * Logs a command whose TLVs overrun it.
 */
static const uint8_t *qca6584_wmi_tlv(const uint8_t *tlvs, uint32_t len,
                                      uint16_t tag, uint16_t min_len,
                                      uint16_t *tlv_len)
{
    uint32_t off = 0;

    while (off + 4 <= len) {
        uint16_t tlen = lduw_le_p(tlvs + off);

        if (tlen > len - off - 4) {
            qemu_log_mask(LOG_GUEST_ERROR, "qca6584: WMI TLV (tag %u) of %u "
                          "bytes overruns its command\n",
                          lduw_le_p(tlvs + off + 2), tlen);
            return NULL;
        }
        if (lduw_le_p(tlvs + off + 2) == tag && tlen >= min_len) {
            if (tlv_len) {
                *tlv_len = tlen;
            }
            return tlvs + off + 4;
        }
        off += 4 + tlen;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "qca6584: WMI command without a TLV of "
                  "tag %u (at least %u bytes)\n", tag, min_len);
    return NULL;
}

/* -- scan ------------------------------------------------------------------ */

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
    uint8_t buf[32], *p = buf, *v;

    v = qca6584_tlv(&p, WMI_TAG_SCAN_EVENT, 24);
    stl_le_p(v, type);
    stl_le_p(v + 4, reason);
    stl_le_p(v + 8, freq);
    stl_le_p(v + 12, s->scan_req_id);
    stl_le_p(v + 16, s->scan_id);
    stl_le_p(v + 20, s->scan_vdev);
    qca6584_wmi_event(s, WMI_EV_SCAN, buf, p - buf);
}

/* An 802.11 management frame from the AP to the host, as WMI MGMT_RX */
static void qca6584_mgmt_rx(QCA6584State *s, const uint8_t *frame,
                            uint32_t len)
{
    uint8_t buf[40 + 8 + WIFI_MGMT_MAX + 8], *p = buf, *v;
    uint8_t chan = s->ap.channel;

    assert(len <= WIFI_MGMT_MAX);
    v = qca6584_tlv(&p, WMI_TAG_MGMT_RX_HDR, 40);
    stl_le_p(v, chan);
    stl_le_p(v + 4, s->ap_snr);
    stl_le_p(v + 8, chan <= 14 ? 1000 : 6000);     /* kbit/s */
    stl_le_p(v + 12, chan <= 14 ? WMI_PHY_MODE_11G : WMI_PHY_MODE_11A);
    stl_le_p(v + 16, len);
    v = qca6584_tlv(&p, WMI_TAG_ARRAY_BYTE, ROUND_UP(len, 4));
    memcpy(v, frame, len);
    qca6584_wmi_event(s, WMI_EV_MGMT_RX, buf, p - buf);
}

static void qca6584_scan_stop(QCA6584State *s, uint32_t reason)
{
    timer_del(s->scan_timer);
    s->scan_active = false;
    qca6584_scan_event(s, WMI_SCAN_COMPLETED, reason, 0);
}

/*
 * One scan step, WMI_SCAN_DWELL_MS apart as a radio dwells on each
 * channel: the next channel (with the AP's beacon on its channel), or
 * the end of the scan. Pacing matters: ath10k checks its scan state after
 * the STARTED event, and a scan that completes before that check fails.
 */
static void qca6584_scan_tick(void *opaque)
{
    QCA6584State *s = opaque;
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL);
    uint8_t beacon[WIFI_MGMT_MAX];
    uint32_t freq;

    if (!s->scan_active) {
        return;
    }
    if (!qca6584_t2h_room(s, 2 * QCA_BLOCK_SIZE)) {
        timer_mod(s->scan_timer, now + 1);  /* the host is behind: wait */
        return;
    }
    if (s->scan_next == s->scan_nfreqs) {
        qca6584_scan_stop(s, WMI_SCAN_REASON_DONE);
        return;
    }
    freq = s->scan_freqs[s->scan_next++];
    qca6584_scan_event(s, WMI_SCAN_FOREIGN_CHAN, 0, freq);
    if (qca6584_freq_to_chan(freq) == s->ap.channel) {
        qca6584_mgmt_rx(s, beacon, wifi_ap_beacon(&s->ap, NULL, beacon));
    }
    timer_mod(s->scan_timer, now + WMI_SCAN_DWELL_MS);
}

/* START_SCAN: STARTED now, then the channels the host asked for */
static void qca6584_wmi_start_scan(QCA6584State *s, const uint8_t *tlvs,
                                   uint32_t len)
{
    const uint8_t *cmd, *chans;
    uint16_t chans_len = 0;
    uint32_t i;

    cmd = qca6584_wmi_tlv(tlvs, len, WMI_TAG_START_SCAN_CMD, 12, NULL);
    chans = qca6584_wmi_tlv(tlvs, len, WMI_TAG_ARRAY_UINT32, 0, &chans_len);
    if (!cmd || !chans) {
        return;
    }
    if (s->scan_active) {
        qca6584_scan_stop(s, WMI_SCAN_REASON_CANCEL);
    }
    s->scan_id = ldl_le_p(cmd);
    s->scan_req_id = ldl_le_p(cmd + 4);
    s->scan_vdev = ldl_le_p(cmd + 8);
    s->scan_nfreqs = MIN(chans_len / 4, WMI_SCAN_MAX_CHANNELS);
    for (i = 0; i < s->scan_nfreqs; i++) {
        s->scan_freqs[i] = ldl_le_p(chans + 4 * i);
    }
    s->scan_next = 0;
    s->scan_active = true;
    trace_qca6584_scan(s->scan_id, s->scan_nfreqs);
    qca6584_scan_event(s, WMI_SCAN_STARTED, 0, 0);
    timer_mod(s->scan_timer,
              qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + WMI_SCAN_DWELL_MS);
}

/* -- vdevs and peers ------------------------------------------------------- */

static void qca6584_wmi_vdev_start(QCA6584State *s, const uint8_t *tlvs,
                                   uint32_t len, uint32_t resp_type)
{
    const uint8_t *cmd = qca6584_wmi_tlv(tlvs, len, WMI_TAG_VDEV_START_CMD,
                                         4, NULL);
    const uint8_t *chan = qca6584_wmi_tlv(tlvs, len, WMI_TAG_CHANNEL, 4,
                                          NULL);
    uint8_t buf[24], *p = buf, *v;

    if (!cmd || !chan) {
        return;
    }
    trace_qca6584_vdev_start(ldl_le_p(cmd), ldl_le_p(chan));
    v = qca6584_tlv(&p, WMI_TAG_VDEV_START_RESP, 16);
    stl_le_p(v, ldl_le_p(cmd));         /* vdev_id */
    stl_le_p(v + 8, resp_type);         /* request id 0, status 0: done */
    qca6584_wmi_event(s, WMI_EV_VDEV_START_RESP, buf, p - buf);
}

static void qca6584_wmi_vdev_stop(QCA6584State *s, const uint8_t *tlvs,
                                  uint32_t len)
{
    const uint8_t *cmd = qca6584_wmi_tlv(tlvs, len, WMI_TAG_VDEV_STOP_CMD, 4,
                                         NULL);
    uint8_t buf[8], *p = buf, *v;

    if (!cmd) {
        return;
    }
    v = qca6584_tlv(&p, WMI_TAG_VDEV_STOPPED, 4);
    stl_le_p(v, ldl_le_p(cmd));
    qca6584_wmi_event(s, WMI_EV_VDEV_STOPPED, buf, p - buf);
}

static QCAPeer *qca6584_peer_find(QCA6584State *s, const uint8_t *mac)
{
    int i;

    for (i = 0; i < QCA_MAX_PEERS; i++) {
        if (s->peers[i].used && !memcmp(s->peers[i].mac, mac, 6)) {
            return &s->peers[i];
        }
    }
    return NULL;
}

static uint16_t qca6584_peer_id(QCA6584State *s, QCAPeer *peer)
{
    return peer - s->peers + 1;
}

/* PEER_CREATE: the firmware tells the host the peer's id (HTT PEER_MAP) */
static void qca6584_wmi_peer_create(QCA6584State *s, const uint8_t *tlvs,
                                    uint32_t len)
{
    const uint8_t *cmd = qca6584_wmi_tlv(tlvs, len, WMI_TAG_PEER_CREATE_CMD,
                                         10, NULL);
    uint8_t map[12] = { HTT_T2H_PEER_MAP };
    QCAPeer *peer;
    int i;

    if (!cmd) {
        return;
    }
    peer = qca6584_peer_find(s, cmd + 4);
    for (i = 0; !peer && i < QCA_MAX_PEERS; i++) {
        if (!s->peers[i].used) {
            peer = &s->peers[i];
        }
    }
    if (!peer) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: more than %d peers\n",
                      QCA_MAX_PEERS);
        return;
    }
    peer->used = true;
    peer->vdev = ldl_le_p(cmd);
    memcpy(peer->mac, cmd + 4, 6);
    trace_qca6584_peer(true, qca6584_peer_id(s, peer));
    map[1] = peer->vdev;
    stw_le_p(map + 2, qca6584_peer_id(s, peer));
    memcpy(map + 4, peer->mac, 6);
    qca6584_htc_send(s, s->htt_eid, 0, 0, map, sizeof(map));
}

static void qca6584_wmi_peer_delete(QCA6584State *s, const uint8_t *tlvs,
                                    uint32_t len)
{
    const uint8_t *cmd = qca6584_wmi_tlv(tlvs, len, WMI_TAG_PEER_DELETE_CMD,
                                         10, NULL);
    uint8_t unmap[4] = { HTT_T2H_PEER_UNMAP };
    QCAPeer *peer = cmd ? qca6584_peer_find(s, cmd + 4) : NULL;

    if (!peer) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: PEER_DELETE of an unknown "
                      "peer\n");
        return;
    }
    trace_qca6584_peer(false, qca6584_peer_id(s, peer));
    stw_le_p(unmap + 2, qca6584_peer_id(s, peer));
    peer->used = false;
    qca6584_htc_send(s, s->htt_eid, 0, 0, unmap, sizeof(unmap));
}

/* -- HTC control, WMI ------------------------------------------------------ */

static void qca6584_htc_control(QCA6584State *s, const uint8_t *msg,
                                uint32_t len)
{
    uint16_t id = len >= 2 ? lduw_le_p(msg) : 0;
    uint8_t resp[8];

    switch (id) {
    case HTC_MSG_CONNECT: {
        uint16_t svc = len >= 4 ? lduw_le_p(msg + 2) : 0;
        uint8_t eid = svc == HTC_SVC_HTT_DATA ? HTC_EP_HTT :
                      svc == HTC_SVC_WMI_CONTROL ? HTC_EP_WMI : 0;

        stw_le_p(resp, HTC_MSG_CONNECT_RESP);
        stw_le_p(resp + 2, svc);
        resp[4] = eid ? 0 : 1;          /* status: 1 = not found */
        resp[5] = eid;
        stw_le_p(resp + 6, HTC_MAX_MSG);
        if (eid == HTC_EP_WMI) {
            s->wmi_eid = eid;
        } else if (eid == HTC_EP_HTT) {
            s->htt_eid = eid;
        }
        trace_qca6584_htc_connect(svc, eid);
        qca6584_htc_send(s, HTC_EP_CONTROL, 0, 0, resp, sizeof(resp));
        break;
    }
    case HTC_MSG_SETUP_COMPLETE:
        qca6584_wmi_service_ready(s);
        break;
    default:
        qemu_log_mask(LOG_UNIMP, "qca6584: HTC control message %u\n", id);
        break;
    }
}

static void qca6584_wmi_command(QCA6584State *s, const uint8_t *msg,
                                uint32_t len)
{
    uint32_t id = len >= 4 ? ldl_le_p(msg) & 0xffffff : 0;
    const uint8_t *tlvs = msg + 4;
    uint32_t tlvs_len = len >= 4 ? len - 4 : 0;
    uint8_t done[4];

    trace_qca6584_wmi_cmd(id, len);
    qca6584_htc_return_credits(s, s->wmi_eid, len);
    switch (id) {
    case WMI_CMD_INIT:
        qca6584_wmi_ready(s);
        break;
    case WMI_CMD_START_SCAN:
        qca6584_wmi_start_scan(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_STOP_SCAN:
        if (s->scan_active) {
            qca6584_scan_stop(s, WMI_SCAN_REASON_CANCEL);
        }
        break;
    case WMI_CMD_VDEV_START:
        qca6584_wmi_vdev_start(s, tlvs, tlvs_len, WMI_VDEV_RESP_START);
        break;
    case WMI_CMD_VDEV_RESTART:
        qca6584_wmi_vdev_start(s, tlvs, tlvs_len, WMI_VDEV_RESP_RESTART);
        break;
    case WMI_CMD_VDEV_STOP:
        qca6584_wmi_vdev_stop(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_PEER_CREATE:
        qca6584_wmi_peer_create(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_PEER_DELETE:
        qca6584_wmi_peer_delete(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_PDEV_SUSPEND:
        stw_le_p(done, HTC_MSG_SUSPEND_DONE);
        stw_le_p(done + 2, 0);
        qca6584_htc_send(s, HTC_EP_CONTROL, 0, 0, done, sizeof(done));
        break;
    default:
        break;                          /* the credits are all it needs */
    }
}

/* -- HTT: frames to and from the air --------------------------------------- */

/* TX_COMPL_IND: @n frames done with @status */
static void qca6584_tx_compl_send(QCA6584State *s, uint8_t status,
                                  const uint16_t *msdu_ids, uint32_t n)
{
    uint8_t msg[4 + 2 * HTT_TX_DONE_MAX];
    uint32_t i;

    assert(n <= HTT_TX_DONE_MAX);
    msg[0] = HTT_T2H_TX_COMPL_IND;
    msg[1] = status;
    msg[2] = n;
    msg[3] = 0;
    for (i = 0; i < n; i++) {
        stw_le_p(msg + 4 + 2 * i, msdu_ids[i]);
    }
    qca6584_htc_send(s, s->htt_eid, 0, 0, msg, 4 + 2 * n);
}

/* Tell the host about the frames sent so far, unless the backend holds them */
static void qca6584_tx_done_flush(QCA6584State *s)
{
    if (!s->tx_done_count || s->tx_held) {
        return;
    }
    qca6584_tx_compl_send(s, HTT_TX_STATUS_OK, s->tx_done, s->tx_done_count);
    s->tx_done_count = 0;
}

/*
 * A frame done. While the backend holds frames their completions wait:
 * ath10k then runs out of msdu ids and stops. A frame that never went to
 * the backend (management, malformed) is completed at once when the
 * batch is full, so the batch never grows past HTT_TX_DONE_MAX.
 */
static void qca6584_tx_done(QCA6584State *s, uint16_t msdu_id)
{
    if (s->tx_done_count == HTT_TX_DONE_MAX) {
        qca6584_tx_done_flush(s);
    }
    if (s->tx_done_count == HTT_TX_DONE_MAX) {
        qca6584_tx_compl_send(s, HTT_TX_STATUS_OK, &msdu_id, 1);
        return;
    }
    s->tx_done[s->tx_done_count++] = msdu_id;
}

/* The backend sent what it had queued: the host may send more */
static void qca6584_tx_sent(NetClientState *nc, ssize_t len)
{
    QCA6584State *s = qemu_get_nic_opaque(nc);

    s->tx_held = false;
    qca6584_tx_done_flush(s);
}

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

/*
 * A frame to the backend, or false when it was dropped. A backend that
 * does not take frames (a socket peer that stops reading) would have QEMU
 * queue every one of them, with no limit for a queue with a sent
 * callback: like the firmware's own finite queue, at most a batch of
 * frames waits for the backend, and what comes after is discarded.
 */
static bool qca6584_tx_to_network(QCA6584State *s, uint8_t *eth,
                                  size_t len)
{
    if (s->tx_held && s->tx_done_count == HTT_TX_DONE_MAX) {
        s->tx_discarded++;
        return false;
    }
    trace_qca6584_tx_data(len);
    if (!qemu_send_packet_async(qemu_get_queue(s->nic), eth, len,
                                qca6584_tx_sent)) {
        s->tx_held = true;
    }
    return true;
}

static void qca6584_tx_mgmt(QCA6584State *s, const uint8_t *frame,
                            uint32_t len, uint16_t msdu_id)
{
    uint8_t reply[WIFI_MGMT_MAX];
    size_t reply_len = wifi_ap_mgmt_from_sta(&s->ap, frame, len, reply);

    /* the frame's completion (its ACK) comes before the AP's answer */
    qca6584_tx_done(s, msdu_id);
    qca6584_tx_done_flush(s);
    if (reply_len) {
        qca6584_mgmt_rx(s, reply, reply_len);
    }
}

/* HTT TX_FRM: a frame to send; every one is completed */
static void qca6584_htt_tx_frm(QCA6584State *s, const uint8_t *msg,
                               uint32_t len)
{
    uint8_t frame[WIFI_FRAME_MAX];
    uint16_t flen, msdu_id, flags1;
    size_t eth_len;
    int off;

    if (len < HTT_TX_DESC_LEN) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTT TX_FRM of %u bytes, "
                      "shorter than its descriptor\n", len);
        return;
    }
    flags1 = lduw_le_p(msg + 2);
    flen = lduw_le_p(msg + 4);
    msdu_id = lduw_le_p(msg + 6);
    if (flen > len - HTT_TX_DESC_LEN || flen > sizeof(frame)) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTT TX_FRM frame of %u "
                      "bytes in a message of %u\n", flen, len);
        qca6584_tx_done(s, msdu_id);
        return;
    }
    memcpy(frame, msg + HTT_TX_DESC_LEN, flen);
    trace_qca6584_tx_frame(HTT_TX_PKT_TYPE(msg[1]), msdu_id, flen);
    switch (HTT_TX_PKT_TYPE(msg[1])) {
    case HTT_TX_PKT_MGMT:
        qca6584_tx_mgmt(s, frame, flen, msdu_id);
        return;
    case HTT_TX_PKT_RAW:
    case HTT_TX_PKT_NATIVE_WIFI:
        off = wifi_ap_data_to_eth(&s->ap, frame, flen, &eth_len);
        if (off < 0) {
            break;
        }
        if (flags1 & HTT_TX_CSUM_OFFLOAD) {
            qca6584_tx_checksum(frame + off, eth_len);
        }
        if (!qca6584_tx_to_network(s, frame + off, eth_len)) {
            qca6584_tx_compl_send(s, HTT_TX_STATUS_DISCARD, &msdu_id, 1);
            return;
        }
        break;
    case HTT_TX_PKT_ETHERNET:
        if (s->ap.state != WIFI_AP_ASSOCIATED || flen < WIFI_ETH_HDR_LEN) {
            break;
        }
        if (flags1 & HTT_TX_CSUM_OFFLOAD) {
            qca6584_tx_checksum(frame, flen);
        }
        if (!qca6584_tx_to_network(s, frame, flen)) {
            qca6584_tx_compl_send(s, HTT_TX_STATUS_DISCARD, &msdu_id, 1);
            return;
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTT TX_FRM of packet type "
                      "%u\n", HTT_TX_PKT_TYPE(msg[1]));
        break;
    }
    qca6584_tx_done(s, msdu_id);
}

static void qca6584_htt_message(QCA6584State *s, const uint8_t *msg,
                                uint32_t len)
{
    uint8_t conf[4] = {
        HTT_T2H_VERSION_CONF, HTT_VERSION_MINOR, HTT_VERSION_MAJOR, 0
    };

    trace_qca6584_htt(len ? msg[0] : 0xff, len);
    if (!len) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: empty HTT message\n");
        return;
    }
    switch (msg[0]) {
    case HTT_H2T_VERSION_REQ:
        qca6584_htc_send(s, s->htt_eid, 0, 0, conf, sizeof(conf));
        break;
    case HTT_H2T_TX_FRM:
        qca6584_htt_tx_frm(s, msg, len);
        break;
    default:
        break;          /* ring and aggregation setup: nothing to model */
    }
}

/* The peer id the host knows the AP by, 0 if it has none */
static uint16_t qca6584_ap_peer_id(QCA6584State *s)
{
    QCAPeer *peer = qca6584_peer_find(s, s->ap.bssid.a);

    return peer ? qca6584_peer_id(s, peer) : 0;
}

/* Whether a frame from the network can be delivered: else it waits */
static bool qca6584_can_receive(NetClientState *nc)
{
    QCA6584State *s = qemu_get_nic_opaque(nc);

    if (s->mode == QCA_MODE_HTC && !qca6584_t2h_room(s, HTC_MAX_MSG)) {
        s->rx_held = true;
        return false;
    }
    return true;
}

/*
 * A frame from the network: to the host as an 802.11 data frame from the
 * AP in an HTT RX_IND. Dropped, as a real AP would, while the station is
 * not associated.
 */
static ssize_t qca6584_receive(NetClientState *nc, const uint8_t *buf,
                               size_t size)
{
    QCA6584State *s = qemu_get_nic_opaque(nc);
    uint8_t msg[HTC_MAX_MSG];
    uint16_t peer_id = qca6584_ap_peer_id(s);
    size_t flen;

    if (s->mode != QCA_MODE_HTC || !peer_id ||
        size > HTC_MAX_MSG - HTT_RX_IND_HL_LEN - WIFI_HDR_LEN -
               WIFI_SNAP_LEN + WIFI_ETH_HDR_LEN) {
        return size;
    }
    if (!qca6584_t2h_room(s, HTC_MAX_MSG)) {
        s->rx_held = true;
        return 0;
    }
    flen = wifi_ap_eth_to_data(&s->ap, buf, size, msg + HTT_RX_IND_HL_LEN);
    if (!flen) {
        return size;
    }
    memset(msg, 0, HTT_RX_IND_HL_LEN);
    msg[0] = HTT_T2H_RX_IND;
    msg[1] = HTT_RX_NON_QOS_TID;                /* hdr.info0 */
    stw_le_p(msg + 2, peer_id);
    stl_le_p(msg + 4, 1 << 24);                 /* one MPDU range */
    msg[8] = s->ap_snr;                         /* ppdu.combined_rssi */
    stw_le_p(msg + 44, 4 + 4 + HTT_RX_DESC_HL_LEN); /* prefix */
    msg[50] = HTT_RX_DESC_HL_LEN;               /* fw_desc: len, flags */
    msg[51] = HTT_RX_FIRST_LAST_MSDU;
    msg[52] = 1;                                /* MPDU range: count, */
    msg[53] = HTT_RX_MPDU_STATUS_OK;            /* status */
    if (buf[0] & 1) {
        stl_le_p(msg + 56, HTT_RX_DESC_HL_MCAST);
    }
    trace_qca6584_rx_data(size);
    qca6584_htc_send(s, s->htt_eid, 0, 0, msg, HTT_RX_IND_HL_LEN + flen);
    return size;
}

/* The host read from its mailbox: frames held back may come now */
static void qca6584_t2h_drained(QCA6584State *s)
{
    if (s->rx_held && qca6584_t2h_room(s, HTC_MAX_MSG)) {
        s->rx_held = false;
        qemu_flush_queued_packets(qemu_get_queue(s->nic));
    }
}

/* One complete host-to-target HTC message */
static void qca6584_htc_message(QCA6584State *s, const uint8_t *msg,
                                uint32_t len)
{
    uint8_t eid = msg[0];
    const uint8_t *payload = msg + HTC_HDR_LEN;
    uint32_t plen = len - HTC_HDR_LEN;

    trace_qca6584_htc_h2t(eid, plen, plen >= 4 ? ldl_le_p(payload) : 0);
    if (eid == HTC_EP_CONTROL) {
        qca6584_htc_control(s, payload, plen);
    } else if (eid != HTC_EP_UNCONNECTED && eid == s->wmi_eid) {
        qca6584_wmi_command(s, payload, plen);
    } else if (eid != HTC_EP_UNCONNECTED && eid == s->htt_eid) {
        qca6584_htt_message(s, payload, plen);
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTC message to endpoint %u, "
                      "which is not connected\n", eid);
    }
}

/*
 * A byte more of host-to-target HTC: a message is handled as soon as it is
 * complete, so a bundle (messages each padded to the credit size, as
 * much as 56 KiB in one CMD53) never needs more than one message of
 * buffer. A message may span CMD53s (Linux splits a write into blocks
 * and a byte-mode rest), but it always ends at the mailbox window's end:
 * ath10k writes each message or bundle there. So after a bad header the
 * bytes up to the window's end are skipped, and the next write starts
 * clean (qca6584_h2t_window_end).
 */
static void qca6584_htc_byte(QCA6584State *s)
{
    uint32_t len, pad;

    if (s->h2t_len < HTC_HDR_LEN) {
        return;
    }
    len = HTC_HDR_LEN + lduw_le_p(s->h2t + 2);
    pad = s->h2t[1] & HTC_FLAG_SEND_BUNDLE ? lduw_le_p(s->h2t + 6) : 0;
    if (len + pad > H2T_BUF_SIZE) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTC message of %u bytes "
                      "(padding %u) dropped, up to the mailbox's end\n",
                      len, pad);
        s->h2t_len = 0;
        s->h2t_skip = true;
        return;
    }
    if (s->h2t_len == len + pad) {
        qca6584_htc_message(s, s->h2t, len);
        s->h2t_len = 0;
    }
}

/* -- SDIO function 1 ------------------------------------------------------- */

/* The padded length of the HTC message starting @at bytes into the FIFO */
static uint32_t qca6584_t2h_msg_size(QCA6584State *s, uint32_t at)
{
    uint32_t len = qca6584_t2h_peek(s, at + 2) |
                   qca6584_t2h_peek(s, at + 3) << 8;

    return qca6584_htc_padded(len);
}

/*
 * The host reads the lookahead, the next message's header, to size its
 * read. Tell it, in the header's bundle count, how many messages after
 * this one it can take in the same read: ath10k reads each of them as
 * long as the first (its padded size), so those that follow on the same
 * endpoint and are no longer join, as many as its bundle buffer holds.
 * The read serves each one padded to that size (qca6584_mbox_read): a
 * short HTT TX completion among received frames does not end a bundle.
 */
static void qca6584_rx_lookahead(QCA6584State *s)
{
    uint32_t slot, size, at, n;
    uint8_t eid, flags;

    if (s->mode != QCA_MODE_HTC || s->t2h_len < HTC_HDR_LEN ||
        s->bundle_off) {
        return;                 /* not at a message's start: leave it */
    }
    eid = qca6584_t2h_peek(s, 0);
    slot = qca6584_t2h_msg_size(s, 0);
    s->bundle_size[0] = slot;
    for (n = 1, at = slot; n < HTC_BUNDLE_MAX &&
         (n + 1) * slot <= HTC_BUNDLE_BYTES && at + HTC_HDR_LEN <= s->t2h_len;
         n++, at += size) {
        size = qca6584_t2h_msg_size(s, at);
        if (qca6584_t2h_peek(s, at) != eid || size > slot ||
            at + size > s->t2h_len) {
            break;
        }
        s->bundle_size[n] = size;
    }
    s->bundle_members = n;
    s->bundle_index = 0;
    s->bundle_slot = slot;
    n--;                        /* the count is of the others */
    /* count bits 3:0 in flags bits 7:4, bits 5:4 in flags bits 3:2 */
    flags = qca6584_t2h_peek(s, 1) & (HTC_FLAG_TRAILER | HTC_FLAG_1MORE_BLOCK);
    flags |= (n & 0xf) << 4 | (n >> 4) << 2;
    s->t2h[(s->t2h_head + 1) % T2H_FIFO_SIZE] = flags;
}

/* A byte of mailbox 0 for the host: the bundle being read, or the FIFO */
static uint8_t qca6584_mbox_read(QCA6584State *s)
{
    uint8_t value;

    if (s->bundle_index == s->bundle_members) {
        return qca6584_t2h_pop(s);
    }
    value = s->bundle_off < s->bundle_size[s->bundle_index] ?
            qca6584_t2h_pop(s) : 0;
    if (++s->bundle_off == s->bundle_slot) {
        s->bundle_off = 0;
        s->bundle_index++;
    }
    return value;
}

static bool qca6584_is_mbox(uint32_t addr)
{
    return (addr >= MBOX0_BASE && addr < MBOX0_END) ||
           (addr >= MBOX0_EXT0_BASE && addr < MBOX0_EXT0_END) ||
           (addr >= MBOX0_EXT1_BASE && addr < MBOX0_EXT1_END);
}

/* A host-to-target write reached the last byte of a mailbox window */
static void qca6584_h2t_window_end(QCA6584State *s, uint32_t addr)
{
    if (addr != MBOX0_END - 1 && addr != MBOX0_EXT0_END - 1 &&
        addr != MBOX0_EXT1_END - 1) {
        return;
    }
    if (s->h2t_len && s->mode == QCA_MODE_HTC) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTC message cut short at "
                      "the mailbox's end, %u bytes dropped\n", s->h2t_len);
        s->h2t_len = 0;
    }
    s->h2t_skip = false;
}

/* Called per byte: container_of(), as sdio-card.c does, not a QOM cast */
static uint8_t qca6584_read(SDIOCard *card, unsigned fn, uint32_t addr)
{
    QCA6584State *s = container_of(card, QCA6584State, parent_obj);

    if (qca6584_is_mbox(addr)) {
        return qca6584_mbox_read(s);
    }
    switch (addr) {
    case REG_HOST_INT_STATUS:
        return qca6584_host_int_status(s);
    case REG_RX_LOOKAHEAD_VALID:
        return s->t2h_len ? 1 : 0;
    case REG_RX_LOOKAHEAD0:
        qca6584_rx_lookahead(s);
        return qca6584_t2h_peek(s, 0);
    case REG_RX_LOOKAHEAD0 + 1 ... REG_RX_LOOKAHEAD0 + 3:
        return qca6584_t2h_peek(s, addr - REG_RX_LOOKAHEAD0);
    case REG_INT_STATUS_EN ... REG_CNTR_INT_STATUS_EN:
        return s->irq_en[addr - REG_INT_STATUS_EN];
    case REG_BMI_CREDIT:
        return s->mode == QCA_MODE_BMI ? 1 : 0;
    case REG_CHIP_CONTROL ... REG_CHIP_CONTROL + 3:
        return extract32(s->chip_control, 8 * (addr - REG_CHIP_CONTROL), 8);
    case REG_WINDOW_DATA ... REG_WINDOW_DATA + 3:
        return extract32(s->window_data, 8 * (addr - REG_WINDOW_DATA), 8);
    case REG_WINDOW_WRITE_ADDR ... REG_WINDOW_READ_ADDR + 3:
        return s->window_addr[addr - REG_WINDOW_WRITE_ADDR];
    default:
        if ((addr >= REG_HOST_INT_STATUS && addr < REG_IRQ_PROC_END) ||
            (addr >= REG_COUNT_DEC && addr < REG_COUNT_DEC_END)) {
            return 0;   /* other status and counter bytes: nothing pending */
        }
        qemu_log_mask(LOG_GUEST_ERROR | LOG_UNIMP, "qca6584: read of "
                      "function 1 address 0x%05x, not a register the model "
                      "has\n", addr);
        return 0;
    }
}

static void qca6584_write(SDIOCard *card, unsigned fn, uint32_t addr,
                          uint8_t value)
{
    QCA6584State *s = container_of(card, QCA6584State, parent_obj);

    if (qca6584_is_mbox(addr)) {
        if (s->h2t_len == H2T_BUF_SIZE) {
            qemu_log_mask(LOG_GUEST_ERROR, "qca6584: host-to-target message "
                          "longer than %u bytes, dropped\n", H2T_BUF_SIZE);
            s->h2t_len = 0;
        }
        if (!s->h2t_skip) {
            s->h2t[s->h2t_len++] = value;
            if (s->mode == QCA_MODE_HTC) {
                qca6584_htc_byte(s);
            }
        }
        qca6584_h2t_window_end(s, addr);
        return;
    }
    switch (addr) {
    case REG_INT_STATUS_EN ... REG_CNTR_INT_STATUS_EN:
        s->irq_en[addr - REG_INT_STATUS_EN] = value;
        qca6584_update_irq(s);
        break;
    case REG_CHIP_CONTROL ... REG_CHIP_CONTROL + 3:
        s->chip_control = deposit32(s->chip_control,
                                    8 * (addr - REG_CHIP_CONTROL), 8, value);
        s->rtc_on = true;               /* any access wakes the target */
        break;
    case REG_WINDOW_DATA ... REG_WINDOW_DATA + 3:
        s->window_data = deposit32(s->window_data,
                                   8 * (addr - REG_WINDOW_DATA), 8, value);
        break;
    case REG_WINDOW_WRITE_ADDR ... REG_WINDOW_READ_ADDR + 3:
        s->window_addr[addr - REG_WINDOW_WRITE_ADDR] = value;
        /* the most significant byte, written last, starts the access */
        if (addr == REG_WINDOW_WRITE_ADDR + 3) {
            qca6584_mem_write32(s, ldl_le_p(s->window_addr), s->window_data);
        } else if (addr == REG_WINDOW_READ_ADDR + 3) {
            s->window_data = qca6584_mem_read32(s, ldl_le_p(s->window_addr +
                                                             4));
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: write 0x%02x to read-only "
                      "or unmodelled register 0x%05x\n", value, addr);
        break;
    }
}

static void qca6584_transfer_done(SDIOCard *card, unsigned fn, uint32_t addr,
                                  uint32_t len, bool write)
{
    QCA6584State *s = QCA6584(card);

    if (!qca6584_is_mbox(addr)) {
        return;
    }
    if (!write) {
        qca6584_t2h_drained(s);
    } else if (s->mode == QCA_MODE_BMI) {
        qca6584_bmi_receive(s);
    } else {
        /* one completion for all the frames this transfer carried */
        qca6584_tx_done_flush(s);
    }
}

static uint8_t qca6584_vendor_read(SDIOCard *card, uint32_t addr)
{
    QCA6584State *s = QCA6584(card);

    if (addr == FN0_RTC_STATE) {
        return s->rtc_on ? 1 : 0;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "qca6584: function 0 read of 0x%05x\n",
                  addr);
    return 0;
}

static void qca6584_vendor_write(SDIOCard *card, uint32_t addr, uint8_t value)
{
    qemu_log_mask(LOG_GUEST_ERROR, "qca6584: function 0 write 0x%02x to "
                  "0x%05x\n", value, addr);
}

/* Power-up or SDIO reset: the chip is back in its boot loader */
static void qca6584_io_reset(SDIOCard *card)
{
    QCA6584State *s = QCA6584(card);

    trace_qca6584_reset();
    s->mode = QCA_MODE_BMI;
    s->h2t_len = 0;
    s->h2t_skip = false;
    s->t2h_head = 0;
    s->t2h_len = 0;
    s->bundle_members = 0;
    s->bundle_index = 0;
    s->bundle_off = 0;
    memset(s->irq_en, 0, sizeof(s->irq_en));
    s->chip_control = 0;
    s->window_data = 0;
    memset(s->window_addr, 0, sizeof(s->window_addr));
    s->rtc_on = false;
    memset(s->board, 0, sizeof(s->board));
    s->mem_used = 0;
    s->htc_seq = 0;
    s->wmi_eid = HTC_EP_UNCONNECTED;
    s->htt_eid = HTC_EP_UNCONNECTED;
    /* the firmware forgot its scan, vdevs, peers and station */
    timer_del(s->scan_timer);
    s->scan_active = false;
    memset(s->peers, 0, sizeof(s->peers));
    s->tx_done_count = 0;
    s->tx_held = false;
    wifi_ap_reset(&s->ap);
    qca6584_t2h_drained(s);     /* frames held for room are dropped now */
}

/* -- QOM ------------------------------------------------------------------- */

static NetClientInfo qca6584_net_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = qca6584_can_receive,
    .receive = qca6584_receive,
};

static void qca6584_instance_init(Object *obj)
{
    SDIOCard *card = SDIO_CARD(obj);
    QCA6584State *s = QCA6584(obj);

    card->num_funcs = 1;
    card->func_size = QCA_FUNC_SIZE;
    card->cis = qca6584_cis;
    card->cis_len = sizeof(qca6584_cis);
    card->func_cis[0] = SDIO_CIS_BASE;
    card->func_cis[1] = QCA_FUNC1_CIS;
    s->ap.ssid = g_strdup("lab-ap");
    s->scan_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL, qca6584_scan_tick, s);
    object_property_add_uint64_ptr(obj, "tx-discarded", &s->tx_discarded,
                                   OBJ_PROP_FLAG_READ);
}

static void qca6584_instance_finalize(Object *obj)
{
    timer_free(QCA6584(obj)->scan_timer);
}

static DeviceRealize qca6584_parent_realize;

static void qca6584_realize(DeviceState *dev, Error **errp)
{
    QCA6584State *s = QCA6584(dev);
    static const MACAddr default_bssid = {
        .a = { 0x02, 0x03, 0x7f, 0x00, 0x00, 0x01 }
    };
    static const MACAddr zero;

    if (!memcmp(&s->ap.bssid, &zero, sizeof(zero))) {
        s->ap.bssid = default_bssid;
    }
    if (s->ap.bssid.a[0] & 1) {
        error_setg(errp, "qca6584: ap-bssid must be a unicast address");
        return;
    }
    if (!s->ap.ssid || !*s->ap.ssid || strlen(s->ap.ssid) > 32) {
        error_setg(errp, "qca6584: ap-ssid must have 1 to 32 characters");
        return;
    }
    if (!wifi_ap_valid_channel(s->ap.channel)) {
        error_setg(errp, "qca6584: ap-channel %u is not a Wi-Fi channel",
                   s->ap.channel);
        return;
    }
    if (s->ap_snr > 90) {
        error_setg(errp, "qca6584: ap-snr %u dB is more than 90",
                   s->ap_snr);
        return;
    }
    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    s->nic = qemu_new_nic(&qca6584_net_info, &s->conf,
                          object_get_typename(OBJECT(dev)), dev->id,
                          &dev->mem_reentrancy_guard, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);
    qca6584_parent_realize(dev, errp);
}

static const VMStateDescription vmstate_qca6584_peer = {
    .name = "qca6584-peer",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_BOOL(used, QCAPeer),
        VMSTATE_UINT8(vdev, QCAPeer),
        VMSTATE_UINT8_ARRAY(mac, QCAPeer, 6),
        VMSTATE_END_OF_LIST()
    },
};

/* Indices and lengths from the stream are checked before use */
static int qca6584_post_load(void *opaque, int version_id)
{
    QCA6584State *s = opaque;

    if (s->h2t_len > H2T_BUF_SIZE || s->t2h_len > T2H_FIFO_SIZE ||
        s->t2h_head >= T2H_FIFO_SIZE || s->mem_used > QCA_MEM_WORDS ||
        s->scan_nfreqs > WMI_SCAN_MAX_CHANNELS ||
        s->scan_next > s->scan_nfreqs || s->tx_done_count > HTT_TX_DONE_MAX ||
        s->bundle_members > HTC_BUNDLE_MAX ||
        s->bundle_index > s->bundle_members ||
        (s->bundle_index < s->bundle_members &&
         s->bundle_off >= s->bundle_slot) ||
        s->ap.state > WIFI_AP_ASSOCIATED) {
        return -EINVAL;
    }
    return 0;
}

static const VMStateDescription vmstate_qca6584 = {
    .name = TYPE_QCA6584,
    .version_id = 2,
    .minimum_version_id = 2,
    .post_load = qca6584_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, QCA6584State, 1, vmstate_sdio_card,
                       SDIOCard),
        VMSTATE_UINT32(mode, QCA6584State),
        VMSTATE_UINT8_ARRAY(h2t, QCA6584State, H2T_BUF_SIZE),
        VMSTATE_UINT32(h2t_len, QCA6584State),
        VMSTATE_BOOL(h2t_skip, QCA6584State),
        VMSTATE_UINT8_ARRAY(t2h, QCA6584State, T2H_FIFO_SIZE),
        VMSTATE_UINT32(t2h_head, QCA6584State),
        VMSTATE_UINT32(t2h_len, QCA6584State),
        VMSTATE_UINT32_ARRAY(bundle_size, QCA6584State, HTC_BUNDLE_MAX),
        VMSTATE_UINT32(bundle_members, QCA6584State),
        VMSTATE_UINT32(bundle_index, QCA6584State),
        VMSTATE_UINT32(bundle_slot, QCA6584State),
        VMSTATE_UINT32(bundle_off, QCA6584State),
        VMSTATE_UINT8_ARRAY(irq_en, QCA6584State, 4),
        VMSTATE_UINT32(chip_control, QCA6584State),
        VMSTATE_UINT32(window_data, QCA6584State),
        VMSTATE_UINT8_ARRAY(window_addr, QCA6584State, 8),
        VMSTATE_BOOL(rtc_on, QCA6584State),
        VMSTATE_UINT8_ARRAY(board, QCA6584State, QCA_BOARD_SIZE),
        VMSTATE_UINT32_ARRAY(mem_addr, QCA6584State, QCA_MEM_WORDS),
        VMSTATE_UINT32_ARRAY(mem_val, QCA6584State, QCA_MEM_WORDS),
        VMSTATE_UINT32(mem_used, QCA6584State),
        VMSTATE_UINT8(htc_seq, QCA6584State),
        VMSTATE_UINT8(wmi_eid, QCA6584State),
        VMSTATE_UINT8(htt_eid, QCA6584State),
        VMSTATE_TIMER_PTR(scan_timer, QCA6584State),
        VMSTATE_BOOL(scan_active, QCA6584State),
        VMSTATE_UINT32(scan_id, QCA6584State),
        VMSTATE_UINT32(scan_req_id, QCA6584State),
        VMSTATE_UINT32(scan_vdev, QCA6584State),
        VMSTATE_UINT32_ARRAY(scan_freqs, QCA6584State, WMI_SCAN_MAX_CHANNELS),
        VMSTATE_UINT32(scan_nfreqs, QCA6584State),
        VMSTATE_UINT32(scan_next, QCA6584State),
        VMSTATE_STRUCT_ARRAY(peers, QCA6584State, QCA_MAX_PEERS, 1,
                             vmstate_qca6584_peer, QCAPeer),
        VMSTATE_UINT16_ARRAY(tx_done, QCA6584State, HTT_TX_DONE_MAX),
        VMSTATE_UINT32(tx_done_count, QCA6584State),
        VMSTATE_BOOL(tx_held, QCA6584State),
        VMSTATE_BOOL(rx_held, QCA6584State),
        VMSTATE_STRUCT(ap, QCA6584State, 1, vmstate_wifi_ap, WifiAP),
        VMSTATE_END_OF_LIST()
    },
};

static Property qca6584_properties[] = {
    DEFINE_NIC_PROPERTIES(QCA6584State, conf),
    DEFINE_PROP_STRING("ap-ssid", QCA6584State, ap.ssid),
    DEFINE_PROP_UINT8("ap-channel", QCA6584State, ap.channel, 6),
    DEFINE_PROP_MACADDR("ap-bssid", QCA6584State, ap.bssid),
    DEFINE_PROP_UINT32("ap-snr", QCA6584State, ap_snr, 45),
    DEFINE_PROP_END_OF_LIST(),
};

static void qca6584_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    SDIOCardClass *sc = SDIO_CARD_CLASS(klass);

    dc->desc = "Qualcomm QCA6584 Wi-Fi (ath10k SDIO)";
    device_class_set_parent_realize(dc, qca6584_realize,
                                    &qca6584_parent_realize);
    dc->vmsd = &vmstate_qca6584;
    device_class_set_props(dc, qca6584_properties);
    sc->read = qca6584_read;
    sc->write = qca6584_write;
    sc->transfer_done = qca6584_transfer_done;
    sc->vendor_read = qca6584_vendor_read;
    sc->vendor_write = qca6584_vendor_write;
    sc->io_reset = qca6584_io_reset;
}

static const TypeInfo qca6584_info = {
    .name = TYPE_QCA6584,
    .parent = TYPE_SDIO_CARD,
    .instance_size = sizeof(QCA6584State),
    .instance_init = qca6584_instance_init,
    .instance_finalize = qca6584_instance_finalize,
    .class_init = qca6584_class_init,
};

static void qca6584_register_types(void)
{
    type_register_static(&qca6584_info);
}

type_init(qca6584_register_types)
