"""scripts/debug and scripts/kernel-symbols without a board: documented
options, what bad input says (no gdb-multiarch, a wrong VMLINUX=), and the
kernel symbols read from the image that `make debug` gives gdb."""
import os
import re
import socket
import subprocess
import tempfile

from lablib import IMAGES, ROOT, BUILD, expect

DEBUG = os.path.join(ROOT, 'scripts', 'debug')
KSYMS = os.path.join(ROOT, 'scripts', 'kernel-symbols')
UIMAGE = os.path.join(IMAGES, 'uImage')


def debug(*args, env=None, timeout=60):
    return subprocess.run([DEBUG, *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, **(env or {})))


def test_help_documents_every_option():
    proc = debug('--help')
    expect(proc.returncode == 0, 'debug --help exited %d' % proc.returncode)
    src = open(DEBUG).read()
    for opt in ('--halt', '--attach', '--vmlinux', '--system-map', '--gdb',
                '--batch', '--help', 'VMLINUX=', 'lab-sh', 'lab-modules'):
        expect(opt in proc.stdout, opt + ' missing from --help')
    for opt in ('--halt', '--attach', '--vmlinux', '--system-map', '--gdb',
                '--batch'):
        expect(opt + ')' in src or opt + '|' in src or '|' + opt in src,
               opt + ' documented but not handled')


def test_unknown_option_is_a_usage_error():
    proc = debug('--no-such-option')
    expect(proc.returncode == 2 and
           "unknown option '--no-such-option'" in proc.stderr and
           'usage: scripts/debug' in proc.stderr,
           'no usage error: %d\n%s' % (proc.returncode, proc.stderr))


def test_missing_gdb_names_the_package():
    # a PATH with every program of this machine but gdb-multiarch
    with tempfile.TemporaryDirectory() as farm:
        for d in ('/usr/local/bin', '/usr/bin', '/bin'):
            for name in os.listdir(d) if os.path.isdir(d) else ():
                if not name.startswith('gdb') and \
                        not os.path.lexists(os.path.join(farm, name)):
                    os.symlink(os.path.join(d, name), os.path.join(farm, name))
        proc = debug('--batch', env={'PATH': farm})
    expect(proc.returncode == 1, 'exit %d, want 1' % proc.returncode)
    expect('gdb-multiarch' in proc.stderr and
           'Debian package gdb-multiarch' in proc.stderr,
           'the message does not name the package:\n' + proc.stderr)


def test_wrong_vmlinux_is_reported_not_ignored():
    proc = debug('--batch', env={'VMLINUX': '/nonexistent/vmlinux'})
    expect(proc.returncode == 1 and
           'VMLINUX=/nonexistent/vmlinux: no such file' in proc.stderr,
           'missing vmlinux not reported: %d\n%s'
           % (proc.returncode, proc.stderr))
    readme = os.path.join(ROOT, 'README.md')
    proc = debug('--vmlinux', readme, '--batch')
    expect(proc.returncode == 1 and 'is not an ELF file' in proc.stderr,
           'non-ELF vmlinux not reported:\n' + proc.stderr)
    proc = debug('--vmlinux', '/bin/true', '--batch')
    expect(proc.returncode == 1 and 'not an ARM ELF file' in proc.stderr,
           'host ELF as vmlinux not reported:\n' + proc.stderr)
    # make passes it on (-o all: not the build, just the debug recipe)
    proc = subprocess.run(['make', '-s', '-o', 'all', '-n', 'debug',
                           'VMLINUX=/x/vmlinux'], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    expect("--vmlinux '/x/vmlinux'" in proc.stdout,
           'make debug does not pass VMLINUX on:\n' + proc.stdout)


def test_wrong_system_map_is_reported():
    proc = debug('--batch', env={'SYSTEM_MAP': '/nonexistent/System.map'})
    expect(proc.returncode == 1 and
           'SYSTEM_MAP=/nonexistent/System.map: no such file' in proc.stderr,
           'missing System.map not reported:\n' + proc.stderr)


def test_attach_without_a_board_is_reported():
    with socket.socket() as s:
        s.bind(('localhost', 0))
        port = s.getsockname()[1]
    proc = debug('--attach', str(port), '--batch')
    expect(proc.returncode == 1 and
           'nothing listens on localhost:%d' % port in proc.stderr,
           'no message for a board that is not there:\n' + proc.stderr)


def test_run_gdb_then_attach():
    """The two-terminal way: `scripts/run --gdb` prints a port of its
    own, `scripts/debug --attach PORT` debugs that board."""
    run = os.path.join(ROOT, 'scripts', 'run')
    with tempfile.TemporaryDirectory() as tmp:
        board = subprocess.Popen(
            [run, '--display', 'none', '--gdb',
             '--console-socket', os.path.join(tmp, 'console')],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        try:
            # (after what it says of the board's snapshot, if it makes one)
            said = ''
            for _ in range(5):
                said = board.stderr.readline()
                m = re.search(r'gdb stub on localhost:(\d+): scripts/debug '
                              r'--attach (\d+)', said)
                if m or not said:
                    break
            expect(m and m.group(1) == m.group(2),
                   'scripts/run --gdb did not say its port: ' + said)
            proc = debug('--attach', m.group(1), '--batch', '--',
                         '-ex', 'info threads', timeout=120)
        finally:
            board.kill()
            board.wait()
    expect(proc.returncode == 0 and
           re.search(r'Thread 1\.1 \(CPU#0.*\n.*Thread 1\.2 \(CPU#1',
                     proc.stdout),
           'no 2 CPUs through the printed port: %d\n%s%s'
           % (proc.returncode, proc.stdout[-2000:], proc.stderr[-1000:]))


def test_kernel_symbols_from_the_image():
    """kallsyms of images/uImage as System.map and as an ELF that gdb
    breaks in by name; the same ELF again from that System.map."""
    with tempfile.TemporaryDirectory() as tmp:
        smap, elf, elf2 = (os.path.join(tmp, n)
                           for n in ('System.map', 'a.elf', 'b.elf'))
        subprocess.run([KSYMS, '--kernel', UIMAGE, '--map', smap,
                        '--elf', elf], check=True, timeout=60)
        syms = {}
        with open(smap) as f:
            for line in f:
                addr, typ, name = line.split()
                syms[name] = (int(addr, 16), typ)
        expect(len(syms) > 20000, 'only %d symbols' % len(syms))
        expect(syms['start_kernel'][1] == 'T' and
               syms['do_init_module'][1] == 't' and
               0xc0000000 <= syms['kobj_attr_store'][0] < 0xc2000000,
               'unexpected symbols: %s %s %s' % (
                   syms['start_kernel'], syms['do_init_module'],
                   syms['kobj_attr_store']))
        subprocess.run([KSYMS, '--system-map', smap, '--elf', elf2],
                       check=True, timeout=60)
        expect(open(elf, 'rb').read() == open(elf2, 'rb').read(),
               'System.map round trip gives another ELF')
        out = subprocess.run(
            ['gdb-multiarch', '-batch', '-nx', '-ex', 'file ' + elf,
             '-ex', 'break kobj_attr_store', '-ex', 'info symbol 0x%x'
             % (syms['do_init_module'][0] + 8)],
            capture_output=True, text=True, timeout=60).stdout
    expect(re.search(r'^Breakpoint 1 at 0x%x$' % syms['kobj_attr_store'][0],
                     out, re.M) and
           'do_init_module + 8 in section .text' in out,
           'gdb does not break by name in the symbol file:\n' + out)


def test_kernel_symbols_rejects_what_has_none():
    readme = os.path.join(ROOT, 'README.md')
    proc = subprocess.run([KSYMS, '--kernel', readme, '--map', '/dev/null'],
                          capture_output=True, text=True, timeout=60)
    expect(proc.returncode == 1 and 'no kallsyms table' in proc.stderr,
           'no error for a file without kallsyms:\n' + proc.stderr)
    # Debian's /boot/System.map is a one-line stub pointing at -dbg
    stub = [os.path.join(BUILD, 'kernel', 'root', 'boot', f)
            for f in os.listdir(os.path.join(BUILD, 'kernel', 'root', 'boot'))
            if f.startswith('System.map')]
    expect(stub, 'no System.map in the kernel package')
    proc = subprocess.run([KSYMS, '--system-map', stub[0], '--map',
                           '/dev/null'], capture_output=True, text=True,
                          timeout=60)
    expect(proc.returncode == 1 and 'no function symbols' in proc.stderr,
           'no error for the stub System.map:\n' + proc.stderr)
