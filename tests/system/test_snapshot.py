"""Snapshot starts (lablib.Board.start(), scripts/run): a board like this
module's is restored from the snapshot of a settled board, it is the same
board (its boot transcript, its clock going on, the SoC's counters), and
a board that differs in anything the guest sees gets a snapshot of its
own."""
import os
import tempfile

import lablib
import smp
from lablib import expect

BOARD = {}


def test_this_board_was_restored(board):
    # the first board of its kind in a run saved the snapshot; make sure
    # one exists and start a second board from it
    expect(board.has_snapshot(), 'no snapshot was saved of this board')
    second = lablib.Board('test_snapshot-second')
    try:
        second.start()
        expect(second.restored, 'the second board booted cold')
        expect(second.snapshot_key() == board.snapshot_key(),
               'the same board has another key')
        # the transcript of the boot the snapshot was taken after
        expect('LAB-READY' in second.text and 'LAB-SETTLED' in second.text,
               'the restored board has no boot transcript')
        up = float(second.run('cut -d" " -f1 /proc/uptime'))
        expect(up > 1.0, 'the guest clock started again: %s' % up)
        smp.expect_online(second, '0-1')
        smp.expect_counters(second, releases=1, starts=1, stops=0,
                            injected=0)
        expect(second.run('echo restored-shell') == 'restored-shell',
               'the restored shell does not answer')
    finally:
        second.shutdown()


def test_what_the_guest_sees_is_in_the_key(board):
    key = board.snapshot_key()
    others = [lablib.Board('k1', machine_opts='psci=off'),
              lablib.Board('k2', append='lab.x=1'),
              lablib.Board('k3', qemu_args=smp.knob('fail-cpu1-on', 1)),
              lablib.Board('k4', dtb=os.path.join(lablib.IMAGES,
                                                  'imx7d-custom-nodc.dtb'))]
    for other in others:
        expect(other.snapshot_key() != key,
               '%s has the default board\'s key' % other.name)
    # host-side options do not change the guest: the same snapshot
    same = lablib.Board('k5', qemu_args=('-gdb', 'tcp:localhost:1234',
                                         '-d', 'guest_errors'))
    expect(same.snapshot_key() == key, '-gdb/-d gave another key')


def test_a_changed_file_changes_the_key():
    """A stale snapshot is never used: a kernel (or initramfs, DTB, QEMU)
    of other content has another key, even with the same name and size."""
    with tempfile.TemporaryDirectory() as tmp:
        kernel = os.path.join(tmp, 'uImage')
        with open(kernel, 'wb') as f:
            f.write(b'a' * 4096)
        first = lablib.Board('k6', kernel=kernel).snapshot_key()
        with open(kernel, 'wb') as f:
            f.write(b'b' * 4096)
        expect(lablib.Board('k6', kernel=kernel).snapshot_key() != first,
               'the same key for a kernel of other content')


def test_psci_off_boots_cold():
    """QEMU 7.2 loses the secure banks of some CP15 registers across a
    migration (a psci=off kernel runs in the secure world): such a board
    boots cold rather than from a snapshot that would fault."""
    off = lablib.Board('test_snapshot-psci-off', machine_opts='psci=off')
    expect('DACR_S' in (off.snapshot_refused() or ''),
           'psci=off is not refused a snapshot')
    try:
        off.start()
        expect(not off.restored, 'a psci=off board was restored')
        expect(off.run('echo cold') == 'cold', 'the shell does not answer')
    finally:
        off.shutdown()
