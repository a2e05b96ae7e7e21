/*
 * The imx7d-custom board's uSDHC2 (QEMU's sdhci.c, usdhc variant) driven
 * as Linux's sdhci-esdhc-imx drives it, and the SDIO commands through it
 * (lab-usdhc.c): the host side of the SDIO card tests, in the manner of
 * QEMU's libqos/sdhci-cmd.c. CMD53's data phase is a choice of the
 * caller, by name: cmd53_pio() through the buffer data port, or
 * cmd53_adma() by one ADMA2 descriptor; cmd53_dma_start() for any
 * other DMA setup.
 *
 * With the qtest accelerator no vCPU runs and the controller model does a
 * command and its data blocks synchronously: a status bit a driver would
 * wait for is already set when the register access that starts the work
 * returns, so the helpers assert it instead of polling (a hang shows up as
 * a failed assertion, not as a stuck test).
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef LAB_USDHC_H
#define LAB_USDHC_H

#include "libqtest.h"

#define USDHC2_BASE         0x30b50000
#define USDHC2_IRQ          23          /* GIC SPI, an a7mpcore GPIO input */
#define A7MPCORE_PATH       "/machine/soc/a7mpcore"

/*
 * Host controller registers, SDHCI names (hw/sd/sdhci-internal.h). The
 * uSDHC variant differs in two ways that matter here: the transfer mode
 * lives in MIX_CTRL (0x48), and a 32-bit write of the command to 0x0C ORs
 * MIX_CTRL's transfer mode in and issues the command, as Linux's
 * sdhci-esdhc-imx does it.
 */
#define SDHC_DSADDR         0x00        /* SDMA system address */
#define SDHC_BLKSIZE        0x04        /* 31:16 block count, 11:0 size */
#define SDHC_ARGUMENT       0x08
#define SDHC_XFERTYP        0x0c        /* 31:16 command register */
#define SDHC_RSPREG0        0x10
#define SDHC_BDATA          0x20        /* buffer data port */
#define SDHC_PRNSTS         0x24
#define SDHC_PROCTL         0x28        /* uSDHC: DMA select in 9:8 */
#define SDHC_CLKCON         0x2c        /* 31:24 software reset */
#define SDHC_NORINTSTS      0x30        /* 31:16 error status */
#define SDHC_NORINTSTSEN    0x34        /* 31:16 error status enable */
#define SDHC_NORINTSIGEN    0x38        /* 31:16 error signal enable */
#define USDHC_MIX_CTRL      0x48        /* the transfer mode */
#define SDHC_ADMASYSADDR    0x58

/* Command register (bits 31:16 of XFERTYP) */
#define CMD_RSP_NONE        0x00
#define CMD_RSP_48          0x02
#define CMD_RSP_48_BUSY     0x03
#define CMD_CRC_CHECK       0x08
#define CMD_INDEX_CHECK     0x10
#define CMD_DATA_PRESENT    0x20
#define CMD_R1              (CMD_RSP_48 | CMD_CRC_CHECK | CMD_INDEX_CHECK)
#define CMD_R1B             (CMD_RSP_48_BUSY | CMD_CRC_CHECK | \
                             CMD_INDEX_CHECK)
#define CMD_R4              CMD_RSP_48  /* no CRC, no index: like R3 */
#define CMD_R5              CMD_R1
#define CMD_R6              CMD_R1

/* Transfer mode (MIX_CTRL) */
#define TRN_DMA             0x0001
#define TRN_BLK_CNT_EN      0x0002
#define TRN_READ            0x0010
#define TRN_MULTI           0x0020

/* PRNSTS */
#define PRS_CMD_INHIBIT     0x00000001
#define PRS_DATA_INHIBIT    0x00000002
#define PRS_BWEN            0x00000400  /* buffer write enable */
#define PRS_BREN            0x00000800  /* buffer read enable */
#define PRS_CARD_PRESENT    0x00010000

/* PROCTL */
#define PROCTL_DMASEL(t)    ((uint32_t)(t) << 8)
#define DMASEL_SDMA         0
#define DMASEL_ADMA2        2

/* CLKCON */
#define CLK_INT_EN          0x0001
#define CLK_SDCLK_EN        0x0004
#define CLK_RESET_ALL       (1u << 24)
#define CLK_RESET_CMD       (1u << 25)
#define CLK_RESET_DATA      (1u << 26)

/* NORINTSTS, its enable and signal enable; error bits in 31:16 */
#define NIS_CMDCMP          0x0001
#define NIS_TRSCMP          0x0002
#define NIS_DMA             0x0008      /* SDMA stopped at a boundary */
#define NIS_WBUFRDY         0x0010
#define NIS_RBUFRDY         0x0020
#define NIS_CARDINT         0x0100
#define NIS_ERR             0x8000
#define EIS_CMDTIMEOUT      (0x0001u << 16)
#define EIS_DATATIMEOUT     (0x0010u << 16)
#define EIS_DATACRC         (0x0020u << 16)
#define EIS_ALL             0xffff0000u
#define NIS_ENABLES         (NIS_CMDCMP | NIS_TRSCMP | NIS_WBUFRDY | \
                             NIS_RBUFRDY)

/* ADMA2 descriptor attributes: valid, end, interrupt, action in 5:4 */
#define ADMA_VALID          0x01
#define ADMA_END            0x02
#define ADMA_INT            0x04
#define ADMA_NOP            0x00
#define ADMA_RSV            0x10
#define ADMA_TRAN           0x20
#define ADMA_LINK           0x30
#define ADMA_ACT_MASK       0x30

/*
 * The board's RAM (512 MiB at 0x80000000; the streams' -m 16M holds
 * these too): descriptors, then data
 */
#define RAM_END             0xa0000000u
#define DMA_DESC            0x80010000u
#define DMA_BUF             0x80100000u

/* The card: what sdio-card.c and qca6584.c answer */
#define SDIO_OCR            0x00ff8000
#define SDIO_R4             0x90ff8000  /* ready, 1 function, no memory */
#define SDIO_RCA            0x0001

#define ARG_WRITE           (1u << 31)
#define ARG_FN(fn)          ((uint32_t)(fn) << 28)
#define ARG_RAW             (1u << 27)  /* CMD52: read after write */
#define ARG_BLOCK           (1u << 27)  /* CMD53: block mode */
#define ARG_INC             (1u << 26)  /* CMD53: incrementing address */
#define ARG_ADDR(addr)      ((uint32_t)(addr) << 9)

/* R5 flags, bits 15:8 of the response register; data in 7:0 */
#define R5_OUT_OF_RANGE     0x01
#define R5_FUNCTION_NUMBER  0x02
#define R5_ERROR            0x08
#define R5_STATE_CMD        0x10
#define R5_STATE_TRN        0x20

/* Function 0: CCCR, FBR 1 */
#define CCCR_REVISION       0x00
#define CCCR_SD_REVISION    0x01
#define CCCR_IOE            0x02
#define CCCR_IOR            0x03
#define CCCR_IEN            0x04
#define CCCR_INT_PENDING    0x05
#define CCCR_ABORT          0x06
#define CCCR_CAPS           0x08
#define CCCR_CIS_PTR        0x09
#define CCCR_BLKSIZE        0x10
#define CCCR_SPEED          0x13
#define CCCR_ABORT_RES      0x08
#define FBR1_CIS_PTR        0x109
#define FBR1_BLKSIZE        0x110

/* CIS tuples */
#define CISTPL_MANFID       0x20
#define CISTPL_FUNCID       0x21
#define CISTPL_FUNCE        0x22
#define CISTPL_END          0xff

/* What a CIS chain says, as the MMC core's sdio_cis.c reads it */
typedef struct CISInfo {
    bool has_manfid;
    uint16_t vendor;
    uint16_t device;
    bool has_funcid;
    uint8_t funcid;
    bool has_funce;
    uint8_t funce_type;
    uint16_t max_blksize;
    unsigned tuples;
} CISInfo;

/* -- the host controller -- */

uint32_t sdhc_read(QTestState *qts, uint32_t offset);
void sdhc_write(QTestState *qts, uint32_t offset, uint32_t value);
/* Controller reset, SD clock on, command and buffer status enabled */
void sdhc_init(QTestState *qts);
/* The board with its SDIO slot ready; @extra: more QEMU arguments */
QTestState *sdio_start_with(const char *extra);
QTestState *sdio_start(void);

/*
 * Issue command @idx; the controller is idle before. Returns NORINTSTS as
 * the command left it (the data phase's status included), having cleared
 * the command complete and error bits.
 */
uint32_t sdhc_command(QTestState *qts, unsigned idx, uint32_t arg,
                      uint16_t flags, uint16_t mode);
/* A command that the card answers: its response register */
uint32_t sdio_cmd(QTestState *qts, unsigned idx, uint32_t arg,
                  uint16_t flags, uint16_t mode);
/* A command that the card does not answer: a command timeout, no data */
void sdio_cmd_timeout(QTestState *qts, unsigned idx, uint32_t arg,
                      uint16_t flags, uint16_t mode);

/*
 * One block of a data phase in PIO: @blksz bytes from or to @p through
 * the buffer data port, 32 bits at a time and the tail of a block in
 * bytes (the port must be accessed sequentially)
 */
void sdhc_pio_block(QTestState *qts, bool write, unsigned blksz,
                    uint8_t *p);
/* The rest of a data phase, @blkcnt blocks from @buf; checks its end */
void sdhc_pio(QTestState *qts, bool write, unsigned blksz, unsigned blkcnt,
              uint8_t *buf);

/* One ADMA2 descriptor, entry @i of the table at @table */
void adma_put(QTestState *qts, uint32_t table, unsigned i, uint16_t attr,
              uint16_t len, uint32_t addr);

/*
 * The DMA engine @dmasel set to move the data of CMD53 @arg, @blkcnt
 * blocks of @blksz, from or to RAM (@dma: the SDMA buffer or the ADMA2
 * descriptor table), the way sdhci-esdhc-imx does it; the command issued.
 * cmd53_dma_issue() returns NORINTSTS as sdhc_command() does, errors and
 * all; cmd53_dma_start() asserts there are none and returns the R5, whose
 * flags must be clear.
 */
uint32_t cmd53_dma_issue(QTestState *qts, bool write, uint32_t arg,
                         unsigned blksz, unsigned blkcnt, unsigned dmasel,
                         uint32_t dma);
uint16_t cmd53_dma_start(QTestState *qts, bool write, uint32_t arg,
                         unsigned blksz, unsigned blkcnt, unsigned dmasel,
                         uint32_t dma);
/* The transfer cmd53_dma_start() began has completed: acked, DMA off */
void cmd53_dma_finish(QTestState *qts);

/* -- SDIO commands -- */

/* CMD52: the 16-bit R5, flags << 8 | data */
uint16_t cmd52(QTestState *qts, bool write, unsigned fn, uint32_t addr,
               uint8_t data, bool raw);
uint8_t sdio_readb(QTestState *qts, unsigned fn, uint32_t addr);
void sdio_writeb(QTestState *qts, unsigned fn, uint32_t addr,
                 uint8_t value);
uint16_t sdio_read16(QTestState *qts, unsigned fn, uint32_t addr);
void sdio_write16(QTestState *qts, unsigned fn, uint32_t addr,
                  uint16_t value);
uint32_t sdio_read24(QTestState *qts, unsigned fn, uint32_t addr);

/*
 * CMD53 with argument @mode (ARG_BLOCK, ARG_INC) and @count (bytes or
 * blocks), and a host data phase of @blkcnt blocks of @blksz bytes; the
 * host's transfer need not match the argument (malformed commands).
 * Returns the 16-bit R5. cmd53_pio() moves the data through the buffer
 * data port; cmd53_adma() by ADMA2, one descriptor, through DMA_BUF:
 * what the data-path tests use, whose frames would take hundreds of
 * qtest round trips each by PIO (and Linux moves them by ADMA2 too).
 */
uint16_t cmd53_pio(QTestState *qts, bool write, unsigned fn, uint32_t addr,
                   uint32_t mode, unsigned count, unsigned blksz,
                   unsigned blkcnt, uint8_t *buf);
uint16_t cmd53_adma(QTestState *qts, bool write, unsigned fn, uint32_t addr,
                    uint32_t mode, unsigned count, unsigned blksz,
                    unsigned blkcnt, uint8_t *buf);
/* Either of them, for helpers that leave the choice to their caller */
typedef uint16_t SdioCmd53(QTestState *qts, bool write, unsigned fn,
                           uint32_t addr, uint32_t mode, unsigned count,
                           unsigned blksz, unsigned blkcnt, uint8_t *buf);

/* A byte mode CMD53 of @len bytes (1..512) that the card must accept */
void sdio_rw_bytes(QTestState *qts, SdioCmd53 *cmd53, bool write,
                   unsigned fn, uint32_t addr, bool inc, uint8_t *buf,
                   unsigned len);
/* A block mode CMD53 of @blocks blocks of @blksz that the card must accept */
void sdio_rw_blocks(QTestState *qts, SdioCmd53 *cmd53, bool write,
                    unsigned fn, uint32_t addr, unsigned blksz,
                    unsigned blocks, uint8_t *buf);

/* Walk a CIS chain from @addr in function 0 with CMD52, as the MMC core */
void cis_walk(QTestState *qts, uint32_t addr, CISInfo *info);

/* Linux's sequence (mmc_attach_sdio): reset, CMD5, CMD3, CMD7 */
void sdio_enumerate(QTestState *qts);
QTestState *sdio_start_enumerated(void);

#endif /* LAB_USDHC_H */
