/*
 * QTest for the SDIO card layer (hw/sd/sdio-card.c) and the QCA6584 Wi-Fi
 * model (hw/net/qca6584.c), the card soldered on the imx7d-custom board's
 * uSDHC2. The card is driven as a host driver drives it: through the
 * uSDHC's registers (QEMU's model, hw/sd/sdhci.c usdhc_*), with programmed
 * I/O through the buffer data port; the DMA tests at the end use SDMA and
 * ADMA2 as Linux's sdhci-esdhc-imx does.
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

#include "qemu/osdep.h"
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include "qemu/bswap.h"
#include "libqtest.h"
#include "lab-fuzz.h"
#include "lab-migrate.h"
#include "lab-net-fuzz.h"
#include "qapi/qmp/qdict.h"

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
#define SDHC_BLKSIZE        0x04        /* 31:16 block count, 11:0 size */
#define SDHC_ARGUMENT       0x08
#define SDHC_XFERTYP        0x0c        /* 31:16 command register */
#define SDHC_RSPREG0        0x10
#define SDHC_BDATA          0x20        /* buffer data port */
#define SDHC_PRNSTS         0x24
#define SDHC_CLKCON         0x2c        /* 31:24 software reset */
#define SDHC_NORINTSTS      0x30        /* 31:16 error status */
#define SDHC_NORINTSTSEN    0x34        /* 31:16 error status enable */
#define SDHC_NORINTSIGEN    0x38        /* 31:16 error signal enable */
#define USDHC_MIX_CTRL      0x48        /* the transfer mode */

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
#define TRN_BLK_CNT_EN      0x0002
#define TRN_READ            0x0010
#define TRN_MULTI           0x0020

/* PRNSTS */
#define PRS_CMD_INHIBIT     0x00000001
#define PRS_DATA_INHIBIT    0x00000002
#define PRS_BWEN            0x00000400  /* buffer write enable */
#define PRS_BREN            0x00000800  /* buffer read enable */
#define PRS_CARD_PRESENT    0x00010000

/* CLKCON */
#define CLK_INT_EN          0x0001
#define CLK_SDCLK_EN        0x0004
#define CLK_RESET_ALL       (1u << 24)

/* NORINTSTS, its enable and signal enable; error bits in 31:16 */
#define NIS_CMDCMP          0x0001
#define NIS_TRSCMP          0x0002
#define NIS_WBUFRDY         0x0010
#define NIS_RBUFRDY         0x0020
#define NIS_CARDINT         0x0100
#define NIS_ERR             0x8000
#define EIS_CMDTIMEOUT      (0x0001u << 16)
#define EIS_ALL             0xffff0000u
#define NIS_ENABLES         (NIS_CMDCMP | NIS_TRSCMP | NIS_WBUFRDY | \
                             NIS_RBUFRDY)

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

/* Function 0: CCCR, FBR 1, CIS */
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

#define CISTPL_MANFID       0x20
#define CISTPL_FUNCID       0x21
#define CISTPL_FUNCE        0x22
#define CISTPL_END          0xff

/* QCA6584 function 1 */
#define QCA_HOST_INT_STATUS 0x800
#define QCA_INT_STATUS_EN   0x828       /* 0x828-0x82b: four enables */
#define QCA_CHIP_CONTROL    0x868
#define QCA_WINDOW_DATA     0x874
#define QCA_WINDOW_WR_ADDR  0x878
#define QCA_WINDOW_RD_ADDR  0x87c
#define QCA_MBOX0           0x1000
#define QCA_FUNC_SIZE       0x20000
#define QCA_BLOCK_SIZE      256

#define QCA_LOOKAHEAD_VALID 0x805
#define QCA_LOOKAHEAD       0x808
#define QCA_MBOX0_EXT_END   0x13000

#define BMI_DONE            1
#define BMI_READ_MEMORY     2
#define BMI_WRITE_MEMORY    3
#define BMI_GET_TARGET_INFO 8
#define BMI_MAX_READ        256
#define QCA_BOARD_ADDR      0x00434000  /* board data: real storage */

/* -- host controller ------------------------------------------------------ */

static uint32_t sdhc_read(QTestState *qts, uint32_t offset)
{
    return qtest_readl(qts, USDHC2_BASE + offset);
}

static void sdhc_write(QTestState *qts, uint32_t offset, uint32_t value)
{
    qtest_writel(qts, USDHC2_BASE + offset, value);
}

/* Controller reset, SD clock on, command and buffer status enabled */
static void sdhc_init(QTestState *qts)
{
    sdhc_write(qts, SDHC_CLKCON, CLK_RESET_ALL);
    sdhc_write(qts, SDHC_CLKCON, CLK_INT_EN | CLK_SDCLK_EN);
    sdhc_write(qts, SDHC_NORINTSTSEN, EIS_ALL | NIS_ENABLES);
    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) & PRS_CARD_PRESENT, ==,
                    PRS_CARD_PRESENT);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
}

/* The board with its SDIO slot ready; @extra: more QEMU arguments */
static QTestState *sdio_start_with(const char *extra)
{
    QTestState *qts = qtest_initf("-machine imx7d-custom %s", extra);

    sdhc_init(qts);
    return qts;
}

static QTestState *sdio_start(void)
{
    return sdio_start_with("");
}

/*
 * Issue command @idx; the controller is idle before. Returns NORINTSTS as
 * the command left it (the data phase's status included), having cleared
 * the command complete and error bits.
 */
static uint32_t sdhc_command(QTestState *qts, unsigned idx, uint32_t arg,
                             uint16_t flags, uint16_t mode)
{
    uint32_t sts;

    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) &
                    (PRS_CMD_INHIBIT | PRS_DATA_INHIBIT), ==, 0);
    sdhc_write(qts, USDHC_MIX_CTRL, mode);
    sdhc_write(qts, SDHC_ARGUMENT, arg);
    sdhc_write(qts, SDHC_XFERTYP, (uint32_t)(idx << 8 | flags) << 16);
    sts = sdhc_read(qts, SDHC_NORINTSTS);
    g_assert_cmphex(sts & NIS_CMDCMP, ==, NIS_CMDCMP);
    sdhc_write(qts, SDHC_NORINTSTS, sts & (EIS_ALL | NIS_ERR | NIS_CMDCMP));
    return sts;
}

/* A command that the card answers: its response register */
static uint32_t sdio_cmd(QTestState *qts, unsigned idx, uint32_t arg,
                         uint16_t flags, uint16_t mode)
{
    uint32_t sts = sdhc_command(qts, idx, arg, flags, mode);

    g_assert_cmphex(sts & (EIS_ALL | NIS_ERR), ==, 0);
    return sdhc_read(qts, SDHC_RSPREG0);
}

/* A command that the card does not answer: a command timeout, no data */
static void sdio_cmd_timeout(QTestState *qts, unsigned idx, uint32_t arg,
                             uint16_t flags, uint16_t mode)
{
    uint32_t sts = sdhc_command(qts, idx, arg, flags, mode);

    g_assert_cmphex(sts & (EIS_ALL | NIS_ERR), ==,
                    EIS_CMDTIMEOUT | NIS_ERR);
    g_assert_cmphex(sts & (NIS_WBUFRDY | NIS_RBUFRDY | NIS_TRSCMP), ==, 0);
    /* cleared by the write of 1s, and no data phase started */
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) & PRS_DATA_INHIBIT, ==, 0);
}

/*
 * The data phase in PIO: @blkcnt blocks of @blksz bytes from or to @buf
 * through the buffer data port, 32 bits at a time and the tail of a block
 * in bytes (the port must be accessed sequentially).
 */
static void sdhc_pio_block(QTestState *qts, bool write, unsigned blksz,
                           uint8_t *p)
{
    uint32_t ready = write ? NIS_WBUFRDY : NIS_RBUFRDY;
    uint32_t enable = write ? PRS_BWEN : PRS_BREN;
    uint64_t port = USDHC2_BASE + SDHC_BDATA;
    unsigned i;

    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS) & ready, ==, ready);
    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) & enable, ==, enable);
    sdhc_write(qts, SDHC_NORINTSTS, ready);
    for (i = 0; i + 4 <= blksz; i += 4) {
        if (write) {
            qtest_writel(qts, port, ldl_le_p(p + i));
        } else {
            stl_le_p(p + i, qtest_readl(qts, port));
        }
    }
    for (; i < blksz; i++) {
        if (write) {
            qtest_writeb(qts, port + (i & 3), p[i]);
        } else {
            p[i] = qtest_readb(qts, port + (i & 3));
        }
    }
}

/* The rest of a data phase, from the block at @buf; checks its end */
static void sdhc_pio(QTestState *qts, bool write, unsigned blksz,
                     unsigned blkcnt, uint8_t *buf)
{
    unsigned b;

    for (b = 0; b < blkcnt; b++) {
        sdhc_pio_block(qts, write, blksz, buf + b * blksz);
    }
    /* transfer complete: the buffer is neither readable nor writable */
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS) &
                    (NIS_TRSCMP | NIS_WBUFRDY | NIS_RBUFRDY | NIS_ERR), ==,
                    NIS_TRSCMP);
    sdhc_write(qts, SDHC_NORINTSTS, NIS_TRSCMP);
    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) &
                    (PRS_DATA_INHIBIT | PRS_BWEN | PRS_BREN), ==, 0);
}

/* -- SDIO commands -------------------------------------------------------- */

/* CMD52: the 16-bit R5, flags << 8 | data */
static uint16_t cmd52(QTestState *qts, bool write, unsigned fn,
                      uint32_t addr, uint8_t data, bool raw)
{
    uint32_t arg = (write ? ARG_WRITE : 0) | ARG_FN(fn) |
                   (raw ? ARG_RAW : 0) | ARG_ADDR(addr) | data;
    uint32_t rsp = sdio_cmd(qts, 52, arg, CMD_R5, 0);

    g_assert_cmphex(rsp >> 16, ==, 0);
    return rsp;
}

static uint8_t sdio_readb(QTestState *qts, unsigned fn, uint32_t addr)
{
    uint16_t r5 = cmd52(qts, false, fn, addr, 0, false);

    g_assert_cmphex(r5 >> 8, ==, R5_STATE_CMD);
    return r5 & 0xff;
}

static void sdio_writeb(QTestState *qts, unsigned fn, uint32_t addr,
                        uint8_t value)
{
    g_assert_cmphex(cmd52(qts, true, fn, addr, value, false) >> 8, ==,
                    R5_STATE_CMD);
}

/*
 * Whether cmd53() moves its data by ADMA2 rather than through the buffer
 * data port: the data-path tests, whose frames would take hundreds of
 * qtest round trips each by PIO (and Linux moves them by ADMA2 too)
 */
static bool cmd53_by_dma;
static uint16_t cmd53_adma(QTestState *qts, bool write, uint32_t arg,
                           unsigned blksz, unsigned blkcnt, uint8_t *buf);

/*
 * CMD53 with argument @mode (ARG_BLOCK, ARG_INC) and @count (bytes or
 * blocks), and a host data phase of @blkcnt blocks of @blksz bytes; the
 * host's transfer need not match the argument (malformed commands).
 * Returns the 16-bit R5.
 */
static uint16_t cmd53(QTestState *qts, bool write, unsigned fn,
                      uint32_t addr, uint32_t mode, unsigned count,
                      unsigned blksz, unsigned blkcnt, uint8_t *buf)
{
    uint32_t arg = (write ? ARG_WRITE : 0) | ARG_FN(fn) | mode |
                   ARG_ADDR(addr) | (count & 0x1ff);
    uint16_t trn = TRN_BLK_CNT_EN | (blkcnt > 1 ? TRN_MULTI : 0) |
                   (write ? 0 : TRN_READ);
    uint32_t rsp;

    if (cmd53_by_dma) {
        return cmd53_adma(qts, write, arg, blksz, blkcnt, buf);
    }
    sdhc_write(qts, SDHC_BLKSIZE, blkcnt << 16 | blksz);
    rsp = sdio_cmd(qts, 53, arg, CMD_R5 | CMD_DATA_PRESENT, trn);
    g_assert_cmphex(rsp >> 16, ==, 0);
    sdhc_pio(qts, write, blksz, blkcnt, buf);
    return rsp;
}

/* A byte mode CMD53 of @len bytes (1..512) that the card must accept */
static void sdio_rw_bytes(QTestState *qts, bool write, unsigned fn,
                          uint32_t addr, bool inc, uint8_t *buf,
                          unsigned len)
{
    uint16_t r5 = cmd53(qts, write, fn, addr, inc ? ARG_INC : 0, len, len, 1,
                        buf);

    g_assert_cmphex(r5, ==, R5_STATE_TRN << 8);
}

/* A block mode CMD53 of @blocks blocks of @blksz that the card must accept */
static void sdio_rw_blocks(QTestState *qts, bool write, unsigned fn,
                           uint32_t addr, unsigned blksz, unsigned blocks,
                           uint8_t *buf)
{
    uint16_t r5 = cmd53(qts, write, fn, addr, ARG_BLOCK | ARG_INC, blocks,
                        blksz, blocks, buf);

    g_assert_cmphex(r5, ==, R5_STATE_TRN << 8);
}

/* Linux's sequence (mmc_attach_sdio): reset, CMD5, CMD3, CMD7 */
static void sdio_enumerate(QTestState *qts)
{
    cmd52(qts, true, 0, CCCR_ABORT, CCCR_ABORT_RES, false);
    sdio_cmd(qts, 0, 0, CMD_RSP_NONE, 0);
    g_assert_cmphex(sdio_cmd(qts, 5, 0, CMD_R4, 0), ==, SDIO_R4);
    g_assert_cmphex(sdio_cmd(qts, 5, SDIO_OCR, CMD_R4, 0), ==, SDIO_R4);
    g_assert_cmphex(sdio_cmd(qts, 3, 0, CMD_R6, 0), ==, SDIO_RCA << 16);
    g_assert_cmphex(sdio_cmd(qts, 7, SDIO_RCA << 16, CMD_R1B, 0), ==, 0);
}

static QTestState *sdio_start_enumerated(void)
{
    QTestState *qts = sdio_start();

    sdio_enumerate(qts);
    return qts;
}

static uint32_t sdio_read24(QTestState *qts, unsigned fn, uint32_t addr)
{
    return sdio_readb(qts, fn, addr) | sdio_readb(qts, fn, addr + 1) << 8 |
           sdio_readb(qts, fn, addr + 2) << 16;
}

static void sdio_write16(QTestState *qts, unsigned fn, uint32_t addr,
                         uint16_t value)
{
    sdio_writeb(qts, fn, addr, value & 0xff);
    sdio_writeb(qts, fn, addr + 1, value >> 8);
}

static uint16_t sdio_read16(QTestState *qts, unsigned fn, uint32_t addr)
{
    return sdio_readb(qts, fn, addr) | sdio_readb(qts, fn, addr + 1) << 8;
}

/* -- CIS ------------------------------------------------------------------ */

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

/* Walk a CIS chain from @addr in function 0 with CMD52, as the MMC core */
static void cis_walk(QTestState *qts, uint32_t addr, CISInfo *info)
{
    memset(info, 0, sizeof(*info));
    for (;;) {
        uint8_t code = sdio_readb(qts, 0, addr);
        uint8_t body[256] = { 0 };
        unsigned link, i;

        if (code == CISTPL_END) {
            break;
        }
        g_assert_cmpuint(++info->tuples, <, 16);
        link = sdio_readb(qts, 0, addr + 1);
        g_assert_cmpuint(link, !=, 0xff);
        for (i = 0; i < link; i++) {
            body[i] = sdio_readb(qts, 0, addr + 2 + i);
        }
        switch (code) {
        case CISTPL_MANFID:
            g_assert_cmpuint(link, ==, 4);
            info->has_manfid = true;
            info->vendor = lduw_le_p(body);
            info->device = lduw_le_p(body + 2);
            break;
        case CISTPL_FUNCID:
            g_assert_cmpuint(link, ==, 2);
            info->has_funcid = true;
            info->funcid = body[0];
            break;
        case CISTPL_FUNCE:
            info->has_funce = true;
            info->funce_type = body[0];
            if (body[0] == 0) {
                /* function 0: TPLFE_FN0_BLK_SIZE, TPLFE_MAX_TRAN_SPEED */
                g_assert_cmpuint(link, ==, 4);
                info->max_blksize = lduw_le_p(body + 1);
            } else {
                /* function 1-7: TPLFE_MAX_BLK_SIZE at 12 (SDIO 16.7.3) */
                g_assert_cmpuint(link, >=, 14);
                info->max_blksize = lduw_le_p(body + 12);
            }
            break;
        }
        addr += 2 + link;
    }
}

/* -- BMI, over the mailbox ------------------------------------------------ */

/* A BMI command's header (id, up to two arguments) into @buf; its length */
static unsigned bmi_cmd(uint8_t *buf, uint32_t id, uint32_t a1, uint32_t a2,
                        unsigned words)
{
    stl_le_p(buf, id);
    stl_le_p(buf + 4, a1);
    stl_le_p(buf + 8, a2);
    return 4 * words;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)ldl_le_p(p);
}

static uint8_t pattern(unsigned i)
{
    return (uint8_t)(i * 13 + (i >> 8) * 7 + 0x5a);
}

/* -- tests ---------------------------------------------------------------- */

static void test_enumeration(void)
{
    QTestState *qts = sdio_start();
    CISInfo cis;
    uint16_t r5;
    uint8_t byte;

    /* the MMC core's sdio_reset(): a CMD52 to the card in its idle state */
    r5 = cmd52(qts, true, 0, CCCR_ABORT, CCCR_ABORT_RES, false);
    g_assert_cmphex(r5 >> 8 & (R5_OUT_OF_RANGE | R5_FUNCTION_NUMBER |
                               R5_ERROR), ==, 0);

    /* CMD0 has no response; CMD8 (memory cards only) gets none */
    sdio_cmd(qts, 0, 0, CMD_RSP_NONE, 0);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    sdio_cmd_timeout(qts, 8, 0x1aa, CMD_R1, 0);

    /* no CMD3 (nor CMD7) before CMD5 set a voltage */
    sdio_cmd_timeout(qts, 3, 0, CMD_R6, 0);
    g_assert_cmphex(sdio_cmd(qts, 5, 0, CMD_R4, 0), ==, SDIO_R4);
    sdio_cmd_timeout(qts, 3, 0, CMD_R6, 0);
    g_assert_cmphex(sdio_cmd(qts, 5, SDIO_OCR, CMD_R4, 0), ==, SDIO_R4);
    g_assert_cmphex(sdio_cmd(qts, 3, 0, CMD_R6, 0), ==, SDIO_RCA << 16);
    /* selecting another RCA: no answer, the card stays in standby */
    sdio_cmd_timeout(qts, 7, 0x1234 << 16, CMD_R1B, 0);
    g_assert_cmphex(sdio_cmd(qts, 7, SDIO_RCA << 16, CMD_R1B, 0), ==, 0);
    /* CMD5 is illegal once the card has an address */
    sdio_cmd_timeout(qts, 5, SDIO_OCR, CMD_R4, 0);

    /* CCCR */
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_SD_REVISION), ==, 0x02);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_CAPS), ==, 0x13);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_SPEED), ==, 0x01);
    g_assert_cmphex(sdio_read24(qts, 0, CCCR_CIS_PTR), ==, 0x001000);
    /* I/O enable: only function 1 exists; it is ready at once */
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IOE), ==, 0);
    sdio_writeb(qts, 0, CCCR_IOE, 0xff);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IOE), ==, 0x02);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IOR), ==, 0x02);
    /* the revision is read-only */
    r5 = cmd52(qts, true, 0, CCCR_REVISION, 0x00, true);
    g_assert_cmphex(r5, ==, R5_STATE_CMD << 8 | 0x32);

    /* FBR 1 */
    g_assert_cmphex(sdio_read24(qts, 0, FBR1_CIS_PTR), ==, 0x001080);
    g_assert_cmphex(sdio_read16(qts, 0, FBR1_BLKSIZE), ==, 0);

    /* the common CIS, as the bytes the model documents */
    {
        static const uint8_t head[] = {
            0x21, 0x02, 0x0c, 0x00, 0x22, 0x04, 0x00, 0x00, 0x01, 0x32,
            0x20, 0x04, 0x71, 0x02, 0x0a, 0x05, 0xff,
        };
        int i;

        for (i = 0; i < ARRAY_SIZE(head); i++) {
            byte = sdio_readb(qts, 0, 0x1000 + i);
            g_assert_cmphex(byte, ==, head[i]);
        }
    }

    /* and as tuples: SDIO card, fn0 blocks of 256, Atheros AR6005 */
    cis_walk(qts, sdio_read24(qts, 0, CCCR_CIS_PTR), &cis);
    g_assert_cmpuint(cis.tuples, ==, 3);
    g_assert_true(cis.has_funcid);
    g_assert_cmphex(cis.funcid, ==, 0x0c);
    g_assert_true(cis.has_funce);
    g_assert_cmpuint(cis.funce_type, ==, 0);
    g_assert_cmpuint(cis.max_blksize, ==, QCA_BLOCK_SIZE);
    g_assert_true(cis.has_manfid);
    g_assert_cmphex(cis.vendor, ==, 0x0271);
    g_assert_cmphex(cis.device, ==, 0x050a);

    /* function 1's CIS: the same IDs, blocks of up to 256 bytes */
    cis_walk(qts, sdio_read24(qts, 0, FBR1_CIS_PTR), &cis);
    g_assert_cmpuint(cis.tuples, ==, 3);
    g_assert_cmphex(cis.funcid, ==, 0x0c);
    g_assert_cmpuint(cis.funce_type, ==, 1);
    g_assert_cmpuint(cis.max_blksize, ==, QCA_BLOCK_SIZE);
    g_assert_true(cis.has_manfid);
    g_assert_cmphex(cis.vendor, ==, 0x0271);
    g_assert_cmphex(cis.device, ==, 0x050a);

    /* RES: the card is back in its idle state, without an address */
    sdio_writeb(qts, 0, CCCR_ABORT, CCCR_ABORT_RES);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IOE), ==, 0);
    sdio_cmd_timeout(qts, 3, 0, CMD_R6, 0);
    sdio_enumerate(qts);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    qtest_quit(qts);
}

static void test_cmd53_byte_mode(void)
{
    QTestState *qts = sdio_start_enumerated();
    uint8_t out[4] = { 0x11, 0x22, 0x33, 0x44 };
    uint8_t in[4];
    uint8_t en[4] = { 0x00, 0x5a, 0xa5, 0xff };
    uint8_t addr[4];
    uint16_t r5;
    int i;

    sdio_writeb(qts, 0, CCCR_IOE, 0x02);

    /* the diagnostic window's data register: 4 bytes of storage */
    sdio_rw_bytes(qts, true, 1, QCA_WINDOW_DATA, true, out, 4);
    memset(in, 0, sizeof(in));
    sdio_rw_bytes(qts, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmpmem(in, 4, out, 4);
    for (i = 0; i < 4; i++) {
        g_assert_cmphex(sdio_readb(qts, 1, QCA_WINDOW_DATA + i), ==, out[i]);
    }

    /* CMD52 read-after-write returns the new value; CMD53 sees it */
    r5 = cmd52(qts, true, 1, QCA_WINDOW_DATA, 0xa5, true);
    g_assert_cmphex(r5, ==, R5_STATE_CMD << 8 | 0xa5);
    sdio_rw_bytes(qts, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmphex(le32(in), ==, 0x443322a5);

    /* a fixed address: every byte goes to (comes from) the same register */
    stl_le_p(out, 0x04030201);
    sdio_rw_bytes(qts, true, 1, QCA_WINDOW_DATA, false, out, 4);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_WINDOW_DATA), ==, 0x04);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_WINDOW_DATA + 1), ==, 0x22);
    sdio_rw_bytes(qts, false, 1, QCA_WINDOW_DATA + 2, false, in, 4);
    g_assert_cmphex(le32(in), ==, 0x33333333);

    /* chip control: 4 bytes of storage */
    stl_le_p(out, 0xdeadbeef);
    sdio_rw_bytes(qts, true, 1, QCA_CHIP_CONTROL, true, out, 4);
    sdio_rw_bytes(qts, false, 1, QCA_CHIP_CONTROL, true, in, 4);
    g_assert_cmphex(le32(in), ==, 0xdeadbeef);

    /* the interrupt enables (nothing is pending, no interrupt) */
    sdio_rw_bytes(qts, true, 1, QCA_INT_STATUS_EN, true, en, 4);
    sdio_rw_bytes(qts, false, 1, QCA_INT_STATUS_EN, true, in, 4);
    g_assert_cmpmem(in, 4, en, 4);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_INT_PENDING), ==, 0);

    /*
     * Target memory through the window: write the data, then the address
     * (its last byte starts the access); clobber the data register; the
     * read address loads it back.
     */
    stl_le_p(out, 0xcafef00d);
    sdio_rw_bytes(qts, true, 1, QCA_WINDOW_DATA, true, out, 4);
    stl_le_p(addr, QCA_BOARD_ADDR + 0x10);
    sdio_rw_bytes(qts, true, 1, QCA_WINDOW_WR_ADDR, true, addr, 4);
    for (i = 0; i < 4; i++) {
        sdio_writeb(qts, 1, QCA_WINDOW_DATA + i, 0);
    }
    sdio_rw_bytes(qts, true, 1, QCA_WINDOW_RD_ADDR, true, addr, 4);
    sdio_rw_bytes(qts, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmphex(le32(in), ==, 0xcafef00d);

    /* a 3-byte transfer: the block's tail in byte accesses to the port */
    memcpy(out, "\x81\x82\x83", 3);
    sdio_rw_bytes(qts, true, 1, QCA_WINDOW_DATA + 1, true, out, 3);
    memset(in, 0, sizeof(in));
    sdio_rw_bytes(qts, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmphex(le32(in), ==, 0x8382810d);
    qtest_quit(qts);
}

static void test_cmd53_block_mode(void)
{
    QTestState *qts = sdio_start_enumerated();
    enum { CHUNK = 244, TOTAL = 2 * CHUNK };
    uint8_t stream[2 * QCA_BLOCK_SIZE];
    uint8_t cmds[24];
    uint8_t data[2 * QCA_BLOCK_SIZE];
    unsigned len, i;

    sdio_writeb(qts, 0, CCCR_IOE, 0x02);

    /* function 1 blocks of 256 bytes (FBR 1 block size) */
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    g_assert_cmphex(sdio_read16(qts, 0, FBR1_BLKSIZE), ==, QCA_BLOCK_SIZE);
    g_assert_cmphex(sdio_read16(qts, 0, CCCR_BLKSIZE), ==, 0);

    /*
     * Two BMI_WRITE_MEMORY commands of 12 + 244 bytes: exactly two blocks,
     * one block mode CMD53 to the mailbox. The model parses the stream
     * when the transfer ends.
     */
    for (i = 0; i < 2; i++) {
        uint8_t *cmd = stream + i * (12 + CHUNK);
        unsigned j;

        bmi_cmd(cmd, BMI_WRITE_MEMORY, QCA_BOARD_ADDR + i * CHUNK, CHUNK, 3);
        for (j = 0; j < CHUNK; j++) {
            cmd[12 + j] = pattern(i * CHUNK + j);
        }
    }
    sdio_rw_blocks(qts, true, 1, QCA_MBOX0, QCA_BLOCK_SIZE, 2, stream);
    /* BMI_WRITE_MEMORY has no response */
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);

    /* two BMI_READ_MEMORY of 256 bytes in one byte mode CMD53 */
    len = bmi_cmd(cmds, BMI_READ_MEMORY, QCA_BOARD_ADDR, BMI_MAX_READ, 3);
    len += bmi_cmd(cmds + len, BMI_READ_MEMORY,
                   QCA_BOARD_ADDR + BMI_MAX_READ, BMI_MAX_READ, 3);
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, cmds, len);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 1);

    /* 512 bytes queued: read them as two blocks */
    memset(data, 0xee, sizeof(data));
    sdio_rw_blocks(qts, false, 1, QCA_MBOX0, QCA_BLOCK_SIZE, 2, data);
    for (i = 0; i < TOTAL; i++) {
        g_assert_cmphex(data[i], ==, pattern(i));
    }
    for (; i < sizeof(data); i++) {
        g_assert_cmphex(data[i], ==, 0);    /* board data never written */
    }
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);

    /* the second chunk again, by byte mode both ways */
    len = bmi_cmd(cmds, BMI_READ_MEMORY, QCA_BOARD_ADDR + CHUNK, CHUNK, 3);
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, cmds, len);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 1);
    memset(data, 0xee, sizeof(data));
    sdio_rw_bytes(qts, false, 1, QCA_MBOX0, true, data, CHUNK);
    for (i = 0; i < CHUNK; i++) {
        g_assert_cmphex(data[i], ==, pattern(CHUNK + i));
    }
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);

    /* function 0 in block mode too: the CIS, 2 blocks of 64 bytes */
    sdio_write16(qts, 0, CCCR_BLKSIZE, 64);
    g_assert_cmphex(sdio_read16(qts, 0, CCCR_BLKSIZE), ==, 64);
    sdio_rw_blocks(qts, false, 0, 0x1000, 64, 2, data);
    for (i = 0; i < 128; i++) {
        g_assert_cmphex(data[i], ==, sdio_readb(qts, 0, 0x1000 + i));
    }
    g_assert_cmphex(data[0], ==, 0x21);
    qtest_quit(qts);
}

/* NORINTSTS's card interrupt bit and the uSDHC2 line to the GIC */
static void assert_cardint(QTestState *qts, bool status, bool line)
{
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS) & NIS_CARDINT, ==,
                    status ? NIS_CARDINT : 0);
    g_assert_cmpint(qtest_get_irq(qts, USDHC2_IRQ), ==, line);
}

static void test_card_interrupt(void)
{
    QTestState *qts = sdio_start_enumerated();
    uint8_t cmd[4], rsp[12];
    uint32_t en;

    qtest_irq_intercept_in(qts, A7MPCORE_PATH);
    sdio_writeb(qts, 0, CCCR_IOE, 0x02);
    en = sdhc_read(qts, SDHC_NORINTSTSEN);
    sdhc_write(qts, SDHC_NORINTSTSEN, en | NIS_CARDINT);
    sdhc_write(qts, SDHC_NORINTSIGEN, NIS_CARDINT);
    assert_cardint(qts, false, false);

    /* GET_TARGET_INFO queues a response: HOST_INT_STATUS mailbox bit */
    stl_le_p(cmd, BMI_GET_TARGET_INFO);
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, cmd, 4);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0x01);
    assert_cardint(qts, false, false);

    /* the function's enable, then the CCCR's: fn1 alone is not enough */
    sdio_writeb(qts, 1, QCA_INT_STATUS_EN, 0x01);
    assert_cardint(qts, false, false);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_INT_PENDING), ==, 0x02);
    sdio_writeb(qts, 0, CCCR_IEN, 0x02);
    assert_cardint(qts, false, false);
    sdio_writeb(qts, 0, CCCR_IEN, 0x03);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IEN), ==, 0x03);
    assert_cardint(qts, true, true);

    /* level: writing 1 does not clear it while it is enabled */
    sdhc_write(qts, SDHC_NORINTSTS, NIS_CARDINT);
    assert_cardint(qts, true, true);
    /* not signalled: the status stays, the line drops */
    sdhc_write(qts, SDHC_NORINTSIGEN, 0);
    assert_cardint(qts, true, false);
    sdhc_write(qts, SDHC_NORINTSIGEN, NIS_CARDINT);
    assert_cardint(qts, true, true);
    /* masked, as Linux's sdhci_irq() does: gone; unmasked: back */
    sdhc_write(qts, SDHC_NORINTSTSEN, en);
    assert_cardint(qts, false, false);
    sdhc_write(qts, SDHC_NORINTSTSEN, en | NIS_CARDINT);
    assert_cardint(qts, true, true);
    /* the function's enable gates it too */
    sdio_writeb(qts, 1, QCA_INT_STATUS_EN, 0x00);
    assert_cardint(qts, false, false);
    sdio_writeb(qts, 1, QCA_INT_STATUS_EN, 0x01);
    assert_cardint(qts, true, true);

    /* reading the response empties the FIFO: the card releases the line */
    sdio_rw_bytes(qts, false, 1, QCA_MBOX0, true, rsp, sizeof(rsp));
    g_assert_cmphex(le32(rsp), ==, 12);
    g_assert_cmphex(le32(rsp + 4), ==, 0x05030000);
    g_assert_cmphex(le32(rsp + 8), ==, 7);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_INT_PENDING), ==, 0);
    assert_cardint(qts, false, false);

    /* asserted again, then RES: the card's reset releases it */
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, cmd, 4);
    assert_cardint(qts, true, true);
    sdio_writeb(qts, 0, CCCR_ABORT, CCCR_ABORT_RES);
    assert_cardint(qts, false, false);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IEN), ==, 0);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);
    qtest_quit(qts);
}

/* A system reset while the card interrupt is asserted */
static void test_reset_while_asserted(void)
{
    QTestState *qts = sdio_start_enumerated();
    uint8_t cmd[4];
    QDict *resp;

    stl_le_p(cmd, BMI_GET_TARGET_INFO);
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, cmd, 4);
    sdio_writeb(qts, 1, QCA_INT_STATUS_EN, 0x01);
    sdio_writeb(qts, 0, CCCR_IEN, 0x03);
    sdhc_write(qts, SDHC_NORINTSTSEN, EIS_ALL | NIS_ENABLES | NIS_CARDINT);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS) & NIS_CARDINT, ==,
                    NIS_CARDINT);

    resp = qtest_qmp(qts, "{ 'execute': 'system_reset' }");
    g_assert(qdict_haskey(resp, "return"));
    qobject_unref(resp);
    qtest_qmp_eventwait(qts, "RESET");

    /* a fresh card has nothing pending: no card interrupt once enabled */
    sdhc_init(qts);
    sdhc_write(qts, SDHC_NORINTSTSEN, EIS_ALL | NIS_ENABLES | NIS_CARDINT);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    sdio_enumerate(qts);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_IEN), ==, 0);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_INT_PENDING), ==, 0);
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    qtest_quit(qts);
}

/* The card still works: CMD52 and CMD53 */
static void assert_card_ok(QTestState *qts)
{
    uint8_t out[4] = { 0x5a, 0x69, 0x96, 0xa5 };
    uint8_t in[4];

    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    sdio_rw_bytes(qts, true, 1, QCA_WINDOW_DATA, true, out, 4);
    sdio_rw_bytes(qts, false, 1, QCA_WINDOW_DATA, true, in, 4);
    g_assert_cmpmem(in, 4, out, 4);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
}

static void test_malformed(void)
{
    QTestState *qts = sdio_start();
    uint8_t buf[512], zero[512], stale[4];
    uint16_t r5;
    int i;

    memset(zero, 0, sizeof(zero));

    /* CMD53 before CMD7: the card is not selected and does not answer */
    cmd52(qts, true, 0, CCCR_ABORT, CCCR_ABORT_RES, false);
    sdio_cmd(qts, 5, SDIO_OCR, CMD_R4, 0);
    sdio_cmd(qts, 3, 0, CMD_R6, 0);
    sdhc_write(qts, SDHC_BLKSIZE, 1 << 16 | 4);
    sdio_cmd_timeout(qts, 53, ARG_FN(1) | ARG_INC |
                     ARG_ADDR(QCA_WINDOW_DATA) | 4,
                     CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN | TRN_READ);
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    g_assert_cmphex(sdio_cmd(qts, 7, SDIO_RCA << 16, CMD_R1B, 0), ==, 0);
    assert_card_ok(qts);

    /* CMD52 to a function the card does not have */
    for (i = 2; i <= 7; i++) {
        r5 = cmd52(qts, false, i, 0x10, 0, false);
        g_assert_cmphex(r5, ==, (R5_STATE_CMD | R5_FUNCTION_NUMBER) << 8);
        r5 = cmd52(qts, true, i, 0x10, 0x55, true);
        g_assert_cmphex(r5, ==, (R5_STATE_CMD | R5_FUNCTION_NUMBER) << 8);
    }
    assert_card_ok(qts);

    /* CMD53 to function 7: refused, the data phase still runs */
    memset(buf, 0xee, sizeof(buf));
    r5 = cmd53(qts, false, 7, 0x800, ARG_INC, 16, 16, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_FUNCTION_NUMBER) << 8);
    g_assert_cmpmem(buf, 16, zero, 16);
    assert_card_ok(qts);

    /*
     * 512 bytes (byte mode count 0) from 0x1ff00: past the end of the
     * function's 128 KiB. Refused, reads return 0, writes are dropped.
     */
    memset(buf, 0xee, sizeof(buf));
    r5 = cmd53(qts, false, 1, 0x1ff00, ARG_INC, 0, 512, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_OUT_OF_RANGE) << 8);
    g_assert_cmpmem(buf, sizeof(buf), zero, sizeof(zero));
    assert_card_ok(qts);
    r5 = cmd53(qts, true, 1, 0x1ff00, ARG_INC, 0, 512, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_OUT_OF_RANGE) << 8);
    assert_card_ok(qts);
    /* the same at a fixed address is fine: only one register */
    r5 = cmd53(qts, false, 1, 0x1ff00, 0, 0, 512, 1, buf);
    g_assert_cmphex(r5, ==, R5_STATE_TRN << 8);
    /* and the last 256 bytes of the space, incrementing, too */
    r5 = cmd53(qts, false, 1, QCA_FUNC_SIZE - 256, ARG_INC, 256, 256, 1,
               buf);
    g_assert_cmphex(r5, ==, R5_STATE_TRN << 8);
    assert_card_ok(qts);

    /* block mode with no block size set (FBR 1 block size 0) */
    g_assert_cmphex(sdio_read16(qts, 0, FBR1_BLKSIZE), ==, 0);
    memset(buf, 0xee, sizeof(buf));
    r5 = cmd53(qts, false, 1, QCA_WINDOW_DATA, ARG_BLOCK | ARG_INC, 511,
               4, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_ERROR) << 8);
    g_assert_cmpmem(buf, 4, zero, 4);
    assert_card_ok(qts);

    /* block size beyond what the card layer moves (512) */
    sdio_write16(qts, 0, FBR1_BLKSIZE, 1024);
    r5 = cmd53(qts, false, 1, QCA_WINDOW_DATA, ARG_BLOCK | ARG_INC, 1,
               4, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_ERROR) << 8);
    assert_card_ok(qts);

    /*
     * Block count 0 (an infinite transfer): refused. A write must not
     * reach the register: the window keeps what assert_card_ok() wrote.
     */
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    sdio_rw_bytes(qts, false, 1, QCA_WINDOW_DATA, true, stale, 4);
    memset(buf, 0x77, sizeof(buf));
    r5 = cmd53(qts, true, 1, QCA_WINDOW_DATA, ARG_BLOCK | ARG_INC, 0,
               QCA_BLOCK_SIZE, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_ERROR) << 8);
    memset(buf, 0xee, sizeof(buf));
    r5 = cmd53(qts, false, 1, QCA_WINDOW_DATA, ARG_BLOCK | ARG_INC, 0,
               QCA_BLOCK_SIZE, 1, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_ERROR) << 8);
    g_assert_cmpmem(buf, QCA_BLOCK_SIZE, zero, QCA_BLOCK_SIZE);
    sdio_rw_bytes(qts, false, 1, QCA_WINDOW_DATA, true, buf, 4);
    g_assert_cmpmem(buf, 4, stale, 4);
    assert_card_ok(qts);

    /* a block mode transfer past the end of the function */
    r5 = cmd53(qts, false, 1, QCA_FUNC_SIZE - QCA_BLOCK_SIZE,
               ARG_BLOCK | ARG_INC, 2, QCA_BLOCK_SIZE, 2, buf);
    g_assert_cmphex(r5, ==, (R5_STATE_TRN | R5_OUT_OF_RANGE) << 8);
    g_assert_cmpmem(buf, 2 * QCA_BLOCK_SIZE, zero, 2 * QCA_BLOCK_SIZE);
    assert_card_ok(qts);

    /* deselected (CMD7 to RCA 0, no answer): CMD53 gets none either */
    sdio_cmd(qts, 7, 0, CMD_RSP_NONE, 0);
    sdhc_write(qts, SDHC_BLKSIZE, 1 << 16 | 4);
    sdio_cmd_timeout(qts, 53, ARG_WRITE | ARG_FN(1) | ARG_INC |
                     ARG_ADDR(QCA_WINDOW_DATA) | 4,
                     CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN);
    /* CMD52 works in any state */
    g_assert_cmphex(sdio_readb(qts, 0, CCCR_REVISION), ==, 0x32);
    g_assert_cmphex(sdio_cmd(qts, 7, SDIO_RCA << 16, CMD_R1B, 0), ==, 0);
    assert_card_ok(qts);

    /* unsupported commands get no answer */
    sdio_cmd_timeout(qts, 17, 0, CMD_R1, 0);
    sdio_cmd_timeout(qts, 55, SDIO_RCA << 16, CMD_R1, 0);
    assert_card_ok(qts);
    qtest_quit(qts);
}

/* -- HTC, WMI and HTT: the firmware's side after BMI_DONE --------------- */

#define HTC_HDR_LEN         8
#define HTC_EP_CONTROL      0
#define HTC_EP_HTT          1
#define HTC_EP_WMI          2
#define HTC_FLAG_BUNDLE     0x02        /* host to target: padding follows */
#define WMI_VDEV_STOP       0x5006
#define WMI_VDEV_STOPPED    0x5002
#define WMI_START_SCAN      0x3001
#define WMI_PEER_CREATE     0x6001
#define WMI_PEER_DELETE     0x6002
#define WMI_TAG_VDEV_STOP   93
#define WMI_TAG_PEER_CREATE 97
#define WMI_TAG_PEER_DELETE 98
#define HTT_TX_FRM          1
#define HTT_PEER_MAP        3

/*
 * Bytes to mailbox 0, as ath10k writes HTC messages: ending at the end of
 * the mailbox's first extended window
 */
static void htc_write(QTestState *qts, uint8_t *buf, unsigned len)
{
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0_EXT_END - len, true, buf, len);
}

/* One HTC message, header and payload, written to mailbox 0 */
static void htc_send(QTestState *qts, uint8_t eid, const void *payload,
                     unsigned len)
{
    uint8_t buf[512] = { eid };

    g_assert_cmpuint(HTC_HDR_LEN + len, <=, sizeof(buf));
    stw_le_p(buf + 2, len);
    memcpy(buf + HTC_HDR_LEN, payload, len);
    htc_write(qts, buf, HTC_HDR_LEN + len);
}

/* A WMI command: its id, then one TLV (@tag, @len bytes of @value) */
static void wmi_send(QTestState *qts, uint32_t id, uint16_t tag,
                     const void *value, uint16_t len)
{
    uint8_t buf[256];

    g_assert_cmpuint(8 + len, <=, sizeof(buf));
    stl_le_p(buf, id);
    stw_le_p(buf + 4, len);
    stw_le_p(buf + 6, tag);
    memcpy(buf + 8, value, len);
    htc_send(qts, HTC_EP_WMI, buf, 8 + len);
}

/*
 * Read the target's messages, as ath10k does (lookahead, then the padded
 * message), until none is left. Returns how many; the last one's first
 * block in @last.
 */
static unsigned htc_drain(QTestState *qts, uint8_t *last)
{
    uint8_t buf[8 * QCA_BLOCK_SIZE], la[4];
    unsigned n = 0, len;

    while (sdio_readb(qts, 1, QCA_LOOKAHEAD_VALID) & 1) {
        sdio_rw_bytes(qts, false, 1, QCA_LOOKAHEAD, true, la, 4);
        len = ROUND_UP(HTC_HDR_LEN + lduw_le_p(la + 2), QCA_BLOCK_SIZE);
        g_assert_cmpuint(len, <=, sizeof(buf));
        sdio_rw_blocks(qts, false, 1, QCA_MBOX0, QCA_BLOCK_SIZE,
                       len / QCA_BLOCK_SIZE, buf);
        g_assert_cmpmem(buf, 4, la, 4);
        if (last) {
            memcpy(last, buf, QCA_BLOCK_SIZE);
        }
        g_assert_cmpuint(++n, <, 1000);
    }
    return n;
}

/* HTC CONNECT for @svc: the target answers with endpoint @eid */
static void htc_connect(QTestState *qts, uint16_t svc, uint8_t eid)
{
    uint8_t msg[8] = { 2, 0 }, resp[QCA_BLOCK_SIZE];

    stw_le_p(msg + 2, svc);
    htc_send(qts, HTC_EP_CONTROL, msg, sizeof(msg));
    g_assert_cmpuint(htc_drain(qts, resp), ==, 1);
    g_assert_cmphex(lduw_le_p(resp + HTC_HDR_LEN), ==, 3);  /* CONNECT_RESP */
    g_assert_cmphex(resp[HTC_HDR_LEN + 4], ==, 0);          /* success */
    g_assert_cmphex(resp[HTC_HDR_LEN + 5], ==, eid);
}

/* The card out of its boot loader, HTT and WMI connected as ath10k does */
static void htc_boot(QTestState *qts)
{
    uint8_t buf[QCA_BLOCK_SIZE];

    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, buf,
                  bmi_cmd(buf, BMI_DONE, 0, 0, 1));
    g_assert_cmpuint(htc_drain(qts, buf), ==, 1);
    g_assert_cmphex(lduw_le_p(buf + HTC_HDR_LEN), ==, 1);   /* READY */
    g_assert_cmpuint(buf[HTC_HDR_LEN + 9], ==, 32);         /* bundles */
    htc_connect(qts, 0x0300, HTC_EP_HTT);
    htc_connect(qts, 0x0100, HTC_EP_WMI);
}

static QTestState *htc_start(void)
{
    QTestState *qts = sdio_start_enumerated();

    htc_boot(qts);
    return qts;
}

/*
 * Guest mistakes the models let pass are still named in -d guest_errors:
 * a read of a function-1 address that is no register of the model, and a
 * CMD53 to a function the host has not enabled (once enabled, no more)
 */
static void test_guest_errors_logged(void)
{
    g_autofree char *log_path = g_strdup_printf("%s/sdio-log-%d.txt",
                                                g_get_tmp_dir(), getpid());
    g_autofree char *args = g_strdup_printf("-d guest_errors -D %s",
                                            log_path);
    QTestState *qts = sdio_start_with(args);
    g_autofree char *log = NULL;
    uint8_t buf[4];
    char *first;

    sdio_enumerate(qts);
    g_assert_cmphex(sdio_readb(qts, 1, 0x900), ==, 0);
    sdio_rw_bytes(qts, false, 1, QCA_HOST_INT_STATUS, true, buf, 4);
    sdio_writeb(qts, 0, CCCR_IOE, 0x02);
    sdio_rw_bytes(qts, false, 1, QCA_HOST_INT_STATUS, true, buf, 4);
    qtest_quit(qts);
    g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
    unlink(log_path);
    g_assert_nonnull(strstr(log, "qca6584: read of function 1 address "
                            "0x00900, not a register the model has"));
    first = strstr(log, "sdio-card: CMD53 to function 1, which is not "
                   "enabled (IOE 0x00)\n");
    g_assert_nonnull(first);
    g_assert_null(strstr(strchr(first, '\n'), "which is not enabled"));
    /* what ath10k reads as a block is modelled, and says nothing */
    g_assert_null(strstr(log, "address 0x00800"));
}

/*
 * Before its services are connected the model marks WMI's and HTT's
 * endpoints 0xff; a message to endpoint 0xff used to match that and was
 * taken as a WMI command. It is a message to no endpoint: no answer.
 */
static void assert_firmware_ok(QTestState *qts);

static void test_htc_unconnected_endpoint(void)
{
    QTestState *qts = sdio_start_enumerated();
    uint8_t buf[QCA_BLOCK_SIZE], cmd[8 + 16] = { 0 };

    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, buf,
                  bmi_cmd(buf, BMI_DONE, 0, 0, 1));
    g_assert_cmpuint(htc_drain(qts, buf), ==, 1);           /* READY */
    stl_le_p(cmd, WMI_PEER_CREATE);
    stw_le_p(cmd + 4, 16);
    stw_le_p(cmd + 6, WMI_TAG_PEER_CREATE);
    htc_send(qts, 0xff, cmd, sizeof(cmd));
    g_assert_cmpuint(htc_drain(qts, buf), ==, 0);
    /* and the endpoints still connect and work */
    htc_connect(qts, 0x0300, HTC_EP_HTT);
    htc_connect(qts, 0x0100, HTC_EP_WMI);
    assert_firmware_ok(qts);
    qtest_quit(qts);
}

/* PEER_CREATE for @mac: the HTT PEER_MAP names it with peer id @id */
static void assert_peer_create(QTestState *qts, const uint8_t *mac,
                               uint16_t id)
{
    uint8_t cmd[16] = { 0 }, last[QCA_BLOCK_SIZE];

    memcpy(cmd + 4, mac, 6);
    wmi_send(qts, WMI_PEER_CREATE, WMI_TAG_PEER_CREATE, cmd, sizeof(cmd));
    /* the WMI credits come back first, then the map */
    g_assert_cmpuint(htc_drain(qts, last), ==, 2);
    g_assert_cmpuint(last[0], ==, HTC_EP_HTT);
    g_assert_cmpuint(last[HTC_HDR_LEN], ==, HTT_PEER_MAP);
    g_assert_cmpuint(lduw_le_p(last + HTC_HDR_LEN + 2), ==, id);
    g_assert_cmpmem(last + HTC_HDR_LEN + 4, 6, mac, 6);
}

/* The firmware still answers: VDEV_STOP gets VDEV_STOPPED */
static void assert_firmware_ok(QTestState *qts)
{
    uint8_t vdev[4] = { 3 }, last[QCA_BLOCK_SIZE];

    wmi_send(qts, WMI_VDEV_STOP, WMI_TAG_VDEV_STOP, vdev, sizeof(vdev));
    g_assert_cmpuint(htc_drain(qts, last), ==, 2);
    g_assert_cmpuint(last[0], ==, HTC_EP_WMI);
    g_assert_cmphex(ldl_le_p(last + HTC_HDR_LEN), ==, WMI_VDEV_STOPPED);
    g_assert_cmphex(ldl_le_p(last + HTC_HDR_LEN + 8), ==, 3);
    assert_card_ok(qts);
}

static void test_htc_peers(void)
{
    QTestState *qts = htc_start();
    uint8_t mac[6] = { 0x02, 0x03, 0x7f, 0x00, 0x00, 0x01 };
    uint8_t cmd[12] = { 0 };

    assert_peer_create(qts, mac, 1);
    mac[5] = 2;
    assert_peer_create(qts, mac, 2);
    /* deleting the first frees id 1 (HTT PEER_UNMAP), which comes back */
    mac[5] = 1;
    memcpy(cmd + 4, mac, 6);
    wmi_send(qts, WMI_PEER_DELETE, WMI_TAG_PEER_DELETE, cmd, sizeof(cmd));
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 2);
    mac[5] = 3;
    assert_peer_create(qts, mac, 1);
    assert_firmware_ok(qts);
    qtest_quit(qts);
}

/*
 * Messages queued on one endpoint come as a bundle: the first one's
 * header (the lookahead) counts the others, and one CMD53 reads them all.
 */
static void test_htc_bundle(void)
{
    QTestState *qts = htc_start();
    uint8_t buf[3 * QCA_BLOCK_SIZE] = { HTT_TX_FRM, 1 << 5 }, la[4];
    int i;

    /* three TX_FRMs the AP does not send: three TX completions */
    stw_le_p(buf + 4, 3000);
    for (i = 0; i < 3; i++) {
        htc_send(qts, HTC_EP_HTT, buf, 64);
    }
    sdio_rw_bytes(qts, false, 1, QCA_LOOKAHEAD, true, la, 4);
    g_assert_cmpuint(la[0], ==, HTC_EP_HTT);
    g_assert_cmphex(la[1] >> 4, ==, 2);         /* two more follow */
    sdio_rw_blocks(qts, false, 1, QCA_MBOX0, QCA_BLOCK_SIZE, 3, buf);
    for (i = 0; i < 3; i++) {
        g_assert_cmpuint(buf[i * QCA_BLOCK_SIZE], ==, HTC_EP_HTT);
        g_assert_cmpuint(buf[i * QCA_BLOCK_SIZE + HTC_HDR_LEN], ==, 7);
    }
    g_assert_cmpuint(sdio_readb(qts, 1, QCA_LOOKAHEAD_VALID), ==, 0);
    assert_firmware_ok(qts);
    qtest_quit(qts);
}

/*
 * What a broken or hostile driver can send after BMI_DONE: each is logged
 * (LOG_GUEST_ERROR) and ignored, and the firmware goes on answering.
 */
static void test_htc_malformed(void)
{
    QTestState *qts = htc_start();
    uint8_t buf[512] = { 0 }, mac[6] = { 0x02, 0, 0, 0, 0, 0 };
    int i;

    /* an endpoint nobody connected */
    htc_send(qts, 7, buf, 16);
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 0);
    assert_firmware_ok(qts);

    /*
     * A header announcing 64 KiB, then a message with 64 KiB of padding,
     * then one cut short by the mailbox's end: the rest of each write is
     * dropped, the next write starts clean.
     */
    buf[0] = HTC_EP_WMI;
    stw_le_p(buf + 2, 0xffff);
    htc_write(qts, buf, 32);
    buf[1] = HTC_FLAG_BUNDLE;
    stw_le_p(buf + 2, 4);
    stw_le_p(buf + 6, 0xffff);
    htc_write(qts, buf, 64);
    buf[1] = 0;
    stw_le_p(buf + 2, 100);
    htc_write(qts, buf, 64);
    memset(buf, 0, sizeof(buf));
    assert_firmware_ok(qts);

    /* WMI: no id; a TLV longer than its command; no TLV at all */
    htc_send(qts, HTC_EP_WMI, buf, 2);
    stl_le_p(buf, WMI_START_SCAN);
    stw_le_p(buf + 4, 400);
    stw_le_p(buf + 6, 77);
    htc_send(qts, HTC_EP_WMI, buf, 16);
    htc_send(qts, HTC_EP_WMI, buf, 4);
    stl_le_p(buf, WMI_PEER_DELETE);
    htc_send(qts, HTC_EP_WMI, buf, 4);
    /* a TLV too short for its command: no vdev id */
    wmi_send(qts, WMI_VDEV_STOP, WMI_TAG_VDEV_STOP, buf, 2);
    /* every one got its credits back, nothing more */
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 5);
    assert_firmware_ok(qts);

    /* deleting a peer that does not exist; more peers than the chip has */
    memset(buf, 0, 16);
    wmi_send(qts, WMI_PEER_DELETE, WMI_TAG_PEER_DELETE, buf, 12);
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 1);
    for (i = 1; i <= 8; i++) {
        mac[5] = i;
        assert_peer_create(qts, mac, i);
    }
    mac[5] = 9;
    memcpy(buf + 4, mac, 6);
    wmi_send(qts, WMI_PEER_CREATE, WMI_TAG_PEER_CREATE, buf, 16);
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 1);
    assert_firmware_ok(qts);

    /*
     * HTT: empty; TX_FRM shorter than its descriptor; a frame longer than
     * its message; a packet type that does not exist. A frame whose
     * descriptor could be read is still completed (TX_COMPL_IND).
     */
    memset(buf, 0, sizeof(buf));
    htc_send(qts, HTC_EP_HTT, buf, 0);
    buf[0] = HTT_TX_FRM;
    htc_send(qts, HTC_EP_HTT, buf, 8);
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 0);
    stw_le_p(buf + 4, 3000);                    /* frame length */
    htc_send(qts, HTC_EP_HTT, buf, 64);
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 1);
    buf[1] = 7 << 5;                            /* packet type 7 */
    stw_le_p(buf + 4, 24);
    htc_send(qts, HTC_EP_HTT, buf, 64);
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 1);
    /* a data frame from a station that never associated: not sent */
    buf[1] = 1 << 5;                            /* native wifi */
    buf[16] = 0x08;                             /* data, to the DS */
    buf[17] = 0x01;
    htc_send(qts, HTC_EP_HTT, buf, 64);
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 1);
    assert_firmware_ok(qts);

    /*
     * A host that never reads its mailbox: the target-to-host FIFO fills
     * (64 KiB, 256 blocks), what does not fit is dropped and logged.
     */
    for (i = 0; i < 300; i++) {
        wmi_send(qts, WMI_VDEV_STOP, WMI_TAG_VDEV_STOP, buf, 4);
    }
    g_assert_cmpuint(htc_drain(qts, NULL), ==, 256);
    assert_firmware_ok(qts);
    qtest_quit(qts);
}

/* -- snapshots ------------------------------------------------------------ */

/*
 * Saved in the middle of a two-block CMD53 read of the mailbox (one block
 * read, one to go) and restored into a new QEMU: the second block comes
 * with the right bytes and the transfer ends as it should. @stream:
 * restored from that committed stream instead (lab_migrate_stream())
 */
static void test_snapshot_mid_cmd53(const void *stream)
{
    QTestState *qts = sdio_start_with(stream ? LAB_STREAM_ARGS : "");
    uint8_t cmd[12 + 2 * BMI_MAX_READ], data[2 * QCA_BLOCK_SIZE];
    unsigned len, i;

    sdio_enumerate(qts);
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    /* a pattern in the board data, then two reads of it queued */
    bmi_cmd(cmd, BMI_WRITE_MEMORY, QCA_BOARD_ADDR, 2 * BMI_MAX_READ, 3);
    for (i = 0; i < 2 * BMI_MAX_READ; i++) {
        cmd[12 + i] = pattern(i);
    }
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, cmd, 12 + BMI_MAX_READ);
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, cmd + 12 + BMI_MAX_READ,
                  BMI_MAX_READ);
    len = bmi_cmd(cmd, BMI_READ_MEMORY, QCA_BOARD_ADDR, BMI_MAX_READ, 3);
    len += bmi_cmd(cmd + len, BMI_READ_MEMORY,
                   QCA_BOARD_ADDR + BMI_MAX_READ, BMI_MAX_READ, 3);
    sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, cmd, len);

    sdhc_write(qts, SDHC_BLKSIZE, 2 << 16 | QCA_BLOCK_SIZE);
    sdio_cmd(qts, 53, ARG_FN(1) | ARG_BLOCK | ARG_ADDR(QCA_MBOX0) | 2,
             CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN | TRN_MULTI |
             TRN_READ);
    sdhc_pio_block(qts, false, QCA_BLOCK_SIZE, data);
    qts = stream ? lab_migrate_stream(qts, stream, "-machine imx7d-custom "
                                      LAB_STREAM_ARGS)
                 : lab_migrate(qts, "-machine imx7d-custom");
    sdhc_pio(qts, false, QCA_BLOCK_SIZE, 1, data + QCA_BLOCK_SIZE);
    for (i = 0; i < sizeof(data); i++) {
        g_assert_cmphex(data[i], ==, pattern(i));
    }
    g_assert_cmphex(sdio_readb(qts, 1, QCA_HOST_INT_STATUS), ==, 0);
    assert_card_ok(qts);
    qtest_quit(qts);
}

/*
 * Saved with the HTC up, a peer created and a bundle of three HTT
 * messages one block into the CMD53 that reads it, restored into a new
 * QEMU: the other two blocks come as they should, the peer table came
 * along (the next peer gets id 2) and the firmware answers. @stream:
 * restored from that committed stream instead (lab_migrate_stream())
 */
static void test_snapshot_mid_bundle(const void *stream)
{
    QTestState *qts = sdio_start_with(stream ? LAB_STREAM_ARGS : "");
    uint8_t buf[3 * QCA_BLOCK_SIZE] = { HTT_TX_FRM, 1 << 5 }, la[4];
    uint8_t mac[6] = { 0x02, 0x03, 0x7f, 0x00, 0x00, 0x01 };
    int i;

    sdio_enumerate(qts);
    htc_boot(qts);
    assert_peer_create(qts, mac, 1);
    /* three TX_FRMs the AP does not send: three TX completions */
    stw_le_p(buf + 4, 3000);
    for (i = 0; i < 3; i++) {
        htc_send(qts, HTC_EP_HTT, buf, 64);
    }
    sdio_rw_bytes(qts, false, 1, QCA_LOOKAHEAD, true, la, 4);
    g_assert_cmpuint(la[0], ==, HTC_EP_HTT);
    g_assert_cmphex(la[1] >> 4, ==, 2);
    sdhc_write(qts, SDHC_BLKSIZE, 3 << 16 | QCA_BLOCK_SIZE);
    sdio_cmd(qts, 53, ARG_FN(1) | ARG_BLOCK | ARG_INC | ARG_ADDR(QCA_MBOX0) |
             3, CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN | TRN_MULTI |
             TRN_READ);
    sdhc_pio_block(qts, false, QCA_BLOCK_SIZE, buf);
    qts = stream ? lab_migrate_stream(qts, stream, "-machine imx7d-custom "
                                      LAB_STREAM_ARGS)
                 : lab_migrate(qts, "-machine imx7d-custom");
    sdhc_pio(qts, false, QCA_BLOCK_SIZE, 2, buf + QCA_BLOCK_SIZE);
    for (i = 0; i < 3; i++) {
        g_assert_cmpuint(buf[i * QCA_BLOCK_SIZE], ==, HTC_EP_HTT);
        g_assert_cmpuint(buf[i * QCA_BLOCK_SIZE + HTC_HDR_LEN], ==, 7);
    }
    g_assert_cmpuint(sdio_readb(qts, 1, QCA_LOOKAHEAD_VALID), ==, 0);
    mac[5] = 2;
    assert_peer_create(qts, mac, 2);
    assert_firmware_ok(qts);
    qtest_quit(qts);
}

/*
 * Where the card layer's fields lie in the qca6584 section (vmstate of
 * sdio-card, first in the device's): the card's state, then from
 * xfer_active on the CMD53 in progress
 */
#define VMS_CARD_STATE      0
#define VMS_XFER            46

/* The CMD53 fields as sdio-card's vmstate has them, big-endian */
static void vms_cmd53(uint8_t *p, uint8_t fn, uint32_t start, uint32_t addr,
                      uint32_t len, uint32_t left)
{
    p[0] = 1;                                   /* xfer_active */
    p[1] = 0;                                   /* xfer_write */
    p[2] = 0;                                   /* xfer_dummy */
    p[3] = 1;                                   /* xfer_inc */
    p[4] = fn;
    stl_be_p(p + 5, start);
    stl_be_p(p + 9, addr);
    stl_be_p(p + 13, len);
    stl_be_p(p + 17, left);
}

/*
 * A stream whose CMD53 could not have come from a command (its function,
 * its length, where it is) or whose card state is unknown is refused at
 * load: the data phase would index registers with them.
 */
static void test_snapshot_bad_cmd53_refused(void)
{
    static const struct {
        uint8_t fn;
        uint32_t start, addr, len, left;
    } bad[] = {
        { 6, QCA_MBOX0, QCA_MBOX0, 1024, 1024 },    /* the card has 1 */
        { 1, QCA_MBOX0, QCA_MBOX0, 1024, 1025 },    /* more left than all */
        { 1, QCA_MBOX0, QCA_MBOX0, 0, 0 },          /* active, no length */
        { 1, QCA_FUNC_SIZE - 4, QCA_FUNC_SIZE - 4, 1024, 1024 }, /* beyond */
        { 1, QCA_MBOX0, QCA_MBOX0 + 9, 1024, 1020 },    /* not where it is */
        { 0, 0x1fff0, 0x1fff0, 0xffffffff, 0xffffffff },
    };
    char *path = lab_migrate_tmp_path();
    uint8_t fields[21];
    unsigned i;

    for (i = 0; i <= G_N_ELEMENTS(bad); i++) {
        QTestState *qts = sdio_start_enumerated();

        lab_migrate_save(qts, path);
        if (i == G_N_ELEMENTS(bad)) {
            stl_be_p(fields, 4);                /* no such card state */
            lab_migrate_patch(path, "qca6584", VMS_CARD_STATE, fields, 4);
        } else {
            vms_cmd53(fields, bad[i].fn, bad[i].start, bad[i].addr,
                      bad[i].len, bad[i].left);
            lab_migrate_patch(path, "qca6584", VMS_XFER, fields,
                              sizeof(fields));
        }
        lab_migrate_load_refused("-machine imx7d-custom", path);
    }
    lab_migrate_tmp_remove(path);
}

/* -- fuzz ----------------------------------------------------------------- */

/*
 * Read whatever the target queued, as a driver would, however odd it
 * looks (BMI answers have no HTC header): at most 8 blocks a message
 */
static void fuzz_drain(QTestState *qts)
{
    uint8_t buf[8 * QCA_BLOCK_SIZE], la[4];
    unsigned n, blocks;

    /* the block size the driver set (a random CMD52 may have changed it) */
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    for (n = 0; n < 300 && sdio_readb(qts, 1, QCA_LOOKAHEAD_VALID) & 1;
         n++) {
        sdio_rw_bytes(qts, false, 1, QCA_LOOKAHEAD, true, la, 4);
        blocks = DIV_ROUND_UP(HTC_HDR_LEN + lduw_le_p(la + 2),
                              QCA_BLOCK_SIZE);
        sdio_rw_blocks(qts, false, 1, QCA_MBOX0, QCA_BLOCK_SIZE,
                       MIN(blocks, 8), buf);
    }
}

/* An HTC message with random header fields and a plausible payload */
static void fuzz_htc(QTestState *qts, LabFuzz *f)
{
    static const uint32_t wmi_ids[] = {
        0x1, 0x3001, 0x3002, 0x5001, 0x5003, 0x5004, 0x5005, 0x5006, 0x5007,
        0x6001, 0x6002, 0x6005, 0x11001,
    };
    static const uint16_t tags[] = { 16, 77, 80, 88, 93, 97, 98 };
    uint8_t buf[512];
    unsigned len = lab_fuzz_below(f, sizeof(buf) - HTC_HDR_LEN + 1);
    unsigned tlvs, i;

    lab_fuzz_bytes(f, buf, sizeof(buf));
    buf[0] = lab_fuzz_chance(f, 8) ? buf[0] : lab_fuzz_below(f, 3);
    if (!lab_fuzz_chance(f, 4)) {
        buf[1] &= 0x01;                         /* no bundle padding */
        stw_le_p(buf + 2, len);                 /* the true length */
    }
    if (buf[0] == HTC_EP_WMI && len >= 4) {
        stl_le_p(buf + HTC_HDR_LEN, wmi_ids[lab_fuzz_below(f,
                                            G_N_ELEMENTS(wmi_ids))]);
        /* TLVs of known tags with random (sometimes wrong) lengths */
        for (i = 4, tlvs = 0; i + 4 <= len && tlvs < 3; tlvs++) {
            uint16_t tlen = lab_fuzz_below(f, 120);

            stw_le_p(buf + HTC_HDR_LEN + i, tlen);
            stw_le_p(buf + HTC_HDR_LEN + i + 2,
                     tags[lab_fuzz_below(f, G_N_ELEMENTS(tags))]);
            i += 4 + tlen;
        }
    } else if (buf[0] == HTC_EP_HTT && len >= 1) {
        buf[HTC_HDR_LEN] = lab_fuzz_below(f, 9);
    } else if (buf[0] == HTC_EP_CONTROL && len >= 4) {
        stw_le_p(buf + HTC_HDR_LEN, lab_fuzz_below(f, 8));
        stw_le_p(buf + HTC_HDR_LEN + 2, lab_fuzz_chance(f, 2) ? 0x0100
                                                               : 0x0300);
    }
    if (lab_fuzz_chance(f, 4)) {
        /* anywhere in the mailbox windows, not ending at their end */
        sdio_rw_bytes(qts, true, 1, QCA_MBOX0 + lab_fuzz_below(f, 0x600),
                      true, buf, HTC_HDR_LEN + len);
    } else {
        htc_write(qts, buf, HTC_HDR_LEN + len);
    }
}

/* A CMD53 with random function, address, mode and count, random data */
static void fuzz_cmd53(QTestState *qts, LabFuzz *f)
{
    static const uint32_t bases[] = {
        0x800, 0x828, 0x840, 0x868, 0x874, QCA_MBOX0, 0x12f00, 0x1c700,
        QCA_FUNC_SIZE - 0x100,
    };
    uint8_t buf[8 * QCA_BLOCK_SIZE];
    bool write = lab_fuzz_chance(f, 2);
    unsigned fn = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 8) : 1;
    uint32_t addr = lab_fuzz_chance(f, 4) ? lab_fuzz_below(f, 0x20000)
                    : bases[lab_fuzz_below(f, G_N_ELEMENTS(bases))];
    uint32_t mode = lab_fuzz_chance(f, 2) ? ARG_INC : 0;
    unsigned n;

    lab_fuzz_bytes(f, buf, sizeof(buf));
    if (lab_fuzz_chance(f, 2)) {
        n = 1 + lab_fuzz_below(f, 8);           /* blocks of 256 */
        cmd53(qts, write, fn, addr, mode | ARG_BLOCK,
              lab_fuzz_chance(f, 16) ? lab_fuzz_below(f, 512) : n,
              QCA_BLOCK_SIZE, n, buf);
    } else {
        n = 1 + lab_fuzz_below(f, 512);         /* bytes */
        cmd53(qts, write, fn, addr, mode, n, n, 1, buf);
    }
}

/* After an I/O reset the card needs its address again, as Linux knows */
static void fuzz_reenumerate(QTestState *qts)
{
    sdio_enumerate(qts);
    sdio_write16(qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
}

/*
 * Whatever came before, Linux's enumeration and ath10k's boot work: the
 * card enumerates, leaves its boot loader on BMI_DONE, connects its
 * services and answers WMI
 */
static void assert_boots(QTestState *qts)
{
    sdio_enumerate(qts);
    htc_boot(qts);
    assert_firmware_ok(qts);
}

/*
 * Random but well-typed host operations on the SDIO card and the QCA6584
 * behind it: CMD52 anywhere, CMD53 of any shape, BMI commands, HTC
 * messages with random endpoints, lengths, WMI ids and TLVs, HTT types,
 * resets (lab-fuzz.h). Every 500 operations the card must still boot.
 */
/* Bump when the operation mix below changes (lab-fuzz.h) */
#define SDIO_FUZZ_GEN 1

static void test_fuzz(const void *repro)
{
    QTestState *qts = htc_start();
    uint8_t buf[2100];
    LabFuzz f;
    unsigned len, fn;
    uint32_t addr;
    bool write;

    lab_fuzz_init(&f, "sdio-qca6584", SDIO_FUZZ_GEN, repro);
    while (lab_fuzz_more(&f)) {
        switch (lab_fuzz_below(&f, 12)) {
        case 0 ... 1:
            fn = lab_fuzz_below(&f, 8);
            addr = lab_fuzz_chance(&f, 2) ? lab_fuzz_below(&f, 0x200)
                                          : 0x800 + lab_fuzz_below(&f, 0x80);
            write = lab_fuzz_chance(&f, 2);
            cmd52(qts, write, fn, addr, (uint8_t)lab_fuzz_next(&f),
                  lab_fuzz_chance(&f, 4));
            if (write && fn == 0 && addr == CCCR_ABORT) {
                fuzz_reenumerate(qts);  /* maybe a reset: as Linux would */
            }
            break;
        case 2 ... 3:
            fuzz_cmd53(qts, &f);
            break;
        case 4 ... 7:
            fuzz_htc(qts, &f);
            break;
        case 8:
            /* a BMI command, its length field random */
            len = 4 + lab_fuzz_below(&f, 508);
            lab_fuzz_bytes(&f, buf, len);
            stl_le_p(buf, lab_fuzz_below(&f, 16));
            sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, buf, len);
            break;
        case 9:
            fuzz_drain(qts);
            break;
        case 10:
            if (lab_fuzz_chance(&f, 8)) {
                cmd52(qts, true, 0, CCCR_ABORT, CCCR_ABORT_RES, false);
                fuzz_reenumerate(qts);
            } else {
                sdio_rw_bytes(qts, true, 1, QCA_MBOX0, true, buf,
                              bmi_cmd(buf, BMI_DONE, 0, 0, 1));
            }
            break;
        case 11:
            qtest_clock_step(qts, lab_fuzz_below(&f, 20000000));
            break;
        }
        if (f.done % 500 == 0) {
            assert_boots(qts);
        }
    }
    assert_boots(qts);
    qtest_quit(qts);
    lab_fuzz_end(&f);
}

/* -- DMA: the uSDHC's SDMA and ADMA2 moving the card's data ------------- */

#define SDHC_DSADDR         0x00        /* SDMA system address */
#define SDHC_PROCTL         0x28        /* uSDHC: DMA select in 9:8 */
#define SDHC_ADMASYSADDR    0x58
#define PROCTL_DMASEL(t)    ((uint32_t)(t) << 8)
#define DMASEL_SDMA         0
#define DMASEL_ADMA2        2
#define TRN_DMA             0x0001
#define NIS_DMA             0x0008      /* SDMA stopped at a boundary */
#define CLK_RESET_CMD       (1u << 25)
#define CLK_RESET_DATA      (1u << 26)

/* ADMA2 descriptor attributes: valid, end, interrupt, action in 5:4 */
#define ADMA_VALID          0x01
#define ADMA_END            0x02
#define ADMA_INT            0x04
#define ADMA_NOP            0x00
#define ADMA_RSV            0x10
#define ADMA_TRAN           0x20
#define ADMA_LINK           0x30
#define ADMA_ACT_MASK       0x30

/* The board's RAM (512 MiB at 0x80000000): descriptors, then data */
#define RAM_END             0xa0000000u
#define DMA_DESC            0x80010000u
#define DMA_BUF             0x80100000u

static void adma_put(QTestState *qts, uint32_t table, unsigned i,
                     uint16_t attr, uint16_t len, uint32_t addr)
{
    uint8_t d[8];

    stw_le_p(d, attr);
    stw_le_p(d + 2, len);
    stl_le_p(d + 4, addr);
    qtest_memwrite(qts, table + 8 * i, d, sizeof(d));
}

/*
 * The DMA engine @dmasel set to move the data of CMD53 @arg, @blkcnt
 * blocks of @blksz, from or to RAM (@dma: the SDMA buffer or the ADMA2
 * descriptor table), the way sdhci-esdhc-imx does it; the command issued.
 * Returns its R5, whose flags must be clear.
 */
static uint16_t cmd53_dma_start(QTestState *qts, bool write, uint32_t arg,
                                unsigned blksz, unsigned blkcnt,
                                unsigned dmasel, uint32_t dma)
{
    uint32_t rsp;

    sdhc_write(qts, SDHC_PROCTL, PROCTL_DMASEL(dmasel));
    sdhc_write(qts, dmasel == DMASEL_SDMA ? SDHC_DSADDR : SDHC_ADMASYSADDR,
               dma);
    sdhc_write(qts, SDHC_BLKSIZE, blkcnt << 16 | blksz);
    rsp = sdio_cmd(qts, 53, arg, CMD_R5 | CMD_DATA_PRESENT,
                   TRN_DMA | TRN_BLK_CNT_EN | (blkcnt > 1 ? TRN_MULTI : 0) |
                   (write ? 0 : TRN_READ));
    g_assert_cmphex(rsp >> 16, ==, 0);
    return rsp;
}

/* The transfer cmd53_dma_start() began has completed: acked, DMA off */
static void cmd53_dma_finish(QTestState *qts)
{
    uint32_t sts = sdhc_read(qts, SDHC_NORINTSTS);

    g_assert_cmphex(sts & (NIS_TRSCMP | NIS_ERR), ==, NIS_TRSCMP);
    sdhc_write(qts, SDHC_NORINTSTS, sts);
    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) & PRS_DATA_INHIBIT, ==, 0);
    sdhc_write(qts, SDHC_PROCTL, 0);
}

/* A byte mode CMD53 of @len bytes by DMA (cmd53_dma_start()) */
static void cmd53_dma(QTestState *qts, bool write, unsigned fn,
                      uint32_t addr, unsigned len, unsigned dmasel,
                      uint32_t dma)
{
    uint32_t arg = (write ? ARG_WRITE : 0) | ARG_FN(fn) | ARG_INC |
                   ARG_ADDR(addr) | (len & 0x1ff);

    g_assert_cmphex(cmd53_dma_start(qts, write, arg, len, 1, dmasel,
                                    dma) >> 8, ==, R5_STATE_TRN);
    qtest_clock_step(qts, 100000);
    cmd53_dma_finish(qts);
}

/* cmd53()'s data phase by ADMA2, one descriptor (cmd53_by_dma) */
static uint16_t cmd53_adma(QTestState *qts, bool write, uint32_t arg,
                           unsigned blksz, unsigned blkcnt, uint8_t *buf)
{
    unsigned len = blksz * blkcnt;
    uint16_t rsp;

    g_assert_cmpuint(len, >, 0);
    g_assert_cmpuint(len, <, 0x10000);
    if (write) {
        qtest_memwrite(qts, DMA_BUF, buf, len);
    }
    adma_put(qts, DMA_DESC, 0, ADMA_VALID | ADMA_TRAN | ADMA_END, len,
             DMA_BUF);
    rsp = cmd53_dma_start(qts, write, arg, blksz, blkcnt, DMASEL_ADMA2,
                          DMA_DESC);
    cmd53_dma_finish(qts);
    if (!write) {
        qtest_memread(qts, DMA_BUF, buf, len);
    }
    return rsp;
}

/*
 * The card's data through both DMA engines: the CCCR read by ADMA2 (a NOP,
 * a link and two buffers) and by SDMA equals what PIO reads; a word
 * written by ADMA2 into the diagnostic window reads back by PIO
 */
static void assert_dma_ok(QTestState *qts)
{
    static const uint8_t out[4] = { 0xc3, 0x3c, 0x5a, 0xa5 };
    uint8_t pio[32], dma[32], in[4];

    sdio_rw_bytes(qts, false, 0, CCCR_REVISION, true, pio, sizeof(pio));

    adma_put(qts, DMA_DESC, 0, ADMA_VALID | ADMA_NOP, 0, 0);
    adma_put(qts, DMA_DESC, 1, ADMA_VALID | ADMA_TRAN, 16, DMA_BUF);
    adma_put(qts, DMA_DESC, 2, ADMA_VALID | ADMA_LINK, 0, DMA_DESC + 0x100);
    adma_put(qts, DMA_DESC + 0x100, 0, ADMA_VALID | ADMA_TRAN | ADMA_END, 16,
             DMA_BUF + 0x1000);
    qtest_memset(qts, DMA_BUF, 0, 0x1010);
    cmd53_dma(qts, false, 0, CCCR_REVISION, sizeof(dma), DMASEL_ADMA2,
              DMA_DESC);
    qtest_memread(qts, DMA_BUF, dma, 16);
    qtest_memread(qts, DMA_BUF + 0x1000, dma + 16, 16);
    g_assert_cmpmem(dma, sizeof(dma), pio, sizeof(pio));

    qtest_memset(qts, DMA_BUF, 0, sizeof(dma));
    cmd53_dma(qts, false, 0, CCCR_REVISION, sizeof(dma), DMASEL_SDMA,
              DMA_BUF);
    qtest_memread(qts, DMA_BUF, dma, sizeof(dma));
    g_assert_cmpmem(dma, sizeof(dma), pio, sizeof(pio));

    qtest_memwrite(qts, DMA_BUF, out, sizeof(out));
    adma_put(qts, DMA_DESC, 0, ADMA_VALID | ADMA_TRAN | ADMA_END,
             sizeof(out), DMA_BUF);
    cmd53_dma(qts, true, 1, QCA_WINDOW_DATA, sizeof(out), DMASEL_ADMA2,
              DMA_DESC);
    sdio_rw_bytes(qts, false, 1, QCA_WINDOW_DATA, true, in, sizeof(in));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));
}

static void test_dma(void)
{
    QTestState *qts = sdio_start_enumerated();

    assert_dma_ok(qts);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
    qtest_quit(qts);
}

/* Where a guest may point the DMA engine: mostly RAM, but anywhere */
static uint32_t fuzz_dma_addr(LabFuzz *f)
{
    switch (lab_fuzz_below(f, 8)) {
    case 0:
        return (uint32_t)lab_fuzz_next(f);
    case 1:
        return USDHC2_BASE + lab_fuzz_below(f, 0x100);  /* the controller */
    case 2:
        return RAM_END - lab_fuzz_below(f, 0x1000);     /* across its end */
    default:
        return DMA_BUF + lab_fuzz_below(f, 0x10000);
    }
}

/* 1..8 random ADMA2 descriptors at DMA_DESC, links and loops included */
static void fuzz_adma_table(QTestState *qts, LabFuzz *f)
{
    static const uint16_t acts[] = {
        ADMA_NOP, ADMA_RSV, ADMA_TRAN, ADMA_TRAN, ADMA_TRAN, ADMA_LINK,
    };
    unsigned n = 1 + lab_fuzz_below(f, 8), i;

    for (i = 0; i < n; i++) {
        uint16_t attr = acts[lab_fuzz_below(f, G_N_ELEMENTS(acts))] |
                        (lab_fuzz_chance(f, 8) ? 0 : ADMA_VALID) |
                        (lab_fuzz_chance(f, 4) ? ADMA_INT : 0) |
                        (i == n - 1 || lab_fuzz_chance(f, 8) ? ADMA_END : 0);
        uint16_t len = lab_fuzz_chance(f, 8) ? (uint16_t)lab_fuzz_next(f)
                                             : lab_fuzz_below(f, 1024);
        uint32_t addr = (attr & ADMA_ACT_MASK) == ADMA_LINK &&
                        lab_fuzz_chance(f, 2)
                        ? DMA_DESC + 8 * lab_fuzz_below(f, n)
                        : fuzz_dma_addr(f);

        adma_put(qts, DMA_DESC, i, attr, len, addr);
    }
}

/* What a driver does after any transfer: ack all, reset busy lines */
static void fuzz_dma_recover(QTestState *qts, LabFuzz *f)
{
    sdhc_write(qts, SDHC_NORINTSTS, sdhc_read(qts, SDHC_NORINTSTS));
    if (sdhc_read(qts, SDHC_PRNSTS) & (PRS_CMD_INHIBIT | PRS_DATA_INHIBIT) &&
        !lab_fuzz_chance(f, 8)) {
        sdhc_write(qts, SDHC_CLKCON, sdhc_read(qts, SDHC_CLKCON) |
                   CLK_RESET_CMD | CLK_RESET_DATA);
    }
}

/*
 * A CMD53 whose data phase runs by SDMA, ADMA1 or ADMA2 (32 or 64-bit),
 * with random function, address, block size and count, transfer mode bits,
 * buffer addresses and descriptor tables; time passes, an SDMA boundary
 * may be continued, then the driver's recovery
 */
static void fuzz_dma_cmd53(QTestState *qts, LabFuzz *f)
{
    bool write = lab_fuzz_chance(f, 2), block = lab_fuzz_chance(f, 2);
    unsigned fn = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 8)
                  : !lab_fuzz_chance(f, 4);
    uint32_t addr = lab_fuzz_chance(f, 2) ? lab_fuzz_below(f, 0x20000)
                    : lab_fuzz_chance(f, 2) ? QCA_MBOX0 : QCA_WINDOW_DATA;
    unsigned blksz = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 0x1000)
                     : block ? QCA_BLOCK_SIZE : 1 + lab_fuzz_below(f, 512);
    unsigned blkcnt = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 0x10000)
                      : block ? 1 + lab_fuzz_below(f, 8) : 1;
    unsigned count = lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 0x200)
                     : (block ? blkcnt : blksz) & 0x1ff;
    unsigned dmasel = lab_fuzz_below(f, 4);
    uint16_t trn = TRN_DMA | TRN_BLK_CNT_EN | (blkcnt > 1 ? TRN_MULTI : 0) |
                   (write ? 0 : TRN_READ);
    uint8_t data[4096];
    int steps;

    if (lab_fuzz_chance(f, 16)) {
        trn ^= 1u << lab_fuzz_below(f, 16);
    }
    if (write && lab_fuzz_chance(f, 4)) {
        lab_fuzz_bytes(f, data, sizeof(data));
        qtest_memwrite(qts, DMA_BUF, data, sizeof(data));
    }
    sdhc_write(qts, SDHC_PROCTL, PROCTL_DMASEL(dmasel));
    if (dmasel == DMASEL_SDMA) {
        sdhc_write(qts, SDHC_DSADDR, fuzz_dma_addr(f));
    } else {
        fuzz_adma_table(qts, f);
        sdhc_write(qts, SDHC_ADMASYSADDR,
                   lab_fuzz_chance(f, 16) ? fuzz_dma_addr(f) : DMA_DESC);
    }
    sdhc_write(qts, SDHC_BLKSIZE, blkcnt << 16 | blksz);
    sdhc_write(qts, USDHC_MIX_CTRL, trn);
    sdhc_write(qts, SDHC_ARGUMENT, (write ? ARG_WRITE : 0) | ARG_FN(fn) |
               (block ? ARG_BLOCK : 0) |
               (lab_fuzz_chance(f, 4) ? 0 : ARG_INC) | ARG_ADDR(addr) |
               count);
    sdhc_write(qts, SDHC_XFERTYP,
               (uint32_t)(53 << 8 | CMD_R5 | CMD_DATA_PRESENT) << 16);
    for (steps = lab_fuzz_below(f, 4); steps > 0; steps--) {
        qtest_clock_step(qts, lab_fuzz_below(f, 200000));
        if (dmasel == DMASEL_SDMA &&
            sdhc_read(qts, SDHC_NORINTSTS) & NIS_DMA &&
            lab_fuzz_chance(f, 2)) {
            sdhc_write(qts, SDHC_NORINTSTS, NIS_DMA);
            sdhc_write(qts, SDHC_DSADDR, fuzz_dma_addr(f));
        }
    }
    fuzz_dma_recover(qts, f);
}

/* Bump when the operation mix below changes (lab-fuzz.h) */
#define USDHC_DMA_FUZZ_GEN 1

/*
 * Random guest operations on the uSDHC with the card behind it, the SD
 * core's and sdhci's share of the boundary (CVE-2020-17380 and
 * CVE-2021-3409 were DMA bugs there): DMA transfers of every kind and
 * shape, random register writes and reads of any width, random commands,
 * buffer port accesses with or without a transfer, time passing
 * (lab-fuzz.h). Every 100 operations, after a controller reset and
 * Linux's enumeration, both DMA engines must move the card's data right.
 */
static void test_dma_fuzz(const void *repro)
{
    QTestState *qts = sdio_start_enumerated();
    uint32_t offset;
    LabFuzz f;
    int i;

    lab_fuzz_init(&f, "usdhc-dma", USDHC_DMA_FUZZ_GEN, repro);
    while (lab_fuzz_more(&f)) {
        switch (lab_fuzz_below(&f, 10)) {
        case 0 ... 4:
            fuzz_dma_cmd53(qts, &f);
            break;
        case 5:
            offset = lab_fuzz_below(&f, 0x100);
            switch (lab_fuzz_below(&f, 3)) {
            case 0:
                qtest_writeb(qts, USDHC2_BASE + offset,
                             (uint8_t)lab_fuzz_next(&f));
                break;
            case 1:
                qtest_writew(qts, USDHC2_BASE + (offset & ~1),
                             (uint16_t)lab_fuzz_next(&f));
                break;
            default:
                qtest_writel(qts, USDHC2_BASE + (offset & ~3),
                             (uint32_t)lab_fuzz_next(&f));
                break;
            }
            break;
        case 6:
            sdhc_read(qts, lab_fuzz_below(&f, 0x100 / 4) * 4);
            break;
        case 7:
            sdhc_write(qts, SDHC_BLKSIZE, (uint32_t)lab_fuzz_next(&f));
            sdhc_write(qts, USDHC_MIX_CTRL, (uint16_t)lab_fuzz_next(&f));
            sdhc_write(qts, SDHC_ARGUMENT, (uint32_t)lab_fuzz_next(&f));
            sdhc_write(qts, SDHC_XFERTYP, (uint32_t)lab_fuzz_below(&f, 64) <<
                       24 | (uint32_t)lab_fuzz_below(&f, 64) << 16);
            fuzz_dma_recover(qts, &f);
            break;
        case 8:
            for (i = lab_fuzz_below(&f, 130); i > 0; i--) {
                if (lab_fuzz_chance(&f, 2)) {
                    qtest_writel(qts, USDHC2_BASE + SDHC_BDATA,
                                 (uint32_t)lab_fuzz_next(&f));
                } else {
                    qtest_readl(qts, USDHC2_BASE + SDHC_BDATA);
                }
            }
            break;
        case 9:
            qtest_clock_step(qts, lab_fuzz_below(&f, 2000000));
            break;
        }
        if (f.done % 100 == 0) {
            sdhc_init(qts);
            sdio_enumerate(qts);
            assert_dma_ok(qts);
        }
    }
    sdhc_init(qts);
    sdio_enumerate(qts);
    assert_dma_ok(qts);
    qtest_quit(qts);
    lab_fuzz_end(&f);
}

/* -- the data path: frames between the host, the AP and a network ------- */

#define HTT_H2T_TX_FRM      1
#define HTT_T2H_RX_IND      1
#define HTT_TX_DESC_LEN     16
#define HTT_TX_PKT_RAW      0
#define HTT_TX_PKT_NWIFI    1
#define HTT_TX_PKT_ETH      2
#define HTT_TX_PKT_MGMT     3
#define HTT_TX_CSUM         (3 << 13)   /* flags1: L3 and L4 checksums */
#define HTT_RX_IND_HL_LEN   76
#define HTC_MSG_MAX         1792        /* the model's largest message */

#define WIFI_HDR_LEN        24
#define FC0_DATA            0x08
#define FC0_QOS_DATA        0x88
#define FC0_AUTH            0xb0
#define FC0_ASSOC_REQ       0x00
#define FC0_REASSOC_REQ     0x20
#define FC0_PROBE_REQ       0x40
#define FC0_DISASSOC        0xa0
#define FC0_DEAUTH          0xc0
#define FC1_TO_DS           0x01
#define FC1_FROM_DS         0x02
#define ETH_HDR_LEN         14
#define ETHERTYPE_IPV4      0x0800
#define ETHERTYPE_IPV6      0x86dd
#define ETHERTYPE_RARP      0x8035

/* the AP's default BSSID (qca6584 ap-bssid), our station, a wired host */
static const uint8_t ap_bssid[6] = { 0x02, 0x03, 0x7f, 0x00, 0x00, 0x01 };
static const uint8_t sta_mac[6] = { 0x02, 0x1a, 0xb0, 0x00, 0x00, 0x42 };
static const uint8_t host_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t llc_snap[6] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00 };

/*
 * The QEMU arguments of a board whose Wi-Fi AP bridges to a datagram
 * socket (one frame each), @extra after them: our end in @fd, QEMU's in
 * @peer (to close once QEMU has it)
 */
static char *net_args(int *fd, int *peer, const char *extra)
{
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), ==, 0);
    g_assert_cmpint(fcntl(sv[0], F_SETFL, O_NONBLOCK), ==, 0);
    *fd = sv[0];
    *peer = sv[1];
    return g_strdup_printf("-machine imx7d-custom -netdev socket,id=wifi,"
                           "fd=%d -global qca6584.netdev=wifi %s", sv[1],
                           extra);
}

/* That board (net_args()), the HTC up */
static QTestState *net_start_with(int *fd, const char *extra)
{
    int peer;
    g_autofree char *args = net_args(fd, &peer, extra);
    QTestState *qts = qtest_init(args);

    close(peer);
    sdhc_init(qts);
    sdio_enumerate(qts);
    htc_boot(qts);
    return qts;
}

static QTestState *net_start(int *fd)
{
    return net_start_with(fd, "");
}

/* Any HTC message up to the model's largest, as ath10k writes it */
static void htc_write_any(QTestState *qts, uint8_t *buf, unsigned len)
{
    unsigned padded = ROUND_UP(len, QCA_BLOCK_SIZE);

    if (len <= 512) {
        htc_write(qts, buf, len);
        return;
    }
    memset(buf + len, 0, padded - len);
    sdio_rw_blocks(qts, true, 1, QCA_MBOX0_EXT_END - padded, QCA_BLOCK_SIZE,
                   padded / QCA_BLOCK_SIZE, buf);
}

/* HTT TX_FRM: @frame of @type, as the host hands it to the firmware */
static void htt_tx(QTestState *qts, unsigned type, uint16_t flags1,
                   uint16_t msdu_id, const uint8_t *frame, unsigned flen)
{
    uint8_t buf[ROUND_UP(HTC_MSG_MAX, QCA_BLOCK_SIZE) + QCA_BLOCK_SIZE];
    uint8_t *d = buf + HTC_HDR_LEN;

    g_assert_cmpuint(HTC_HDR_LEN + HTT_TX_DESC_LEN + flen, <=, HTC_MSG_MAX);
    memset(buf, 0, HTC_HDR_LEN + HTT_TX_DESC_LEN);
    buf[0] = HTC_EP_HTT;
    stw_le_p(buf + 2, HTT_TX_DESC_LEN + flen);
    d[0] = HTT_H2T_TX_FRM;
    d[1] = type << 5;
    stw_le_p(d + 2, flags1);
    stw_le_p(d + 4, flen);
    stw_le_p(d + 6, msdu_id);
    memcpy(d + HTT_TX_DESC_LEN, frame, flen);
    htc_write_any(qts, buf, HTC_HDR_LEN + HTT_TX_DESC_LEN + flen);
}

/* An 802.11 header: frame control, then addresses 1, 2 and 3 */
static unsigned wifi_hdr(uint8_t *p, uint8_t fc0, uint8_t fc1,
                         const uint8_t *a1, const uint8_t *a2,
                         const uint8_t *a3)
{
    memset(p, 0, WIFI_HDR_LEN);
    p[0] = fc0;
    p[1] = fc1;
    memcpy(p + 4, a1, 6);
    memcpy(p + 10, a2, 6);
    memcpy(p + 16, a3, 6);
    return WIFI_HDR_LEN;
}

/* A management frame from our station to the AP, body @body */
static void sta_mgmt(QTestState *qts, uint8_t fc0, const uint8_t *body,
                     unsigned blen)
{
    uint8_t frame[256];
    unsigned n = wifi_hdr(frame, fc0, 0, ap_bssid, sta_mac, ap_bssid);

    memcpy(frame + n, body, blen);
    htt_tx(qts, HTT_TX_PKT_MGMT, 0, 1, frame, n + blen);
}

/* What the data path's frames leave: HTC messages and socket datagrams */
static void net_drain(QTestState *qts, int fd)
{
    uint8_t frame[4096];

    fuzz_drain(qts);
    while (recv(fd, frame, sizeof(frame), 0) > 0) {
        continue;
    }
}

/*
 * Until QEMU has taken every frame sent to it (the host reading its
 * mailbox so that they find room), then what they left behind is read
 */
static void net_settle(QTestState *qts, int fd)
{
    int i, queued = 0;

    for (i = 0; i < 10000; i++) {
        g_assert_cmpint(ioctl(fd, SIOCOUTQ, &queued), ==, 0);
        if (!queued) {
            break;
        }
        net_drain(qts, fd);
        qtest_clock_step(qts, 0);       /* a main loop turn for QEMU */
    }
    g_assert_cmpint(queued, ==, 0);
    net_drain(qts, fd);
}

/*
 * The frame QEMU sent to the network, waiting a little for it. After an
 * incoming migration QEMU announces the NIC's address itself (RARP,
 * qemu_announce_self()): those are not the model's frames.
 */
static ssize_t net_recv(QTestState *qts, int fd, uint8_t *frame, size_t size)
{
    ssize_t n;
    int i;

    for (i = 0; i < 1000; i++) {
        n = recv(fd, frame, size, 0);
        if (n >= ETH_HDR_LEN && lduw_be_p(frame + 12) == ETHERTYPE_RARP) {
            continue;
        }
        if (n >= 0) {
            return n;
        }
        g_assert_cmpint(errno, ==, EAGAIN);
        qtest_clock_step(qts, 0);       /* a main loop turn for QEMU */
    }
    g_assert_not_reached();
}

/* Authenticated and associated, as the host's PEER_CREATE and MLME do */
static void net_associate(QTestState *qts, int fd)
{
    static const uint8_t auth[6] = { 0, 0, 1, 0, 0, 0 };
    static const uint8_t assoc[4] = { 0x01, 0x04, 0x0a, 0x00 };
    uint8_t cmd[16] = { 0 };

    net_settle(qts, fd);
    memcpy(cmd + 4, ap_bssid, 6);
    wmi_send(qts, WMI_PEER_CREATE, WMI_TAG_PEER_CREATE, cmd, sizeof(cmd));
    sta_mgmt(qts, FC0_AUTH, auth, sizeof(auth));
    sta_mgmt(qts, FC0_ASSOC_REQ, assoc, sizeof(assoc));
    net_drain(qts, fd);
}

/*
 * The station associated, the AP known as peer @peer_id: a UDP datagram
 * each way: the one sent gets its offloaded checksums filled in, the one
 * received comes up as an 802.11 frame from the AP in an RX_IND
 */
static void assert_data_flows(QTestState *qts, int fd, uint16_t peer_id)
{
    uint8_t out[128], in[4096], msg[8 * QCA_BLOCK_SIZE];
    uint8_t *ip = out + ETH_HDR_LEN, *udp = ip + 20, *f;
    unsigned i, len = ETH_HDR_LEN + 20 + 8 + 32;
    ssize_t n;

    memset(out, 0, sizeof(out));
    memcpy(out, host_mac, 6);
    memcpy(out + 6, sta_mac, 6);
    stw_be_p(out + 12, ETHERTYPE_IPV4);
    ip[0] = 0x45;
    stw_be_p(ip + 2, len - ETH_HDR_LEN);
    ip[8] = 64;
    ip[9] = 17;                                 /* UDP */
    stl_be_p(ip + 12, 0x0a00020f);
    stl_be_p(ip + 16, 0x0a000202);
    stw_be_p(udp, 5000);
    stw_be_p(udp + 2, 5001);
    stw_be_p(udp + 4, 8 + 32);
    for (i = 0; i < 32; i++) {
        udp[8 + i] = i * 7;
    }
    htt_tx(qts, HTT_TX_PKT_ETH, HTT_TX_CSUM, 7, out, len);
    n = net_recv(qts, fd, in, sizeof(in));
    g_assert_cmpint(n, ==, len);
    g_assert_cmpmem(in, 12, out, 12);
    g_assert_cmphex(lab_inet_sum(in + ETH_HDR_LEN, 20, 0), ==, 0xffff);
    g_assert_cmphex(lduw_be_p(in + ETH_HDR_LEN + 20 + 6), !=, 0);
    /* pseudo header: addresses, protocol, UDP length */
    g_assert_cmphex(lab_inet_sum(in + ETH_HDR_LEN + 20, 8 + 32,
                             lab_inet_sum(in + ETH_HDR_LEN + 12, 8, 17 + 40)),
                    ==, 0xffff);
    g_assert_cmpmem(in + ETH_HDR_LEN + 28, 32, udp + 8, 32);
    fuzz_drain(qts);                            /* its completion */

    memcpy(out, sta_mac, 6);
    memcpy(out + 6, host_mac, 6);
    g_assert_cmpint(send(fd, out, len, 0), ==, len);
    for (i = 0; i < 1000 && !(sdio_readb(qts, 1, QCA_LOOKAHEAD_VALID) & 1);
         i++) {
        qtest_clock_step(qts, 0);
    }
    g_assert_cmpuint(htc_drain(qts, msg), ==, 1);
    g_assert_cmpuint(msg[0], ==, HTC_EP_HTT);
    g_assert_cmpuint(msg[HTC_HDR_LEN], ==, HTT_T2H_RX_IND);
    g_assert_cmpuint(lduw_le_p(msg + HTC_HDR_LEN + 2), ==, peer_id);
    f = msg + HTC_HDR_LEN + HTT_RX_IND_HL_LEN;
    g_assert_cmphex(f[0], ==, FC0_DATA);
    g_assert_cmphex(f[1], ==, FC1_FROM_DS);
    g_assert_cmpmem(f + 4, 6, sta_mac, 6);
    g_assert_cmpmem(f + 10, 6, ap_bssid, 6);
    g_assert_cmpmem(f + 16, 6, host_mac, 6);
    g_assert_cmpmem(f + WIFI_HDR_LEN, 6, llc_snap, 6);
    g_assert_cmpmem(f + WIFI_HDR_LEN + 6, len - 12, out + 12, len - 12);
}

/* Authenticated and associated, then a datagram each way intact */
static void assert_data_path_ok(QTestState *qts, int fd, uint16_t peer_id)
{
    net_associate(qts, fd);
    assert_data_flows(qts, fd, peer_id);
}

/* A board whose station is associated, the data path proven, all read */
static QTestState *net_start_associated(int *fd)
{
    QTestState *qts;

    cmd53_by_dma = true;
    qts = net_start(fd);
    assert_data_path_ok(qts, *fd, 1);
    net_drain(qts, *fd);
    return qts;
}

/*
 * Saved with the station associated (the AP's state, the peer) and
 * restored into a new QEMU on a new socket: a datagram goes each way
 * without a new association. @stream: restored from that committed
 * stream instead (lab_migrate_stream())
 */
static void test_snapshot_associated(const void *stream)
{
    const char *extra = stream ? LAB_STREAM_ARGS : "";
    g_autofree char *args = NULL;
    QTestState *qts;
    int fd, old_fd, peer;

    cmd53_by_dma = true;
    qts = net_start_with(&old_fd, extra);
    net_associate(qts, old_fd);
    args = net_args(&fd, &peer, extra);
    qts = stream ? lab_migrate_stream(qts, stream, args)
                 : lab_migrate(qts, args);
    close(old_fd);
    close(peer);
    assert_data_flows(qts, fd, 1);
    qtest_quit(qts);
    close(fd);
    cmd53_by_dma = false;
}

static void test_data_path(void)
{
    int fd;
    QTestState *qts;

    cmd53_by_dma = true;
    qts = net_start(&fd);
    assert_data_path_ok(qts, fd, 1);
    qtest_quit(qts);
    close(fd);
    cmd53_by_dma = false;
}

/*
 * An IPv4 header longer than its own total length (IHL 15, total 20),
 * TCP, with checksum offload: QEMU 7.2's net_checksum_calculate() took
 * the difference as a length of nearly 64 KiB and summed the vCPU stack
 * behind the model's frame into the TCP checksum. The model leaves a
 * header it cannot parse alone: the frame goes out as the host wrote it.
 */
static void test_data_path_ihl_beyond_length(void)
{
    uint8_t out[ETH_HDR_LEN + 80], in[4096];
    uint8_t *ip = out + ETH_HDR_LEN;
    unsigned i;
    ssize_t n;
    QTestState *qts;
    int fd;

    qts = net_start_associated(&fd);

    memcpy(out, host_mac, 6);
    memcpy(out + 6, sta_mac, 6);
    stw_be_p(out + 12, ETHERTYPE_IPV4);
    for (i = 0; i < 80; i++) {
        ip[i] = 0xa5 ^ i;
    }
    ip[0] = 0x4f;                               /* IHL 15: 60 bytes */
    stw_be_p(ip + 2, 20);                       /* total length 20 */
    stw_be_p(ip + 6, 0);                        /* not a fragment */
    ip[9] = 6;                                  /* TCP */
    htt_tx(qts, HTT_TX_PKT_ETH, HTT_TX_CSUM, 9, out, sizeof(out));
    n = net_recv(qts, fd, in, sizeof(in));
    g_assert_cmpint(n, ==, sizeof(out));
    g_assert_cmpmem(in, sizeof(out), out, sizeof(out));
    fuzz_drain(qts);
    qtest_quit(qts);
    close(fd);
    cmd53_by_dma = false;
}

/* QEMU's resident memory: the one child process of this test */
static long qemu_rss_kib(void)
{
    g_autoptr(GDir) dir = g_dir_open("/proc", 0, NULL);
    const char *name;
    long rss = -1;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *stat_path = g_strdup_printf("/proc/%s/stat", name);
        g_autofree char *status_path = NULL;
        g_autofree char *text = NULL;
        const char *p;
        int ppid;

        if (!g_ascii_isdigit(name[0]) ||
            !g_file_get_contents(stat_path, &text, NULL, NULL) ||
            !(p = strrchr(text, ')')) || sscanf(p + 2, "%*c %d", &ppid) != 1 ||
            ppid != getpid()) {
            continue;
        }
        g_free(text);
        status_path = g_strdup_printf("/proc/%s/status", name);
        g_assert_true(g_file_get_contents(status_path, &text, NULL, NULL));
        p = strstr(text, "VmRSS:");
        g_assert_nonnull(p);
        g_assert_cmpint(rss, ==, -1);           /* only one QEMU */
        rss = strtol(p + 6, NULL, 10);
    }
    g_assert_cmpint(rss, >, 0);
    return rss;
}

/*
 * QEMU grew by @grown KiB, less than @bound. Not under the sanitizers
 * (tests/run sets LAB_QEMU_SANITIZED): there every qtest command's freed
 * buffers wait in ASan's quarantine (256 MiB) and RSS measured 377 MiB
 * for the backpressure test; the plain build in make test is the check.
 */
static void assert_rss_growth(long grown, long bound)
{
    if (getenv("LAB_QEMU_SANITIZED")) {
        g_test_message("QEMU grew by %ld KiB: not checked under the "
                       "sanitizers", grown);
        return;
    }
    g_assert_cmpint(grown, <, bound);
}

/* An integer property of the QCA6584 */
static int64_t wifi_qom_get_int(QTestState *qts, const char *name)
{
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                            "{ 'path': '/machine/wifi', 'property': %s } }",
                            name);
    int64_t value;

    g_assert(qdict_haskey(resp, "return"));
    value = qdict_get_int(resp, "return");
    qobject_unref(resp);
    return value;
}

/*
 * 10,000 frames (about 40 s here; 100,000 take 7 min): with the bound
 * QEMU did not grow by a page over the 9,000 after the socket filled,
 * without it by 4.7 MiB
 */
#define BACKPRESSURE_FRAMES 10000
#define BACKPRESSURE_RSS_KIB (2 * 1024)

/*
 * A network peer that stops reading: QEMU queues what the socket does
 * not take, and with a sent callback its queue has no limit, so the model
 * used to grow by a frame (~2.3 KB) for every frame the guest streamed.
 * The model keeps at most a batch waiting and discards the rest, as a
 * firmware with a finite queue does. Once the peer reads, frames flow.
 */
static void test_data_path_backpressure(void)
{
    uint8_t out[ETH_HDR_LEN + 1480], in[4096];
    long rss_before = 0, rss_after;
    unsigned i, sent = 0;
    ssize_t n;
    QTestState *qts;
    int fd;

    qts = net_start_associated(&fd);

    memset(out, 0x3c, sizeof(out));
    memcpy(out, host_mac, 6);
    memcpy(out + 6, sta_mac, 6);
    stw_be_p(out + 12, 0x88b5);                 /* local experimental */
    for (i = 0; i < BACKPRESSURE_FRAMES; i++) {
        if (i == 1000) {
            rss_before = qemu_rss_kib();        /* the socket is full */
        }
        htt_tx(qts, HTT_TX_PKT_ETH, 0, i & 0x3ff, out, sizeof(out));
        if (i % 16 == 15) {
            fuzz_drain(qts);                    /* completions */
        }
    }
    rss_after = qemu_rss_kib();
    g_test_message("QEMU RSS %ld KiB after 1000 frames, %ld after %d",
                   rss_before, rss_after, BACKPRESSURE_FRAMES);
    assert_rss_growth(rss_after - rss_before, BACKPRESSURE_RSS_KIB);
    g_assert_cmpint(wifi_qom_get_int(qts, "tx-discarded"), >,
                    BACKPRESSURE_FRAMES / 2);

    /* the peer reads again: what waited goes out, then new frames do */
    while (recv(fd, in, sizeof(in), 0) > 0 || sent++ < 100) {
        qtest_clock_step(qts, 0);
    }
    fuzz_drain(qts);
    out[ETH_HDR_LEN] = 0x42;
    htt_tx(qts, HTT_TX_PKT_ETH, 0, 5, out, sizeof(out));
    n = net_recv(qts, fd, in, sizeof(in));
    g_assert_cmpint(n, ==, sizeof(out));
    g_assert_cmpmem(in, n, out, sizeof(out));
    qtest_quit(qts);
    close(fd);
    cmd53_by_dma = false;
}

/* A frame from the host: native Wi-Fi, raw, Ethernet or random type */
static void fuzz_net_tx(QTestState *qts, LabFuzz *f)
{
    static const uint8_t types[] = {
        HTT_TX_PKT_NWIFI, HTT_TX_PKT_NWIFI, HTT_TX_PKT_RAW, HTT_TX_PKT_ETH,
        HTT_TX_PKT_ETH, HTT_TX_PKT_MGMT, 4, 7,
    };
    uint8_t frame[HTC_MSG_MAX], dst[6];
    unsigned type = types[lab_fuzz_below(f, G_N_ELEMENTS(types))];
    unsigned n = 0, len;
    uint16_t ethertype;

    lab_fuzz_bytes(f, dst, sizeof(dst));
    if (type == HTT_TX_PKT_ETH) {
        memcpy(frame, lab_fuzz_chance(f, 4) ? dst : host_mac, 6);
        memcpy(frame + 6, sta_mac, 6);
        n = ETH_HDR_LEN;
    } else {
        n = wifi_hdr(frame, lab_fuzz_chance(f, 8) ? (uint8_t)lab_fuzz_next(f)
                     : lab_fuzz_chance(f, 2) ? FC0_DATA : FC0_QOS_DATA,
                     lab_fuzz_chance(f, 8) ? (uint8_t)lab_fuzz_next(f)
                     : FC1_TO_DS, ap_bssid,
                     lab_fuzz_chance(f, 8) ? dst : sta_mac,
                     lab_fuzz_chance(f, 2) ? dst : host_mac);
        if (frame[0] == FC0_QOS_DATA) {
            n += 2;
            frame[WIFI_HDR_LEN] = lab_fuzz_below(f, 16);
            frame[WIFI_HDR_LEN + 1] = 0;
        }
        memcpy(frame + n, llc_snap, 6);
        if (lab_fuzz_chance(f, 16)) {
            frame[n + lab_fuzz_below(f, 6)] ^= 1;
        }
        n += 8;
    }
    len = lab_fuzz_l3(f, frame + n, &ethertype);
    stw_be_p(frame + n - 2, ethertype);
    len = MIN(n + len, HTC_MSG_MAX - HTC_HDR_LEN - HTT_TX_DESC_LEN);
    if (lab_fuzz_chance(f, 8)) {
        len = lab_fuzz_below(f, len + 1);       /* cut anywhere */
    }
    htt_tx(qts, type, lab_fuzz_chance(f, 4) ? (uint16_t)lab_fuzz_next(f)
                      : lab_fuzz_chance(f, 4) ? 0 : HTT_TX_CSUM,
           lab_fuzz_next(f), frame, len);
}

/* A frame from the network: for us, broadcast or not, any type and size */
static void fuzz_net_rx(LabFuzz *f, int fd)
{
    uint8_t frame[2400];
    unsigned len;
    uint16_t ethertype;

    switch (lab_fuzz_below(f, 4)) {
    case 0:
        memset(frame, 0xff, 6);
        break;
    case 1:
        lab_fuzz_bytes(f, frame, 6);
        break;
    default:
        memcpy(frame, sta_mac, 6);
        break;
    }
    if (lab_fuzz_chance(f, 8)) {
        memcpy(frame + 6, sta_mac, 6);
    } else {
        lab_fuzz_bytes(f, frame + 6, 6);
    }
    len = ETH_HDR_LEN + lab_fuzz_l3(f, frame + ETH_HDR_LEN, &ethertype);
    stw_be_p(frame + 12, ethertype);
    if (lab_fuzz_chance(f, 8)) {
        /* not 0: QEMU's socket netdev takes that for the link's end */
        len = lab_fuzz_chance(f, 2) ? 1 + lab_fuzz_below(f, ETH_HDR_LEN)
                                    : 1500 + lab_fuzz_below(f, 900);
        lab_fuzz_bytes(f, frame + ETH_HDR_LEN, sizeof(frame) - ETH_HDR_LEN);
    }
    send(fd, frame, len, 0);    /* a full socket drops it, as a link would */
}

/* Authentication, (re)association, their undoing, probes: any body */
static void fuzz_net_mgmt(QTestState *qts, LabFuzz *f)
{
    static const uint8_t fc0[] = {
        FC0_AUTH, FC0_AUTH, FC0_ASSOC_REQ, FC0_REASSOC_REQ, FC0_PROBE_REQ,
        FC0_DISASSOC, FC0_DEAUTH,
    };
    uint8_t body[200];
    unsigned blen = lab_fuzz_below(f, sizeof(body));

    lab_fuzz_bytes(f, body, sizeof(body));
    if (blen >= 6 && lab_fuzz_chance(f, 2)) {
        memcpy(body, "\0\0\1\0\0\0", 6);         /* open system, seq 1 */
    }
    sta_mgmt(qts, fc0[lab_fuzz_below(f, G_N_ELEMENTS(fc0))], body, blen);
}

/*
 * Bump when the operation mix below changes (lab-fuzz.h). 2: the L3
 * headers of lab-net-fuzz.h (lengths at their boundaries, whole
 * datagrams, VLAN tags), and a peer that stops reading.
 */
#define QCA_NET_FUZZ_GEN 2

/*
 * Random frames both ways through the QCA6584 and its AP, the parsers a
 * guest and a network both feed (lab-fuzz.h): host frames of every HTT
 * packet type with half-sane 802.11, LLC/SNAP, IPv4/IPv6 and TCP/UDP
 * headers, checksum offload on and off, cut anywhere; network frames for
 * us, broadcast or others, runts and giants; management frames that
 * (de)authenticate and (dis)associate; peers created and deleted; reads
 * or none (full FIFOs, a full socket), and stretches of about a hundred
 * operations where the network peer reads nothing (backpressure). Every
 * 200 operations after an I/O reset the station associates and a
 * datagram goes each way intact, and QEMU has not grown by more than
 * NET_FUZZ_RSS_KIB since the start.
 */
#define NET_FUZZ_RSS_KIB (32 * 1024)

static void test_net_fuzz(const void *repro)
{
    uint8_t cmd[16] = { 0 };
    QTestState *qts;
    bool deaf = false;
    long rss_start;
    LabFuzz f;
    int fd;

    cmd53_by_dma = true;
    qts = net_start(&fd);

    lab_fuzz_init(&f, "qca6584-net", QCA_NET_FUZZ_GEN, repro);
    assert_data_path_ok(qts, fd, 1);
    rss_start = qemu_rss_kib();
    while (lab_fuzz_more(&f)) {
        switch (lab_fuzz_below(&f, 13)) {
        case 0 ... 3:
            fuzz_net_tx(qts, &f);
            break;
        case 4 ... 6:
            fuzz_net_rx(&f, fd);
            break;
        case 7:
            fuzz_net_mgmt(qts, &f);
            break;
        case 8:
            if (lab_fuzz_chance(&f, 2)) {
                memcpy(cmd + 4, ap_bssid, 6);
            } else {
                lab_fuzz_bytes(&f, cmd + 4, 6);
            }
            wmi_send(qts, lab_fuzz_chance(&f, 2) ? WMI_PEER_CREATE
                                                 : WMI_PEER_DELETE,
                     lab_fuzz_chance(&f, 2) ? WMI_TAG_PEER_CREATE
                                            : WMI_TAG_PEER_DELETE,
                     cmd, sizeof(cmd));
            break;
        case 9 ... 10:
            if (deaf) {
                fuzz_drain(qts);        /* the host reads, the peer not */
            } else {
                net_drain(qts, fd);
            }
            break;
        case 11:
            qtest_clock_step(qts, lab_fuzz_below(&f, 20000000));
            break;
        case 12:
            if (lab_fuzz_chance(&f, 8)) {
                deaf = !deaf;
            }
            break;
        }
        if (f.done % 200 == 0) {
            deaf = false;
            net_settle(qts, fd);
            assert_rss_growth(qemu_rss_kib() - rss_start, NET_FUZZ_RSS_KIB);
            sdio_enumerate(qts);
            htc_boot(qts);
            assert_data_path_ok(qts, fd, 1);
        }
    }
    qtest_quit(qts);
    close(fd);
    cmd53_by_dma = false;
    lab_fuzz_end(&f);
}

/* Bump when the operation mix below changes (lab-fuzz.h) */
#define SDIO_MIGRATE_FUZZ_GEN 1

/*
 * Migration streams of the SDIO card with its QCA6584 (saved in the
 * middle of a two-block CMD53 read, the HTC up) with the section's bytes
 * flipped or replaced by boundary values (lab-migrate.h): each load is
 * refused cleanly, or the card boots and its firmware answers in the new
 * QEMU. A load costs LAB_MIGRATE_FUZZ_COST operations of the dose.
 */
static void test_migrate_fuzz(const void *repro)
{
    char *path = lab_migrate_tmp_path();
    QTestState *qts = htc_start(), *to;
    uint8_t data[QCA_BLOCK_SIZE];
    unsigned refused = 0;
    LabFuzz f;

    sdhc_write(qts, SDHC_BLKSIZE, 2 << 16 | QCA_BLOCK_SIZE);
    sdio_cmd(qts, 53, ARG_FN(1) | ARG_BLOCK | ARG_ADDR(QCA_WINDOW_DATA) | 2,
             CMD_R5 | CMD_DATA_PRESENT, TRN_BLK_CNT_EN | TRN_MULTI |
             TRN_READ);
    sdhc_pio_block(qts, false, QCA_BLOCK_SIZE, data);
    lab_migrate_save(qts, path);
    lab_fuzz_init(&f, "sdio-migrate", SDIO_MIGRATE_FUZZ_GEN, repro);
    if (!repro) {
        f.ops = MAX(1, f.ops / LAB_MIGRATE_FUZZ_COST);
    }
    while (lab_fuzz_more(&f)) {
        to = lab_migrate_fuzz_load(&f, path, "qca6584",
                                   "-machine imx7d-custom");
        if (!to) {
            refused++;
            continue;
        }
        /* the transfer saved half-way: what a driver does, then boot */
        sdhc_write(to, SDHC_NORINTSTS, sdhc_read(to, SDHC_NORINTSTS));
        /* one line at a time: sdhci takes both bits at once for neither */
        sdhc_write(to, SDHC_CLKCON, sdhc_read(to, SDHC_CLKCON) |
                   CLK_RESET_DATA);
        sdhc_write(to, SDHC_CLKCON, sdhc_read(to, SDHC_CLKCON) |
                   CLK_RESET_CMD);
        assert_boots(to);
        qtest_quit(to);
    }
    g_test_message("%u of %lu fuzzed streams refused", refused, f.ops);
    lab_migrate_tmp_remove(path);
    lab_fuzz_end(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/sdio/enumeration", test_enumeration);
    qtest_add_func("/sdio/cmd53/byte-mode", test_cmd53_byte_mode);
    qtest_add_func("/sdio/cmd53/block-mode", test_cmd53_block_mode);
    qtest_add_func("/sdio/card-interrupt", test_card_interrupt);
    qtest_add_func("/sdio/card-interrupt/system-reset",
                   test_reset_while_asserted);
    qtest_add_func("/sdio/malformed", test_malformed);
    qtest_add_func("/sdio/qca6584/peers", test_htc_peers);
    qtest_add_func("/sdio/qca6584/bundle", test_htc_bundle);
    qtest_add_func("/sdio/qca6584/malformed", test_htc_malformed);
    qtest_add_func("/sdio/qca6584/unconnected-endpoint",
                   test_htc_unconnected_endpoint);
    qtest_add_func("/sdio/guest-errors-logged", test_guest_errors_logged);
    lab_fuzz_add_tests("/sdio/qca6584/fuzz", "sdio-qca6584", test_fuzz);
    qtest_add_data_func("/sdio/snapshot/mid-cmd53", NULL,
                        test_snapshot_mid_cmd53);
    qtest_add_data_func("/sdio/snapshot/stream/mid-cmd53",
                        "sdio-bmi-mid-cmd53", test_snapshot_mid_cmd53);
    qtest_add_data_func("/sdio/snapshot/mid-bundle", NULL,
                        test_snapshot_mid_bundle);
    qtest_add_data_func("/sdio/snapshot/stream/mid-bundle",
                        "qca6584-htc-mid-bundle", test_snapshot_mid_bundle);
    qtest_add_data_func("/sdio/snapshot/associated", NULL,
                        test_snapshot_associated);
    qtest_add_data_func("/sdio/snapshot/stream/associated",
                        "qca6584-associated", test_snapshot_associated);
    qtest_add_func("/sdio/snapshot/bad-cmd53-refused",
                   test_snapshot_bad_cmd53_refused);
    lab_fuzz_add_tests("/sdio/migrate-fuzz", "sdio-migrate",
                       test_migrate_fuzz);
    qtest_add_func("/sdio/dma", test_dma);
    qtest_add_func("/sdio/qca6584/data-path", test_data_path);
    qtest_add_func("/sdio/qca6584/data-path/ihl-beyond-length",
                   test_data_path_ihl_beyond_length);
    qtest_add_func("/sdio/qca6584/data-path/backpressure",
                   test_data_path_backpressure);
    lab_fuzz_add_tests("/sdio/qca6584/net-fuzz", "qca6584-net",
                       test_net_fuzz);
    lab_fuzz_add_tests("/sdio/dma/fuzz", "usdhc-dma", test_dma_fuzz);
    return g_test_run();
}
