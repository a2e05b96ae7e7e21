// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fb-pattern: draw test patterns on a 16-bit framebuffer (/dev/fb0).
 *
 *   fb-pattern [-d /dev/fbN] bars            eight colour bars, via mmap
 *   fb-pattern [-d /dev/fbN] fill RRGG       one RGB565 colour, via write()
 *   fb-pattern [-d /dev/fbN] rect X Y W H RRGG   a rectangle, via mmap
 *   fb-pattern [-d /dev/fbN] frames SECONDS  full frames via write() +
 *                                            fsync for SECONDS; prints
 *                                            frames/s (the last frame is
 *                                            red)
 *   fb-pattern [-d /dev/fbN] blank SECONDS   FBIOBLANK off and on in a loop
 *                                            for SECONDS, ending unblanked
 *   fb-pattern [-d /dev/fbN] hold            mmap, draw, then wait for a
 *                                            line on stdin (unbind the
 *                                            driver meanwhile), write the
 *                                            mapping again, unmap, close
 *
 * Every command ends with fsync(), which flushes deferred I/O at once.
 */
#include <fcntl.h>
#include <linux/fb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static const uint16_t bars[8] = {
	0xffff, 0xffe0, 0x07ff, 0x07e0, 0xf81f, 0xf800, 0x001f, 0x0000,
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: fb-pattern [-d dev] bars | fill RRGG | rect X Y W H RRGG | frames SECONDS | blank SECONDS | hold\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	const char *dev = "/dev/fb0";
	unsigned int x, y, w, h;
	uint16_t *fb, *line;
	size_t size;
	int fd, opt;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd')
			usage();
		dev = optarg;
	}
	if (optind >= argc)
		usage();
	fd = open(dev, O_RDWR);
	if (fd < 0 || ioctl(fd, FBIOGET_VSCREENINFO, &var) ||
	    ioctl(fd, FBIOGET_FSCREENINFO, &fix)) {
		perror(dev);
		return 1;
	}
	if (var.bits_per_pixel != 16) {
		fprintf(stderr, "fb-pattern: %s is %u bpp, not 16\n", dev,
			var.bits_per_pixel);
		return 1;
	}
	size = (size_t)fix.line_length * var.yres;
	line = malloc(size);
	if (!line)
		return 1;

	if (!strcmp(argv[optind], "bars")) {
		fb = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fb == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (y = 0; y < var.yres; y++)
			for (x = 0; x < var.xres; x++)
				fb[y * fix.line_length / 2 + x] = bars[x * 8 / var.xres];
		munmap(fb, size);
	} else if (!strcmp(argv[optind], "fill") && optind + 1 < argc) {
		uint16_t c = strtoul(argv[optind + 1], NULL, 16);

		for (x = 0; x < size / 2; x++)
			line[x] = c;
		if (pwrite(fd, line, size, 0) != (ssize_t)size) {
			perror("write");
			return 1;
		}
	} else if (!strcmp(argv[optind], "rect") && optind + 5 < argc) {
		uint16_t c = strtoul(argv[optind + 5], NULL, 16);

		x = atoi(argv[optind + 1]);
		y = atoi(argv[optind + 2]);
		w = atoi(argv[optind + 3]);
		h = atoi(argv[optind + 4]);
		if (x + w > var.xres || y + h > var.yres) {
			fprintf(stderr, "fb-pattern: rectangle outside %ux%u\n",
				var.xres, var.yres);
			return 1;
		}
		fb = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fb == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (unsigned int j = y; j < y + h; j++)
			for (unsigned int i = x; i < x + w; i++)
				fb[j * fix.line_length / 2 + i] = c;
		munmap(fb, size);
	} else if (!strcmp(argv[optind], "frames") && optind + 1 < argc) {
		double secs = atof(argv[optind + 1]), t0 = now(), t;
		unsigned long n = 0;

		do {
			uint16_t c = n & 1 ? 0x001f : 0xf800;

			for (x = 0; x < size / 2; x++)
				line[x] = c;
			if (pwrite(fd, line, size, 0) != (ssize_t)size) {
				perror("write");
				return 1;
			}
			fsync(fd);
			n++;
			t = now() - t0;
		} while (t < secs || !(n & 1));
		printf("%lu frames in %.2f s: %.1f frames/s\n", n, t, n / t);
	} else if (!strcmp(argv[optind], "blank") && optind + 1 < argc) {
		double secs = atof(argv[optind + 1]), t0 = now();
		unsigned long n = 0;

		do {
			if (ioctl(fd, FBIOBLANK, FB_BLANK_POWERDOWN) ||
			    ioctl(fd, FBIOBLANK, FB_BLANK_UNBLANK)) {
				perror("FBIOBLANK");
				return 1;
			}
			n++;
		} while (now() - t0 < secs);
		printf("%lu blank/unblank pairs\n", n);
	} else if (!strcmp(argv[optind], "hold")) {
		char go[16];

		fb = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fb == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (x = 0; x < size / 2; x++)
			fb[x] = 0x07e0;
		fsync(fd);
		printf("held\n");
		fflush(stdout);
		if (!fgets(go, sizeof(go), stdin))
			return 1;
		/* the device may be gone: its mapping must still be memory */
		for (x = 0; x < size / 2; x++)
			fb[x] = 0xf800;
		munmap(fb, size);
		close(fd);
		printf("released\n");
		return 0;
	} else {
		usage();
	}
	fsync(fd);
	return 0;
}
