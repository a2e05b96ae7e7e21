"""The ili9341fb driver (guest-driver/ili9341fb) on the board's ILI9341:
fbcon, mmap and write() drawing, deferred-I/O flushes of only the dirty
rows, rotation, unload. Pixels are read from the QEMU console."""
import os

from lablib import BUILD, expect

BOARD = {}
STATS = '/sys/bus/spi/devices/spi0.0/stats'
BARS = [0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000,
        0x0000ff, 0x000000]


def stats(board):
    words = board.run('cat ' + STATS).split()
    return int(words[1]), int(words[3])      # flushes, bytes


def test_probed_with_fbcon(board):
    expect(board.run('cat /sys/class/graphics/fb0/name') == 'ili9341fb',
           'fb0 is not ili9341fb')
    expect(board.run('cat /sys/class/graphics/fb0/virtual_size') == '240,320',
           'wrong geometry')
    board.wait_for(r'Console: switching to colour frame buffer device 30x40',
                   5, since=0)
    # /init's banner on tty1, drawn by fbcon (8x8 font: 30x40 cells)
    img = board.screen('fb-fbcon')
    # the README's screenshot comes from here
    board.screendump(os.path.join(BUILD, 'test-logs', 'fb-fbcon.png'), 'png')
    lit = sum(1 for y in range(8, 24) for x in range(16, 160)
              if img.pixel(x, y))
    expect(lit > 50, 'fbcon text not drawn on the panel (%d pixels)' % lit)


def expected_bars(width, height, rotate90=False):
    """The console image of fb-pattern's bars, pixel by pixel. RGB565 maps
    to the console's 8 bits per colour by repeating each component's top
    bits (what the panel does from RGB666), so the bar colours are exact.
    With rotation 90 the framebuffer's x runs down the panel."""
    rows = []
    for y in range(height):
        fb_x = y if rotate90 else None
        row = bytearray()
        for x in range(width):
            c = BARS[(fb_x if rotate90 else x) * 8 // (height if rotate90 else width)]
            row += bytes((c >> 16, (c >> 8) & 0xff, c & 0xff))
        rows.append(bytes(row))
    return b''.join(rows)


def test_mmap_bars(board):
    # take the panel from fbcon so the cursor does not draw over the test
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')
    board.run('fb-pattern bars')
    img = board.screen('fb-bars')
    expect(img.data == expected_bars(240, 320),
           'screen differs from the bars pattern (see build/test-logs/fb-bars.ppm)')


def test_write_fill(board):
    board.run('fb-pattern fill 07e0')
    img = board.screen('fb-fill')
    for x, y in ((0, 0), (239, 319), (120, 160)):
        expect(img.pixel(x, y) == 0x00ff00, 'fill missing at %d,%d' % (x, y))


def test_ten_rows_send_only_those_rows(board):
    board.run('fb-pattern fill 0000')
    before = stats(board)
    board.run('fb-pattern rect 0 100 240 10 ffff')
    after = stats(board)
    expect(after[1] - before[1] == 240 * 10 * 2 + 11,
           'sent %d bytes for 10 full rows' % (after[1] - before[1]))
    img = board.screen('fb-10rows')
    for y in (99, 100, 109, 110):
        want = 0xffffff if 100 <= y < 110 else 0
        expect(img.pixel(17, y) == want, 'row %d wrong' % y)
    board.run('fb-pattern fill 07e0')


def test_partial_update_sends_only_changed_pixels(board):
    before = stats(board)
    board.run('fb-pattern rect 100 200 20 4 f800')
    after = stats(board)
    img = board.screen('fb-rect')
    expect(img.pixel(100, 200) == 0xff0000 and img.pixel(119, 203) == 0xff0000,
           'rectangle not drawn')
    expect(img.pixel(120, 200) == 0x00ff00 and img.pixel(100, 204) == 0x00ff00,
           'drawn outside the rectangle')
    sent = after[1] - before[1]
    expect(after[0] - before[0] == 1, 'expected one flush, got %d'
           % (after[0] - before[0]))
    # exactly the 20x4 rectangle's pixels, plus CASET/PASET/RAMWR
    expect(sent == 20 * 4 * 2 + 11, 'sent %d bytes for a 20x4 rectangle'
           % sent)


def test_rotation_90(board):
    board.run('rmmod ili9341fb && modprobe ili9341fb rotate=90')
    expect(board.run('cat /sys/class/graphics/fb0/virtual_size') == '320,240',
           'rotated geometry')
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')
    board.run('fb-pattern bars')
    img = board.screen('fb-bars-90')
    # 90 degrees clockwise: framebuffer x runs down the panel
    expect(img.data == expected_bars(240, 320, rotate90=True),
           'rotated bars differ (see build/test-logs/fb-bars-90.ppm)')


def test_bad_rotation_parameter_fails_probe(board):
    mark = board.mark()
    board.run('rmmod ili9341fb; modprobe ili9341fb rotate=45')
    board.wait_for(r'ili9341fb spi0\.0: error -EINVAL: rotation 45 is not '
                   r'0, 90, 180 or 270', 10, since=mark)
    board.run('! test -e /sys/class/graphics/fb0')
    board.run('rmmod ili9341fb; modprobe ili9341fb')
    board.run('test -e /sys/class/graphics/fb0')


def test_unload_reload_20_times(board):
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')
    board.run('for i in $(seq 20); do rmmod ili9341fb && modprobe ili9341fb '
              '&& test -e /sys/class/graphics/fb0 || exit 1; '
              'echo 0 > /sys/class/vtconsole/vtcon1/bind; done', timeout=240)
    board.run('fb-pattern fill 001f')
    img = board.screen('fb-reloaded')
    expect(img.pixel(120, 160) == 0x0000ff, 'display dead after reloads')
    expect('BUG' not in board.text and 'WARNING' not in board.text,
           'kernel warnings during reloads')


def test_unload_turns_display_off(board):
    # fbcon holds the framebuffer (and the module) while it is bound
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')
    board.run('rmmod ili9341fb')
    board.run('! test -e /sys/class/graphics/fb0')
    img = board.screen('fb-unloaded')
    expect(img.pixel(120, 20) == 0, 'panel still shows the image')
    board.run('modprobe ili9341fb')
    board.run('test -e /sys/class/graphics/fb0')


KERNEL_TROUBLE = ('BUG', 'Oops', 'Unable to handle', 'WARNING',
                  'refcount_t', 'list_del corruption')


def test_unbind_while_open_and_mapped(board):
    """Unbinding frees the panel, not what an open /dev/fb0 still uses:
    the mapping stays memory (ili9341fb used to free fb_info, the video
    memory and its buffers at remove, with devm), close is clean, and a
    rebound driver draws."""
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')
    mark = board.mark()
    board.run('rm -f /tmp/go /tmp/hold.log; mkfifo /tmp/go; '
              '{ fb-pattern hold <>/tmp/go >/tmp/hold.log 2>&1; '
              'echo "exit $?" >>/tmp/hold.log; } & true')
    board.run('for i in $(seq 100); do grep -q held /tmp/hold.log && break; '
              'sleep 0.1; done; grep -q held /tmp/hold.log')
    board.run('echo spi0.0 > /sys/bus/spi/drivers/ili9341fb/unbind')
    board.run('! test -e /sys/class/graphics/fb0')
    board.run('echo go > /tmp/go')
    out = board.run('for i in $(seq 100); do grep -q exit /tmp/hold.log && '
                    'break; sleep 0.1; done; cat /tmp/hold.log')
    expect(out.split('\n') == ['held', 'released', 'exit 0'],
           'the program holding the mapping did not finish cleanly: %r' % out)
    board.run('echo spi0.0 > /sys/bus/spi/drivers/ili9341fb/bind')
    board.run('test -e /sys/class/graphics/fb0')
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')
    board.run('fb-pattern fill 001f')
    img = board.screen('fb-rebound')
    expect(img.pixel(0, 0) == 0x0000ff and img.pixel(239, 319) == 0x0000ff,
           'the rebound driver does not draw')
    trouble = [w for w in KERNEL_TROUBLE if w in board.text[mark:]]
    expect(not trouble, 'kernel reported %s:\n%s' % (trouble, board.tail(40)))


def test_blank_during_frames(board):
    """Blank and unblank (FBIOBLANK, as fbcon does) while full frames flush:
    both drive D/C, and without one lock around each command sequence a
    DISPOFF between RAMWR and its pixels turns pixels into commands. The
    panel ends on, showing the last frame (red) exactly."""
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')  # fbcon redraws
    mark = board.mark()
    out = board.run('fb-pattern frames 4 >/tmp/frames.log & '
                    'fb-pattern blank 4; wait; cat /tmp/frames.log',
                    timeout=60)
    expect('blank/unblank pairs' in out and 'frames/s' in out,
           'the stress did not run: %r' % out)
    img = board.screen('fb-blank-race')
    expect(img.data == bytes((0xff, 0, 0)) * (240 * 320),
           'the panel does not show the last frame exactly (see '
           'build/test-logs/fb-blank-race.ppm)')
    trouble = [w for w in KERNEL_TROUBLE if w in board.text[mark:]]
    expect(not trouble, 'kernel reported %s:\n%s' % (trouble, board.tail(40)))
