/*
 * SDIO card: the I/O card protocol on QEMU's SD bus
 *
 * TYPE_SDIO_CARD is an abstract SD card that answers the SDIO commands
 * (CMD5, CMD3, CMD7, CMD52, CMD53) and holds function 0: the CCCR, the
 * FBRs and the CIS. A concrete card (a subclass) supplies its functions'
 * register spaces through SDIOCardClass and raises function interrupts
 * with sdio_card_set_func_irq().
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_SD_SDIO_H
#define HW_SD_SDIO_H

#include "hw/sd/sd.h"
#include "hw/sd/sd-state.h"
#include "qom/object.h"

#define TYPE_SDIO_CARD "sdio-card"
OBJECT_DECLARE_TYPE(SDIOCard, SDIOCardClass, SDIO_CARD)

#define SDIO_MAX_FUNCS      7
#define SDIO_ADDR_MAX       0x1ffff     /* 17-bit register addresses */
#define SDIO_MAX_BLKSIZE    512         /* what this card layer moves */
#define SDIO_CIS_BASE       0x1000      /* where the CIS sits in function 0 */

/* How a well-formed CMD53 fails, when a subclass injects a fault */
typedef enum SDIOCmd53Fault {
    SDIO_CMD53_OK,
    /* The card answers R5 ERROR and moves no data */
    SDIO_CMD53_R5_ERROR,
    /*
     * The card accepts the command, and the controller reports a data CRC
     * error: a read's data leaves the card (a mailbox message is gone, as
     * on the lines) but arrives garbled; a write's data is refused by the
     * card's CRC status token
     */
    SDIO_CMD53_DATA_CRC,
    /* The card accepts the command and never sends (or takes) the data */
    SDIO_CMD53_DATA_TIMEOUT,
} SDIOCmd53Fault;

struct SDIOCardClass {
    /*< private >*/
    SDCardClass parent_class;
    /*< public >*/

    /* One byte of function @fn's (1..7) register space; @addr is checked */
    uint8_t (*read)(SDIOCard *card, unsigned fn, uint32_t addr);
    void (*write)(SDIOCard *card, unsigned fn, uint32_t addr, uint8_t value);
    /* A CMD53 to function @fn moved its last byte */
    void (*transfer_done)(SDIOCard *card, unsigned fn, uint32_t addr,
                          uint32_t len, bool write);
    /* Function 0 bytes that are not CCCR, FBR or CIS (vendor registers) */
    uint8_t (*vendor_read)(SDIOCard *card, uint32_t addr);
    void (*vendor_write)(SDIOCard *card, uint32_t addr, uint8_t value);
    /* Power-up, or the CCCR's RES bit: the functions' own reset */
    void (*io_reset)(SDIOCard *card);
    /*
     * Optional: whether and how a well-formed CMD53 to function @fn fails,
     * as a card in trouble or a noisy bus fails it: fault injection. Its
     * bytes are at @addr..@addr + @span - 1 (@span is 1 for a FIFO
     * transfer to a fixed address).
     */
    SDIOCmd53Fault (*cmd53_fault)(SDIOCard *card, unsigned fn, uint32_t addr,
                                  uint32_t span, bool write);
};

struct SDIOCard {
    /*< private >*/
    SDState parent_obj;
    /*< public >*/

    /* Set by the subclass before realize */
    unsigned num_funcs;                 /* 1..7 */
    uint32_t func_size;                 /* bytes in each function's space */
    const uint8_t *cis;                 /* CIS bytes from SDIO_CIS_BASE */
    uint32_t cis_len;
    uint32_t func_cis[SDIO_MAX_FUNCS + 1];  /* CIS pointer per function */

    /*
     * The subclass's hooks, looked up once at realize: the data phase calls
     * them for every byte, and a QOM class cast there costs a type lookup
     * by name (a third of the CPU time of a Wi-Fi download)
     */
    SDIOCardClass *klass;

    /* Card state */
    uint32_t state;                     /* SDIOCardState */
    uint16_t rca;
    uint8_t ioe;                        /* CCCR 0x02 I/O enable */
    uint8_t ien;                        /* CCCR 0x04 interrupt enable */
    uint8_t bus_if;                     /* CCCR 0x07 bus interface control */
    uint8_t speed;                      /* CCCR 0x13 writable bits */
    uint8_t drive;                      /* CCCR 0x15 */
    uint8_t int_ext;                    /* CCCR 0x16 */
    uint8_t vendor_cccr[16];            /* CCCR 0xF0-0xFF */
    uint16_t blksize[SDIO_MAX_FUNCS + 1];
    uint8_t func_irq;                   /* bit n: function n asserts */
    bool irq_level;

    /* The CMD53 data phase in progress */
    bool xfer_active;
    bool xfer_write;
    bool xfer_dummy;                    /* refused: move bytes, touch nothing */
    bool xfer_inc;
    uint8_t xfer_fn;
    uint32_t xfer_start;
    uint32_t xfer_addr;
    uint32_t xfer_len;
    uint32_t xfer_left;
    /*
     * How the data phase of the command just answered fails on the lines
     * (sdbus_data_fault()). The controller asks as soon as the command is
     * answered, so this never outlives a command and is not migrated.
     */
    SDDataFault data_fault;
};

/* Function @fn (1..7) asserts (@level) or releases its interrupt. */
void sdio_card_set_func_irq(SDIOCard *card, unsigned fn, bool level);

extern const VMStateDescription vmstate_sdio_card;

#endif /* HW_SD_SDIO_H */
