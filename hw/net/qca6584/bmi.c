/*
 * Qualcomm QCA6584 model: the boot loader (BMI) and target memory
 *
 * Before its firmware runs, the chip answers BMI requests on mailbox 0
 * (ath10k bmi.c): target info, memory and SoC register reads and writes,
 * the OTP program, the firmware download, BMI_DONE. No firmware runs
 * here: what is downloaded is accepted and dropped. Target memory keeps
 * the board data and the words the host writes (host interest area,
 * SoC registers), which the host reads back through BMI or the
 * diagnostic window.
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
#define HI_ACS_FLAGS            0x004008c0
#define HI_ACS_REDUCE_TX_COMPL  (1 << 1)    /* the host asks ... */
#define HI_ACS_REDUCE_TX_ACK    (1 << 17)   /* ... the firmware agrees */
#define QCA_BOARD_ADDR          0x00434000

/* The answer to BMI_GET_TARGET_INFO (ath10k bmi.h bmi_target_info) */
typedef struct QEMU_PACKED BmiTargetInfo {
    uint32_t len;                       /* of this answer */
    uint32_t version;
    uint32_t type;
} BmiTargetInfo;
QEMU_BUILD_BUG_ON(sizeof(BmiTargetInfo) != 12);

/* -- target memory --------------------------------------------------------- */

static uint32_t *qca6584_target_word(QCA6584State *s, uint32_t addr,
                                     bool create)
{
    QCABmi *b = &s->bmi;
    uint32_t i;

    for (i = 0; i < b->mem_used; i++) {
        if (b->mem_addr[i] == addr) {
            return &b->mem_val[i];
        }
    }
    if (!create) {
        return NULL;
    }
    if (b->mem_used == QCA_MEM_WORDS) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: target memory model full, "
                      "write to 0x%08x dropped\n", addr);
        return NULL;
    }
    b->mem_addr[b->mem_used] = addr;
    b->mem_val[b->mem_used] = 0;
    return &b->mem_val[b->mem_used++];
}

static bool qca6584_is_board(uint32_t addr)
{
    return addr >= QCA_BOARD_ADDR &&
           addr - QCA_BOARD_ADDR <= QCA_BOARD_SIZE - 4;
}

uint32_t qca6584_target_read32(QCA6584State *s, uint32_t addr)
{
    uint32_t *word, val;

    if (qca6584_crash_read32(s, addr, &val)) {
        return val;
    }
    if (qca6584_is_board(addr)) {
        return ldl_le_p(s->bmi.board + addr - QCA_BOARD_ADDR);
    }
    if (addr == HI_BOARD_DATA) {
        return QCA_BOARD_ADDR;      /* where the board data goes */
    }
    word = qca6584_target_word(s, addr, false);
    val = word ? *word : 0;
    /*
     * The running firmware acknowledges the reduced TX completions it
     * took on at BMI_DONE (not the mailbox swap, which it does not do)
     */
    if (addr == HI_ACS_FLAGS && s->htt.credit_flow) {
        val |= HI_ACS_REDUCE_TX_ACK;
    }
    return val;
}

void qca6584_target_write32(QCA6584State *s, uint32_t addr, uint32_t val)
{
    uint32_t *word;

    if (qca6584_is_board(addr)) {
        stl_le_p(s->bmi.board + addr - QCA_BOARD_ADDR, val);
        return;
    }
    word = qca6584_target_word(s, addr, true);
    if (word) {
        *word = val;
    }
}

/* -- BMI ------------------------------------------------------------------- */

/*
 * For a BMI command with data in @cmd (@avail bytes so far): @hdr header
 * bytes, the data's length at @len_at. Returns as qca6584_bmi_cmd_len().
 */
static int qca6584_bmi_data_cmd_len(const uint8_t *cmd, uint32_t avail,
                                    uint32_t hdr, uint32_t len_at)
{
    uint32_t len;

    if (avail < hdr) {
        return 0;
    }
    len = ldl_le_p(cmd + len_at);
    if (len > BMI_MAX_DATA) {
        return -1;
    }
    return avail >= hdr + len ? hdr + len : 0;
}

/*
 * Length of the BMI command at @cmd (@avail bytes so far), 0 if it is not
 * complete yet, -1 if it is malformed
 */
static int qca6584_bmi_cmd_len(const uint8_t *cmd, uint32_t avail)
{
    uint32_t need;

    if (avail < 4) {
        return 0;
    }
    switch (ldl_le_p(cmd)) {
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
        return qca6584_bmi_data_cmd_len(cmd, avail, 12, 8);
    case BMI_LZ_DATA:              /* id, length, data */
        return qca6584_bmi_data_cmd_len(cmd, avail, 8, 4);
    default:
        return -1;
    }
    return avail >= need ? need : 0;
}

/* A BMI response: exactly the bytes the host will read */
static void qca6584_bmi_respond(QCA6584State *s, const void *data,
                                uint32_t len)
{
    qca6584_mbox_push(s, data, len, len);
}

/* The complete command @cmd of @len bytes */
static void qca6584_bmi_command(QCA6584State *s, const uint8_t *cmd,
                                uint32_t len)
{
    uint32_t id = ldl_le_p(cmd);
    uint32_t a1 = len >= 8 ? ldl_le_p(cmd + 4) : 0;
    uint32_t a2 = len >= 12 ? ldl_le_p(cmd + 8) : 0;
    BmiTargetInfo info;
    uint8_t buf[BMI_MAX_READ];
    uint32_t i, n;

    trace_qca6584_bmi(id, a1, a2);
    switch (id) {
    case BMI_DONE:
        s->mode = QCA_MODE_HTC;
        s->htt.credit_flow = qca6584_target_read32(s, HI_ACS_FLAGS) &
                             HI_ACS_REDUCE_TX_COMPL;
        qca6584_htc_start(s);
        break;
    case BMI_GET_TARGET_INFO:
        info.len = cpu_to_le32(sizeof(info));
        info.version = cpu_to_le32(BMI_TARGET_VERSION);
        info.type = cpu_to_le32(BMI_TARGET_TYPE);
        qca6584_bmi_respond(s, &info, sizeof(info));
        break;
    case BMI_READ_MEMORY:
        if (a2 > BMI_MAX_READ) {
            qemu_log_mask(LOG_GUEST_ERROR, "qca6584: BMI read of %u bytes "
                          "(at most %u)\n", a2, BMI_MAX_READ);
            a2 = BMI_MAX_READ;
        }
        for (i = 0; i < a2; i += 4) {
            uint32_t w = qca6584_target_read32(s, a1 + i);

            for (n = 0; n < 4 && i + n < a2; n++) {
                buf[i + n] = w >> (8 * n);
            }
        }
        qca6584_bmi_respond(s, buf, a2);
        break;
    case BMI_WRITE_MEMORY:
        for (i = 0; i + 4 <= a2; i += 4) {
            qca6584_target_write32(s, a1 + i, ldl_le_p(cmd + 12 + i));
        }
        break;
    case BMI_EXECUTE:
        /* the OTP program: "no board id", success */
        stl_le_p(buf, 0);
        qca6584_bmi_respond(s, buf, 4);
        break;
    case BMI_READ_SOC_REGISTER:
        stl_le_p(buf, qca6584_target_read32(s, a1));
        qca6584_bmi_respond(s, buf, 4);
        break;
    case BMI_WRITE_SOC_REGISTER:
        qca6584_target_write32(s, a1, a2);
        break;
    case BMI_SET_APP_START:
    case BMI_LZ_STREAM_START:
    case BMI_LZ_DATA:
        break;                          /* firmware image: not executed */
    }
}

/*
 * The command at the start of @buf (@len bytes written so far), if it is
 * complete: handled, and its length returned; 0 while it is not complete,
 * all @len bytes after a malformed one
 */
uint32_t qca6584_bmi_receive(QCA6584State *s, const uint8_t *buf,
                             uint32_t len)
{
    int n = qca6584_bmi_cmd_len(buf, len);

    if (n < 0) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: bad BMI command 0x%x, "
                      "%u bytes dropped\n", ldl_le_p(buf), len);
        return len;
    }
    if (n > 0) {
        qca6584_bmi_command(s, buf, n);
    }
    return n;
}

void qca6584_bmi_reset(QCA6584State *s)
{
    memset(s->bmi.board, 0, sizeof(s->bmi.board));
    s->bmi.mem_used = 0;
}
