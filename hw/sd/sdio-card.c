/*
 * SDIO card: the I/O card protocol on QEMU's SD bus
 *
 * Function 0 (CCCR, FBRs, CIS) and the command set of an I/O-only card:
 *   CMD0  no effect on the I/O part, no response
 *   CMD5  IO_SEND_OP_COND  R4
 *   CMD3  SEND_RELATIVE_ADDR  R6
 *   CMD7  SELECT/DESELECT_CARD  R1b
 *   CMD52 IO_RW_DIRECT  R5
 *   CMD53 IO_RW_EXTENDED  R5, then a data phase of byte or block mode
 * Anything else gets no response (the host sees a command timeout), as
 * from a card that does not support it.
 *
 * Every value from the guest is checked: function number, register
 * address, block size and count. A bad CMD52/CMD53 is answered with the
 * R5 error flags the SDIO spec defines; a refused CMD53 still lets the
 * host controller move its data (reads return 0, writes are dropped), so
 * the host never waits on the card.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "hw/sd/sdio.h"
#include "qapi/error.h"
#include "migration/vmstate.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "trace.h"

/* Card states (SDIO spec 3.0, 4.4): only what an I/O-only card has */
enum SDIOCardState {
    SDIO_STATE_IDLE,            /* until CMD5 with a voltage */
    SDIO_STATE_READY,           /* until CMD3 */
    SDIO_STATE_STANDBY,         /* has an RCA, not selected */
    SDIO_STATE_COMMAND,         /* selected (CMD7) */
};

/* The longest CMD53: 511 blocks of the largest size */
#define SDIO_MAX_XFER       (511 * SDIO_MAX_BLKSIZE)

/* R4: card ready, one I/O function count, no memory, 2.7-3.6 V */
#define R4_READY            (1u << 31)
#define R4_NUM_FUNCS_SHIFT  28
#define R4_OCR_VOLTAGES     0x00ff8000

/* R5 response flags byte (SDIO spec 5.2) */
#define R5_OUT_OF_RANGE     0x01
#define R5_FUNCTION_NUMBER  0x02
#define R5_ERROR            0x08
#define R5_STATE_CMD        0x10    /* IO_CURRENT_STATE = CMD */
#define R5_STATE_TRN        0x20    /* IO_CURRENT_STATE = TRN */
#define R5_ILLEGAL_COMMAND  0x40

/* CMD52/CMD53 argument fields */
#define ARG_WRITE           (1u << 31)
#define ARG_FN(arg)         (((arg) >> 28) & 7)
#define ARG_RAW             (1u << 27)          /* CMD52 */
#define ARG_BLOCK_MODE      (1u << 27)          /* CMD53 */
#define ARG_INC_ADDR        (1u << 26)          /* CMD53 */
#define ARG_ADDR(arg)       (((arg) >> 9) & SDIO_ADDR_MAX)
#define ARG_COUNT(arg)      ((arg) & 0x1ff)     /* CMD53 */

/* CCCR (SDIO spec 6.9) */
#define CCCR_REVISION       0x00
#define CCCR_SD_REVISION    0x01
#define CCCR_IOE            0x02
#define CCCR_IOR            0x03
#define CCCR_IEN            0x04
#define CCCR_INT_PENDING    0x05
#define CCCR_ABORT          0x06
#define CCCR_BUS_IF         0x07
#define CCCR_CAPS           0x08
#define CCCR_CIS_PTR        0x09        /* 3 bytes */
#define CCCR_BLKSIZE        0x10        /* 2 bytes */
#define CCCR_SPEED          0x13
#define CCCR_DRIVE          0x15
#define CCCR_INT_EXT        0x16
#define CCCR_VENDOR         0xf0

#define CCCR_REVISION_VALUE 0x32        /* SDIO 2.00, CCCR 1.20 */
#define CCCR_SD_REV_VALUE   0x02
#define CCCR_CAPS_VALUE     0x13        /* SDC, SMB (multi-block), S4MI */
#define CCCR_ABORT_RES      0x08
#define CCCR_ABORT_FN_MASK  0x07
#define CCCR_BUS_IF_MASK    0xa3        /* CD disable, ECSI, bus width */
#define CCCR_SPEED_SHS      0x01        /* high speed supported */
#define CCCR_SPEED_WMASK    0x0e
#define CCCR_IEN_MASTER     0x01

/* FBR n at 0x100 * n (SDIO spec 6.10) */
#define FBR_BASE(fn)        (0x100 * (fn))
#define FBR_CIS_PTR         0x09
#define FBR_BLKSIZE         0x10

static SDBus *sdio_card_bus(SDIOCard *card)
{
    return SD_BUS(qdev_get_parent_bus(DEVICE(card)));
}

static uint8_t sdio_card_funcs_mask(SDIOCard *card)
{
    return ((1u << (card->num_funcs + 1)) - 1) & ~1u;
}

/* The interrupt line: master enable and an enabled function asserting */
static void sdio_card_update_irq(SDIOCard *card)
{
    bool level = (card->ien & CCCR_IEN_MASTER) &&
                 (card->ien & card->func_irq & sdio_card_funcs_mask(card));

    if (level != card->irq_level) {
        card->irq_level = level;
        trace_sdio_card_irq(level);
        sdbus_set_sdio_irq(sdio_card_bus(card), level);
    }
}

void sdio_card_set_func_irq(SDIOCard *card, unsigned fn, bool level)
{
    assert(fn >= 1 && fn <= card->num_funcs);
    if (level) {
        card->func_irq |= 1u << fn;
    } else {
        card->func_irq &= ~(1u << fn);
    }
    sdio_card_update_irq(card);
}

/* Power-up or RES: the I/O part's registers, and the functions' own reset */
static void sdio_card_io_reset(SDIOCard *card)
{
    SDIOCardClass *sc = SDIO_CARD_GET_CLASS(card);

    card->state = SDIO_STATE_IDLE;
    card->rca = 0;
    card->ioe = 0;
    card->ien = 0;
    card->bus_if = 0;
    card->speed = 0;
    card->drive = 0;
    card->int_ext = 0;
    memset(card->vendor_cccr, 0, sizeof(card->vendor_cccr));
    memset(card->blksize, 0, sizeof(card->blksize));
    card->xfer_active = false;
    card->func_irq = 0;
    if (sc->io_reset) {
        sc->io_reset(card);
    }
    sdio_card_update_irq(card);
}

/* -- function 0 ------------------------------------------------------------ */

static uint8_t sdio_card_cccr_read(SDIOCard *card, uint32_t addr)
{
    switch (addr) {
    case CCCR_REVISION:
        return CCCR_REVISION_VALUE;
    case CCCR_SD_REVISION:
        return CCCR_SD_REV_VALUE;
    case CCCR_IOE:
        return card->ioe;
    case CCCR_IOR:
        return card->ioe;           /* functions are ready at once */
    case CCCR_IEN:
        return card->ien;
    case CCCR_INT_PENDING:
        return card->func_irq & sdio_card_funcs_mask(card);
    case CCCR_BUS_IF:
        return card->bus_if;
    case CCCR_CAPS:
        return CCCR_CAPS_VALUE;
    case CCCR_CIS_PTR ... CCCR_CIS_PTR + 2:
        return extract32(card->func_cis[0], 8 * (addr - CCCR_CIS_PTR), 8);
    case CCCR_BLKSIZE ... CCCR_BLKSIZE + 1:
        return extract32(card->blksize[0], 8 * (addr - CCCR_BLKSIZE), 8);
    case CCCR_SPEED:
        return CCCR_SPEED_SHS | card->speed;
    case CCCR_DRIVE:
        return card->drive;
    case CCCR_INT_EXT:
        return card->int_ext;
    case CCCR_VENDOR ... 0xff:
        return card->vendor_cccr[addr - CCCR_VENDOR];
    default:
        return 0;                   /* reserved, reads as 0 */
    }
}

static void sdio_card_cccr_write(SDIOCard *card, uint32_t addr, uint8_t value)
{
    switch (addr) {
    case CCCR_IOE:
        card->ioe = value & sdio_card_funcs_mask(card);
        break;
    case CCCR_IEN:
        card->ien = value & (sdio_card_funcs_mask(card) | CCCR_IEN_MASTER);
        sdio_card_update_irq(card);
        break;
    case CCCR_ABORT:
        if (value & CCCR_ABORT_RES) {
            trace_sdio_card_reset();
            sdio_card_io_reset(card);
        } else if (card->xfer_active &&
                   card->xfer_fn == (value & CCCR_ABORT_FN_MASK)) {
            card->xfer_active = false;
        }
        break;
    case CCCR_BUS_IF:
        card->bus_if = value & CCCR_BUS_IF_MASK;
        break;
    case CCCR_BLKSIZE ... CCCR_BLKSIZE + 1:
        card->blksize[0] = deposit32(card->blksize[0],
                                     8 * (addr - CCCR_BLKSIZE), 8, value);
        break;
    case CCCR_SPEED:
        card->speed = value & CCCR_SPEED_WMASK;
        break;
    case CCCR_DRIVE:
        card->drive = value;
        break;
    case CCCR_INT_EXT:
        card->int_ext = value;
        break;
    case CCCR_VENDOR ... 0xff:
        card->vendor_cccr[addr - CCCR_VENDOR] = value;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: write 0x%02x to "
                      "read-only CCCR byte 0x%02x\n", value, addr);
        break;
    }
}

static uint8_t sdio_card_fbr_read(SDIOCard *card, unsigned fn, uint32_t reg)
{
    switch (reg) {
    case FBR_CIS_PTR ... FBR_CIS_PTR + 2:
        return extract32(card->func_cis[fn], 8 * (reg - FBR_CIS_PTR), 8);
    case FBR_BLKSIZE ... FBR_BLKSIZE + 1:
        return extract32(card->blksize[fn], 8 * (reg - FBR_BLKSIZE), 8);
    default:
        return 0;                   /* standard interface code 0: none */
    }
}

static uint8_t sdio_card_fn0_read(SDIOCard *card, uint32_t addr)
{
    SDIOCardClass *sc = SDIO_CARD_GET_CLASS(card);
    unsigned fn = addr / FBR_BASE(1);

    if (addr < FBR_BASE(1)) {
        return sdio_card_cccr_read(card, addr);
    }
    if (fn <= SDIO_MAX_FUNCS) {
        return fn <= card->num_funcs ?
               sdio_card_fbr_read(card, fn, addr % FBR_BASE(1)) : 0;
    }
    if (addr >= SDIO_CIS_BASE && addr - SDIO_CIS_BASE < card->cis_len) {
        return card->cis[addr - SDIO_CIS_BASE];
    }
    if (sc->vendor_read) {
        return sc->vendor_read(card, addr);
    }
    qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: read of unimplemented "
                  "function 0 address 0x%05x\n", addr);
    return 0;
}

static void sdio_card_fn0_write(SDIOCard *card, uint32_t addr, uint8_t value)
{
    SDIOCardClass *sc = SDIO_CARD_GET_CLASS(card);
    unsigned fn = addr / FBR_BASE(1);
    unsigned reg = addr % FBR_BASE(1);

    if (addr < FBR_BASE(1)) {
        sdio_card_cccr_write(card, addr, value);
    } else if (fn <= card->num_funcs &&
               reg >= FBR_BLKSIZE && reg <= FBR_BLKSIZE + 1) {
        card->blksize[fn] = deposit32(card->blksize[fn],
                                      8 * (reg - FBR_BLKSIZE), 8, value);
    } else if (fn > SDIO_MAX_FUNCS && addr >= SDIO_CIS_BASE +
               card->cis_len && sc->vendor_write) {
        sc->vendor_write(card, addr, value);
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: write 0x%02x to "
                      "read-only function 0 address 0x%05x\n", value, addr);
    }
}

/* -- one byte of any function ---------------------------------------------- */

static uint8_t sdio_card_read_reg(SDIOCard *card, unsigned fn, uint32_t addr)
{
    if (fn == 0) {
        return sdio_card_fn0_read(card, addr);
    }
    return card->klass->read(card, fn, addr);
}

static void sdio_card_write_reg(SDIOCard *card, unsigned fn, uint32_t addr,
                                uint8_t value)
{
    if (fn == 0) {
        sdio_card_fn0_write(card, addr, value);
    } else {
        card->klass->write(card, fn, addr, value);
    }
}

/* A function's space: 128 KiB for function 0, what the card says for others */
static uint32_t sdio_card_space(SDIOCard *card, unsigned fn)
{
    return fn == 0 ? SDIO_ADDR_MAX + 1 : card->func_size;
}

/* -- commands -------------------------------------------------------------- */

static void sdio_card_xfer_step(SDIOCard *card);

static int sdio_card_r5(uint8_t *response, uint8_t flags, uint8_t data)
{
    response[0] = 0;
    response[1] = 0;
    response[2] = flags;
    response[3] = data;
    return 4;
}

static int sdio_card_cmd52(SDIOCard *card, uint32_t arg, uint8_t *response)
{
    unsigned fn = ARG_FN(arg);
    uint32_t addr = ARG_ADDR(arg);
    uint8_t data = 0;

    trace_sdio_card_cmd52(arg & ARG_WRITE ? 'W' : 'R', fn, addr, arg & 0xff);
    if (fn > card->num_funcs) {
        qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: CMD52 to function %u, "
                      "the card has %u\n", fn, card->num_funcs);
        return sdio_card_r5(response, R5_STATE_CMD | R5_FUNCTION_NUMBER, 0);
    }
    if (addr >= sdio_card_space(card, fn)) {
        qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: CMD52 to function %u "
                      "address 0x%05x, beyond its 0x%x bytes\n", fn, addr,
                      sdio_card_space(card, fn));
        return sdio_card_r5(response, R5_STATE_CMD | R5_OUT_OF_RANGE, 0);
    }
    if (arg & ARG_WRITE) {
        sdio_card_write_reg(card, fn, addr, arg & 0xff);
        if (arg & ARG_RAW) {
            data = sdio_card_read_reg(card, fn, addr);
        }
    } else {
        data = sdio_card_read_reg(card, fn, addr);
    }
    return sdio_card_r5(response, R5_STATE_CMD, data);
}

/*
 * An accepted CMD53 whose data phase fails on the lines: the controller
 * learns it from sdio_card_data_fault() and moves nothing. A read with a
 * CRC error did leave the card: its bytes are read (and a function's
 * transfer_done() sees them go) but reach nobody.
 */
static void sdio_card_fail_data_phase(SDIOCard *card, SDIOCmd53Fault fault)
{
    if (fault == SDIO_CMD53_DATA_CRC) {
        card->data_fault = SD_DATA_CRC;
        while (!card->xfer_write && card->xfer_active) {
            sdio_card_read_reg(card, card->xfer_fn, card->xfer_addr);
            sdio_card_xfer_step(card);
        }
    } else {
        card->data_fault = SD_DATA_TIMEOUT;
    }
    card->xfer_active = false;
}

static int sdio_card_cmd53(SDIOCard *card, uint32_t arg, uint8_t *response)
{
    unsigned fn = ARG_FN(arg);
    uint32_t addr = ARG_ADDR(arg);
    uint32_t count = ARG_COUNT(arg);
    uint32_t len;
    uint8_t error = 0;
    SDIOCmd53Fault fault = SDIO_CMD53_OK;

    trace_sdio_card_cmd53(arg & ARG_WRITE ? 'W' : 'R', fn, addr,
                          arg & ARG_BLOCK_MODE ? 'B' : 'b', count,
                          !!(arg & ARG_INC_ADDR));
    if (arg & ARG_BLOCK_MODE) {
        uint16_t bs = fn <= SDIO_MAX_FUNCS ? card->blksize[fn] : 0;

        if (count == 0) {
            qemu_log_mask(LOG_UNIMP, "sdio-card: CMD53 infinite block "
                          "transfer (block count 0)\n");
            error = R5_ERROR;
        } else if (bs == 0 || bs > SDIO_MAX_BLKSIZE) {
            qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: CMD53 block mode with "
                          "function %u block size %u\n", fn, bs);
            error = R5_ERROR;
        }
        len = count * bs;
    } else {
        len = count ? count : SDIO_MAX_BLKSIZE;
    }
    if (fn > card->num_funcs) {
        qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: CMD53 to function %u, "
                      "the card has %u\n", fn, card->num_funcs);
        error |= R5_FUNCTION_NUMBER;
    } else if (addr >= sdio_card_space(card, fn) ||
               ((arg & ARG_INC_ADDR) &&
                len > sdio_card_space(card, fn) - addr)) {
        qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: CMD53 of %u bytes at "
                      "function %u address 0x%05x, beyond its 0x%x bytes\n",
                      len, fn, addr, sdio_card_space(card, fn));
        error |= R5_OUT_OF_RANGE;
    } else if (fn && !(card->ioe & (1u << fn))) {
        /*
         * Linux enables a function (sdio_enable_func) before it moves
         * data; the transfer is carried out, as the model has no ready
         * state to refuse it with, but the driver has a bug
         */
        qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: CMD53 to function %u, "
                      "which is not enabled (IOE 0x%02x)\n", fn, card->ioe);
    }
    if (!error && fn && card->klass->cmd53_fault) {
        fault = card->klass->cmd53_fault(card, fn, addr,
                                         arg & ARG_INC_ADDR ? len : 1,
                                         arg & ARG_WRITE);
    }
    if (fault == SDIO_CMD53_R5_ERROR) {
        error = R5_ERROR;
    }

    card->xfer_active = true;
    card->xfer_dummy = error != 0;
    card->xfer_write = arg & ARG_WRITE;
    card->xfer_inc = arg & ARG_INC_ADDR;
    card->xfer_fn = fn;
    card->xfer_start = addr;
    card->xfer_addr = addr;
    card->xfer_len = error ? 0 : len;
    card->xfer_left = card->xfer_len;
    if (fault == SDIO_CMD53_DATA_CRC || fault == SDIO_CMD53_DATA_TIMEOUT) {
        sdio_card_fail_data_phase(card, fault);
    }
    return sdio_card_r5(response, R5_STATE_TRN | error, 0);
}

static int sdio_card_do_command(SDState *sd, SDRequest *req,
                                uint8_t *response)
{
    SDIOCard *card = SDIO_CARD(sd);

    trace_sdio_card_command(req->cmd, req->arg, card->state);
    card->data_fault = SD_DATA_OK;
    switch (req->cmd) {
    case 0:     /* GO_IDLE_STATE: for the memory part only */
        return 0;
    case 5:     /* IO_SEND_OP_COND */
        if (card->state > SDIO_STATE_READY) {
            break;
        }
        if (req->arg & R4_OCR_VOLTAGES) {
            card->state = SDIO_STATE_READY;
        }
        stl_be_p(response, R4_READY | card->num_funcs << R4_NUM_FUNCS_SHIFT |
                 R4_OCR_VOLTAGES);
        return 4;
    case 3:     /* SEND_RELATIVE_ADDR */
        if (card->state == SDIO_STATE_IDLE) {
            break;
        }
        if (card->state == SDIO_STATE_READY) {
            card->rca = 0x0001;
            card->state = SDIO_STATE_STANDBY;
        }
        stl_be_p(response, card->rca << 16);
        return 4;
    case 7:     /* SELECT/DESELECT_CARD */
        if (card->state < SDIO_STATE_STANDBY) {
            break;
        }
        if (req->arg >> 16 != card->rca) {
            card->state = SDIO_STATE_STANDBY;
            return 0;               /* deselected cards do not answer */
        }
        card->state = SDIO_STATE_COMMAND;
        stl_be_p(response, 0);
        return 4;
    case 52:    /* IO_RW_DIRECT */
        return sdio_card_cmd52(card, req->arg, response);
    case 53:    /* IO_RW_EXTENDED */
        if (card->state != SDIO_STATE_COMMAND) {
            qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: CMD53 while the card "
                          "is not selected\n");
            break;
        }
        return sdio_card_cmd53(card, req->arg, response);
    case 8:     /* SEND_IF_COND: memory cards only; Linux probes it */
        return 0;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: CMD%u not supported by an "
                      "I/O-only card\n", req->cmd);
        return 0;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: CMD%u illegal in state %u\n",
                  req->cmd, card->state);
    return 0;
}

/* -- the CMD53 data phase -------------------------------------------------- */

static void sdio_card_xfer_step(SDIOCard *card)
{
    SDIOCardClass *sc = card->klass;

    if (card->xfer_inc) {
        card->xfer_addr++;
    }
    if (--card->xfer_left == 0) {
        card->xfer_active = false;
        if (card->xfer_fn && sc->transfer_done) {
            sc->transfer_done(card, card->xfer_fn, card->xfer_start,
                              card->xfer_len, card->xfer_write);
        }
    }
}

static bool sdio_card_xfer_byte_ok(SDIOCard *card, bool write)
{
    if (!card->xfer_active || card->xfer_write != write) {
        qemu_log_mask(LOG_GUEST_ERROR, "sdio-card: data %s with no CMD53 "
                      "%s in progress\n", write ? "write" : "read",
                      write ? "write" : "read");
        return false;
    }
    if (card->xfer_dummy || card->xfer_left == 0) {
        return false;               /* refused transfer: nothing to move */
    }
    return true;
}

/*
 * The data phase, byte by byte: the card is reached with container_of()
 * rather than a checked QOM cast, which costs a type lookup per byte
 */
static void sdio_card_write_byte(SDState *sd, uint8_t value)
{
    SDIOCard *card = container_of(sd, SDIOCard, parent_obj);

    if (sdio_card_xfer_byte_ok(card, true)) {
        sdio_card_write_reg(card, card->xfer_fn, card->xfer_addr, value);
        sdio_card_xfer_step(card);
    }
}

static uint8_t sdio_card_read_byte(SDState *sd)
{
    SDIOCard *card = container_of(sd, SDIOCard, parent_obj);
    uint8_t value;

    if (!sdio_card_xfer_byte_ok(card, false)) {
        return 0;
    }
    value = sdio_card_read_reg(card, card->xfer_fn, card->xfer_addr);
    sdio_card_xfer_step(card);
    return value;
}

static bool sdio_card_data_ready(SDState *sd)
{
    SDIOCard *card = SDIO_CARD(sd);

    return card->xfer_active && !card->xfer_write;
}

static bool sdio_card_receive_ready(SDState *sd)
{
    SDIOCard *card = SDIO_CARD(sd);

    return card->xfer_active && card->xfer_write;
}

static SDDataFault sdio_card_data_fault(SDState *sd)
{
    return SDIO_CARD(sd)->data_fault;
}

static bool sdio_card_get_inserted(SDState *sd)
{
    return true;
}

static bool sdio_card_get_readonly(SDState *sd)
{
    return false;
}

static void sdio_card_set_voltage(SDState *sd, uint16_t millivolts)
{
}

static uint8_t sdio_card_get_dat_lines(SDState *sd)
{
    return 0xf;                     /* idle, not busy */
}

static bool sdio_card_get_cmd_line(SDState *sd)
{
    return true;
}

static void sdio_card_enable(SDState *sd, bool enable)
{
}

/* -- QOM ------------------------------------------------------------------- */

static void sdio_card_reset(DeviceState *dev)
{
    SDIOCard *card = SDIO_CARD(dev);

    sdio_card_io_reset(card);
}

static void sdio_card_realize(DeviceState *dev, Error **errp)
{
    SDIOCard *card = SDIO_CARD(dev);

    card->klass = SDIO_CARD_GET_CLASS(card);
    if (card->num_funcs < 1 || card->num_funcs > SDIO_MAX_FUNCS ||
        card->func_size == 0 || card->func_size > SDIO_ADDR_MAX + 1) {
        error_setg(errp, "sdio-card: a card has 1 to 7 functions of at most "
                   "128 KiB");
    }
}

/*
 * The data phase indexes registers with xfer_fn and xfer_addr, and the
 * card's state picks the commands it takes: a stream is checked as a
 * guest's CMD53 is, so a loaded card is one the commands could have made.
 */
static int sdio_card_post_load(void *opaque, int version_id)
{
    SDIOCard *card = opaque;
    uint32_t space;

    if (card->state > SDIO_STATE_COMMAND) {
        error_report("sdio-card: migrated state %u is unknown", card->state);
        return -EINVAL;
    }
    if (!card->xfer_active || card->xfer_dummy) {
        return 0;
    }
    if (card->xfer_fn > card->num_funcs) {
        error_report("sdio-card: migrated CMD53 to function %u of %u",
                     card->xfer_fn, card->num_funcs);
        return -EINVAL;
    }
    space = sdio_card_space(card, card->xfer_fn);
    if (card->xfer_len == 0 || card->xfer_len > SDIO_MAX_XFER ||
        card->xfer_left > card->xfer_len || card->xfer_start >= space ||
        (card->xfer_inc ? card->xfer_len > space - card->xfer_start ||
                          card->xfer_addr != card->xfer_start +
                                             card->xfer_len - card->xfer_left
                        : card->xfer_addr != card->xfer_start)) {
        error_report("sdio-card: migrated CMD53 of %u bytes (%u left) at "
                     "0x%x (now 0x%x) is not one a command could make",
                     card->xfer_len, card->xfer_left, card->xfer_start,
                     card->xfer_addr);
        return -EINVAL;
    }
    return 0;
}

const VMStateDescription vmstate_sdio_card = {
    .name = TYPE_SDIO_CARD,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = sdio_card_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(state, SDIOCard),
        VMSTATE_UINT16(rca, SDIOCard),
        VMSTATE_UINT8(ioe, SDIOCard),
        VMSTATE_UINT8(ien, SDIOCard),
        VMSTATE_UINT8(bus_if, SDIOCard),
        VMSTATE_UINT8(speed, SDIOCard),
        VMSTATE_UINT8(drive, SDIOCard),
        VMSTATE_UINT8(int_ext, SDIOCard),
        VMSTATE_UINT8_ARRAY(vendor_cccr, SDIOCard, 16),
        VMSTATE_UINT16_ARRAY(blksize, SDIOCard, SDIO_MAX_FUNCS + 1),
        VMSTATE_UINT8(func_irq, SDIOCard),
        VMSTATE_BOOL(irq_level, SDIOCard),
        VMSTATE_BOOL(xfer_active, SDIOCard),
        VMSTATE_BOOL(xfer_write, SDIOCard),
        VMSTATE_BOOL(xfer_dummy, SDIOCard),
        VMSTATE_BOOL(xfer_inc, SDIOCard),
        VMSTATE_UINT8(xfer_fn, SDIOCard),
        VMSTATE_UINT32(xfer_start, SDIOCard),
        VMSTATE_UINT32(xfer_addr, SDIOCard),
        VMSTATE_UINT32(xfer_len, SDIOCard),
        VMSTATE_UINT32(xfer_left, SDIOCard),
        VMSTATE_END_OF_LIST()
    },
};

static void sdio_card_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    SDCardClass *sc = SD_CARD_CLASS(klass);

    dc->realize = sdio_card_realize;
    dc->reset = sdio_card_reset;
    dc->vmsd = &vmstate_sdio_card;
    sc->do_command = sdio_card_do_command;
    sc->write_byte = sdio_card_write_byte;
    sc->read_byte = sdio_card_read_byte;
    sc->data_ready = sdio_card_data_ready;
    sc->receive_ready = sdio_card_receive_ready;
    sc->data_fault = sdio_card_data_fault;
    sc->get_inserted = sdio_card_get_inserted;
    sc->get_readonly = sdio_card_get_readonly;
    sc->set_voltage = sdio_card_set_voltage;
    sc->get_dat_lines = sdio_card_get_dat_lines;
    sc->get_cmd_line = sdio_card_get_cmd_line;
    sc->enable = sdio_card_enable;
}

static const TypeInfo sdio_card_info = {
    .name = TYPE_SDIO_CARD,
    .parent = TYPE_SD_CARD,
    .instance_size = sizeof(SDIOCard),
    .class_size = sizeof(SDIOCardClass),
    .class_init = sdio_card_class_init,
    .abstract = true,
};

static void sdio_card_register_types(void)
{
    type_register_static(&sdio_card_info);
}

type_init(sdio_card_register_types)
