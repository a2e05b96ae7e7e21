/*
 * The imx7d-custom board's uSDHC2 and the SDIO commands through it, as
 * Linux's sdhci-esdhc-imx and MMC core drive them (what and why:
 * lab-usdhc.h)
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "lab-usdhc.h"

/* -- the host controller -- */

uint32_t sdhc_read(QTestState *qts, uint32_t offset)
{
    return qtest_readl(qts, USDHC2_BASE + offset);
}

void sdhc_write(QTestState *qts, uint32_t offset, uint32_t value)
{
    qtest_writel(qts, USDHC2_BASE + offset, value);
}

void sdhc_init(QTestState *qts)
{
    sdhc_write(qts, SDHC_CLKCON, CLK_RESET_ALL);
    sdhc_write(qts, SDHC_CLKCON, CLK_INT_EN | CLK_SDCLK_EN);
    sdhc_write(qts, SDHC_NORINTSTSEN, EIS_ALL | NIS_ENABLES);
    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) & PRS_CARD_PRESENT, ==,
                    PRS_CARD_PRESENT);
    g_assert_cmphex(sdhc_read(qts, SDHC_NORINTSTS), ==, 0);
}

QTestState *sdio_start_with(const char *extra)
{
    QTestState *qts = qtest_initf("-machine imx7d-custom %s", extra);

    sdhc_init(qts);
    return qts;
}

QTestState *sdio_start(void)
{
    return sdio_start_with("");
}

uint32_t sdhc_command(QTestState *qts, unsigned idx, uint32_t arg,
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

uint32_t sdio_cmd(QTestState *qts, unsigned idx, uint32_t arg,
                  uint16_t flags, uint16_t mode)
{
    uint32_t sts = sdhc_command(qts, idx, arg, flags, mode);

    g_assert_cmphex(sts & (EIS_ALL | NIS_ERR), ==, 0);
    return sdhc_read(qts, SDHC_RSPREG0);
}

void sdio_cmd_timeout(QTestState *qts, unsigned idx, uint32_t arg,
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

void sdhc_pio_block(QTestState *qts, bool write, unsigned blksz,
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

void sdhc_pio(QTestState *qts, bool write, unsigned blksz, unsigned blkcnt,
              uint8_t *buf)
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

void adma_put(QTestState *qts, uint32_t table, unsigned i, uint16_t attr,
              uint16_t len, uint32_t addr)
{
    uint8_t d[8];

    stw_le_p(d, attr);
    stw_le_p(d + 2, len);
    stl_le_p(d + 4, addr);
    qtest_memwrite(qts, table + 8 * i, d, sizeof(d));
}

uint32_t cmd53_dma_issue(QTestState *qts, bool write, uint32_t arg,
                         unsigned blksz, unsigned blkcnt, unsigned dmasel,
                         uint32_t dma)
{
    sdhc_write(qts, SDHC_PROCTL, PROCTL_DMASEL(dmasel));
    sdhc_write(qts, dmasel == DMASEL_SDMA ? SDHC_DSADDR : SDHC_ADMASYSADDR,
               dma);
    sdhc_write(qts, SDHC_BLKSIZE, blkcnt << 16 | blksz);
    return sdhc_command(qts, 53, arg, CMD_R5 | CMD_DATA_PRESENT,
                        TRN_DMA | TRN_BLK_CNT_EN |
                        (blkcnt > 1 ? TRN_MULTI : 0) | (write ? 0 : TRN_READ));
}

uint16_t cmd53_dma_start(QTestState *qts, bool write, uint32_t arg,
                         unsigned blksz, unsigned blkcnt, unsigned dmasel,
                         uint32_t dma)
{
    uint32_t sts = cmd53_dma_issue(qts, write, arg, blksz, blkcnt, dmasel,
                                   dma);
    uint32_t rsp = sdhc_read(qts, SDHC_RSPREG0);

    g_assert_cmphex(sts & (EIS_ALL | NIS_ERR), ==, 0);
    g_assert_cmphex(rsp >> 16, ==, 0);
    return rsp;
}

void cmd53_dma_finish(QTestState *qts)
{
    uint32_t sts = sdhc_read(qts, SDHC_NORINTSTS);

    g_assert_cmphex(sts & (NIS_TRSCMP | NIS_ERR), ==, NIS_TRSCMP);
    sdhc_write(qts, SDHC_NORINTSTS, sts);
    g_assert_cmphex(sdhc_read(qts, SDHC_PRNSTS) & PRS_DATA_INHIBIT, ==, 0);
    sdhc_write(qts, SDHC_PROCTL, 0);
}

/* -- SDIO commands -- */

uint16_t cmd52(QTestState *qts, bool write, unsigned fn, uint32_t addr,
               uint8_t data, bool raw)
{
    uint32_t arg = (write ? ARG_WRITE : 0) | ARG_FN(fn) |
                   (raw ? ARG_RAW : 0) | ARG_ADDR(addr) | data;
    uint32_t rsp = sdio_cmd(qts, 52, arg, CMD_R5, 0);

    g_assert_cmphex(rsp >> 16, ==, 0);
    return rsp;
}

uint8_t sdio_readb(QTestState *qts, unsigned fn, uint32_t addr)
{
    uint16_t r5 = cmd52(qts, false, fn, addr, 0, false);

    g_assert_cmphex(r5 >> 8, ==, R5_STATE_CMD);
    return r5 & 0xff;
}

void sdio_writeb(QTestState *qts, unsigned fn, uint32_t addr,
                 uint8_t value)
{
    g_assert_cmphex(cmd52(qts, true, fn, addr, value, false) >> 8, ==,
                    R5_STATE_CMD);
}

uint16_t sdio_read16(QTestState *qts, unsigned fn, uint32_t addr)
{
    return sdio_readb(qts, fn, addr) | sdio_readb(qts, fn, addr + 1) << 8;
}

void sdio_write16(QTestState *qts, unsigned fn, uint32_t addr,
                  uint16_t value)
{
    sdio_writeb(qts, fn, addr, value & 0xff);
    sdio_writeb(qts, fn, addr + 1, value >> 8);
}

uint32_t sdio_read24(QTestState *qts, unsigned fn, uint32_t addr)
{
    return sdio_readb(qts, fn, addr) | sdio_readb(qts, fn, addr + 1) << 8 |
           sdio_readb(qts, fn, addr + 2) << 16;
}

static uint32_t cmd53_arg(bool write, unsigned fn, uint32_t addr,
                          uint32_t mode, unsigned count)
{
    return (write ? ARG_WRITE : 0) | ARG_FN(fn) | mode | ARG_ADDR(addr) |
           (count & 0x1ff);
}

uint16_t cmd53_pio(QTestState *qts, bool write, unsigned fn, uint32_t addr,
                   uint32_t mode, unsigned count, unsigned blksz,
                   unsigned blkcnt, uint8_t *buf)
{
    uint16_t trn = TRN_BLK_CNT_EN | (blkcnt > 1 ? TRN_MULTI : 0) |
                   (write ? 0 : TRN_READ);
    uint32_t rsp;

    sdhc_write(qts, SDHC_BLKSIZE, blkcnt << 16 | blksz);
    rsp = sdio_cmd(qts, 53, cmd53_arg(write, fn, addr, mode, count),
                   CMD_R5 | CMD_DATA_PRESENT, trn);
    g_assert_cmphex(rsp >> 16, ==, 0);
    sdhc_pio(qts, write, blksz, blkcnt, buf);
    return rsp;
}

uint16_t cmd53_adma(QTestState *qts, bool write, unsigned fn, uint32_t addr,
                    uint32_t mode, unsigned count, unsigned blksz,
                    unsigned blkcnt, uint8_t *buf)
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
    rsp = cmd53_dma_start(qts, write, cmd53_arg(write, fn, addr, mode, count),
                          blksz, blkcnt, DMASEL_ADMA2, DMA_DESC);
    cmd53_dma_finish(qts);
    if (!write) {
        qtest_memread(qts, DMA_BUF, buf, len);
    }
    return rsp;
}

void sdio_rw_bytes(QTestState *qts, SdioCmd53 *cmd53, bool write,
                   unsigned fn, uint32_t addr, bool inc, uint8_t *buf,
                   unsigned len)
{
    uint16_t r5 = cmd53(qts, write, fn, addr, inc ? ARG_INC : 0, len, len, 1,
                        buf);

    g_assert_cmphex(r5, ==, R5_STATE_TRN << 8);
}

void sdio_rw_blocks(QTestState *qts, SdioCmd53 *cmd53, bool write,
                    unsigned fn, uint32_t addr, unsigned blksz,
                    unsigned blocks, uint8_t *buf)
{
    uint16_t r5 = cmd53(qts, write, fn, addr, ARG_BLOCK | ARG_INC, blocks,
                        blksz, blocks, buf);

    g_assert_cmphex(r5, ==, R5_STATE_TRN << 8);
}

void cis_walk(QTestState *qts, uint32_t addr, CISInfo *info)
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

void sdio_enumerate(QTestState *qts)
{
    cmd52(qts, true, 0, CCCR_ABORT, CCCR_ABORT_RES, false);
    sdio_cmd(qts, 0, 0, CMD_RSP_NONE, 0);
    g_assert_cmphex(sdio_cmd(qts, 5, 0, CMD_R4, 0), ==, SDIO_R4);
    g_assert_cmphex(sdio_cmd(qts, 5, SDIO_OCR, CMD_R4, 0), ==, SDIO_R4);
    g_assert_cmphex(sdio_cmd(qts, 3, 0, CMD_R6, 0), ==, SDIO_RCA << 16);
    g_assert_cmphex(sdio_cmd(qts, 7, SDIO_RCA << 16, CMD_R1B, 0), ==, 0);
}

QTestState *sdio_start_enumerated(void)
{
    QTestState *qts = sdio_start();

    sdio_enumerate(qts);
    return qts;
}
