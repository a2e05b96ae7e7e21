"""Debugging the board with gdb: scripts/debug and scripts/lab-gdb.py.

gdb (batch mode, under a time limit) attaches to this module's board
through QEMU's gdb stub as `scripts/debug --attach PORT` does for a user,
while the test drives the guest shell: kernel and module symbols at the
addresses the guest reports, both CPUs as threads, a breakpoint in one of
our modules hit from the guest and continued, module symbols that follow
a reload, lab-map-modules for a CPU whose page table lacks module
memory, and (a board of its own) `scripts/debug --halt` at the reset PC.
"""
import os
import re
import subprocess
import tempfile

import gdbsession
from lablib import IMAGES, MODULES, ROOT, expect
from gdbsession import quiet

ILI9341FB_KO = os.path.join(MODULES, 'guest-driver', 'ili9341fb', 'ili9341fb.ko')
# QEMU's boot stub for a Linux kernel sits at the start of RAM (the
# machine's loader_start, FSL_IMX7_MMDC_ADDR); CPU0 resets to it
RESET_PC = 0x80000000

PORT = gdbsession.free_port()
BOARD = dict(qemu_args=('-gdb', 'tcp:localhost:%d' % PORT))
TIMEOUT = 240


def Gdb(*commands, args=None, **kw):
    """scripts/debug --batch attached to this module's board."""
    return gdbsession.Gdb(*commands, args=args or ['--attach', str(PORT)],
                          **kw)


def run_gdb(*commands, **kw):
    return Gdb(*commands, **kw).finish()


def value(out, expr_pattern):
    """The value gdb printed for a `p/x` command, as an int."""
    m = re.search(expr_pattern, out, re.M)
    expect(m, 'no /%s/ in gdb output:\n%s' % (expr_pattern, out[-3000:]))
    return int(m.group(1), 0)


def ko_symbol(ko, name):
    """Offset of `name` in its section of a .ko (nm)."""
    out = subprocess.run(['arm-linux-gnueabihf-nm', ko], capture_output=True,
                         text=True, check=True).stdout
    m = re.search(r'^([0-9a-f]+) \w %s$' % re.escape(name), out, re.M)
    expect(m, '%s has no symbol %s' % (ko, name))
    return int(m.group(1), 16)


def guest_sections(board, module):
    out = board.run('grep . /sys/module/%s/sections/.*' % module)
    return {m.group(1): int(m.group(2), 16) for m in re.finditer(
        r'^/sys/module/\w+/sections/(\S+):(0x[0-9a-f]+)$', out, re.M)}


def test_symbols_match_the_guest(board):
    """Kernel symbols (from the image's kallsyms) and module symbols (from
    guest memory) at the addresses the guest itself reports; 2 CPUs."""
    quiet(board)
    kallsyms = {m.group(2): int(m.group(1), 16) for m in re.finditer(
        r'^([0-9a-f]{8}) \w (\w+)$', board.run(
            'grep -w -e kobj_attr_store -e do_init_module /proc/kallsyms'),
        re.M)}
    expect(len(kallsyms) == 2, 'no kallsyms in the guest: %s' % kallsyms)
    sects = guest_sections(board, 'ili9341fb')
    out = run_gdb('info threads',
                  'p/x (unsigned long)&kobj_attr_store',
                  'p/x (unsigned long)&do_init_module',
                  'p/x (unsigned long)&ili9341fb_deferred_io',
                  'p/x (unsigned long)&fps',
                  'p ili9341fb_driver.driver.name')
    threads = re.findall(r'^\*?\s+\d+\s+Thread 1\.\d+ \(CPU#(\d)', out, re.M)
    expect(threads == ['0', '1'], 'info threads does not list CPU 0 and 1:\n'
           + out[-3000:])
    expect((value(out, r'^\$1 = (0x[0-9a-f]+)'),
            value(out, r'^\$2 = (0x[0-9a-f]+)')) ==
           (kallsyms['kobj_attr_store'], kallsyms['do_init_module']),
           'kernel symbols differ from /proc/kallsyms %s:\n%s'
           % (kallsyms, out[-2000:]))
    expect(re.search(r'^\[lab\] ili9341fb\s+\.text 0x%08x ' % sects['.text'],
                     out, re.M), 'lab-modules did not load ili9341fb at its '
           '.text 0x%x:\n%s' % (sects['.text'], out[-3000:]))
    want = sects['.text'] + ko_symbol(ILI9341FB_KO, 'ili9341fb_deferred_io')
    expect(value(out, r'^\$3 = (0x[0-9a-f]+)') == want,
           'ili9341fb_deferred_io not at .text + its offset (0x%x)' % want)
    want = sects['.bss'] + ko_symbol(ILI9341FB_KO, 'fps')
    expect(value(out, r'^\$4 = (0x[0-9a-f]+)') == want,
           'ili9341fb fps not at .bss + its offset (0x%x)' % want)
    # data read through the module's debug info at its .data address
    expect(re.search(r'^\$5 = 0x[0-9a-f]+ "ili9341fb"$', out, re.M),
           'struct spi_driver ili9341fb_driver not read from the guest:\n'
           + out[-2000:])
    expect(board.run('echo alive') == 'alive', 'guest stopped after detach')


def test_sections_from_a_file(board):
    """lab-modules --from FILE: the addresses as the guest printed them."""
    quiet(board)
    listing = board.run('grep . /sys/module/ili9341fb/sections/.*')
    with tempfile.NamedTemporaryFile('w', suffix='.txt') as f:
        f.write(listing + '\n')
        f.flush()
        out = run_gdb('lab-modules --from ' + f.name,
                      'info line ili9341fb_deferred_io')
    addr = guest_sections(board, 'ili9341fb')['.text'] + \
        ko_symbol(ILI9341FB_KO, 'ili9341fb_deferred_io')
    expect(re.search(r'Line \d+ of ".*ili9341fb\.c" starts at address 0x%x '
                     r'<ili9341fb_deferred_io>' % addr, out),
           'no line info at the file\'s address:\n' + out[-2000:])


def test_vmlinux_is_what_gdb_reads(board):
    """VMLINUX= instead of the image's kallsyms (a symbol-only ELF made
    from them stands in for a vmlinux here)."""
    with tempfile.TemporaryDirectory() as tmp:
        elf = os.path.join(tmp, 'vmlinux')
        subprocess.run([os.path.join(ROOT, 'scripts', 'kernel-symbols'),
                        '--kernel', os.path.join(IMAGES, 'uImage'),
                        '--elf', elf], check=True, timeout=60)
        gdb = Gdb('info symbol do_init_module',
                  'python print("exec:", gdb.objfiles()[0].filename)',
                  args=['--attach', str(PORT), '--vmlinux', elf])
        out = gdb.finish()
    expect('(vmlinux %s)' % elf in out and
           re.search(r'^exec: %s$' % re.escape(elf), out, re.M),
           'gdb did not take its symbols from VMLINUX:\n' + out[-2000:])
    expect(re.search(r'^do_init_module in section \.text', out, re.M),
           'no kernel symbol from the vmlinux:\n' + out[-2000:])


def test_breakpoint_in_our_module(board):
    """break labtrigger_fire; the guest calls it; bt, the argument, the
    return value; continue; it hits again; detach: the guest runs on."""
    quiet(board)
    board.run('modprobe labtrigger')
    board.run('echo 0 > /sys/kernel/labtrigger/fire')
    before = int(board.run('cat /sys/kernel/labtrigger/fire').split()[0])
    # (`delete` before `finish`: stepping off a breakpoint, QEMU 7.2
    # once in many runs under load reported the same breakpoint again)
    gdb = Gdb('break labtrigger_fire', 'continue',
              'bt', 'info args', 'info threads', 'delete', 'finish',
              'break labtrigger_fire', 'continue', 'p value', 'delete',
              'detach')
    # gdb holds the guest from the attach on and inserts the breakpoint
    # before it lets it run: what is typed now waits in the UART for that
    gdb.wait_for(r'^Breakpoint 1 at 0x[0-9a-f]+: file .*labtrigger\.c')
    board.write('echo 21 > /sys/kernel/labtrigger/fire\n')
    gdb.wait_for(r'hit Breakpoint 1, labtrigger_fire \(value=21\) at '
                 r'.*labtrigger\.c:\d+')
    gdb.wait_for(r'^#0  labtrigger_fire \(value=21\)')
    gdb.wait_for(r'^#1  0x[0-9a-f]+ in fire_store \(')
    gdb.wait_for(r'^#2  0x[0-9a-f]+ in kernfs_fop_write_iter \(\)')
    gdb.wait_for(r'^value = 21$')
    # (at a breakpoint, both CPUs are still threads)
    gdb.wait_for(r'Thread 1\.1 \(CPU#0')
    gdb.wait_for(r'Thread 1\.2 \(CPU#1')
    gdb.wait_for(r'^Value returned is \$\d+ = 42$')
    gdb.wait_for(r'^Breakpoint 2 at 0x[0-9a-f]+: file .*labtrigger\.c')
    board.write('echo 8 > /sys/kernel/labtrigger/fire\n')
    gdb.wait_for(r'hit Breakpoint 2, labtrigger_fire \(value=8\)')
    gdb.wait_for(r'^\$\d+ = 8$')
    gdb.finish()
    count, last = board.run('cat /sys/kernel/labtrigger/fire').split()
    expect((int(count), last) == (before + 2, '8'),
           'labtrigger did not count both calls: %s %s' % (count, last))
    expect(board.run('echo alive') == 'alive', 'guest stopped after detach')


def test_module_symbols_follow_a_reload(board):
    """A breakpoint on the init function of a module that is not loaded
    yet: the automatic reload at do_init_module resolves it."""
    quiet(board)
    board.run('modprobe labtrigger && rmmod labtrigger')
    gdb = Gdb('break labtrigger_init', 'continue', 'bt 1', 'detach')
    gdb.wait_for(r'^Breakpoint 1 \(labtrigger_init\) pending\.')
    board.write('modprobe labtrigger\n')
    gdb.wait_for(r'^\[lab\] module labtrigger\s+\.text 0x[0-9a-f]+ ')
    gdb.wait_for(r'hit Breakpoint 1, labtrigger_init \(\) at .*labtrigger\.c')
    gdb.wait_for(r'^#0  labtrigger_init \(\)')
    gdb.finish()
    expect(board.run('cat /sys/kernel/labtrigger/fire').count(' ') == 1,
           'labtrigger not working after its init was debugged')


# gdb python for test_map_modules_only_on_request: zero the first-level
# entries (Linux's pair) that map ili9341fb's data in every CPU's current
# page table, the state of a process older than that part of the module
# area (Linux fills them in at the process's first touch); check() says
# whether they are what swapper_pg_dir has.
UNMAP_MODULES = """
import gdb
from labgdb import memory, pagetable
K = pagetable.KERNEL
assert K.find() is not None, 'no swapper_pg_dir'
ADDR = int(gdb.parse_and_eval('(unsigned long)&ili9341fb_driver'))
PAIR = (ADDR >> 21) << 3
ENTRIES = set()
selected = gdb.selected_thread()
for t in gdb.selected_inferior().threads():
    t.switch()
    table = K.cpu_table()
    assert table and table[1] != K.pgd, 'CPU%d: not a process table' % (t.num - 1)
    ENTRIES.add(table[1] + PAIR)
selected.switch()
for e in ENTRIES:
    gdb.selected_inferior().write_memory(e, bytes(8))
print('unmapped 0x%x in %d tables' % (ADDR, len(ENTRIES)))

def check():
    want = memory.raw_read(K.pgd + PAIR, 8)
    for e in sorted(ENTRIES):
        print('entry 0x%x: %s' % (e, 'as in swapper_pg_dir'
              if memory.raw_read(e, 8) == want else 'not as in swapper_pg_dir'))
"""


def test_map_modules_only_on_request(board):
    """A CPU whose page table does not map a module's memory: gdb cannot
    read the module's data through it, lab-modules leaves the table alone
    and says what to do, lab-map-modules copies the entries from
    swapper_pg_dir, and then gdb reads the data."""
    quiet(board)
    with tempfile.NamedTemporaryFile('w', suffix='.py') as f:
        f.write(UNMAP_MODULES)
        f.flush()
        out = run_gdb('source ' + f.name,
                      'p ili9341fb_driver.driver.name',
                      'lab-modules --quiet',
                      'p ili9341fb_driver.driver.name',
                      'lab-map-modules',
                      'p ili9341fb_driver.driver.name',
                      'python check()')
    expect(re.search(r'^unmapped 0xbf[0-9a-f]+ in [12] tables$', out, re.M),
           'the test could not unmap the module:\n' + out[-3000:])
    expect(len(re.findall(r'^Cannot access memory at address 0xbf', out,
                          re.M)) == 2,
           'module data readable without its page-table entries, or '
           'lab-modules mapped them:\n' + out[-3000:])
    expect(re.search(r'^\[lab\] module memory is not mapped .*lab-map-modules',
                     out, re.M), 'no word on lab-map-modules:\n' + out[-3000:])
    expect(re.search(r'^\[lab\] CPU\d: 2 module-area entries copied from '
                     r'swapper_pg_dir', out, re.M) and
           re.search(r'^\$1 = 0x[0-9a-f]+ "ili9341fb"$', out, re.M),
           'lab-map-modules did not make the module readable:\n'
           + out[-3000:])
    expect('not as in' not in out and
           re.search(r'^entry 0x[0-9a-f]+: as in swapper_pg_dir$', out, re.M),
           'the tables do not hold swapper_pg_dir\'s entries:\n'
           + out[-3000:])
    expect(board.run('echo alive') == 'alive', 'guest stopped after detach')


def test_halt_at_reset_then_boot_to_the_shell(board):
    """scripts/debug --halt boots a board of its own: gdb sees CPU0 at the
    reset PC with no instruction run (the boot stub has not yet set r1 and
    r2), one stepi moves it on; lab-sh boots to the shell and runs a
    command; the boot-time modules got their symbols on the way."""
    out = run_gdb('info threads', 'p/x $pc', 'x/i $pc', 'p/x $r1', 'p/x $r2',
                  'stepi', 'p/x $pc',
                  'lab-sh', 'lab-sh cat /sys/devices/system/cpu/online',
                  'lab-sh while [ ! -e /run/lab-coldplug-done ]; do sleep 0.2;'
                  ' done; echo coldplug""-done',
                  'info address ili9341fb_probe',
                  args=['--halt', '--display', 'none'], timeout=180)
    expect(re.search(r'^\*?\s+1\s+Thread 1\.1 \(CPU#0.*\n\s+2\s+Thread 1\.2 '
                     r'\(CPU#1', out, re.M),
           'not 2 CPU threads:\n' + out[:3000])
    expect(value(out, r'^\$1 = (0x[0-9a-f]+)') == RESET_PC,
           'CPU0 not at the reset PC 0x%x:\n%s' % (RESET_PC, out[:3000]))
    expect(re.search(r'=> 0x%x:\s+mov\s+r0, #0' % RESET_PC, out),
           'not the boot stub at the reset PC:\n' + out[:3000])
    expect(value(out, r'^\$2 = (0x[0-9a-f]+)') == 0 and
           value(out, r'^\$3 = (0x[0-9a-f]+)') == 0,
           'r1/r2 already set: the boot stub has run')
    expect(value(out, r'^\$4 = (0x[0-9a-f]+)') == RESET_PC + 4,
           'stepi did not execute the first instruction')
    expect('Booting Linux on physical CPU 0x0' in out and
           re.search(r'^\[lab\] guest stopped at its shell prompt', out, re.M),
           'lab-sh did not boot to the shell:\n' + out[-3000:])
    expect(re.search(r'^0-1$', out, re.M), 'no online CPUs 0-1 from lab-sh:\n'
           + out[-3000:])
    # the boot-time modules were loaded under the automatic breakpoint
    expect(re.search(r'^coldplug-done$', out, re.M) and
           re.search(r'^\[lab\] module ili9341fb\s+\.text 0xbf', out, re.M) and
           re.search(r'Symbol "ili9341fb_probe" is a function at address '
                     r'0xbf', out), 'no symbols for a boot-time module:\n'
           + out[-3000:])
