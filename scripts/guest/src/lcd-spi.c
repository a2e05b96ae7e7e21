// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lcd-spi: talk to the board's ILI9341 from guest userspace, bypassing any
 * display driver: bytes through spidev, D/C (and RESX) through the GPIO
 * character device. For tests of the QEMU model through the real guest
 * SPI stack, and as the SPI speed reference of `make bench`.
 *
 *   lcd-spi [-D /dev/spidev0.0] [-g /dev/gpiochip3] [-d 20] [-r 21] OP...
 *
 * OPs, run in order (numbers in hex):
 *   c XX          command byte XX (D/C low)
 *   d XX [XX...]  data bytes (D/C high, two hex digits each), one message
 *   fill RRGG     full-window RAMWR of one RGB565 colour, one message
 *   frames N      N full frames of alternating colours; prints frames/s
 *   read XX N     command XX, then read N bytes in the same message;
 *                 prints them
 *   chunk N       split fill/frames into N-byte SPI messages (default all)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <linux/spi/spidev.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define FRAME_BYTES (240 * 320 * 2)

static int spi_fd, line_fd;
static size_t chunk = FRAME_BYTES;

static void die(const char *what)
{
	fprintf(stderr, "lcd-spi: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_dc(int data)
{
	struct gpio_v2_line_values v = { .bits = data ? 1 : 0, .mask = 1 };

	if (ioctl(line_fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v) < 0)
		die("set D/C");
}

static void spi_xfer(const uint8_t *tx, uint8_t *rx, size_t len)
{
	struct spi_ioc_transfer t[2];
	size_t off = 0, n;

	while (off < len) {
		n = len - off < chunk ? len - off : chunk;
		memset(t, 0, sizeof(t));
		t[0].tx_buf = (uintptr_t)(tx + off);
		t[0].rx_buf = (uintptr_t)(rx ? rx + off : NULL);
		t[0].len = n;
		t[0].bits_per_word = 8;
		if (ioctl(spi_fd, SPI_IOC_MESSAGE(1), t) < 0)
			die("SPI message");
		off += n;
	}
}

static void command(uint8_t cmd)
{
	set_dc(0);
	spi_xfer(&cmd, NULL, 1);
}

static void read_cmd(uint8_t cmd, unsigned int n)
{
	struct spi_ioc_transfer t[2];
	uint8_t rx[64] = { 0 };
	unsigned int i;

	if (n > sizeof(rx))
		n = sizeof(rx);
	set_dc(0);
	memset(t, 0, sizeof(t));
	t[0].tx_buf = (uintptr_t)&cmd;
	t[0].len = 1;
	t[1].rx_buf = (uintptr_t)rx;
	t[1].len = n;
	if (ioctl(spi_fd, SPI_IOC_MESSAGE(2), t) < 0)
		die("SPI read");
	for (i = 0; i < n; i++)
		printf("%02x%s", rx[i], i + 1 < n ? " " : "\n");
}

static void fill(uint8_t *frame, unsigned int color)
{
	size_t i;

	for (i = 0; i < FRAME_BYTES; i += 2) {
		frame[i] = color >> 8;
		frame[i + 1] = color;
	}
	command(0x2c);
	set_dc(1);
	spi_xfer(frame, NULL, FRAME_BYTES);
}

static int open_line(const char *chip, unsigned int dc, unsigned int resx)
{
	struct gpio_v2_line_request req;
	int fd = open(chip, O_RDWR);

	if (fd < 0)
		die(chip);
	memset(&req, 0, sizeof(req));
	req.offsets[0] = dc;
	req.offsets[1] = resx;
	req.num_lines = 2;
	req.config.flags = GPIO_V2_LINE_FLAG_OUTPUT;
	/* D/C low, RESX high (out of reset) */
	req.config.num_attrs = 1;
	req.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
	req.config.attrs[0].attr.values = 2;
	req.config.attrs[0].mask = 3;
	strcpy(req.consumer, "lcd-spi");
	if (ioctl(fd, GPIO_V2_GET_LINE_IOCTL, &req) < 0)
		die("request D/C and RESX lines");
	close(fd);
	return req.fd;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/spidev0.0", *chip = "/dev/gpiochip3";
	unsigned int dc = 20, resx = 21;
	static uint8_t frame[FRAME_BYTES], buf[4096];
	struct timespec t0, t1;
	int opt, i;

	while ((opt = getopt(argc, argv, "D:g:d:r:")) != -1) {
		switch (opt) {
		case 'D': dev = optarg; break;
		case 'g': chip = optarg; break;
		case 'd': dc = strtoul(optarg, NULL, 0); break;
		case 'r': resx = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: lcd-spi [-D spidev] [-g gpiochip] [-d dc] [-r resx] OP...\n");
			return 2;
		}
	}
	spi_fd = open(dev, O_RDWR);
	if (spi_fd < 0)
		die(dev);
	line_fd = open_line(chip, dc, resx);

	for (i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "c") && i + 1 < argc) {
			command(strtoul(argv[++i], NULL, 16));
		} else if (!strcmp(argv[i], "d")) {
			size_t n = 0;

			/* data bytes are exactly two hex digits, so the
			 * next operation name ends the list */
			while (i + 1 < argc && n < sizeof(buf) &&
			       strlen(argv[i + 1]) == 2 &&
			       strspn(argv[i + 1], "0123456789abcdefABCDEF") == 2)
				buf[n++] = strtoul(argv[++i], NULL, 16);
			set_dc(1);
			spi_xfer(buf, NULL, n);
		} else if (!strcmp(argv[i], "fill") && i + 1 < argc) {
			fill(frame, strtoul(argv[++i], NULL, 16));
		} else if (!strcmp(argv[i], "frames") && i + 1 < argc) {
			long n = strtol(argv[++i], NULL, 0), k;
			double s;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			for (k = 0; k < n; k++)
				fill(frame, k & 1 ? 0x001f : 0xf800);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
			printf("%ld frames in %.3f s: %.1f frames/s\n", n, s, n / s);
		} else if (!strcmp(argv[i], "read") && i + 2 < argc) {
			unsigned int cmd = strtoul(argv[i + 1], NULL, 16);

			read_cmd(cmd, strtoul(argv[i + 2], NULL, 0));
			i += 2;
		} else if (!strcmp(argv[i], "chunk") && i + 1 < argc) {
			chunk = strtoul(argv[++i], NULL, 0);
			if (!chunk)
				chunk = FRAME_BYTES;
		} else {
			fprintf(stderr, "lcd-spi: bad operation '%s'\n", argv[i]);
			return 2;
		}
	}
	return 0;
}
