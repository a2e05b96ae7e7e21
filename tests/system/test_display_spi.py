"""The ILI9341 through the guest's real SPI stack (spi-imx on ECSPI1 with a
GPIO chip select) with the display driver unbound: raw commands from
userspace via spidev, pixels checked on the QEMU console."""
from lablib import expect

BOARD = {}
SPIDEV = 'spi0.0'


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
    img = board.screen('display-spi-initial')
    expect((img.width, img.height) == (240, 320),
           'console is %dx%d' % (img.width, img.height))


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
    img = board.screen('display-spi-window')
    expect(img.pixel(10, 20) == 0xff0000, 'window start not red')
    expect(img.pixel(19, 29) == 0xff0000, 'window end not red')
    expect(img.pixel(20, 20) == 0, 'pixel right of the window drawn')
    expect(board.run('lcd-spi read 0a 1') == '9c', 'RDDPM not 9c when on')


def test_full_frame_in_chunks(board):
    # pixel data split into messages (spidev's default limit is 4 KiB), CS
    # toggles between them as with fbtft's 16 KiB chunks
    board.run('lcd-spi c 2a d 00 00 00 ef c 2b d 00 00 01 3f '
              'chunk 4096 fill 07e0')
    img = board.screen('display-spi-green')
    for x, y in ((0, 0), (239, 0), (0, 319), (239, 319), (120, 160)):
        expect(img.pixel(x, y) == 0x00ff00,
               'pixel %d,%d is %06x' % (x, y, img.pixel(x, y)))
