"""The kernel's own gdb scripts on a kernel built from source (make test
KERNEL_SRC=1): scripts/debug with the build's vmlinux (its types, and
vmlinux-gdb.py next to it) gives lx-dmesg, lx-lsmod and lx-symbols;
lx-symbols loads the modules' symbols from the build tree and a
breakpoint in a module function, set by name, is hit from the guest.

Debian's kernel has no vmlinux with types in the lab (its -dbg package
is not fetched), so this module needs a source kernel.
"""
import os
import re

import gdbsession
from lablib import KERNEL_SRC, MODULES, expect, kernel_build_dir
from gdbsession import quiet

SKIP = None if KERNEL_SRC else (
    'needs a kernel built from source: make test KERNEL_SRC=1 '
    '(Debian\'s vmlinux with types is not in the lab)')
PORT = gdbsession.free_port()
BOARD = dict(qemu_args=('-gdb', 'tcp:localhost:%d' % PORT))
TIMEOUT = 240


def Gdb(*commands, **kw):
    vmlinux = os.path.join(kernel_build_dir(), 'vmlinux')
    return gdbsession.Gdb(*commands, args=['--attach', str(PORT),
                                           '--vmlinux', vmlinux], **kw)


def test_vmlinux_brings_the_kernel_scripts(board):
    quiet(board)
    out = Gdb('ptype struct module', 'lx-version').finish()
    expect('with the kernel\'s gdb scripts' in out,
           'scripts/debug did not find vmlinux-gdb.py:\n' + out[-2000:])
    expect(re.search(r'^type = struct module \{', out, re.M),
           'no kernel types from the vmlinux:\n' + out[-2000:])
    expect(re.search(r'^Linux version %s ' % re.escape(board.run('uname -r')),
                     out, re.M), 'lx-version differs from the guest:\n'
           + out[-2000:])


def test_lx_dmesg_shows_the_kernel_log(board):
    """lx-dmesg reads the ring buffer: the first line the guest's dmesg
    has (the boot's first), and a line just logged."""
    quiet(board)
    board.run('echo lab-dmesg-probe-4711 > /dev/kmsg')
    # (the text after the timestamp: run() takes kernel lines out)
    oldest = board.run("dmesg | head -n 1 | cut -d']' -f2-").strip()
    out = Gdb('lx-dmesg').finish()
    expect(oldest and oldest in out,
           'lx-dmesg lacks the oldest line (%s):\n%s' % (oldest, out[-2000:]))
    expect(re.search(r'^\[\s*\d+\.\d+\] lab-dmesg-probe-4711$', out, re.M),
           'lx-dmesg lacks the line just logged:\n' + out[-2000:])


def test_lx_lsmod_lists_the_guest_modules(board):
    quiet(board)
    guest = set(l.split()[0] for l in board.run('cat /proc/modules').splitlines())
    out = Gdb('lx-lsmod').finish()
    listed = set(re.findall(r'^0x[0-9a-f]+\s+(\w+)\s+\d+', out, re.M))
    expect(guest and guest <= listed, 'lx-lsmod lists %s, the guest %s'
           % (sorted(listed), sorted(guest)))


def test_lx_symbols_then_break_in_a_module(board):
    """lx-symbols over the lab's module builds and the kernel tree, then
    break ili9341fb_deferred_io by name; a write to the framebuffer hits
    it; bt shows its caller with types from the vmlinux."""
    quiet(board)
    board.run('echo 0 > /sys/class/vtconsole/vtcon1/bind', check=False)
    dirs = ' '.join((os.path.join(MODULES, 'guest-driver'), kernel_build_dir()))
    gdb = Gdb('lx-symbols ' + dirs, 'break ili9341fb_deferred_io',
              'continue', 'bt 3', 'delete', 'detach', timeout=200)
    gdb.wait_for(r'^loading @0x[0-9a-f]+: .*/ili9341fb\.ko$')
    gdb.wait_for(r'^Breakpoint 1 at 0x[0-9a-f]+: file .*ili9341fb\.c')
    board.write('fb-pattern bars\n')
    gdb.wait_for(r'hit Breakpoint 1, ili9341fb_deferred_io \(info=0x[0-9a-f]+, '
                 r'pagereflist=0x[0-9a-f]+\) at .*ili9341fb\.c:\d+')
    gdb.wait_for(r'^#1  0x[0-9a-f]+ in fb_deferred_io_work \(work=0x[0-9a-f]+\)')
    gdb.finish()
    expect(board.run('echo alive') == 'alive', 'guest stopped after detach')
