/*
 * ILI9341 240x320 TFT controller on a 4-wire SPI bus
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_DISPLAY_ILI9341_H
#define HW_DISPLAY_ILI9341_H

#include "hw/ssi/ssi.h"
#include "qom/object.h"

#define TYPE_ILI9341 "ili9341"
OBJECT_DECLARE_SIMPLE_TYPE(ILI9341State, ILI9341)

/*
 * GPIO inputs a board wires (besides SSI_GPIO_CS, active low):
 *   unnamed input 0   D/CX: low = command byte, high = data byte
 *   ILI9341_GPIO_RESX active-low hardware reset
 */
#define ILI9341_GPIO_RESX "resx"

#define ILI9341_WIDTH   240     /* columns (sources) */
#define ILI9341_HEIGHT  320     /* pages (gate lines) */
#define ILI9341_PARAMS  16      /* parameter bytes kept per command */
#define ILI9341_READ_MAX 8      /* longest fixed-length read answer */

struct ILI9341State {
    SSIPeripheral parent_obj;

    QemuConsole *con;

    /* input lines */
    bool csx;                   /* CSX level: true = not selected */
    bool dc;                    /* D/CX level: true = data */
    bool resx;                  /* RESX level: false holds the chip in reset */

    /* command parser */
    uint8_t cmd;                /* command the data bytes belong to */
    uint32_t nparams;           /* data bytes received since cmd */
    uint8_t params[ILI9341_PARAMS];

    /* frame memory write/read stream */
    bool mem_write;             /* 2Ch/3Ch stream open */
    bool mem_valid;             /* a 2Ch since CASET/PASET/MADCTL (for 3Ch) */
    bool mem_done;              /* WEMODE=0 and the window is full */
    uint16_t col, page;         /* address counters */
    uint8_t pix[3];             /* bytes of the pixel being assembled */
    uint8_t npix;

    /* fixed-length read answer, or RAMRD streaming */
    bool reading;
    bool mem_read;
    uint8_t read_buf[ILI9341_READ_MAX];
    uint8_t read_len, read_pos;

    /* registers */
    uint16_t sc, ec, sp, ep;    /* CASET / PASET window */
    uint8_t madctl;
    uint8_t colmod;             /* raw 3Ah value */
    uint8_t bytes_per_pixel;    /* 2 (DBI=101) or 3 (DBI=110) */
    bool sleep_out, display_on, inverted, idle, partial;
    bool te_on;
    uint8_t te_mode;
    uint8_t gamma;
    uint16_t psr, per;          /* partial area */
    uint16_t tfa, vsa, bfa, vsp; /* vertical scrolling */
    uint8_t brightness, ctrl_display, cabc, cabc_min;
    uint8_t disctrl[4];         /* B6h: REV/GS/SS live in [1] */
    uint8_t etmod;              /* B7h */
    uint8_t ifctl[3];           /* F6h: EOR bits and WEMODE in [0] */

    /* derived from the registers above (ili9341_update_mapping) */
    uint8_t mem_madctl;         /* MADCTL with the F6h corrections */
    bool hflip, vflip;          /* panel mirrors: module glass, SS, GS */

    /* 18-bit frame memory, 0x3ffff = R6 G6 B6 */
    uint32_t gram[ILI9341_WIDTH * ILI9341_HEIGHT];

    /* dirty rectangle in display coordinates, x1/y1 exclusive */
    bool redraw_all;
    uint16_t dirty_x0, dirty_y0, dirty_x1, dirty_y1;

    /* counters for tests and benchmarks (not migrated) */
    uint64_t spi_bytes;
    uint64_t pixels_written;

    /* module (glass) properties */
    bool module_mirror_x;
    bool module_bgr;
    uint8_t id[3];
};

#endif
