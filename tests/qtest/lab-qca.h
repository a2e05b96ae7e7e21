/*
 * The host side of the QCA6584 firmware protocol, as ath10k_sdio speaks
 * it (lab-qca.c): function 1's registers and mailbox, BMI commands, HTC
 * messages and the service connections, WMI-TLV commands, HTT TX_FRM.
 * One message builder a layer, the layer's constants with it, the way
 * ath10k's bmi.c, htc.c, wmi-tlv.c and htt_tx.c split them. The card
 * underneath is driven through lab-usdhc.h; how CMD53 moves the mailbox
 * data is the QcaHost's, chosen by the test that makes it.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef LAB_QCA_H
#define LAB_QCA_H

#include "libqtest.h"
#include "lab-usdhc.h"

/* The chip in the board's QOM tree */
#define QCA_QOM_PATH        "/machine/wifi"

/* Function 1: registers, the diagnostic window, mailbox 0 */
#define QCA_HOST_INT_STATUS 0x800
#define QCA_LOOKAHEAD_VALID 0x805
#define QCA_LOOKAHEAD       0x808
#define QCA_INT_STATUS_EN   0x828       /* 0x828-0x82b: four enables */
#define QCA_CHIP_CONTROL    0x868
#define QCA_WINDOW_DATA     0x874
#define QCA_WINDOW_WR_ADDR  0x878
#define QCA_WINDOW_RD_ADDR  0x87c
#define QCA_MBOX0           0x1000
#define QCA_MBOX0_EXT_END   0x13000
#define QCA_FUNC_SIZE       0x20000
#define QCA_BLOCK_SIZE      256

/* BMI, the boot loader's protocol */
#define BMI_DONE            1
#define BMI_READ_MEMORY     2
#define BMI_WRITE_MEMORY    3
#define BMI_GET_TARGET_INFO 8
#define BMI_MAX_READ        256
#define QCA_BOARD_ADDR      0x00434000  /* board data: real storage */

/* HTC */
#define HTC_HDR_LEN         8
#define HTC_EP_CONTROL      0
#define HTC_EP_HTT          1
#define HTC_EP_WMI          2
#define HTC_FLAG_BUNDLE     0x02        /* host to target: padding follows */
#define HTC_MSG_MAX         1792        /* the model's largest message */

/* WMI-TLV commands, events and the tags of their TLVs */
#define WMI_START_SCAN      0x3001
#define WMI_VDEV_STOPPED    0x5002
#define WMI_VDEV_STOP       0x5006
#define WMI_PEER_CREATE     0x6001
#define WMI_PEER_DELETE     0x6002
#define WMI_TAG_VDEV_STOP   93
#define WMI_TAG_PEER_CREATE 97
#define WMI_TAG_PEER_DELETE 98

/* HTT messages, host to target (H2T) and target to host (T2H) */
#define HTT_H2T_TX_FRM      1
#define HTT_T2H_RX_IND      1
#define HTT_T2H_PEER_MAP    3
#define HTT_T2H_TX_COMPL    7
#define HTT_TX_DESC_LEN     16
#define HTT_TX_PKT_RAW      0
#define HTT_TX_PKT_NWIFI    1
#define HTT_TX_PKT_ETH      2
#define HTT_TX_PKT_MGMT     3
#define HTT_TX_CSUM         (3 << 13)   /* flags1: L3 and L4 checksums */
#define HTT_RX_IND_HL_LEN   76

/*
 * A host driver of the card: its board, and how its CMD53s move their
 * data (cmd53_pio or cmd53_adma), the choice of the test that makes it
 */
typedef struct QcaHost {
    QTestState *qts;
    SdioCmd53 *cmd53;
} QcaHost;

/* A BMI command's header (id, up to two arguments) into @buf; its length */
unsigned bmi_cmd(uint8_t *buf, uint32_t id, uint32_t a1, uint32_t a2,
                 unsigned words);

/*
 * Bytes to mailbox 0, as ath10k writes HTC messages: ending at the end of
 * the mailbox's first extended window
 */
void htc_write(QcaHost *h, uint8_t *buf, unsigned len);
/* Any HTC message up to the model's largest, as ath10k writes it */
void htc_write_any(QcaHost *h, uint8_t *buf, unsigned len);
/* One HTC message, header and payload, written to mailbox 0 */
void htc_send(QcaHost *h, uint8_t eid, const void *payload, unsigned len);
/* A WMI command: its id, then one TLV (@tag, @len bytes of @value) */
void wmi_send(QcaHost *h, uint32_t id, uint16_t tag, const void *value,
              uint16_t len);
/* HTT TX_FRM: @frame of @type, as the host hands it to the firmware */
void htt_tx(QcaHost *h, unsigned type, uint16_t flags1, uint16_t msdu_id,
            const uint8_t *frame, unsigned flen);

/*
 * Read the target's messages, as ath10k does (lookahead, then the padded
 * message), until none is left. Returns how many; the last one's first
 * block in @last.
 */
unsigned htc_drain(QcaHost *h, uint8_t *last);
/*
 * One message the target queued, read as ath10k does, into @msg (@size
 * bytes, a multiple of the block): its HTC payload's length, or -1 if
 * there is none
 */
int htc_read(QcaHost *h, uint8_t *msg, unsigned size);
/*
 * Read whatever the target queued, as a driver would, however odd it
 * looks (BMI answers have no HTC header): at most 8 blocks a message
 */
void qca_drain_any(QcaHost *h);

/* HTC CONNECT for @svc: the target answers with endpoint @eid */
void htc_connect(QcaHost *h, uint16_t svc, uint8_t eid);
/* The card out of its boot loader, HTT and WMI connected as ath10k does */
void htc_boot(QcaHost *h);
/* A board, the card enumerated and booted as htc_boot(), data by PIO */
QTestState *htc_start(QcaHost *h);

/* A property of the chip (@path "") or of its child @path, as a QDict */
QDict *wifi_qom_get(QTestState *qts, const char *path, const char *name);
/* An integer property of the chip */
int64_t wifi_qom_get_int(QTestState *qts, const char *name);
/* Set an integer property of the chip, which must take it */
void wifi_qom_set_uint(QTestState *qts, const char *name, uint64_t value);

/* The card still works: CMD52 and CMD53 (by PIO) */
void assert_card_ok(QTestState *qts);
/* PEER_CREATE for @mac: the HTT PEER_MAP names it with peer id @id */
void assert_peer_create(QcaHost *h, const uint8_t *mac, uint16_t id);
/* The firmware still answers: VDEV_STOP gets VDEV_STOPPED */
void assert_firmware_ok(QcaHost *h);

#endif /* LAB_QCA_H */
