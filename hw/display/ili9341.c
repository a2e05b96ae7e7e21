/*
 * ILI9341 240x320 TFT controller on a 4-wire SPI bus (D/CX on a GPIO)
 *
 * The controller as the ILI9341 datasheet (V1.05) describes it, for the
 * SPI "interface II" mode Linux drivers use: 8-bit bytes with D/CX on a
 * line, 16 or 18 bits per pixel, MADCTL address mapping, the read
 * commands with their dummy-bit rules, sleep/display-off blanking,
 * inversion and idle mode. The module the controller is mounted on (glass
 * mirrored or not, RGB or BGR colour filter) is a separate layer set by
 * properties, because that is how real ILI9341 modules differ.
 *
 * Rules that drivers depend on:
 *  - D/CX decides command versus data; parameter counts never do.
 *  - Raising CSX only pauses: a command's parameters or a RAMWR stream
 *    continue in the next CSX frame (Linux sends command and parameters
 *    as separate SPI messages). It ends a read, nothing else.
 *  - During a read MOSI is ignored (spi-imx clocks out zeros).
 *
 * Vertical scrolling and partial mode are stored (and read back) but not
 * shown: see LOG_UNIMP.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/host-utils.h"
#include "qemu/module.h"
#include "hw/display/ili9341.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "ui/console.h"
#include "trace.h"

/* Commands (datasheet chapter 8) */
enum {
    CMD_NOP = 0x00,
    CMD_SWRESET = 0x01,
    CMD_RDDID = 0x04,
    CMD_RDDST = 0x09,
    CMD_RDDPM = 0x0a,
    CMD_RDDMADCTL = 0x0b,
    CMD_RDDCOLMOD = 0x0c,
    CMD_RDDIM = 0x0d,
    CMD_RDDSM = 0x0e,
    CMD_RDDSDR = 0x0f,
    CMD_SLPIN = 0x10,
    CMD_SLPOUT = 0x11,
    CMD_PTLON = 0x12,
    CMD_NORON = 0x13,
    CMD_INVOFF = 0x20,
    CMD_INVON = 0x21,
    CMD_GAMSET = 0x26,
    CMD_DISPOFF = 0x28,
    CMD_DISPON = 0x29,
    CMD_CASET = 0x2a,
    CMD_PASET = 0x2b,
    CMD_RAMWR = 0x2c,
    CMD_RGBSET = 0x2d,
    CMD_RAMRD = 0x2e,
    CMD_PTLAR = 0x30,
    CMD_VSCRDEF = 0x33,
    CMD_TEOFF = 0x34,
    CMD_TEON = 0x35,
    CMD_MADCTL = 0x36,
    CMD_VSCRSADD = 0x37,
    CMD_IDMOFF = 0x38,
    CMD_IDMON = 0x39,
    CMD_COLMOD = 0x3a,
    CMD_RAMWRC = 0x3c,
    CMD_RAMRDC = 0x3e,
    CMD_TESL = 0x44,
    CMD_GETSL = 0x45,
    CMD_WRDISBV = 0x51,
    CMD_RDDISBV = 0x52,
    CMD_WRCTRLD = 0x53,
    CMD_RDCTRLD = 0x54,
    CMD_WRCABC = 0x55,
    CMD_RDCABC = 0x56,
    CMD_WRCABCMB = 0x5e,
    CMD_RDCABCMB = 0x5f,
    CMD_DISCTRL = 0xb6,
    CMD_ETMOD = 0xb7,
    CMD_RDID4 = 0xd3,
    CMD_RDID1 = 0xda,
    CMD_RDID2 = 0xdb,
    CMD_RDID3 = 0xdc,
    CMD_IFCTL = 0xf6,
};

/* MADCTL bits */
#define MADCTL_MY   0x80
#define MADCTL_MX   0x40
#define MADCTL_MV   0x20
#define MADCTL_ML   0x10
#define MADCTL_BGR  0x08
#define MADCTL_MH   0x04

/* B6h 2nd parameter: panel scan and liquid crystal type */
#define DISCTRL_REV 0x80
#define DISCTRL_GS  0x40
#define DISCTRL_SS  0x20

/* F6h 1st parameter: module corrections XORed into MADCTL, write mode */
#define IFCTL_EOR_MASK  0xf0    /* MY_EOR MX_EOR MV_EOR BGR_EOR */
#define IFCTL_WEMODE    0x01

/*
 * What the model knows about each command (datasheet chapter 8), once:
 *  name        the datasheet's mnemonic, for traces; a command without
 *              one is undefined and, as on the chip, a NOP
 *  nparams     parameter bytes: written after the command, or for a read
 *              the answer's length (0: a frame memory stream). Only D/CX
 *              ends a command's parameters; the count is for reading.
 *  dummy_bits  reads: clocks on MISO before the answer (04h and 09h have
 *              one, the 8-bit reads none, RDID4 and RAMRD a dummy byte)
 *  flags       ILI9341_CMD_READ: an answer shifts out, MOSI is ignored;
 *              ILI9341_CMD_CONFIG: configuration with no visible effect
 *              here (power, timing, gamma tables, undocumented vendor
 *              registers Linux sends), its parameters accepted and dropped
 */
#define ILI9341_CMD_READ    0x01
#define ILI9341_CMD_CONFIG  0x02

typedef struct ILI9341Command {
    const char *name;
    uint8_t nparams;
    uint8_t dummy_bits;
    uint8_t flags;
} ILI9341Command;

#define WR(name, n)         { name, n, 0, 0 }
#define RD(name, n, dummy)  { name, n, dummy, ILI9341_CMD_READ }
#define CFG(name, n)        { name, n, 0, ILI9341_CMD_CONFIG }
/* sent by Linux drivers, absent from the datasheet: counts not known */
#define UNDOC               CFG("undocumented", 0)

static const ILI9341Command ili9341_commands[256] = {
    [CMD_NOP] = WR("NOP", 0),
    [CMD_SWRESET] = WR("SWRESET", 0),
    [CMD_RDDID] = RD("RDDID", 3, 1),
    [CMD_RDDST] = RD("RDDST", 4, 1),
    [CMD_RDDPM] = RD("RDDPM", 1, 0),
    [CMD_RDDMADCTL] = RD("RDDMADCTL", 1, 0),
    [CMD_RDDCOLMOD] = RD("RDDCOLMOD", 1, 0),
    [CMD_RDDIM] = RD("RDDIM", 1, 0),
    [CMD_RDDSM] = RD("RDDSM", 1, 0),
    [CMD_RDDSDR] = RD("RDDSDR", 1, 0),
    [CMD_SLPIN] = WR("SLPIN", 0),
    [CMD_SLPOUT] = WR("SLPOUT", 0),
    [CMD_PTLON] = WR("PTLON", 0),
    [CMD_NORON] = WR("NORON", 0),
    [CMD_INVOFF] = WR("INVOFF", 0),
    [CMD_INVON] = WR("INVON", 0),
    [CMD_GAMSET] = WR("GAMSET", 1),
    [CMD_DISPOFF] = WR("DISPOFF", 0),
    [CMD_DISPON] = WR("DISPON", 0),
    [CMD_CASET] = WR("CASET", 4),
    [CMD_PASET] = WR("PASET", 4),
    [CMD_RAMWR] = WR("RAMWR", 0),
    [CMD_RGBSET] = CFG("RGBSET", 128),
    [CMD_RAMRD] = RD("RAMRD", 0, 8),
    [CMD_PTLAR] = WR("PTLAR", 4),
    [CMD_VSCRDEF] = WR("VSCRDEF", 6),
    [CMD_TEOFF] = WR("TEOFF", 0),
    [CMD_TEON] = WR("TEON", 1),
    [CMD_MADCTL] = WR("MADCTL", 1),
    [CMD_VSCRSADD] = WR("VSCRSADD", 2),
    [CMD_IDMOFF] = WR("IDMOFF", 0),
    [CMD_IDMON] = WR("IDMON", 0),
    [CMD_COLMOD] = WR("COLMOD", 1),
    [CMD_RAMWRC] = WR("RAMWRC", 0),
    [CMD_RAMRDC] = RD("RAMRDC", 0, 8),
    [CMD_TESL] = CFG("TESL", 2),
    [CMD_GETSL] = RD("GETSL", 2, 0),
    [CMD_WRDISBV] = WR("WRDISBV", 1),
    [CMD_RDDISBV] = RD("RDDISBV", 1, 0),
    [CMD_WRCTRLD] = WR("WRCTRLD", 1),
    [CMD_RDCTRLD] = RD("RDCTRLD", 1, 0),
    [CMD_WRCABC] = WR("WRCABC", 1),
    [CMD_RDCABC] = RD("RDCABC", 1, 0),
    [CMD_WRCABCMB] = WR("WRCABCMB", 1),
    [CMD_RDCABCMB] = RD("RDCABCMB", 1, 0),
    [0xb0] = CFG("IFMODE", 1),
    [0xb1] = CFG("FRMCTR1", 2),
    [0xb2] = CFG("FRMCTR2", 2),
    [0xb3] = CFG("FRMCTR3", 2),
    [0xb4] = CFG("INVTR", 1),
    [0xb5] = CFG("PRCTR", 4),
    [CMD_DISCTRL] = WR("DISCTRL", 4),
    [CMD_ETMOD] = WR("ETMOD", 1),
    [0xb8] = CFG("BLCTL1", 1),
    [0xb9] = CFG("BLCTL2", 1),
    [0xba] = CFG("BLCTL3", 1),
    [0xbb] = CFG("BLCTL4", 1),
    [0xbc] = CFG("BLCTL5", 1),
    [0xbd] = CFG("BLCTL6", 1),
    [0xbe] = CFG("BLCTL7", 1),
    [0xbf] = CFG("BLCTL8", 1),
    [0xc0] = CFG("PWCTRL1", 1),
    [0xc1] = CFG("PWCTRL2", 1),
    [0xc2] = UNDOC,
    [0xc3] = UNDOC,
    [0xc4] = UNDOC,
    [0xc5] = CFG("VMCTRL1", 2),
    [0xc6] = UNDOC,
    [0xc7] = CFG("VMCTRL2", 1),
    [0xca] = UNDOC,
    [0xcb] = CFG("PWCTRLA", 5),
    [0xcf] = CFG("PWCTRLB", 3),
    [0xd0] = CFG("NVMWR", 2),
    [0xd1] = CFG("NVMPKEY", 3),
    [0xd2] = CFG("RDNVM", 2),       /* a status read, not modelled */
    [CMD_RDID4] = RD("RDID4", 3, 8),
    [0xd9] = UNDOC,                 /* read index */
    [CMD_RDID1] = RD("RDID1", 1, 0),
    [CMD_RDID2] = RD("RDID2", 1, 0),
    [CMD_RDID3] = RD("RDID3", 1, 0),
    [0xdd] = UNDOC,                 /* read index */
    [0xe0] = CFG("PGAMCTRL", 15),
    [0xe1] = CFG("NGAMCTRL", 15),
    [0xe2] = CFG("DGAMCTRL1", 16),
    [0xe3] = CFG("DGAMCTRL2", 64),
    [0xe8] = CFG("DTCTRLA", 3),
    [0xea] = CFG("DTCTRLB", 2),
    [0xed] = CFG("PWRSEQ", 4),
    [0xef] = UNDOC,
    [0xf2] = CFG("EN3GAM", 1),
    [CMD_IFCTL] = WR("IFCTL", 3),
    [0xf7] = CFG("PUMPCTRL", 1),
};

#undef WR
#undef RD
#undef CFG
#undef UNDOC

/* -- display side ---------------------------------------------------------- */

/* The MADCTL that addresses memory, with the F6h module corrections. */
static uint8_t ili9341_madctl(ILI9341State *s)
{
    uint8_t eor = s->ifctl[0] & IFCTL_EOR_MASK;

    /* F6h holds MY_EOR..BGR_EOR in bits 7..4; MADCTL has BGR in bit 3 */
    return s->madctl ^ (eor & 0xe0) ^ ((eor & 0x10) >> 1);
}

static void ili9341_invalidate(void *opaque)
{
    ILI9341State *s = opaque;

    s->redraw_all = true;
}

static void ili9341_mark_dirty(ILI9341State *s, unsigned x, unsigned y)
{
    if (s->dirty_x0 >= s->dirty_x1) {
        s->dirty_x0 = x;
        s->dirty_x1 = x + 1;
        s->dirty_y0 = y;
        s->dirty_y1 = y + 1;
        return;
    }
    s->dirty_x0 = MIN(s->dirty_x0, x);
    s->dirty_x1 = MAX(s->dirty_x1, x + 1);
    s->dirty_y0 = MIN(s->dirty_y0, y);
    s->dirty_y1 = MAX(s->dirty_y1, y + 1);
}

/*
 * Recompute what the per-pixel paths use from MADCTL, F6h and B6h (and the
 * module properties), so that a pixel costs no more than it must: every
 * byte of a frame goes through ili9341_transfer().
 */
static void ili9341_update_mapping(ILI9341State *s)
{
    s->mem_madctl = ili9341_madctl(s);
    /* panel-level mirrors: the module's glass, then B6h SS/GS */
    s->hflip = s->module_mirror_x ^ !!(s->disctrl[1] & DISCTRL_SS);
    s->vflip = !!(s->disctrl[1] & DISCTRL_GS);
}

/* The colour a display pixel shows, as 0x00RRGGBB. */
static uint32_t ili9341_shade(ILI9341State *s, uint32_t v, bool swap_rb,
                              bool invert)
{
    unsigned r = (v >> 12) & 0x3f, g = (v >> 6) & 0x3f, b = v & 0x3f, t;

    if (s->idle) {
        /* 8-colour mode: only the MSB of each component */
        r = r & 0x20 ? 0x3f : 0;
        g = g & 0x20 ? 0x3f : 0;
        b = b & 0x20 ? 0x3f : 0;
    }
    if (invert) {
        r ^= 0x3f;
        g ^= 0x3f;
        b ^= 0x3f;
    }
    if (swap_rb) {
        t = r;
        r = b;
        b = t;
    }
    r = (r << 2) | (r >> 4);
    g = (g << 2) | (g >> 4);
    b = (b << 2) | (b >> 4);
    return (r << 16) | (g << 8) | b;
}

static void ili9341_update_display(void *opaque)
{
    ILI9341State *s = opaque;
    DisplaySurface *surface = qemu_console_surface(s->con);
    unsigned x0, y0, x1, y1, x, y, stride;
    bool blank, hflip, vflip, swap_rb, invert;
    uint32_t *dest;
    uint8_t madctl;

    if (s->redraw_all) {
        x0 = 0;
        y0 = 0;
        x1 = ILI9341_WIDTH;
        y1 = ILI9341_HEIGHT;
    } else if (s->dirty_x0 < s->dirty_x1) {
        x0 = s->dirty_x0;
        y0 = s->dirty_y0;
        x1 = s->dirty_x1;
        y1 = s->dirty_y1;
    } else {
        return;
    }
    s->redraw_all = false;
    s->dirty_x0 = s->dirty_x1 = 0;

    if (surface_bits_per_pixel(surface) != 32) {
        qemu_log_mask(LOG_UNIMP, "ili9341: only 32 bpp consoles\n");
        return;
    }
    stride = surface_stride(surface) / 4;
    dest = (uint32_t *)surface_data(surface);

    /* Sleep-in and display-off show a blank page, GRAM is kept. */
    blank = !s->sleep_out || !s->display_on;
    madctl = s->mem_madctl;
    swap_rb = !!(madctl & MADCTL_BGR) != s->module_bgr;
    /* REV=0 on this normally-white glass also inverts the image */
    invert = s->inverted ^ !(s->disctrl[1] & DISCTRL_REV);
    hflip = s->hflip;
    vflip = s->vflip;

    for (y = y0; y < y1; y++) {
        unsigned page = vflip ? ILI9341_HEIGHT - 1 - y : y;
        uint32_t *line = dest + y * stride;

        for (x = x0; x < x1; x++) {
            unsigned col = hflip ? ILI9341_WIDTH - 1 - x : x;

            line[x] = blank ? 0 :
                ili9341_shade(s, s->gram[page * ILI9341_WIDTH + col],
                              swap_rb, invert);
        }
    }
    trace_ili9341_update(x0, y0, x1 - x0, y1 - y0);
    dpy_gfx_update(s->con, x0, y0, x1 - x0, y1 - y0);
}

static const GraphicHwOps ili9341_gfx_ops = {
    .invalidate = ili9341_invalidate,
    .gfx_update = ili9341_update_display,
};

/* -- frame memory ---------------------------------------------------------- */

/*
 * The datasheet wants SC <= EC and SP <= EP within the panel (as MADCTL
 * MV turns it); outside that it only says the data is ignored, which
 * ili9341_mem_index() does. A driver that sets such a window has a bug.
 */
static void ili9341_check_window(ILI9341State *s)
{
    bool mv = s->madctl & MADCTL_MV;
    uint16_t cols = mv ? ILI9341_HEIGHT : ILI9341_WIDTH;
    uint16_t pages = mv ? ILI9341_WIDTH : ILI9341_HEIGHT;
    bool columns = s->cmd == CMD_CASET;
    uint16_t start = columns ? s->sc : s->sp, end = columns ? s->ec : s->ep;

    if (start > end || end >= (columns ? cols : pages)) {
        qemu_log_mask(LOG_GUEST_ERROR, "ili9341: %s %u..%u is not a window "
                      "of the %ux%u panel (start > end, or beyond it)\n",
                      ili9341_commands[s->cmd].name, start, end, cols, pages);
    }
}

static void ili9341_mem_start(ILI9341State *s)
{
    s->col = s->sc;
    s->page = s->sp;
    s->npix = 0;
    s->mem_done = false;
    s->mem_valid = true;
}

/*
 * RAMWRC/RAMRDC go on after the last pixel; without a RAMWR/RAMRD since
 * the window or MADCTL changed the address is undefined: start afresh.
 */
static void ili9341_mem_continue(ILI9341State *s)
{
    if (!s->mem_valid) {
        ili9341_mem_start(s);
    }
    s->npix = 0;
}

/* Step the address counters: columns first, then pages, in the window. */
static void ili9341_mem_advance(ILI9341State *s)
{
    if (s->col < s->ec) {
        s->col++;
        return;
    }
    s->col = s->sc;
    if (s->page < s->ep) {
        s->page++;
    } else if (s->ifctl[0] & IFCTL_WEMODE) {
        s->page = s->sp;        /* wrap to the window start */
    } else {
        s->mem_done = true;     /* further data is ignored */
    }
}

/*
 * Map the counters through MADCTL to a frame memory index; false when the
 * counters are outside the panel (datasheet: such data is ignored).
 */
static bool ili9341_mem_index(ILI9341State *s, unsigned *col, unsigned *page)
{
    uint8_t madctl = s->mem_madctl;
    unsigned c = s->col, p = s->page;

    if (madctl & MADCTL_MV) {
        c = s->page;
        p = s->col;
    }
    if (c >= ILI9341_WIDTH || p >= ILI9341_HEIGHT) {
        return false;
    }
    if (madctl & MADCTL_MX) {
        c = ILI9341_WIDTH - 1 - c;
    }
    if (madctl & MADCTL_MY) {
        p = ILI9341_HEIGHT - 1 - p;
    }
    *col = c;
    *page = p;
    return true;
}

static void ili9341_mem_write_pixel(ILI9341State *s, uint32_t rgb666)
{
    unsigned col, page, x, y;

    if (s->mem_done) {
        return;
    }
    if (ili9341_mem_index(s, &col, &page)) {
        s->gram[page * ILI9341_WIDTH + col] = rgb666;
        x = s->hflip ? ILI9341_WIDTH - 1 - col : col;
        y = s->vflip ? ILI9341_HEIGHT - 1 - page : page;
        ili9341_mark_dirty(s, x, y);
        s->pixels_written++;
    }
    ili9341_mem_advance(s);
}

/* One RAMWR/RAMWRC data byte; only complete pixels are stored. */
static void ili9341_mem_write_byte(ILI9341State *s, uint8_t byte)
{
    uint32_t r, g, b;

    s->pix[s->npix++] = byte;
    if (s->npix < s->bytes_per_pixel) {
        return;
    }
    s->npix = 0;
    if (s->bytes_per_pixel == 2) {
        /* RRRRRGGG GGGBBBBB; 5-bit R and B gain their MSB as LSB (EPF=00) */
        r = s->pix[0] >> 3;
        g = ((s->pix[0] & 7) << 3) | (s->pix[1] >> 5);
        b = s->pix[1] & 0x1f;
        r = (r << 1) | (r >> 4);
        b = (b << 1) | (b >> 4);
    } else {
        /* three bytes, the 6 MSBs of each are R, G, B */
        r = s->pix[0] >> 2;
        g = s->pix[1] >> 2;
        b = s->pix[2] >> 2;
    }
    ili9341_mem_write_pixel(s, (r << 12) | (g << 6) | b);
}

/* Next RAMRD byte after the dummy: 3 per pixel, 6 bits each MSB-aligned */
static uint8_t ili9341_mem_read_byte(ILI9341State *s)
{
    unsigned col, page, shift;
    uint32_t v = 0;

    if (s->read_pos < ili9341_commands[s->cmd].dummy_bits / 8) {
        s->read_pos++;
        return 0;               /* dummy clocks */
    }
    if (ili9341_mem_index(s, &col, &page)) {
        v = s->gram[page * ILI9341_WIDTH + col];
    }
    shift = 12 - 6 * s->npix;
    if (++s->npix == 3) {
        s->npix = 0;
        ili9341_mem_advance(s);
    }
    return ((v >> shift) & 0x3f) << 2;
}

/* -- reset ----------------------------------------------------------------- */

/* What SWRESET and RESX have in common (datasheet table 4.2). */
static void ili9341_common_reset(ILI9341State *s)
{
    s->sleep_out = false;
    s->display_on = false;
    s->partial = false;
    s->inverted = false;
    s->idle = false;
    s->te_on = false;
    s->te_mode = 0;
    s->gamma = 0x01;
    s->psr = 0;
    s->per = ILI9341_HEIGHT - 1;
    s->tfa = 0;
    s->vsa = ILI9341_HEIGHT;
    s->bfa = 0;
    s->vsp = 0;
    s->brightness = 0;
    s->ctrl_display = 0;
    s->cabc = 0;
    s->cabc_min = 0;
    s->disctrl[0] = 0x0a;
    s->disctrl[1] = 0x82;
    s->disctrl[2] = 0x27;
    s->disctrl[3] = 0x00;
    s->etmod = 0x06;
    s->ifctl[0] = IFCTL_WEMODE;
    s->ifctl[1] = 0;
    s->ifctl[2] = 0;

    s->cmd = CMD_NOP;
    s->nparams = 0;
    s->mem_write = false;
    s->mem_valid = false;
    s->mem_done = false;
    s->npix = 0;
    s->reading = false;
    s->mem_read = false;
    s->read_len = 0;
    s->read_pos = 0;
    s->col = 0;
    s->page = 0;
    s->redraw_all = true;
}

static void ili9341_set_colmod(ILI9341State *s, uint8_t colmod)
{
    /* Only the DBI (MCU interface) bits matter on SPI: 101 or 110 */
    switch (colmod & 7) {
    case 5:
        s->bytes_per_pixel = 2;
        break;
    case 6:
        s->bytes_per_pixel = 3;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ili9341: COLMOD 0x%02x: reserved DBI format %u, "
                      "keeping %u bytes per pixel\n",
                      colmod, colmod & 7, s->bytes_per_pixel);
        break;
    }
    s->colmod = colmod;
}

/* RESX: power-on defaults, frame memory kept */
static void ili9341_hw_reset(ILI9341State *s)
{
    trace_ili9341_reset("hardware");
    ili9341_common_reset(s);
    s->madctl = 0;
    ili9341_set_colmod(s, 0x66);
    s->sc = 0;
    s->ec = ILI9341_WIDTH - 1;
    s->sp = 0;
    s->ep = ILI9341_HEIGHT - 1;
    ili9341_update_mapping(s);
}

/* SWRESET keeps MADCTL and COLMOD; the window end follows MV */
static void ili9341_sw_reset(ILI9341State *s)
{
    bool mv = s->madctl & MADCTL_MV;

    trace_ili9341_reset("software");
    ili9341_common_reset(s);
    s->sc = 0;
    s->ec = mv ? ILI9341_HEIGHT - 1 : ILI9341_WIDTH - 1;
    s->sp = 0;
    s->ep = mv ? ILI9341_WIDTH - 1 : ILI9341_HEIGHT - 1;
    ili9341_update_mapping(s);
}

static void ili9341_reset(DeviceState *dev)
{
    ili9341_hw_reset(ILI9341(dev));
}

/* -- reads ----------------------------------------------------------------- */

static uint8_t ili9341_rddpm(ILI9341State *s)
{
    return (s->sleep_out ? 0x80 : 0) |      /* booster on */
           (s->idle ? 0x40 : 0) |
           (s->partial ? 0x20 : 0) |
           (s->sleep_out ? 0x10 : 0) |
           (s->partial ? 0 : 0x08) |       /* normal mode */
           (s->display_on ? 0x04 : 0);
}

/* GC0..GC3 as 0..3 (GAMSET keeps a single bit set) */
static unsigned ili9341_gamma_curve(ILI9341State *s)
{
    return ctz32(s->gamma | 0x10) & 7;
}

static uint32_t ili9341_rddst(ILI9341State *s)
{
    uint8_t madctl = s->mem_madctl;

    return (s->sleep_out ? 1u << 31 : 0) |
           ((uint32_t)(madctl & 0xfc) << 23) |   /* MY MX MV ML BGR MH */
           ((uint32_t)(s->colmod & 7) << 20) |
           (s->idle ? 1u << 19 : 0) |
           (s->partial ? 1u << 18 : 0) |
           (s->sleep_out ? 1u << 17 : 0) |
           (s->partial ? 0 : 1u << 16) |
           (s->inverted ? 1u << 13 : 0) |
           (s->display_on ? 1u << 10 : 0) |
           (s->te_on ? 1u << 9 : 0) |
           (ili9341_gamma_curve(s) << 6) |
           (s->te_mode ? 1u << 5 : 0);
}

/* The value a fixed-length read answers, as the datasheet numbers its bits */
static uint32_t ili9341_read_value(ILI9341State *s, uint8_t cmd)
{
    switch (cmd) {
    case CMD_RDDID:
        return ((uint32_t)s->id[0] << 16) | (s->id[1] << 8) | s->id[2];
    case CMD_RDDST:
        return ili9341_rddst(s);
    case CMD_RDDPM:
        return ili9341_rddpm(s);
    case CMD_RDDMADCTL:
        return s->madctl & 0xfc;
    case CMD_RDDCOLMOD:
        return s->colmod;
    case CMD_RDDIM:
        return (s->inverted ? 0x20 : 0) | ili9341_gamma_curve(s);
    case CMD_RDDSM:
        return (s->te_on ? 0x80 : 0) | (s->te_mode ? 0x40 : 0);
    case CMD_RDDSDR:
        return 0;
    case CMD_GETSL:
        return 0;               /* scanline 0 */
    case CMD_RDDISBV:
        return s->brightness;
    case CMD_RDCTRLD:
        return s->ctrl_display;
    case CMD_RDCABC:
        return s->cabc;
    case CMD_RDCABCMB:
        return s->cabc_min;
    case CMD_RDID4:
        return 0x009341;        /* IC version 00h, IC model 9341h */
    case CMD_RDID1:
    case CMD_RDID2:
    case CMD_RDID3:
        return s->id[cmd - CMD_RDID1];
    default:
        g_assert_not_reached();
    }
}

/*
 * Queue the answer of a fixed-length read: the command's dummy clocks,
 * then its nparams bytes of value MSB first, on whole bytes of MISO.
 */
static void ili9341_read_answer(ILI9341State *s, const ILI9341Command *c,
                                uint32_t value)
{
    unsigned bits = 8 * c->nparams + c->dummy_bits;
    unsigned len = DIV_ROUND_UP(bits, 8);
    uint64_t stream = (uint64_t)value << (8 * len - bits);
    unsigned i;

    assert(len <= ILI9341_READ_MAX);
    for (i = 0; i < len; i++) {
        s->read_buf[i] = stream >> (8 * (len - 1 - i));
    }
    s->read_len = len;
}

static void ili9341_start_read(ILI9341State *s, uint8_t cmd)
{
    const ILI9341Command *c = &ili9341_commands[cmd];

    s->reading = true;
    s->mem_read = false;
    s->read_pos = 0;
    s->read_len = 1;
    memset(s->read_buf, 0, sizeof(s->read_buf));

    if (cmd == CMD_RAMRD) {
        ili9341_mem_start(s);
        s->mem_read = true;
    } else if (cmd == CMD_RAMRDC) {
        ili9341_mem_continue(s);
        s->mem_read = true;
    } else {
        ili9341_read_answer(s, c, ili9341_read_value(s, cmd));
    }
    trace_ili9341_read(cmd, s->mem_read ? 0 : s->read_len);
}

/* -- commands and parameters ----------------------------------------------- */

static void ili9341_command(ILI9341State *s, uint8_t cmd)
{
    const ILI9341Command *c = &ili9341_commands[cmd];

    trace_ili9341_command(cmd, c->name ?: "");
    s->cmd = cmd;
    s->nparams = 0;
    s->mem_write = false;       /* any command ends a memory stream */

    if (c->flags & ILI9341_CMD_READ) {
        ili9341_start_read(s, cmd);
        return;
    }
    if (c->flags & ILI9341_CMD_CONFIG) {
        return;                 /* its parameters are dropped */
    }

    switch (cmd) {
    case CMD_NOP:
        break;
    case CMD_SWRESET:
        ili9341_sw_reset(s);
        break;
    case CMD_SLPIN:
    case CMD_SLPOUT:
        s->sleep_out = cmd == CMD_SLPOUT;
        s->redraw_all = true;
        break;
    case CMD_PTLON:
        s->partial = true;
        qemu_log_mask(LOG_UNIMP, "ili9341: partial mode is not shown\n");
        break;
    case CMD_NORON:
        s->partial = false;
        s->redraw_all = true;
        break;
    case CMD_INVOFF:
    case CMD_INVON:
        s->inverted = cmd == CMD_INVON;
        s->redraw_all = true;
        break;
    case CMD_DISPOFF:
    case CMD_DISPON:
        s->display_on = cmd == CMD_DISPON;
        s->redraw_all = true;
        break;
    case CMD_TEOFF:
        s->te_on = false;       /* the mode is a parameter of TEON only */
        s->te_mode = 0;
        break;
    case CMD_IDMOFF:
    case CMD_IDMON:
        s->idle = cmd == CMD_IDMON;
        s->redraw_all = true;
        break;
    case CMD_RAMWR:
        ili9341_mem_start(s);
        s->mem_write = true;
        break;
    case CMD_RAMWRC:
        ili9341_mem_continue(s);
        s->mem_write = true;
        break;
    default:
        if (!c->name) {
            /* datasheet: undefined commands are treated as NOP */
            qemu_log_mask(LOG_GUEST_ERROR,
                          "ili9341: undefined command 0x%02x (NOP)\n", cmd);
        }
        break;                  /* parameters follow */
    }
}

static uint16_t ili9341_param16(ILI9341State *s, unsigned i)
{
    return (s->params[i] << 8) | s->params[i + 1];
}

/* A data byte of the current command; fields act as they complete. */
static void ili9341_param(ILI9341State *s, uint8_t byte)
{
    unsigned n = s->nparams++;

    if (s->mem_write) {
        ili9341_mem_write_byte(s, byte);
        return;
    }
    if (n >= ILI9341_PARAMS) {
        return;                 /* more than any command has: drop */
    }
    s->params[n] = byte;

    switch (s->cmd) {
    case CMD_CASET:
    case CMD_PASET:
        if (n == 1 || n == 3) {
            uint16_t v = ili9341_param16(s, n - 1);

            if (s->cmd == CMD_CASET) {
                *(n == 1 ? &s->sc : &s->ec) = v;
            } else {
                *(n == 1 ? &s->sp : &s->ep) = v;
            }
            s->mem_valid = false;
            if (n == 3) {
                trace_ili9341_window(s->sc, s->ec, s->sp, s->ep);
                ili9341_check_window(s);
            }
        }
        break;
    case CMD_MADCTL:
        if (n == 0) {
            s->madctl = byte & 0xfc;
            s->mem_valid = false;
            s->redraw_all = true;   /* BGR acts at once */
            ili9341_update_mapping(s);
        }
        break;
    case CMD_COLMOD:
        if (n == 0) {
            ili9341_set_colmod(s, byte);
        }
        break;
    case CMD_TEON:
        if (n == 0) {
            s->te_on = true;
            s->te_mode = byte & 1;
        }
        break;
    case CMD_PTLAR:
        if (n == 1) {
            s->psr = ili9341_param16(s, 0);
        } else if (n == 3) {
            s->per = ili9341_param16(s, 2);
        }
        break;
    case CMD_VSCRDEF:
        if (n == 1) {
            s->tfa = ili9341_param16(s, 0);
        } else if (n == 3) {
            s->vsa = ili9341_param16(s, 2);
        } else if (n == 5) {
            s->bfa = ili9341_param16(s, 4);
        }
        break;
    case CMD_VSCRSADD:
        if (n == 1) {
            s->vsp = ili9341_param16(s, 0);
            qemu_log_mask(LOG_UNIMP, "ili9341: vertical scrolling is not "
                          "shown\n");
        }
        break;
    case CMD_GAMSET:
        if (n == 0 && is_power_of_2(byte) && byte <= 8) {
            s->gamma = byte;    /* GC0..GC3; other values are invalid */
        }
        break;
    case CMD_WRDISBV:
        s->brightness = byte;
        break;
    case CMD_WRCTRLD:
        s->ctrl_display = byte;
        break;
    case CMD_WRCABC:
        s->cabc = byte;
        break;
    case CMD_WRCABCMB:
        s->cabc_min = byte;
        break;
    case CMD_DISCTRL:
        if (n < ARRAY_SIZE(s->disctrl)) {
            s->disctrl[n] = byte;
            s->redraw_all = true;
            ili9341_update_mapping(s);
        }
        break;
    case CMD_ETMOD:
        if (n == 0) {
            s->etmod = byte;
        }
        break;
    case CMD_IFCTL:
        if (n < ARRAY_SIZE(s->ifctl)) {
            s->ifctl[n] = byte;
            s->mem_valid = false;
            s->redraw_all = true;
            ili9341_update_mapping(s);
        }
        break;
    default:
        break;                  /* configuration only, or no parameters */
    }
}

/* -- SSI interface --------------------------------------------------------- */

/*
 * Every byte on the bus. The chip select is handled here rather than by
 * the SSI core's default, and the state found with container_of() rather
 * than a checked QOM cast: this runs for each of a frame's 153,600 bytes.
 */
static uint32_t ili9341_transfer(SSIPeripheral *dev, uint32_t val)
{
    ILI9341State *s = container_of(dev, ILI9341State, parent_obj);
    uint8_t byte = val;

    if (s->csx || !s->resx) {
        return 0;   /* not selected, or held in reset: the interface is dead */
    }
    s->spi_bytes++;

    if (s->reading) {
        /*
         * MOSI is ignored while the answer shifts out, whatever D/CX is,
         * until CSX rises; a fixed-length answer that is complete gives
         * way to the next command byte.
         */
        if (s->mem_read) {
            return ili9341_mem_read_byte(s);
        }
        if (s->read_pos < s->read_len) {
            return s->read_buf[s->read_pos++];
        }
        if (s->dc) {
            return 0;
        }
        s->reading = false;
    }

    if (!s->dc) {
        ili9341_command(s, byte);
    } else {
        ili9341_param(s, byte);
    }
    return 0;
}

/* CSX, active low: raising it ends a read; everything else just pauses */
static void ili9341_csx(void *opaque, int n, int level)
{
    ILI9341State *s = opaque;

    if (level && !s->csx && s->reading) {
        s->reading = false;
        s->mem_read = false;
    }
    s->csx = level;
}

static void ili9341_dc(void *opaque, int n, int level)
{
    ILI9341State *s = opaque;

    s->dc = level;              /* a level, re-driven freely by GPIO models */
}

static void ili9341_resx(void *opaque, int n, int level)
{
    ILI9341State *s = opaque;

    if (!level && s->resx) {
        ili9341_hw_reset(s);
    }
    s->resx = level;
}

/* -- device ---------------------------------------------------------------- */

static void ili9341_realize(SSIPeripheral *dev, Error **errp)
{
    ILI9341State *s = ILI9341(dev);

    qdev_init_gpio_in(DEVICE(dev), ili9341_dc, 1);
    /* the same name as the SSI core's own chip-select input */
    qdev_init_gpio_in_named(DEVICE(dev), ili9341_csx, SSI_GPIO_CS, 1);
    qdev_init_gpio_in_named(DEVICE(dev), ili9341_resx, ILI9341_GPIO_RESX, 1);
    s->resx = true;             /* an unwired RESX is pulled up */
    s->csx = false;             /* an unwired CSX is tied low (selected) */

    s->con = graphic_console_init(DEVICE(dev), 0, &ili9341_gfx_ops, s);
    qemu_console_resize(s->con, ILI9341_WIDTH, ILI9341_HEIGHT);
}

static int ili9341_post_load(void *opaque, int version_id)
{
    ILI9341State *s = opaque;

    if (s->npix >= ARRAY_SIZE(s->pix) ||
        (s->bytes_per_pixel != 2 && s->bytes_per_pixel != 3) ||
        s->read_len > ILI9341_READ_MAX || s->read_pos > ILI9341_READ_MAX) {
        return -EINVAL;
    }
    s->dirty_x0 = s->dirty_x1 = 0;
    s->redraw_all = true;
    ili9341_update_mapping(s);
    return 0;
}

static const VMStateDescription vmstate_ili9341 = {
    .name = "ili9341",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = ili9341_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_BOOL(csx, ILI9341State),
        VMSTATE_BOOL(dc, ILI9341State),
        VMSTATE_BOOL(resx, ILI9341State),
        VMSTATE_UINT8(cmd, ILI9341State),
        VMSTATE_UINT32(nparams, ILI9341State),
        VMSTATE_UINT8_ARRAY(params, ILI9341State, ILI9341_PARAMS),
        VMSTATE_BOOL(mem_write, ILI9341State),
        VMSTATE_BOOL(mem_valid, ILI9341State),
        VMSTATE_BOOL(mem_done, ILI9341State),
        VMSTATE_UINT16(col, ILI9341State),
        VMSTATE_UINT16(page, ILI9341State),
        VMSTATE_UINT8_ARRAY(pix, ILI9341State, 3),
        VMSTATE_UINT8(npix, ILI9341State),
        VMSTATE_BOOL(reading, ILI9341State),
        VMSTATE_BOOL(mem_read, ILI9341State),
        VMSTATE_UINT8_ARRAY(read_buf, ILI9341State, ILI9341_READ_MAX),
        VMSTATE_UINT8(read_len, ILI9341State),
        VMSTATE_UINT8(read_pos, ILI9341State),
        VMSTATE_UINT16(sc, ILI9341State),
        VMSTATE_UINT16(ec, ILI9341State),
        VMSTATE_UINT16(sp, ILI9341State),
        VMSTATE_UINT16(ep, ILI9341State),
        VMSTATE_UINT8(madctl, ILI9341State),
        VMSTATE_UINT8(colmod, ILI9341State),
        VMSTATE_UINT8(bytes_per_pixel, ILI9341State),
        VMSTATE_BOOL(sleep_out, ILI9341State),
        VMSTATE_BOOL(display_on, ILI9341State),
        VMSTATE_BOOL(inverted, ILI9341State),
        VMSTATE_BOOL(idle, ILI9341State),
        VMSTATE_BOOL(partial, ILI9341State),
        VMSTATE_BOOL(te_on, ILI9341State),
        VMSTATE_UINT8(te_mode, ILI9341State),
        VMSTATE_UINT8(gamma, ILI9341State),
        VMSTATE_UINT16(psr, ILI9341State),
        VMSTATE_UINT16(per, ILI9341State),
        VMSTATE_UINT16(tfa, ILI9341State),
        VMSTATE_UINT16(vsa, ILI9341State),
        VMSTATE_UINT16(bfa, ILI9341State),
        VMSTATE_UINT16(vsp, ILI9341State),
        VMSTATE_UINT8(brightness, ILI9341State),
        VMSTATE_UINT8(ctrl_display, ILI9341State),
        VMSTATE_UINT8(cabc, ILI9341State),
        VMSTATE_UINT8(cabc_min, ILI9341State),
        VMSTATE_UINT8_ARRAY(disctrl, ILI9341State, 4),
        VMSTATE_UINT8(etmod, ILI9341State),
        VMSTATE_UINT8_ARRAY(ifctl, ILI9341State, 3),
        VMSTATE_UINT32_ARRAY(gram, ILI9341State,
                             ILI9341_WIDTH * ILI9341_HEIGHT),
        VMSTATE_END_OF_LIST()
    }
};

static Property ili9341_properties[] = {
    /* Most modules mount the glass so that MADCTL MX=1 is upright */
    DEFINE_PROP_BOOL("mirror-x", ILI9341State, module_mirror_x, true),
    /* ...and have a BGR colour filter, so drivers set MADCTL BGR */
    DEFINE_PROP_BOOL("bgr", ILI9341State, module_bgr, true),
    /* RDID1..3 before MTP programming (datasheet: 00h, 80h, 00h) */
    DEFINE_PROP_UINT8("id1", ILI9341State, id[0], 0x00),
    DEFINE_PROP_UINT8("id2", ILI9341State, id[1], 0x80),
    DEFINE_PROP_UINT8("id3", ILI9341State, id[2], 0x00),
    DEFINE_PROP_END_OF_LIST(),
};

static void ili9341_instance_init(Object *obj)
{
    ILI9341State *s = ILI9341(obj);

    object_property_add_uint64_ptr(obj, "spi-bytes", &s->spi_bytes,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "pixels-written", &s->pixels_written,
                                   OBJ_PROP_FLAG_READ);
}

static void ili9341_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    SSIPeripheralClass *k = SSI_PERIPHERAL_CLASS(klass);

    k->realize = ili9341_realize;
    k->transfer_raw = ili9341_transfer;
    dc->reset = ili9341_reset;
    dc->vmsd = &vmstate_ili9341;
    dc->desc = "ILI9341 240x320 TFT controller (4-wire SPI)";
    device_class_set_props(dc, ili9341_properties);
    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
    /* D/CX, RESX and CSX are GPIOs: only a board can wire them */
    dc->user_creatable = false;
}

static const TypeInfo ili9341_info = {
    .name = TYPE_ILI9341,
    .parent = TYPE_SSI_PERIPHERAL,
    .instance_size = sizeof(ILI9341State),
    .instance_init = ili9341_instance_init,
    .class_init = ili9341_class_init,
};

static void ili9341_register_types(void)
{
    type_register_static(&ili9341_info);
}

type_init(ili9341_register_types)
