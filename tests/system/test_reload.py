"""Change a module without a new image or a reboot (lab-reload).

The board shares a host directory with the guest over 9p on its
virtio-mmio transport, as scripts/run shares the module builds. The test
keeps a copy of guest-driver/ili9341fb there, changes its source (the
probe message), rebuilds it against the kernel under test as `make
modules` does, and `lab-reload ili9341fb` in the running guest replaces
the image's module with the new build: the loaded module's build ID
becomes the new file's, its probe says the new message, and it draws on
the panel.
"""
import os
import re
import shutil
import subprocess
import tempfile

from lablib import ROOT, expect, kernel_build_dir

SHARE = tempfile.mkdtemp(prefix='lab-reload-')
COPY = os.path.join(SHARE, 'guest-driver', 'ili9341fb')
BOARD = dict(share=SHARE)
TIMEOUT = 180
NEW_MESSAGE = 'reloaded from the host'


def build_copy():
    """The copy's module, built as the Makefile's kbuild does."""
    subprocess.run(['make', '-s', '-C', kernel_build_dir(), 'M=' + COPY,
                    'ARCH=arm', 'CROSS_COMPILE=arm-linux-gnueabihf-',
                    'modules'], check=True, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, timeout=300)


def build_id(ko):
    """The GNU build ID of a .ko, as readelf -n prints it."""
    out = subprocess.run(['arm-linux-gnueabihf-readelf', '-n', ko],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return re.search(r'Build ID: ([0-9a-f]+)', out).group(1)


def loaded_build_id(board, module):
    return board.run("od -An -tx1 -v /sys/module/%s/notes/.note.gnu.build-id"
                     " | tr -d ' \\n' | tail -c 40" % module)


def test_the_share_is_mounted_when_first_used(board):
    shutil.copytree(os.path.join(ROOT, 'guest-driver', 'ili9341fb'), COPY)
    build_copy()
    # not at boot: a mounted share would block the board's snapshot
    expect(board.run('grep -c lab-host /proc/mounts || true') == '0',
           'the host share was mounted at boot')
    expect(board.run('lab-host') == '/lab/host', 'lab-host did not answer')
    expect('/lab/host 9p' in board.run('grep lab-host /proc/mounts'),
           'the host share is not mounted at /lab/host')
    expect(board.run('ls /lab/host/guest-driver/ili9341fb/ili9341fb.ko')
           .endswith('ili9341fb.ko'), 'the host build is not in the share')


def test_a_changed_module_is_reloaded(board):
    image_version = loaded_build_id(board, 'ili9341fb')
    source = os.path.join(COPY, 'ili9341fb.c')
    with open(source) as f:
        text = f.read()
    changed = text.replace('"fb%d: %ux%u, rotation',
                           '"fb%d ' + NEW_MESSAGE + ': %ux%u, rotation')
    expect(changed != text, 'the probe message to change is not in the source')
    with open(source, 'w') as f:
        f.write(changed)
    build_copy()
    new_version = build_id(os.path.join(COPY, 'ili9341fb.ko'))
    expect(new_version != image_version, 'the change did not change the build ID')

    # fbcon holds the driver's module while it is bound to the panel
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind')
    mark = board.mark()
    out = board.run('lab-reload ili9341fb', timeout=60)
    expect(out.endswith('lab-reload: ili9341fb %s -> %s '
                        '(guest-driver/ili9341fb/ili9341fb.ko)'
                        % (image_version, new_version)),
           'lab-reload said: ' + out)
    board.wait_for(r'ili9341fb spi0\.0: fb0 %s: 240x320' % NEW_MESSAGE, 20,
                   since=mark)
    expect(loaded_build_id(board, 'ili9341fb') == new_version,
           'the loaded module is not the new build')


def test_the_reloaded_module_draws(board):
    board.run('fb-pattern bars')
    img = board.screen('reload-bars')
    # fb-pattern's first and last bars: white at the left, black at the right
    expect(img.pixel(10, 160) == 0xffffff and img.pixel(230, 160) == 0,
           'the reloaded driver does not draw the bars (%06x, %06x)'
           % (img.pixel(10, 160), img.pixel(230, 160)))


def test_a_module_in_use_is_not_removed(board):
    # a process holding /dev/fb0 open: rmmod refuses, lab-reload says so
    # and the old module stays
    board.run('sleep 30 </dev/fb0 & echo $! >/tmp/holder')
    out = board.run('lab-reload ili9341fb; echo rc=$?', check=False)
    expect(re.search(r'rc=[1-9]', out), 'lab-reload replaced a module in use: ' + out)
    expect(board.run('cat /sys/module/ili9341fb/refcnt') != '0',
           'the module in use is gone')
    board.run('kill $(cat /tmp/holder)', check=False)
    shutil.rmtree(SHARE, True)
