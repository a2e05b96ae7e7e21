/*
 * QTest for the ILI9341 display on the imx7d-custom board, driven the way
 * a guest driver would: ECSPI1 registers for the bytes, GPIO4 registers
 * for chip select, D/C and reset. Pixels are checked in console
 * screendumps, register state through the controller's read commands.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "lab-fuzz.h"
#include "lab-log.h"
#include "lab-migrate.h"
#include "qapi/qmp/qdict.h"

#define ECSPI1          0x30820000
#define ECSPI_RXDATA    0x00
#define ECSPI_TXDATA    0x04
#define ECSPI_CONREG    0x08
#define ECSPI_STATREG   0x18
#define CONREG_EN       (1 << 0)
#define CONREG_XCH      (1 << 2)
#define CONREG_MASTER0  (1 << 4)        /* channel 0 in master mode */
#define CONREG_BL8      (7 << 20)       /* 8-bit bursts */
#define STATREG_RR      (1 << 3)

#define GPIO4           0x30230000
#define GPIO_DR         0x00
#define GPIO_GDIR       0x04
#define PIN_CS          (1 << 19)
#define PIN_DC          (1 << 20)
#define PIN_RESX        (1 << 21)

#define W 240
#define H 320

typedef struct Lcd {
    QTestState *qts;
    uint32_t dr;
} Lcd;

static void lcd_pins(Lcd *l, uint32_t set, uint32_t clear)
{
    l->dr = (l->dr | set) & ~clear;
    qtest_writel(l->qts, GPIO4 + GPIO_DR, l->dr);
}

static uint8_t spi_byte(Lcd *l, uint8_t out)
{
    qtest_writel(l->qts, ECSPI1 + ECSPI_TXDATA, out);
    qtest_writel(l->qts, ECSPI1 + ECSPI_CONREG,
                 CONREG_EN | CONREG_MASTER0 | CONREG_BL8 | CONREG_XCH);
    g_assert(qtest_readl(l->qts, ECSPI1 + ECSPI_STATREG) & STATREG_RR);
    return qtest_readl(l->qts, ECSPI1 + ECSPI_RXDATA);
}

/* One command with its parameters: D/C low for the command, high after */
static void lcd_cmd(Lcd *l, uint8_t cmd, const uint8_t *params, size_t n)
{
    size_t i;

    lcd_pins(l, 0, PIN_DC);
    spi_byte(l, cmd);
    lcd_pins(l, PIN_DC, 0);
    for (i = 0; i < n; i++) {
        spi_byte(l, params[i]);
    }
}

#define CMD(l, c, ...) do { \
        const uint8_t p_[] = { __VA_ARGS__ }; \
        lcd_cmd(l, c, p_, sizeof(p_)); \
    } while (0)
#define CMD0(l, c) lcd_cmd(l, c, NULL, 0)

/* A read as mipi_dbi does it: CS held, D/C low, zeros clocked out */
static void lcd_read(Lcd *l, uint8_t cmd, uint8_t *buf, size_t n)
{
    size_t i;

    lcd_pins(l, PIN_CS, 0);
    lcd_pins(l, 0, PIN_CS | PIN_DC);
    spi_byte(l, cmd);
    for (i = 0; i < n; i++) {
        buf[i] = spi_byte(l, 0);
    }
    lcd_pins(l, PIN_CS, 0);
    lcd_pins(l, 0, PIN_CS);
}

static uint8_t lcd_read1(Lcd *l, uint8_t cmd)
{
    uint8_t b;

    lcd_read(l, cmd, &b, 1);
    return b;
}

static void lcd_window(Lcd *l, int x0, int x1, int y0, int y1)
{
    CMD(l, 0x2a, x0 >> 8, x0, x1 >> 8, x1);
    CMD(l, 0x2b, y0 >> 8, y0, y1 >> 8, y1);
}

static void lcd_fill565(Lcd *l, uint16_t color, int count)
{
    int i;

    CMD0(l, 0x2c);
    for (i = 0; i < count; i++) {
        spi_byte(l, color >> 8);
        spi_byte(l, color);
    }
}

/* The board with its panel; @extra: more QEMU arguments */
static Lcd *lcd_start_with(const char *extra)
{
    Lcd *l = g_new0(Lcd, 1);

    l->qts = qtest_initf("-machine imx7d-custom %s", extra);
    qtest_writel(l->qts, ECSPI1 + ECSPI_CONREG,
                 CONREG_EN | CONREG_MASTER0 | CONREG_BL8);
    /* drive CS low (selected), RESX high, D/C low */
    l->dr = PIN_RESX;
    qtest_writel(l->qts, GPIO4 + GPIO_DR, l->dr);
    qtest_writel(l->qts, GPIO4 + GPIO_GDIR, PIN_CS | PIN_DC | PIN_RESX);
    return l;
}

static Lcd *lcd_start(void)
{
    return lcd_start_with("");
}

/* What Linux drivers do first: portrait, BGR module, 16 bpp, on */
static Lcd *lcd_start_on_with(const char *extra)
{
    Lcd *l = lcd_start_with(extra);

    CMD(l, 0x3a, 0x55);
    CMD(l, 0x36, 0x48);
    CMD0(l, 0x11);
    CMD0(l, 0x29);
    return l;
}

static Lcd *lcd_start_on(void)
{
    return lcd_start_on_with("");
}

static void lcd_end(Lcd *l)
{
    qtest_quit(l->qts);
    g_free(l);
}

/* Screendump of the console: W*H RGB triplets */
static uint8_t *lcd_screen(Lcd *l)
{
    g_autofree char *path = g_strdup_printf("/tmp/ili9341-test-%d.ppm",
                                            getpid());
    g_autofree char *data = NULL;
    size_t len;
    QDict *resp;
    uint8_t *rgb;
    int w, h, max, off;

    resp = qtest_qmp(l->qts, "{'execute': 'screendump', "
                     "'arguments': {'filename': %s}}", path);
    g_assert(qdict_haskey(resp, "return"));
    qobject_unref(resp);
    g_assert(g_file_get_contents(path, &data, &len, NULL));
    unlink(path);
    g_assert_cmpint(sscanf(data, "P6 %d %d %d%n", &w, &h, &max, &off), ==, 3);
    g_assert_cmpint(w, ==, W);
    g_assert_cmpint(h, ==, H);
    off++;                      /* the single whitespace after maxval */
    g_assert_cmpuint(len, ==, off + W * H * 3);
    rgb = g_malloc(W * H * 3);
    memcpy(rgb, data + off, W * H * 3);
    return rgb;
}

static uint32_t px(const uint8_t *rgb, int x, int y)
{
    const uint8_t *p = rgb + (y * W + x) * 3;

    return (p[0] << 16) | (p[1] << 8) | p[2];
}

static void test_reset_state_reads(void)
{
    Lcd *l = lcd_start();
    uint8_t b[5];

    g_assert_cmphex(lcd_read1(l, 0x0a), ==, 0x08);  /* RDDPM: sleep in */
    g_assert_cmphex(lcd_read1(l, 0x0b), ==, 0x00);  /* RDDMADCTL */
    g_assert_cmphex(lcd_read1(l, 0x0c), ==, 0x66);  /* RDDCOLMOD: 18 bpp */
    /* RDDST 00610000h after one dummy bit */
    lcd_read(l, 0x09, b, 5);
    g_assert_cmphex(b[0], ==, 0x00);
    g_assert_cmphex(b[1], ==, 0x30);
    g_assert_cmphex(b[2], ==, 0x80);
    g_assert_cmphex(b[3], ==, 0x00);
    g_assert_cmphex(b[4], ==, 0x00);
    /* RDDID 00 80 00 after one dummy bit */
    lcd_read(l, 0x04, b, 4);
    g_assert_cmphex(b[0], ==, 0x00);
    g_assert_cmphex(b[1], ==, 0x40);
    g_assert_cmphex(b[2], ==, 0x00);
    g_assert_cmphex(b[3], ==, 0x00);
    /* ID4: dummy, 00, 93, 41 */
    lcd_read(l, 0xd3, b, 4);
    g_assert_cmphex(b[1], ==, 0x00);
    g_assert_cmphex(b[2], ==, 0x93);
    g_assert_cmphex(b[3], ==, 0x41);
    g_assert_cmphex(lcd_read1(l, 0xda), ==, 0x00);
    g_assert_cmphex(lcd_read1(l, 0xdb), ==, 0x80);
    g_assert_cmphex(lcd_read1(l, 0xdc), ==, 0x00);
    lcd_end(l);
}

static void test_power_state_reads(void)
{
    Lcd *l = lcd_start_on();
    uint8_t b[5];

    /* booster, out, normal, on */
    g_assert_cmphex(lcd_read1(l, 0x0a), ==, 0x9c);
    g_assert_cmphex(lcd_read1(l, 0x0b), ==, 0x48);
    g_assert_cmphex(lcd_read1(l, 0x0c), ==, 0x55);
    CMD0(l, 0x21);
    g_assert_cmphex(lcd_read1(l, 0x0d) & 0x20, ==, 0x20);  /* inversion */
    CMD0(l, 0x39);
    g_assert_cmphex(lcd_read1(l, 0x0a), ==, 0xdc);  /* + idle */
    /* RDDST: booster, MX|BGR, 16 bpp, idle, out, normal, inv, on */
    lcd_read(l, 0x09, b, 5);
    g_assert_cmphex(((uint32_t)b[0] << 25) | (b[1] << 17) | (b[2] << 9) |
                    (b[3] << 1) | (b[4] >> 7), ==, 0xa45b2400);
    lcd_end(l);
}

static void test_stored_value_reads(void)
{
    Lcd *l = lcd_start_on();
    uint8_t b[3];

    CMD(l, 0x51, 0x80);                     /* brightness */
    CMD(l, 0x53, 0x24);                     /* CTRL display */
    CMD(l, 0x55, 0x01);                     /* CABC */
    CMD(l, 0x5e, 0x10);                     /* CABC minimum */
    g_assert_cmphex(lcd_read1(l, 0x52), ==, 0x80);
    g_assert_cmphex(lcd_read1(l, 0x54), ==, 0x24);
    g_assert_cmphex(lcd_read1(l, 0x56), ==, 0x01);
    g_assert_cmphex(lcd_read1(l, 0x5f), ==, 0x10);
    CMD(l, 0x35, 0x01);                     /* TE on, mode 1 */
    g_assert_cmphex(lcd_read1(l, 0x0e), ==, 0xc0);
    CMD0(l, 0x34);
    g_assert_cmphex(lcd_read1(l, 0x0e), ==, 0x00);
    g_assert_cmphex(lcd_read1(l, 0x0f), ==, 0x00);
    lcd_read(l, 0x45, b, 2);                /* scanline */
    g_assert_cmphex(b[0] | b[1], ==, 0);
    lcd_end(l);
}

static void test_ramwrc_continues(void)
{
    Lcd *l = lcd_start_on();
    g_autofree uint8_t *s = NULL;

    lcd_window(l, 30, 32, 40, 40);
    CMD(l, 0x2c, 0xf8, 0x00);               /* red at 30 */
    CMD(l, 0x3c, 0x07, 0xe0);               /* continue: green at 31 */
    CMD(l, 0x3c, 0x00, 0x1f);               /* blue at 32 */
    s = lcd_screen(l);
    g_assert_cmphex(px(s, 30, 40), ==, 0xff0000);
    g_assert_cmphex(px(s, 31, 40), ==, 0x00ff00);
    g_assert_cmphex(px(s, 32, 40), ==, 0x0000ff);
    lcd_end(l);
}

static void test_window_write_16bpp(void)
{
    Lcd *l = lcd_start_on();
    g_autofree uint8_t *s = NULL;

    lcd_window(l, 10, 19, 20, 29);
    lcd_fill565(l, 0xf800, 100);            /* red */
    s = lcd_screen(l);
    g_assert_cmphex(px(s, 10, 20), ==, 0xff0000);
    g_assert_cmphex(px(s, 19, 29), ==, 0xff0000);
    g_assert_cmphex(px(s, 9, 20), ==, 0x000000);
    g_assert_cmphex(px(s, 20, 20), ==, 0x000000);
    g_assert_cmphex(px(s, 10, 30), ==, 0x000000);
    lcd_end(l);
}

static void test_window_wraps(void)
{
    Lcd *l = lcd_start_on();
    g_autofree uint8_t *s = NULL;

    lcd_window(l, 0, 1, 0, 1);
    CMD(l, 0x2c, 0xf8, 0x00, 0x07, 0xe0, 0x00, 0x1f, 0xff, 0xff,
        0x07, 0xe0);                        /* R G B W, then G again */
    s = lcd_screen(l);
    g_assert_cmphex(px(s, 0, 0), ==, 0x00ff00);    /* overwritten on wrap */
    g_assert_cmphex(px(s, 1, 0), ==, 0x00ff00);
    g_assert_cmphex(px(s, 0, 1), ==, 0x0000ff);
    g_assert_cmphex(px(s, 1, 1), ==, 0xffffff);
    lcd_end(l);
}

/*
 * The first two pixels of a full-window write land where each rotation
 * Linux uses (0x48, 0x28, 0x88, 0xe8) puts the image's top-left corner.
 */
static void test_madctl_orientations(void)
{
    static const struct {
        uint8_t madctl;
        int x0, y0, x1, y1;
    } cases[] = {
        { 0x48, 0, 0, 1, 0 },       /* portrait: rightwards */
        { 0x28, 239, 0, 239, 1 },   /* MV: top right, downwards */
        { 0x88, 239, 319, 238, 319 }, /* MY: bottom right, leftwards */
        { 0xe8, 0, 319, 0, 318 },   /* MY|MX|MV: bottom left, upwards */
    };
    int i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        Lcd *l = lcd_start_on();
        g_autofree uint8_t *s = NULL;

        CMD(l, 0x36, cases[i].madctl);
        if (cases[i].madctl & 0x20) {
            lcd_window(l, 0, 319, 0, 239);
        } else {
            lcd_window(l, 0, 239, 0, 319);
        }
        CMD(l, 0x2c, 0xf8, 0x00, 0x00, 0x1f);  /* red, then blue */
        s = lcd_screen(l);
        g_assert_cmphex(px(s, cases[i].x0, cases[i].y0), ==, 0xff0000);
        g_assert_cmphex(px(s, cases[i].x1, cases[i].y1), ==, 0x0000ff);
        lcd_end(l);
    }
}

static void test_18bpp_pixels(void)
{
    Lcd *l = lcd_start_on();
    g_autofree uint8_t *s = NULL;

    CMD(l, 0x3a, 0x66);
    lcd_window(l, 5, 6, 5, 5);
    /* 6 MSBs of each byte: R=63 G=0 B=33, then R=0 G=63 B=1 */
    CMD(l, 0x2c, 0xfc, 0x00, 0x84, 0x03, 0xfc, 0x04);
    s = lcd_screen(l);
    g_assert_cmphex(px(s, 5, 5), ==, 0xff0086);
    g_assert_cmphex(px(s, 6, 5), ==, 0x00ff04);
    lcd_end(l);
}

static void test_inversion_and_blanking(void)
{
    Lcd *l = lcd_start_on();
    g_autofree uint8_t *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL;

    lcd_window(l, 0, 0, 0, 0);
    lcd_fill565(l, 0xf800, 1);
    CMD0(l, 0x21);                          /* INVON */
    s1 = lcd_screen(l);
    g_assert_cmphex(px(s1, 0, 0), ==, 0x00ffff);
    g_assert_cmphex(px(s1, 100, 100), ==, 0xffffff);
    CMD0(l, 0x20);
    CMD0(l, 0x28);                          /* DISPOFF: blank, GRAM kept */
    s2 = lcd_screen(l);
    g_assert_cmphex(px(s2, 0, 0), ==, 0x000000);
    CMD0(l, 0x29);
    s3 = lcd_screen(l);
    g_assert_cmphex(px(s3, 0, 0), ==, 0xff0000);
    CMD0(l, 0x10);                          /* SLPIN blanks too */
    s4 = lcd_screen(l);
    g_assert_cmphex(px(s4, 0, 0), ==, 0x000000);
    lcd_end(l);
}

static void test_idle_mode(void)
{
    Lcd *l = lcd_start_on();
    g_autofree uint8_t *s = NULL;

    lcd_window(l, 0, 1, 0, 0);
    /* R=16/31 G=40/63 B=15/31: idle keeps the MSBs: R and G on, B off */
    CMD(l, 0x2c, 0x85, 0x0f, 0x7b, 0xef);   /* then a dim grey */
    CMD0(l, 0x39);
    s = lcd_screen(l);
    g_assert_cmphex(px(s, 0, 0), ==, 0xffff00);
    g_assert_cmphex(px(s, 1, 0), ==, 0x000000);
    lcd_end(l);
}

static void test_swreset_keeps_madctl_resx_does_not(void)
{
    Lcd *l = lcd_start_on();

    CMD(l, 0x36, 0x28);
    CMD(l, 0x3a, 0x05);
    CMD0(l, 0x01);                          /* SWRESET */
    g_assert_cmphex(lcd_read1(l, 0x0b), ==, 0x28);
    g_assert_cmphex(lcd_read1(l, 0x0c), ==, 0x05);
    g_assert_cmphex(lcd_read1(l, 0x0a), ==, 0x08);  /* sleep in, off */
    lcd_pins(l, 0, PIN_RESX);               /* RESX pulse */
    lcd_pins(l, PIN_RESX, 0);
    g_assert_cmphex(lcd_read1(l, 0x0b), ==, 0x00);
    g_assert_cmphex(lcd_read1(l, 0x0c), ==, 0x66);
    lcd_end(l);
}

static void test_held_in_reset_ignores_spi(void)
{
    Lcd *l = lcd_start_on();

    lcd_pins(l, 0, PIN_RESX);
    CMD(l, 0x36, 0x28);                     /* lost: RESX is low */
    lcd_pins(l, PIN_RESX, 0);
    g_assert_cmphex(lcd_read1(l, 0x0b), ==, 0x00);
    lcd_end(l);
}

/*
 * Linux sends a command and its parameters as separate CS frames, and
 * splits pixel streams into messages: CS high only pauses.
 */
static void test_cs_pause_mid_command(void)
{
    Lcd *l = lcd_start_on();
    g_autofree uint8_t *s = NULL;

    lcd_pins(l, 0, PIN_DC);
    spi_byte(l, 0x2a);
    lcd_pins(l, PIN_CS, 0);
    lcd_pins(l, PIN_DC, PIN_CS);
    spi_byte(l, 0x00);
    spi_byte(l, 0x32);
    lcd_pins(l, PIN_CS, 0);
    lcd_pins(l, 0, PIN_CS);
    spi_byte(l, 0x00);
    spi_byte(l, 0x32);                      /* columns 50..50 */
    CMD(l, 0x2b, 0x00, 0x3c, 0x00, 0x3d);  /* pages 60..61 */
    CMD0(l, 0x2c);
    lcd_pins(l, PIN_DC, 0);
    spi_byte(l, 0x00);
    lcd_pins(l, PIN_CS, 0);                 /* pause inside a pixel */
    lcd_pins(l, 0, PIN_CS);
    spi_byte(l, 0x1f);                      /* blue completes */
    spi_byte(l, 0x07);
    lcd_pins(l, PIN_CS, 0);
    lcd_pins(l, 0, PIN_CS);
    spi_byte(l, 0xe0);                      /* green completes */
    s = lcd_screen(l);
    g_assert_cmphex(px(s, 50, 60), ==, 0x0000ff);
    g_assert_cmphex(px(s, 50, 61), ==, 0x00ff00);
    lcd_end(l);
}

static void test_ramrd_reads_back(void)
{
    Lcd *l = lcd_start_on();
    uint8_t b[7];

    lcd_window(l, 3, 4, 3, 3);
    CMD(l, 0x2c, 0xf8, 0x1f, 0x07, 0xe0);   /* magenta, green */
    lcd_read(l, 0x2e, b, 7);                /* dummy, then R G B x 2 */
    g_assert_cmphex(b[1], ==, 0xfc);
    g_assert_cmphex(b[2], ==, 0x00);
    g_assert_cmphex(b[3], ==, 0xfc);
    g_assert_cmphex(b[4], ==, 0x00);
    g_assert_cmphex(b[5], ==, 0xfc);
    g_assert_cmphex(b[6], ==, 0x00);
    lcd_end(l);
}

static void test_out_of_range_window(void)
{
    g_autofree char *log_path = NULL;
    g_autofree char *args = lab_log_args(&log_path);
    Lcd *l = lcd_start_on_with(args);
    g_autofree uint8_t *s = NULL;
    g_autofree char *log = NULL;

    /* panel-ilitek's DPI init bug: EC=0x0EEF, EP=0x133F */
    CMD(l, 0x2a, 0x00, 0xef, 0x0e, 0xef);
    CMD(l, 0x2b, 0x00, 0x00, 0x13, 0x3f);
    lcd_fill565(l, 0xffff, 8);              /* x=239 lands, the rest drops */
    /* start after end, and everything beyond the panel */
    CMD(l, 0x2a, 0xff, 0xff, 0x00, 0x00);
    CMD(l, 0x2b, 0xff, 0xf0, 0xff, 0xff);
    lcd_fill565(l, 0xffff, 8);
    /* the controller still works */
    lcd_window(l, 0, 0, 0, 0);
    lcd_fill565(l, 0x001f, 1);
    s = lcd_screen(l);
    g_assert_cmphex(px(s, 239, 0), ==, 0xffffff);
    g_assert_cmphex(px(s, 0, 0), ==, 0x0000ff);
    g_assert_cmphex(px(s, 238, 0), ==, 0x000000);
    lcd_end(l);
    /* each bad window is the driver's bug, and said so */
    log = lab_log_read(log_path);
    g_assert_nonnull(strstr(log, "ili9341: CASET 239..3823 is not a window "
                            "of the 240x320 panel"));
    g_assert_nonnull(strstr(log, "ili9341: PASET 0..4927 is not a window"));
    g_assert_nonnull(strstr(log, "ili9341: CASET 65535..0 is not a window"));
    g_assert_nonnull(strstr(log, "ili9341: PASET 65520..65535 is not a "
                            "window"));
    g_assert_null(strstr(log, "CASET 0..0"));
}

static void test_undefined_commands_are_nops(void)
{
    Lcd *l = lcd_start_on();

    CMD(l, 0xff, 0x12, 0x34, 0x56);
    CMD(l, 0x3a, 0x07);                     /* reserved format: kept */
    g_assert_cmphex(lcd_read1(l, 0x0a), ==, 0x9c);
    lcd_window(l, 0, 0, 0, 0);
    CMD(l, 0x2c, 0x07, 0xe0);               /* still 2 bytes per pixel */
    g_assert_cmphex(lcd_read1(l, 0x0b), ==, 0x48);
    lcd_end(l);
}

/*
 * Saved in the middle of a RAMWR, between the two bytes of a pixel, and
 * restored into a new QEMU: the write carries on where it was. @stream:
 * restored from that committed stream instead (lab_migrate_stream())
 */
static void test_snapshot_mid_ramwr(const void *stream)
{
    Lcd *l = lcd_start_on_with(stream ? LAB_STREAM_ARGS : "");
    g_autofree uint8_t *s = NULL;
    int i;

    lcd_window(l, 10, 29, 20, 29);          /* 20 x 10 */
    lcd_fill565(l, 0xf800, 100);            /* five rows of red */
    spi_byte(l, 0x07);                      /* half a green pixel */
    l->qts = stream ? lab_migrate_stream(l->qts, stream,
                                         "-machine imx7d-custom "
                                         LAB_STREAM_ARGS)
                    : lab_migrate(l->qts, "-machine imx7d-custom");
    spi_byte(l, 0xe0);
    for (i = 0; i < 99; i++) {              /* the rest green */
        spi_byte(l, 0x07);
        spi_byte(l, 0xe0);
    }
    s = lcd_screen(l);
    g_assert_cmphex(px(s, 10, 20), ==, 0xff0000);
    g_assert_cmphex(px(s, 29, 24), ==, 0xff0000);
    g_assert_cmphex(px(s, 10, 25), ==, 0x00ff00);
    g_assert_cmphex(px(s, 29, 29), ==, 0x00ff00);
    g_assert_cmphex(px(s, 10, 30), ==, 0x000000);
    /* and the panel's registers came along: MADCTL, COLMOD, display on */
    g_assert_cmphex(lcd_read1(l, 0x0b), ==, 0x48);
    g_assert_cmphex(lcd_read1(l, 0x0c), ==, 0x55);
    g_assert_cmphex(lcd_read1(l, 0x0a), ==, 0x9c);
    lcd_end(l);
}

/* After a RESX pulse the panel is in its reset state and answers reads */
static void assert_lcd_ok(Lcd *l)
{
    lcd_pins(l, PIN_CS, PIN_RESX);
    qtest_clock_step(l->qts, 1000000);
    lcd_pins(l, PIN_RESX, PIN_CS);
    qtest_clock_step(l->qts, 5000000);
    g_assert_cmphex(lcd_read1(l, 0x0a), ==, 0x08);  /* RDDPM: sleep in */
    g_assert_cmphex(lcd_read1(l, 0x0c), ==, 0x66);  /* RDDCOLMOD: 18 bpp */
}

/*
 * Random SPI traffic with random D/C, CS and RESX transitions: commands
 * (defined ones more often), parameters, pixel bursts into random
 * windows, reads, console refreshes (lab-fuzz.h)
 */
/* Bump when the operation mix below changes (lab-fuzz.h) */
#define ILI9341_FUZZ_GEN 1

static void test_fuzz(const void *repro)
{
    static const uint8_t cmds[] = {
        0x01, 0x04, 0x09, 0x0a, 0x0b, 0x0c, 0x0f, 0x10, 0x11, 0x13, 0x20,
        0x21, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2e, 0x33, 0x36, 0x37, 0x38,
        0x39, 0x3a, 0x3c, 0x3e, 0xd9, 0xda, 0xdb, 0xdc,
    };
    static const uint32_t pins[] = { PIN_CS, PIN_DC, PIN_RESX };
    Lcd *l = lcd_start_on();
    LabFuzz f;
    int i, n;

    lab_fuzz_init(&f, "ili9341", ILI9341_FUZZ_GEN, repro);
    while (lab_fuzz_more(&f)) {
        switch (lab_fuzz_below(&f, 10)) {
        case 0:
            lcd_pins(l, pins[lab_fuzz_below(&f, 3)],
                     pins[lab_fuzz_below(&f, 3)]);
            break;
        case 1 ... 3:
            lcd_pins(l, 0, PIN_DC);
            spi_byte(l, lab_fuzz_chance(&f, 4) ? (uint8_t)lab_fuzz_next(&f)
                        : cmds[lab_fuzz_below(&f, sizeof(cmds))]);
            lcd_pins(l, PIN_DC, 0);
            break;
        case 4 ... 6:
            for (i = lab_fuzz_below(&f, 8); i > 0; i--) {
                spi_byte(l, (uint8_t)lab_fuzz_next(&f));
            }
            break;
        case 7:
            lcd_window(l, lab_fuzz_below(&f, 0x200), lab_fuzz_below(&f, 0x200),
                       lab_fuzz_below(&f, 0x200), lab_fuzz_below(&f, 0x200));
            CMD0(l, lab_fuzz_chance(&f, 2) ? 0x2c : 0x3c);
            for (n = lab_fuzz_below(&f, 300); n > 0; n--) {
                spi_byte(l, (uint8_t)lab_fuzz_next(&f));
            }
            break;
        case 8:
            lcd_read1(l, lab_fuzz_chance(&f, 2) ? 0x2e
                         : cmds[lab_fuzz_below(&f, sizeof(cmds))]);
            break;
        case 9:
            if (lab_fuzz_chance(&f, 50)) {
                g_free(lcd_screen(l));
            } else {
                qtest_clock_step(l->qts, lab_fuzz_below(&f, 20000000));
            }
            break;
        }
        if (f.done % 1000 == 0) {
            assert_lcd_ok(l);
        }
    }
    assert_lcd_ok(l);
    lcd_end(l);
    lab_fuzz_end(&f);
}

/* Bump when the operation mix below changes (lab-fuzz.h) */
#define ILI9341_MIGRATE_FUZZ_GEN 1

/*
 * Migration streams of the panel (saved between the two bytes of a
 * pixel of a RAMWR into a window) with its section's bytes flipped or
 * replaced by boundary values (lab-migrate.h): each load is refused
 * cleanly, or the panel takes pixels and then resets and answers in the
 * new QEMU. A load costs LAB_MIGRATE_FUZZ_COST operations of the dose.
 */
static void test_migrate_fuzz(const void *repro)
{
    char *path = lab_migrate_tmp_path();
    Lcd *l = lcd_start_on();
    unsigned refused = 0;
    LabFuzz f;

    lcd_window(l, 10, 29, 20, 29);
    lcd_fill565(l, 0xf800, 100);
    spi_byte(l, 0x07);
    lab_migrate_save(l->qts, path);
    lab_fuzz_init(&f, "ili9341-migrate", ILI9341_MIGRATE_FUZZ_GEN, repro);
    if (!repro) {
        f.ops = MAX(1, f.ops / LAB_MIGRATE_FUZZ_COST);
    }
    while (lab_fuzz_more(&f)) {
        l->qts = lab_migrate_fuzz_load(&f, path, "ili9341",
                                       "-machine imx7d-custom");
        if (!l->qts) {
            refused++;
            continue;
        }
        lcd_fill565(l, 0x07e0, 200);
        g_free(lcd_screen(l));                  /* a console refresh */
        assert_lcd_ok(l);
        qtest_quit(l->qts);
    }
    g_test_message("%u of %lu fuzzed streams refused", refused, f.ops);
    lab_migrate_tmp_remove(path);
    g_free(l);
    lab_fuzz_end(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/ili9341/reads/reset-state", test_reset_state_reads);
    qtest_add_func("/ili9341/reads/power-state", test_power_state_reads);
    qtest_add_func("/ili9341/reads/stored-values", test_stored_value_reads);
    qtest_add_func("/ili9341/write/window-16bpp", test_window_write_16bpp);
    qtest_add_func("/ili9341/write/ramwrc", test_ramwrc_continues);
    qtest_add_func("/ili9341/write/wrap", test_window_wraps);
    qtest_add_func("/ili9341/write/madctl", test_madctl_orientations);
    qtest_add_func("/ili9341/write/18bpp", test_18bpp_pixels);
    qtest_add_func("/ili9341/display/inversion-blanking",
                   test_inversion_and_blanking);
    qtest_add_func("/ili9341/display/idle", test_idle_mode);
    qtest_add_func("/ili9341/reset/swreset-vs-resx",
                   test_swreset_keeps_madctl_resx_does_not);
    qtest_add_func("/ili9341/reset/held", test_held_in_reset_ignores_spi);
    qtest_add_data_func("/ili9341/snapshot/mid-ramwr", NULL,
                        test_snapshot_mid_ramwr);
    qtest_add_data_func("/ili9341/snapshot/stream/mid-ramwr",
                        "ili9341-mid-ramwr", test_snapshot_mid_ramwr);
    lab_fuzz_add_tests("/ili9341/fuzz", "ili9341", test_fuzz);
    lab_fuzz_add_tests("/ili9341/migrate-fuzz", "ili9341-migrate",
                       test_migrate_fuzz);
    qtest_add_func("/ili9341/spi/cs-pause", test_cs_pause_mid_command);
    qtest_add_func("/ili9341/reads/ramrd", test_ramrd_reads_back);
    qtest_add_func("/ili9341/robust/out-of-range-window",
                   test_out_of_range_window);
    qtest_add_func("/ili9341/robust/undefined-commands",
                   test_undefined_commands_are_nops);
    return g_test_run();
}
