"""Host side of the lab's guest system tests.

A Board is one running `qemu-system-arm -M imx7d-custom`, started through
QEMU's own python/qemu/machine (QEMUMachine): serial console on a socket,
QMP for screendumps and QOM. Tests talk to the guest shell on the serial
console and match what the kernel and the programs print.
"""

import os
import re
import queue
import socket
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('LAB_BUILD', os.path.join(ROOT, 'build'))
# The images and module builds of the kernel under test: Debian's
# prebuilt one (images/, build/), or with make ... KERNEL_SRC=1 a kernel
# built from source, which has its own (build/kernel-src/<name>/)
IMAGES = os.environ.get('LAB_IMAGES') or os.path.join(ROOT, 'images')
MODULES = os.environ.get('LAB_MODULES') or BUILD
# the name of the source kernel (debian-6.1, ...) or '' for Debian's
KERNEL_SRC = os.environ.get('LAB_KERNEL_SRC', '')
sys.path.insert(0, os.path.join(BUILD, 'qemu-src', 'python'))

from qemu.machine import QEMUMachine  # noqa: E402  (path set just above)

QEMU = os.path.join(BUILD, 'qemu', 'qemu-system-arm')


def base_cmdline():
    """The kernel command line every boot starts from (one place for
    scripts/run and the tests)."""
    with open(os.path.join(ROOT, 'scripts', 'guest', 'cmdline')) as f:
        return ' '.join(l.strip() for l in f
                        if l.strip() and not l.startswith('#'))


KMSG = re.compile(r'^\[\s*\d+\.\d+\] ')
# a kernel line as the console prints it, possibly in the middle of a
# command's output line ("alive-1[   17.77] ath10k_sdio ...")
KMSG_ANYWHERE = re.compile(r'\[\s*\d+\.\d{6}\] [^\n]*\n?')
# what /init's background job prints on the console while commands run
INIT_MARKER = re.compile(r'^LAB-(COLDPLUG-DONE|SETTLED)$')
# the end of a line the shell printed: its newline, or a kernel line the
# console put right after it ("LAB4-BEGIN[    7.64] platform regulatory...")
EOL = r'(?:$|(?=\[\s*\d+\.\d{6}\] ))'


def _kernel_mk(source_var, debian_var):
    """A path kernel.mk records for the kernel under test: source_var of
    scripts/build-kernel's (KERNEL_SRC), else debian_var of
    scripts/fetch-kernel's; None when the file has no such line."""
    mk, var = ((os.path.join(BUILD, 'kernel-src', KERNEL_SRC, 'kernel.mk'),
                source_var) if KERNEL_SRC else
               (os.path.join(BUILD, 'kernel', 'kernel.mk'), debian_var))
    with open(mk) as f:
        m = re.search(r'^%s := (.*)$' % var, f.read(), re.M)
    return m.group(1) if m else None


def kernel_build_dir():
    """The tree out-of-tree modules build against (KDIR): the Makefile's,
    else Debian's headers or the source kernel's object tree as
    scripts/fetch-kernel and scripts/build-kernel recorded them."""
    return os.environ.get('KDIR') or _kernel_mk('SRC_KDIR', 'DEBIAN_KDIR')


def kernel_patches():
    """The guest-driver/kernel-patches/ applied to the source kernel under
    test (scripts/build-kernel records them); none for Debian's kernel."""
    if not KERNEL_SRC:
        return []
    return (_kernel_mk('SRC_KPATCHES', None) or '').split()


def kernel_release():
    """The release of the kernel the images carry (scripts/build-image)."""
    with open(os.path.join(IMAGES, 'kernel.release')) as f:
        return f.read().strip()


def default_kernel():
    """images/uImage (host-decompressed, fast) when built, else zImage."""
    uimage = os.path.join(IMAGES, 'uImage')
    return uimage if os.path.exists(uimage) else os.path.join(IMAGES, 'zImage')


class TestFailure(Exception):
    """A failed expectation; carries the last console lines for the log."""


class Board:
    """One booted lab board. Use as a context manager."""

    def __init__(self, name, machine_opts='', qemu_args=(), append='',
                 kernel=None, dtb=None, initrd=None, log_dir=None,
                 qemu=None, machine='imx7d-custom', share=None):
        self.name = name
        self.log_dir = log_dir or os.path.join(BUILD, 'test-logs')
        os.makedirs(self.log_dir, exist_ok=True)
        self.console_log = os.path.join(self.log_dir, name + '.console.log')
        machine += ',' + machine_opts if machine_opts else ''
        self.machine = machine
        self.vm = QEMUMachine(qemu or QEMU, name=name, log_dir=self.log_dir,
                              sock_dir=self.log_dir)
        self.vm.set_machine(machine)
        self.vm.set_console()
        self.vm.add_args(
            '-kernel', kernel or default_kernel(),
            '-dtb', dtb or os.path.join(IMAGES, 'imx7d-custom.dtb'),
            '-initrd', initrd or os.path.join(IMAGES, 'initrd.cpio.lz4'),
            '-append', (base_cmdline() + ' ' + append).strip(),
            '-no-reboot', *qemu_args)
        if share:
            # a host directory at /lab/host in the guest, read-only, as
            # scripts/run shares the module builds (lab-reload)
            self.vm.add_args(
                '-fsdev', 'local,id=lab-host,path=%s,security_model=none,'
                'readonly=on' % share,
                '-device', 'virtio-9p-device,fsdev=lab-host,mount_tag=lab-host')
        self.text = ''        # everything the console printed so far
        self.pos = 0          # how far wait_for() has consumed self.text
        self.sock = None
        self._log = None
        self._seq = 0

    # -- life cycle ---------------------------------------------------------
    def __enter__(self):
        self.launch()
        return self

    def __exit__(self, *exc):
        self.shutdown()

    def launch(self):
        self.vm.launch()
        self.sock = self.vm.console_socket
        self._log = open(self.console_log, 'w', encoding='utf-8')
        # The console is read all the time, not only while a test waits
        # for it: QEMU's UART writes the socket byte by byte, holding the
        # big QEMU lock, and blocks once a few hundred unread bytes fill
        # the socket; a QMP command sent then would never be answered.
        self._chunks = queue.Queue()
        self.sock.settimeout(0.5)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        """Console reader thread: socket -> self._chunks (b'' at EOF)."""
        while True:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:             # closed by shutdown()
                data = b''
            self._chunks.put(data)
            if not data:
                return

    def boot(self, timeout=60):
        """Launch, wait for the guest's ready marker and for the shell to
        answer; returns the marker's match."""
        self.launch()
        ready = self.wait_for(r'LAB-READY (\S+) cpus=(\S+)', timeout)
        self.sync_shell()
        return ready

    def wait_boot(self, timeout=90):
        """Wait for the next kernel's /init, after a kexec or a crash,
        then for its shell and its module loading. Returns the LAB-READY
        match: release, online CPUs, boot number in the kexec chain."""
        ready = self.wait_for(r'LAB-READY (\S+) cpus=(\S+) boot=(\d+)',
                              timeout)
        self.sync_shell()
        self.wait_for(r'^LAB-COLDPLUG-DONE', timeout, since=ready.start())
        return ready

    def wait_settled(self, timeout=90):
        """Wait until /init's background work is all done, the Wi-Fi
        driver's probe included: for measurements that other guest
        activity would disturb."""
        self.wait_for(r'^LAB-SETTLED', timeout, since=0)

    def wait_coldplug(self, timeout=60):
        """Wait until /init's background module loading has finished (the
        board's devices have their drivers)."""
        self.wait_for(r'^LAB-COLDPLUG-DONE', timeout, since=0)

    def sync_shell(self, tries=40):
        """Wait until the shell reads its input: what is typed before it
        starts can be lost."""
        for n in range(tries):
            self.write("echo LAB-SYNC''-%d\n" % n)
            try:
                self.wait_for(r'^LAB-SYNC-%d$' % n, 0.5)
                return
            except TestFailure:
                continue
        raise TestFailure('the guest shell does not answer\n' + self.tail())

    def shutdown(self):
        try:
            self.vm.shutdown(hard=True)
        finally:
            if self._log:
                self._log.close()
                self._log = None

    # -- console ------------------------------------------------------------
    def _read(self, timeout):
        """Append the next chunk the console sends, waiting at most
        `timeout` seconds for it."""
        try:
            data = self._chunks.get(timeout=max(timeout, 0.01))
        except queue.Empty:
            return
        if not data:
            self._chunks.put(data)      # (EOF stays EOF for the next read)
            if not self.vm.is_running():
                raise TestFailure('QEMU exited (code %s)\n%s'
                                  % (self.vm.exitcode(), self.tail()))
            time.sleep(0.05)
            return
        chunk = data.decode('utf-8', 'replace').replace('\r', '')
        self.text += chunk
        self._log.write(chunk)
        self._log.flush()

    def tail(self, lines=25):
        return '\n'.join(self.text.splitlines()[-lines:])

    def mark(self):
        """A console position to search from later (wait_for(since=))."""
        return len(self.text)

    def wait_for(self, pattern, timeout=30, since=None):
        """Wait until regex `pattern` appears after what earlier waits
        consumed (or after the mark `since`); returns the match. On
        timeout raise with the last console lines."""
        rx = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.text, self.pos if since is None else since)
            if m:
                self.pos = max(self.pos, m.end())
                return m
            left = end - time.monotonic()
            if left <= 0:
                raise TestFailure('timed out after %ss waiting for /%s/; '
                                  'last console lines:\n%s'
                                  % (timeout, pattern, self.tail()))
            self._read(min(left, 0.5))

    def write(self, s):
        self.sock.sendall(s.encode())

    def run(self, cmd, timeout=30, check=True, kmsg=False):
        """Run `cmd` in the guest shell and return its output. Kernel log
        lines that the console interleaves, even mid-line, are removed
        unless `kmsg` (for commands like dmesg), and so are /init's
        markers. With check, a
        non-zero exit status fails."""
        self._seq += 1
        tag = 'LAB%d' % self._seq
        # The markers are built by the shell, so the echoed command line
        # itself never matches them.
        self.write("echo %s-BEG''IN; %s; echo %s-END''-$?\n" % (tag, cmd, tag))
        self.wait_for(r'^%s-BEGIN%s' % (tag, EOL), timeout)
        start = self.pos
        # (output without a final newline puts the end marker mid-line)
        m = self.wait_for(r'%s-END-(\d+)%s' % (tag, EOL), timeout)
        out = self.text[start:m.start()]
        if not kmsg:
            out = KMSG_ANYWHERE.sub('', out)
        out = '\n'.join(l for l in out.strip('\n').split('\n')
                        if (kmsg or not KMSG.match(l))
                        and not INIT_MARKER.match(l))
        # a kernel line that broke into the output can leave an empty line
        # where it was (seen: "\n0" for "0")
        out = out.strip('\n')
        rc = int(m.group(1))
        if check and rc != 0:
            raise TestFailure('guest command failed (exit %d): %s\n%s'
                              % (rc, cmd, out))
        return out

    # -- QMP ----------------------------------------------------------------
    def qmp(self, cmd, **args):
        return self.vm.command(cmd, **args)

    def qom_get(self, path, prop):
        return self.qmp('qom-get', path=path, property=prop)

    def qom_set(self, path, prop, value):
        return self.qmp('qom-set', path=path, property=prop, value=value)

    def save_state(self, path, timeout=60):
        """Stop the board and migrate its whole state into file `path`."""
        self.qmp('stop')
        self.qmp('migrate', uri='exec:cat > ' + path)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            info = self.qmp('query-migrate')
            if info.get('status') == 'completed':
                return
            if info.get('status') in ('failed', 'cancelled'):
                raise TestFailure('migration %s: %s' % (info['status'], info))
            time.sleep(0.2)
        raise TestFailure('migration did not complete')

    @classmethod
    def restore(cls, name, path, timeout=60, **board_args):
        """A new board (a new QEMU) loaded from a save_state() file, still
        stopped: `qmp('cont')` runs it."""
        args = tuple(board_args.pop('qemu_args', ()))
        board = cls(name, qemu_args=args + ('-incoming', 'exec:cat ' + path,
                                            '-S'), **board_args)
        board.launch()
        end = time.monotonic() + timeout
        while board.qmp('query-status')['status'] == 'inmigrate':
            if time.monotonic() > end:
                board.shutdown()
                raise TestFailure('restore from %s did not finish' % path)
            time.sleep(0.2)
        return board

    def screen(self, name):
        """Screendump the board's display into the log directory as
        NAME.ppm and return it as a Screen."""
        path = os.path.join(self.log_dir, name + '.ppm')
        self.screendump(path)
        return Screen(path)

    def screendump(self, filename, fmt='ppm'):
        args = {'filename': filename}
        if fmt != 'ppm':
            args['format'] = fmt
        self.qmp('screendump', **args)
        return filename


class Screen:
    """A console screendump (PPM): width, height, RGB bytes."""

    def __init__(self, path):
        with open(path, 'rb') as f:
            magic, w, h, maxval, self.data = f.read().split(maxsplit=4)
        assert magic == b'P6' and maxval == b'255', path
        self.width, self.height = int(w), int(h)

    def pixel(self, x, y):
        """The colour at x, y as 0xRRGGBB."""
        i = (y * self.width + x) * 3
        r, g, b = self.data[i:i + 3]
        return (r << 16) | (g << 8) | b


def expect(cond, message):
    if not cond:
        raise TestFailure(message)
