// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ili9341fb: fbdev driver for ILI9341 240x320 TFT panels on a 4-wire SPI
 * bus (data/command on a GPIO), built on fbdev deferred I/O.
 *
 * The framebuffer lives in vmalloc memory. Writes through mmap are found
 * by deferred I/O's page-fault tracking; write(2) and the console drawing
 * helpers (fbcon) mark the rows they touch. After the defer delay one
 * work item compares those rows with a shadow copy of what the panel
 * shows and sends the one rectangle that covers every changed pixel:
 * CASET/PASET for it, then RAMWR with its pixels in one SPI transfer.
 * fsync(2) on /dev/fbN flushes at once.
 *
 * Rotation (0/90/180/270) is done by the controller (MADCTL), so the
 * framebuffer always has the orientation userspace sees.
 *
 * Every command with its parameters or pixels is one sequence under
 * io_lock: D/C is shared by all of them, and a blank (fbcon, FBIOBLANK)
 * between a flush's RAMWR and its pixels would make pixels commands.
 *
 * Lifetime: unbinding removes the panel, but an open or mmapped /dev/fbN
 * keeps the fb_info, the video memory and deferred I/O's page references
 * alive until its last user is gone: they are freed in fb_destroy, and
 * after remove the flush and blank paths find the panel gone and leave
 * the (released) SPI device and GPIOs alone.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 */

#include <linux/delay.h>
#include <linux/fb.h>
#include <linux/gpio/consumer.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <video/mipi_display.h>

#define ILI9341_WIDTH		240
#define ILI9341_HEIGHT		320
#define ILI9341_BPP		16
#define ILI9341_PIXEL_BYTES	(ILI9341_BPP / 8)

/* the longest parameter list sent: CASET/PASET's start and end */
#define ILI9341FB_MAX_PARAMS	4
/* a flush's command bytes: CASET, PASET, RAMWR */
#define ILI9341FB_FLUSH_CMDS	3

/* MIPI DCS set_address_mode bits (mipi_display.h has only the opcode) */
#define MADCTL_MY		0x80
#define MADCTL_MX		0x40
#define MADCTL_MV		0x20
#define MADCTL_BGR		0x08

/* set_pixel_format: the DPI (RGB interface) format above the DBI one */
#define COLMOD_DPI_SHIFT	4

/* datasheet: RESX pulse, RESX and SWRESET/SLPOUT to the next command */
#define ILI9341_RESET_PULSE_US	20
#define ILI9341_RESET_WAIT_MS	120
#define ILI9341_CMD_WAIT_US	5000

/* One full frame: the transfer buffer and the shadow copy */
#define ILI9341FB_FRAME_BYTES	(ILI9341_WIDTH * ILI9341_HEIGHT * ILI9341_PIXEL_BYTES)

/* the console's colours: fbcon's 16 */
#define ILI9341FB_PALETTE_SIZE	16
#define ILI9341FB_DEFAULT_FPS	30

static unsigned int rotate;
module_param(rotate, uint, 0444);
MODULE_PARM_DESC(rotate, "Rotation in degrees: 0, 90, 180, 270 (overrides DT \"rotation\")");

static unsigned int fps;
module_param(fps, uint, 0444);
MODULE_PARM_DESC(fps, "Flushes per second, i.e. the defer delay (overrides DT \"fps\", default 30)");

struct ili9341fb {
	struct spi_device *spi;
	struct fb_info *info;
	struct gpio_desc *dc;
	struct gpio_desc *reset;
	struct fb_deferred_io defio;

	/* one command sequence at a time; gone: removed, touch no hardware */
	struct mutex io_lock;
	bool gone;
	bool registered;
	bool defio_ready;	/* fb_deferred_io_init() done: clean up */
	u8 *cmdbuf;		/* DMA-safe: a command, then its parameters */
	u8 *txbuf;		/* DMA-safe, byte-swapped pixels */
	u16 *shadow;		/* what the panel shows */
	u32 pseudo_palette[ILI9341FB_PALETTE_SIZE];
	unsigned int rotation;
	bool bgr;

	/* rows changed other than through mmap, [dirty_y1, dirty_y2] */
	spinlock_t dirty_lock;
	int dirty_y1, dirty_y2;

	/* statistics for /sys: what went over the wire */
	u64 flushes;
	u64 bytes_sent;
};

/* A command and its parameters, under io_lock, through cmdbuf */
static int ili9341fb_write_cmd(struct ili9341fb *par, u8 cmd, const u8 *data,
			       size_t len)
{
	int ret;

	lockdep_assert_held(&par->io_lock);
	if (WARN_ON(len > ILI9341FB_MAX_PARAMS))
		return -EINVAL;
	par->cmdbuf[0] = cmd;
	if (len)
		memcpy(par->cmdbuf + 1, data, len);
	gpiod_set_value_cansleep(par->dc, 0);
	ret = spi_write(par->spi, par->cmdbuf, 1);
	if (ret || !len)
		return ret;
	gpiod_set_value_cansleep(par->dc, 1);
	return spi_write(par->spi, par->cmdbuf + 1, len);
}

static u8 ili9341fb_madctl(struct ili9341fb *par)
{
	static const u8 madctl[] = {
		[0] = MADCTL_MX,
		[1] = MADCTL_MV,
		[2] = MADCTL_MY,
		[3] = MADCTL_MY | MADCTL_MX | MADCTL_MV,
	};

	return madctl[par->rotation / 90] | (par->bgr ? MADCTL_BGR : 0);
}

/* at least us: the datasheet's times are minimums */
static void ili9341fb_wait_us(unsigned int us)
{
	usleep_range(us, us + us / 5);
}

static int ili9341fb_init_display(struct ili9341fb *par)
{
	u8 madctl = ili9341fb_madctl(par);
	/* the same 16-bit format on the DPI and the DBI (SPI) side */
	u8 colmod = MIPI_DCS_PIXEL_FMT_16BIT << COLMOD_DPI_SHIFT | MIPI_DCS_PIXEL_FMT_16BIT;
	int ret;

	if (par->reset) {
		gpiod_set_value_cansleep(par->reset, 1);
		ili9341fb_wait_us(ILI9341_RESET_PULSE_US);
		gpiod_set_value_cansleep(par->reset, 0);
		msleep(ILI9341_RESET_WAIT_MS);
	}
	ret = ili9341fb_write_cmd(par, MIPI_DCS_SOFT_RESET, NULL, 0);
	if (ret)
		return ret;
	ili9341fb_wait_us(ILI9341_CMD_WAIT_US);
	ret = ili9341fb_write_cmd(par, MIPI_DCS_SET_PIXEL_FORMAT, &colmod, 1);
	if (!ret)
		ret = ili9341fb_write_cmd(par, MIPI_DCS_SET_ADDRESS_MODE, &madctl, 1);
	if (!ret)
		ret = ili9341fb_write_cmd(par, MIPI_DCS_EXIT_SLEEP_MODE, NULL, 0);
	if (ret)
		return ret;
	ili9341fb_wait_us(ILI9341_CMD_WAIT_US);
	return ili9341fb_write_cmd(par, MIPI_DCS_SET_DISPLAY_ON, NULL, 0);
}

/*
 * Send the rectangle x1..x2, y1..y2 (inclusive) of the framebuffer to the
 * panel and remember it in the shadow copy of what the panel shows.
 */
static int ili9341fb_send_rect(struct ili9341fb *par, int x1, int x2, int y1, int y2)
{
	struct fb_info *info = par->info;
	unsigned int stride = info->fix.line_length / ILI9341_PIXEL_BYTES;
	const u16 *fb = (const u16 *)info->screen_buffer;
	u8 caset[4] = { x1 >> 8, x1 & 0xff, x2 >> 8, x2 & 0xff };
	u8 paset[4] = { y1 >> 8, y1 & 0xff, y2 >> 8, y2 & 0xff };
	__be16 *tx = (__be16 *)par->txbuf;
	size_t n = 0;
	int x, y, ret;

	ret = ili9341fb_write_cmd(par, MIPI_DCS_SET_COLUMN_ADDRESS, caset, sizeof(caset));
	if (!ret)
		ret = ili9341fb_write_cmd(par, MIPI_DCS_SET_PAGE_ADDRESS, paset, sizeof(paset));
	if (!ret)
		ret = ili9341fb_write_cmd(par, MIPI_DCS_WRITE_MEMORY_START, NULL, 0);
	if (ret)
		return ret;

	/* the panel takes RGB565 big-endian; the whole frame fits in txbuf */
	for (y = y1; y <= y2; y++) {
		for (x = x1; x <= x2; x++) {
			u16 v = fb[y * stride + x];

			par->shadow[y * stride + x] = v;
			tx[n++] = cpu_to_be16(v);
		}
	}
	gpiod_set_value_cansleep(par->dc, 1);
	ret = spi_write(par->spi, tx, n * ILI9341_PIXEL_BYTES);
	if (ret)
		return ret;
	par->flushes++;
	/* the command bytes, their parameters, the pixels */
	par->bytes_sent += ILI9341FB_FLUSH_CMDS + sizeof(caset) + sizeof(paset) +
			   n * ILI9341_PIXEL_BYTES;
	return 0;
}

/*
 * Flush rows y1..y2: only the rectangle in them that differs from what
 * the panel shows (deferred I/O knows pages, 8.5 rows each; comparing
 * with the shadow narrows that down to the pixels that changed).
 */
static int ili9341fb_flush_rows(struct ili9341fb *par, int y1, int y2)
{
	struct fb_info *info = par->info;
	unsigned int stride = info->fix.line_length / ILI9341_PIXEL_BYTES;
	int xres = info->var.xres, x1 = xres, x2 = -1, ry1 = -1, ry2 = -1;
	const u16 *fb = (const u16 *)info->screen_buffer;
	int x, y;

	for (y = y1; y <= y2; y++) {
		const u16 *row = fb + y * stride, *old = par->shadow + y * stride;

		if (!memcmp(row, old, xres * ILI9341_PIXEL_BYTES))
			continue;
		if (ry1 < 0)
			ry1 = y;
		ry2 = y;
		for (x = 0; x < x1 && row[x] == old[x]; x++)
			;
		x1 = min(x1, x);
		for (x = xres - 1; x > x2 && row[x] == old[x]; x--)
			;
		x2 = max(x2, x);
	}
	if (ry1 < 0)
		return 0;	/* nothing changed */
	return ili9341fb_send_rect(par, x1, x2, ry1, ry2);
}

static void ili9341fb_mark_dirty(struct fb_info *info, int y1, int y2)
{
	struct ili9341fb *par = info->par;
	unsigned long flags;

	y1 = max(y1, 0);
	y2 = min_t(int, y2, info->var.yres - 1);
	if (y1 > y2)
		return;
	spin_lock_irqsave(&par->dirty_lock, flags);
	par->dirty_y1 = min(par->dirty_y1, y1);
	par->dirty_y2 = max(par->dirty_y2, y2);
	spin_unlock_irqrestore(&par->dirty_lock, flags);
	schedule_delayed_work(&info->deferred_work, par->defio.delay);
}

static void ili9341fb_deferred_io(struct fb_info *info, struct list_head *pagereflist)
{
	struct ili9341fb *par = info->par;
	unsigned int line = info->fix.line_length;
	struct fb_deferred_io_pageref *ref;
	unsigned long flags;
	int y1, y2, ret;

	spin_lock_irqsave(&par->dirty_lock, flags);
	y1 = par->dirty_y1;
	y2 = par->dirty_y2;
	par->dirty_y1 = INT_MAX;
	par->dirty_y2 = -1;
	spin_unlock_irqrestore(&par->dirty_lock, flags);

	/* pages written through mmap, as rows */
	list_for_each_entry(ref, pagereflist, list) {
		y1 = min_t(int, y1, ref->offset / line);
		y2 = max_t(int, y2, (ref->offset + PAGE_SIZE - 1) / line);
	}
	y2 = min_t(int, y2, info->var.yres - 1);
	if (y1 > y2)
		return;
	mutex_lock(&par->io_lock);
	ret = par->gone ? 0 : ili9341fb_flush_rows(par, y1, y2);
	mutex_unlock(&par->io_lock);
	if (ret)
		dev_err_ratelimited(info->device, "flush of rows %d-%d failed: %d\n",
				    y1, y2, ret);
}

static ssize_t ili9341fb_write(struct fb_info *info, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	loff_t start = *ppos;
	ssize_t ret;

	ret = fb_sys_write(info, buf, count, ppos);
	if (ret > 0)
		ili9341fb_mark_dirty(info, div_u64(start, info->fix.line_length),
				     div_u64(start + ret - 1, info->fix.line_length));
	return ret;
}

static void ili9341fb_fillrect(struct fb_info *info, const struct fb_fillrect *rect)
{
	sys_fillrect(info, rect);
	ili9341fb_mark_dirty(info, rect->dy, rect->dy + rect->height - 1);
}

static void ili9341fb_copyarea(struct fb_info *info, const struct fb_copyarea *area)
{
	sys_copyarea(info, area);
	ili9341fb_mark_dirty(info, area->dy, area->dy + area->height - 1);
}

static void ili9341fb_imageblit(struct fb_info *info, const struct fb_image *image)
{
	sys_imageblit(info, image);
	ili9341fb_mark_dirty(info, image->dy, image->dy + image->height - 1);
}

/* A 16-bit colour channel in its RGB565 bit field */
static u32 ili9341fb_chan(unsigned int chan, const struct fb_bitfield *bf)
{
	return (chan >> (16 - bf->length)) << bf->offset;
}

static int ili9341fb_setcolreg(unsigned int regno, unsigned int red,
			       unsigned int green, unsigned int blue,
			       unsigned int transp, struct fb_info *info)
{
	u32 *pal = info->pseudo_palette;

	if (regno >= ILI9341FB_PALETTE_SIZE)
		return -EINVAL;
	/* 16-bit colours from fbcon, packed as var's RGB565 */
	pal[regno] = ili9341fb_chan(red, &info->var.red) |
		     ili9341fb_chan(green, &info->var.green) |
		     ili9341fb_chan(blue, &info->var.blue);
	return 0;
}

static int ili9341fb_blank(int blank, struct fb_info *info)
{
	struct ili9341fb *par = info->par;
	int ret = -ENODEV;

	mutex_lock(&par->io_lock);
	if (!par->gone)
		ret = ili9341fb_write_cmd(par, blank ? MIPI_DCS_SET_DISPLAY_OFF :
					  MIPI_DCS_SET_DISPLAY_ON, NULL, 0);
	mutex_unlock(&par->io_lock);
	return ret;
}

/* The last user of the framebuffer is gone (fb_info's own reference) */
static void ili9341fb_destroy(struct fb_info *info)
{
	struct ili9341fb *par = info->par;

	if (par->defio_ready)
		fb_deferred_io_cleanup(info);
	vfree(info->screen_buffer);
	kfree(par->txbuf);
	kfree(par->shadow);
	kfree(par->cmdbuf);
	mutex_destroy(&par->io_lock);
	framebuffer_release(info);
}

static const struct fb_ops ili9341fb_ops = {
	.owner		= THIS_MODULE,
	.fb_read	= fb_sys_read,
	.fb_write	= ili9341fb_write,
	.fb_fillrect	= ili9341fb_fillrect,
	.fb_copyarea	= ili9341fb_copyarea,
	.fb_imageblit	= ili9341fb_imageblit,
	.fb_setcolreg	= ili9341fb_setcolreg,
	.fb_blank	= ili9341fb_blank,
	.fb_mmap	= fb_deferred_io_mmap,
	.fb_destroy	= ili9341fb_destroy,
};

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct ili9341fb *par = dev_get_drvdata(dev);

	return sysfs_emit(buf, "flushes %llu bytes %llu\n", par->flushes,
			  par->bytes_sent);
}
static DEVICE_ATTR_RO(stats);

static struct attribute *ili9341fb_attrs[] = {
	&dev_attr_stats.attr,
	NULL
};
ATTRIBUTE_GROUPS(ili9341fb);

/*
 * Tear-down, in reverse order of probe's actions: the panel goes off and
 * is marked gone while the GPIOs and the SPI device are still there (a
 * flush in progress finishes first, under io_lock), then the framebuffer
 * is unregistered. What an open /dev/fbN still uses is freed by
 * ili9341fb_destroy() when its last user is gone; a probe that failed
 * before registering frees it at once.
 */
static void ili9341fb_release(void *data)
{
	struct fb_info *info = data;
	struct ili9341fb *par = info->par;

	if (!par->registered)
		ili9341fb_destroy(info);
}

static void ili9341fb_remove_panel(void *data)
{
	struct fb_info *info = data;
	struct ili9341fb *par = info->par;

	mutex_lock(&par->io_lock);
	ili9341fb_write_cmd(par, MIPI_DCS_SET_DISPLAY_OFF, NULL, 0);
	par->gone = true;
	mutex_unlock(&par->io_lock);
	unregister_framebuffer(info);
}

static int ili9341fb_probe(struct spi_device *spi)
{
	struct device *dev = &spi->dev;
	unsigned int xres, yres, delay_fps = ILI9341FB_DEFAULT_FPS;
	struct ili9341fb *par;
	struct fb_info *info;
	size_t vmem_size;
	int ret;

	info = framebuffer_alloc(sizeof(*par), dev);
	if (!info)
		return -ENOMEM;
	par = info->par;
	mutex_init(&par->io_lock);
	ret = devm_add_action_or_reset(dev, ili9341fb_release, info);
	if (ret)
		return ret;
	par->info = info;
	par->spi = spi;
	spin_lock_init(&par->dirty_lock);
	par->dirty_y1 = INT_MAX;
	par->dirty_y2 = -1;
	spi_set_drvdata(spi, par);

	par->rotation = 0;
	device_property_read_u32(dev, "rotation", &par->rotation);
	if (rotate)
		par->rotation = rotate;
	device_property_read_u32(dev, "fps", &delay_fps);
	if (fps)
		delay_fps = fps;
	if (par->rotation % 90 || par->rotation > 270)
		return dev_err_probe(dev, -EINVAL, "rotation %u is not 0, 90, 180 or 270\n",
				     par->rotation);
	if (!delay_fps || delay_fps > HZ)
		return dev_err_probe(dev, -EINVAL, "fps %u is not 1..%u\n", delay_fps, HZ);
	par->bgr = !device_property_read_bool(dev, "rgb-panel");

	par->dc = devm_gpiod_get(dev, "dc", GPIOD_OUT_LOW);
	if (IS_ERR(par->dc))
		return dev_err_probe(dev, PTR_ERR(par->dc), "no D/C GPIO (dc-gpios)\n");
	par->reset = devm_gpiod_get_optional(dev, "reset", GPIOD_OUT_HIGH);
	if (IS_ERR(par->reset))
		return dev_err_probe(dev, PTR_ERR(par->reset), "bad reset GPIO\n");

	/* not devm: an open /dev/fbN outlives the device (ili9341fb_destroy) */
	par->cmdbuf = kmalloc(1 + ILI9341FB_MAX_PARAMS, GFP_KERNEL);
	par->txbuf = kmalloc(ILI9341FB_FRAME_BYTES, GFP_KERNEL);
	par->shadow = kzalloc(ILI9341FB_FRAME_BYTES, GFP_KERNEL);
	if (!par->cmdbuf || !par->txbuf || !par->shadow)
		return -ENOMEM;

	spi->bits_per_word = 8;
	ret = spi_setup(spi);
	if (ret)
		return dev_err_probe(dev, ret, "SPI setup failed\n");

	vmem_size = ILI9341FB_FRAME_BYTES;
	info->screen_buffer = vzalloc(vmem_size);
	if (!info->screen_buffer)
		return -ENOMEM;

	/* deferred I/O needs the geometry (smem_len) when it starts */
	xres = par->rotation % 180 ? ILI9341_HEIGHT : ILI9341_WIDTH;
	yres = par->rotation % 180 ? ILI9341_WIDTH : ILI9341_HEIGHT;
	info->fbops = &ili9341fb_ops;
	info->flags = FBINFO_VIRTFB;
	info->pseudo_palette = par->pseudo_palette;
	info->screen_size = vmem_size;
	strscpy(info->fix.id, "ili9341fb", sizeof(info->fix.id));
	info->fix.type = FB_TYPE_PACKED_PIXELS;
	info->fix.visual = FB_VISUAL_TRUECOLOR;
	info->fix.line_length = xres * ILI9341_BPP / 8;
	info->fix.smem_len = vmem_size;
	info->fix.accel = FB_ACCEL_NONE;
	info->var.xres = xres;
	info->var.yres = yres;
	info->var.xres_virtual = xres;
	info->var.yres_virtual = yres;
	info->var.bits_per_pixel = ILI9341_BPP;
	info->var.red = (struct fb_bitfield){ .offset = 11, .length = 5 };
	info->var.green = (struct fb_bitfield){ .offset = 5, .length = 6 };
	info->var.blue = (struct fb_bitfield){ .offset = 0, .length = 5 };
	info->var.activate = FB_ACTIVATE_NOW;
	info->var.height = -1;
	info->var.width = -1;

	par->defio.delay = HZ / delay_fps;
	par->defio.deferred_io = ili9341fb_deferred_io;
	info->fbdefio = &par->defio;
	ret = fb_deferred_io_init(info);
	if (ret)
		return ret;
	par->defio_ready = true;

	mutex_lock(&par->io_lock);
	ret = ili9341fb_init_display(par);
	/* first frame: the (cleared) framebuffer, so the panel shows it */
	if (!ret)
		ret = ili9341fb_send_rect(par, 0, xres - 1, 0, yres - 1);
	mutex_unlock(&par->io_lock);
	if (ret)
		return dev_err_probe(dev, ret, "panel initialisation failed\n");

	ret = register_framebuffer(info);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register framebuffer\n");
	par->registered = true;
	ret = devm_add_action_or_reset(dev, ili9341fb_remove_panel, info);
	if (ret)
		return ret;

	dev_info(dev, "fb%d: %ux%u, rotation %u, %u flushes/s at most, %u Hz SPI\n",
		 info->node, xres, yres, par->rotation, delay_fps,
		 spi->max_speed_hz);
	return 0;
}

static const struct of_device_id ili9341fb_of_match[] = {
	{ .compatible = "lab,ili9341fb" },
	{ }
};
MODULE_DEVICE_TABLE(of, ili9341fb_of_match);

static const struct spi_device_id ili9341fb_spi_ids[] = {
	{ "ili9341fb" },
	{ }
};
MODULE_DEVICE_TABLE(spi, ili9341fb_spi_ids);

static struct spi_driver ili9341fb_driver = {
	.driver = {
		.name = "ili9341fb",
		.of_match_table = ili9341fb_of_match,
		.dev_groups = ili9341fb_groups,
	},
	.id_table = ili9341fb_spi_ids,
	.probe = ili9341fb_probe,
};
module_spi_driver(ili9341fb_driver);

MODULE_DESCRIPTION("ILI9341 SPI TFT fbdev driver with deferred I/O");
MODULE_AUTHOR("The imx7d kernel lab authors");
MODULE_LICENSE("GPL");
