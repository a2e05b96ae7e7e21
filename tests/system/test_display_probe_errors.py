"""ili9341fb refuses a bad device description cleanly: a clear message,
no framebuffer, nothing left behind, and the kernel keeps running."""
import os

from lablib import IMAGES, expect

# the board's device tree with dc-gpios removed (dts/imx7d-custom-nodc.dts)
BOARD = {'dtb': os.path.join(IMAGES, 'imx7d-custom-nodc.dtb')}


def test_missing_dc_gpio_fails_probe(board):
    board.wait_for(r'ili9341fb spi0\.0: error -ENOENT: no D/C GPIO \(dc-gpios\)',
                   10, since=0)
    board.run('! test -e /sys/class/graphics/fb0')
    board.run('! test -e /sys/bus/spi/drivers/ili9341fb/spi0.0')


def test_module_unloads_after_failed_probe(board):
    board.run('rmmod ili9341fb')
    expect('ili9341fb' not in board.run("cut -d' ' -f1 /proc/modules"),
           'module still loaded')
