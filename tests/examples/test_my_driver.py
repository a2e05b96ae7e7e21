"""An example of a kernel developer's own guest tests, kept next to
their driver rather than in the lab.

Copy this file to a directory of your own and run it on the lab's board:

    tests/run /path/to/my-driver-tests        # or: make test TEST_ARGS=...

Each test_*(board) function gets a booted board (lablib.Board), shared by
the tests of the file in file order; BOARD gives its keyword arguments
(machine options, extra QEMU arguments), BOARDS = {'variant': {...}} runs
the file once per variant. tests/host/test_examples.py runs this file in
every `make test`, so what it shows stays true. The API: tests/README.md.
"""
import os

import lablib
from lablib import expect

# keyword arguments of lablib.Board for this file's board
BOARD = dict(machine_opts='psci=on')
SRC = '/machine/soc/src'            # the i.MX7 SRC model, in QOM


def test_run_a_command(board):
    # the command's output, kernel messages taken out; non-zero exit fails
    release = board.run('uname -r')
    expect(release.startswith('6.'), 'kernel release %r' % release)


def test_wait_for_a_kernel_message(board):
    since = board.mark()
    board.run('echo my-driver: probe done > /dev/kmsg')
    board.wait_for(r'my-driver: probe done', timeout=10, since=since)


def test_driver_is_bound(board):
    # the lab's own display driver stands in for yours
    bound = board.run('ls /sys/bus/spi/drivers/ili9341fb')
    expect('spi0.0' in bound.split(), 'ili9341fb bound to: %s' % bound)


def test_read_pixels_from_the_console(board):
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')  # no fbcon cursor
    board.run('fb-pattern fill f800')                      # RGB565 red
    img = board.screen('example-red')   # build/test-logs/example-red.ppm
    expect((img.width, img.height) == (240, 320), 'panel size')
    expect(img.pixel(120, 160) == 0xff0000,
           'pixel at 120,160 is %06x' % img.pixel(120, 160))


def test_qom_get_and_set(board):
    # the models' knobs and counters, through QMP
    board.qom_set(SRC, 'cpu1-on-delay-ms', 0)
    expect(board.qom_get(SRC, 'cpu1-on-delay-ms') == 0, 'knob not set')
    expect(board.qom_get(SRC, 'cpu1-starts') >= 1,
           'core1 was never started')


def test_save_and_restore(board):
    # last in the file: save_state() leaves this board stopped
    board.run('echo kept > /tmp/my-driver-mark')
    path = os.path.join(board.log_dir, 'example.state')
    board.save_state(path)
    copy = lablib.Board.restore('example-restored', path, **BOARD)
    try:
        copy.qmp('cont')
        copy.write('\n')
        copy.sync_shell()
        expect(copy.run('cat /tmp/my-driver-mark') == 'kept',
               'the restored board lost the file')
    finally:
        copy.shutdown()
        os.unlink(path)
