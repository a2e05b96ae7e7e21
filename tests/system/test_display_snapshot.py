"""Snapshot/migration of the board while the display is being drawn: the
state saved mid-drawing, restored into a new QEMU, shows the same image,
and the restored guest carries on."""
import os
import time

import lablib
from lablib import BUILD, expect

BOARD = {}
STATE = os.path.join(BUILD, 'test-logs', 'display-snapshot.state')


def test_restore_mid_drawing_shows_the_same_image(board):
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')
    board.write('fb-pattern frames 30 > /dev/null &\n')
    time.sleep(3)                       # well inside the drawing loop
    board.qmp('stop')
    before = board.screen('snapshot-source').data
    board.save_state(STATE)

    dest = lablib.Board.restore('test_display_snapshot-restored', STATE)
    try:
        after = dest.screen('snapshot-restored').data
        expect(after == before, 'the restored display differs '
               '(build/test-logs/snapshot-*.ppm)')
        # the restored guest goes on: its drawing loop and its shell
        dest.qmp('cont')
        dest.write('\n')
        dest.sync_shell()
        expect(dest.run('cat /sys/class/graphics/fb0/name') == 'ili9341fb',
               'restored guest lost its framebuffer')
        dest.run('killall fb-pattern; while killall -0 fb-pattern; do sleep 0.1; done; '
                 'fb-pattern fill 07e0', check=False)
        img = dest.screen('snapshot-continued')
        expect(img.pixel(239, 319) == 0x00ff00, 'restored board does not draw')
    finally:
        dest.shutdown()
