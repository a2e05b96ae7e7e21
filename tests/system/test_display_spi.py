"""The ILI9341 through the guest's real SPI stack (spi-imx on ECSPI1 with a
GPIO chip select) with the display driver unbound: raw commands from
userspace via spidev, pixels checked on the QEMU console."""
import os

from lablib import BUILD, expect

BOARD = {}
SPIDEV = 'spi0.0'


def read_ppm(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, w, h, maxval, pixels = data.split(maxsplit=4)
    assert magic == b'P6' and maxval == b'255'
    return int(w), int(h), pixels


def pixel(img, x, y):
    w, _, pixels = img
    r, g, b = pixels[(y * w + x) * 3:(y * w + x) * 3 + 3]
    return (r << 16) | (g << 8) | b


def screen(board, name):
    path = os.path.join(BUILD, 'test-logs', name + '.ppm')
    board.screendump(path)
    return read_ppm(path)


def test_spi_controller_probed(board):
    expect(board.run("tr '\\0' '\\n' < /sys/bus/spi/devices/%s/of_node/compatible"
                     % SPIDEV) == 'lab,ili9341fb',
           'the display node is not on ECSPI1')
    board.run('echo %s > /sys/bus/spi/drivers/ili9341fb/unbind && '
              'echo spidev > /sys/bus/spi/devices/%s/driver_override && '
              'echo %s > /sys/bus/spi/drivers/spidev/bind'
              % (SPIDEV, SPIDEV, SPIDEV))
    board.run('test -c /dev/spidev0.0')


def test_console_is_240x320(board):
    w, h, _ = screen(board, 'display-spi-initial')
    expect((w, h) == (240, 320), 'console is %dx%d' % (w, h))


def test_ids_read_through_spi_imx(board):
    # RDID4: dummy, 00, 93, 41 (a 4-byte read in one message, as mipi_dbi)
    out = board.run('lcd-spi read d3 4')
    expect(out.split()[1:] == ['00', '93', '41'], 'RDID4 read: ' + out)
    # the unbound driver left the panel off, in sleep-out: 98h
    expect(board.run('lcd-spi read 0a 1') == '98',
           'RDDPM after the driver left should be 98 (out of sleep, off)')


def test_window_fill_shows_on_console(board):
    board.run('lcd-spi c 36 d 48 c 3a d 55 c 11 c 29 '
              'c 2a d 00 0a 00 13 c 2b d 00 14 00 1d '
              'c 2c d ' + ' '.join(['f8 00'] * 100))
    img = screen(board, 'display-spi-window')
    expect(pixel(img, 10, 20) == 0xff0000, 'window start not red')
    expect(pixel(img, 19, 29) == 0xff0000, 'window end not red')
    expect(pixel(img, 20, 20) == 0, 'pixel right of the window drawn')
    expect(board.run('lcd-spi read 0a 1') == '9c', 'RDDPM not 9c when on')


def test_full_frame_in_chunks(board):
    # pixel data split into messages (spidev's default limit is 4 KiB), CS
    # toggles between them as with fbtft's 16 KiB chunks
    board.run('lcd-spi c 2a d 00 00 00 ef c 2b d 00 00 01 3f '
              'chunk 4096 fill 07e0')
    img = screen(board, 'display-spi-green')
    for x, y in ((0, 0), (239, 0), (0, 319), (239, 319), (120, 160)):
        expect(pixel(img, x, y) == 0x00ff00,
               'pixel %d,%d is %06x' % (x, y, pixel(img, x, y)))
