"""Host side of the lab's guest system tests.

A Board is one running `qemu-system-arm -M imx7d-custom`, started through
QEMU's own python/qemu/machine (QEMUMachine): serial console on a socket,
QMP for screendumps and QOM. Tests talk to the guest shell on the serial
console and match what the kernel and the programs print.
"""

import hashlib
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
# QEMU's python/qemu, imported when a Board first needs its QEMUMachine
# (scripts/snapshot, which make run calls, only computes a key)
sys.path.insert(0, os.path.join(BUILD, 'qemu-src', 'python'))

QEMU = os.path.join(BUILD, 'qemu', 'qemu-system-arm')
# Settled boards saved by Board.start(), one per key (snapshot_key())
SNAPSHOTS = os.environ.get('LAB_SNAPSHOTS') or os.path.join(BUILD, 'snapshots')
# What a snapshot holds and when it is taken: a change here makes every
# saved one stale
SNAPSHOT_FORMAT = 'lab-snapshot-2 settled shell, running, lz4 stream'
# QEMU options that do not change the guest or its devices: a snapshot
# taken without them serves a board that has them (and the other way)
HOST_ONLY_OPTIONS = ('-gdb', '-d', '-D', '-trace', '-display', '-vnc', '-msg',
                     '-qmp', '-monitor')


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


def file_digest(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def guest_args(args):
    """args without the HOST_ONLY_OPTIONS (and their values)."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in HOST_ONLY_OPTIONS:
            skip = True
        else:
            out.append(a)
    return out


def snapshot_key(qemu, machine, files, args):
    """The name of the snapshot of a board: a hash over SNAPSHOT_FORMAT,
    the content of the QEMU binary and of the guest's files, the machine
    and its options and the guest-visible QEMU arguments."""
    h = hashlib.sha256(SNAPSHOT_FORMAT.encode())
    for path in [qemu] + list(files):
        h.update(b'\0' + file_digest(path).encode())
    for a in [machine] + guest_args(args):
        h.update(b'\0' + a.encode())
    return h.hexdigest()[:32]


def save_snapshot(board, path, keep_days=3):
    """Save a settled, running board as snapshot `path` (its console text
    beside it) and let it run on. Written under temporary names and
    renamed, so that a half-written snapshot is never found."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = '%s.tmp%d' % (path, os.getpid())
    with open(tmp + '.console', 'w', encoding='utf-8') as f:
        f.write(board.text)
    board.qmp('migrate-set-parameters', **{'max-bandwidth': 1 << 40})
    # Migrated while it runs (an idle guest: the copy converges at once),
    # so that the saved run state is "running" and a QEMU started from
    # the snapshot runs it without being told (scripts/run has no QMP)
    board.migrate('exec:lz4 -1 -q -f - ' + tmp)
    board.qmp('cont')
    os.replace(tmp + '.console', path + '.console')
    os.replace(tmp, path)
    prune_snapshots(keep_days)


def prune_snapshots(keep_days):
    """Remove snapshots not used for keep_days (each key has its own
    file: the old ones of rebuilt kernels and QEMUs pile up otherwise)."""
    limit = time.time() - keep_days * 86400
    for name in os.listdir(SNAPSHOTS):
        p = os.path.join(SNAPSHOTS, name)
        try:
            if os.path.getmtime(p) < limit:
                os.remove(p)
        except OSError:     # (removed by a concurrent run)
            pass


class TestFailure(Exception):
    """A failed expectation; carries the last console lines for the log."""


class Board:
    """One booted lab board. Use as a context manager.

    cmdline, when given, is the whole kernel command line (else the lab's
    base_cmdline() and append)."""

    def __init__(self, name, machine_opts='', qemu_args=(), append='',
                 kernel=None, dtb=None, initrd=None, log_dir=None,
                 qemu=None, machine='imx7d-custom', share=None, cmdline=None,
                 wrapper=()):
        self.name = name
        self.log_dir = log_dir or os.path.join(BUILD, 'test-logs')
        os.makedirs(self.log_dir, exist_ok=True)
        self.console_log = os.path.join(self.log_dir, name + '.console.log')
        machine += ',' + machine_opts if machine_opts else ''
        self.machine = machine
        self.qemu = qemu or QEMU
        self.wrapper = tuple(wrapper)   # before QEMU's argv (ip netns exec)
        # the guest's files and QEMU's options: what snapshot_key() covers
        self.files = [kernel or default_kernel(),
                      dtb or os.path.join(IMAGES, 'imx7d-custom.dtb'),
                      initrd or os.path.join(IMAGES, 'initrd.cpio.lz4')]
        self.args = ['-kernel', self.files[0], '-dtb', self.files[1],
                     '-initrd', self.files[2],
                     '-append',
                     cmdline or (base_cmdline() + ' ' + append).strip(),
                     '-no-reboot', *qemu_args]
        if share:
            # a host directory at /lab/host in the guest, read-only, as
            # scripts/run shares the module builds (lab-reload)
            self.args += [
                '-fsdev', 'local,id=lab-host,path=%s,security_model=none,'
                'readonly=on' % share,
                '-device', 'virtio-9p-device,fsdev=lab-host,mount_tag=lab-host']
        self._vm = None
        self._key = None
        self.snapshot = None  # the snapshot file start() restored or saved
        self.restored = False  # start() restored it (rather than booted)
        self.text = ''        # everything the console printed so far
        self.pos = 0          # how far wait_for() has consumed self.text
        self.sock = None
        self._log = None
        self._seq = 0

    # -- life cycle ---------------------------------------------------------
    @property
    def vm(self):
        """The QEMUMachine of this board (made when first needed)."""
        if self._vm is None:
            from qemu.machine import QEMUMachine
            self._vm = QEMUMachine(self.qemu, name=self.name,
                                   wrapper=self.wrapper,
                                   log_dir=self.log_dir, sock_dir=self.log_dir)
            self._vm.set_machine(self.machine)
            self._vm.set_console()
            self._vm.add_args(*self.args)
        return self._vm

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

    # -- snapshot starts ------------------------------------------------------
    def snapshot_key(self):
        """What the settled board depends on: the content of QEMU, the
        kernel, the DTB and the initramfs, and every QEMU option that
        reaches the guest (machine options, knobs, the command line), so
        that a snapshot is used only by the board it was taken of. (Hashed
        once: the board's files are those it was made with.)"""
        if self._key is None:
            self._key = snapshot_key(self.qemu, self.machine, self.files,
                                     self.args)
        return self._key

    def snapshot_path(self):
        """The file of this board's snapshot (which may not exist yet)."""
        return os.path.join(SNAPSHOTS, self.snapshot_key())

    def has_snapshot(self):
        path = self.snapshot_path()
        return os.path.exists(path) and os.path.exists(path + '.console')

    def snapshot_refused(self):
        """Why this board cannot start from a snapshot, or None.

        psci=off runs the kernel in the secure world, and QEMU 7.2's
        migration loses the secure banks of some AArch32 CP15 registers
        (DACR, TTBR1, IFSR, CONTEXTIDR, TPIDRURO, TPIDRPRW: zero after the
        restore, seen with gdb): the restored kernel faults on its vector
        page for ever."""
        if 'psci=off' in self.machine.split(','):
            return ('psci=off: QEMU 7.2 does not migrate the secure banks '
                    'of the CP15 registers (DACR_S, TTBR1_S...)')
        return None

    def start(self, timeout=120):
        """Bring the board to a settled shell (LAB-SETTLED, as after a cold
        boot): restored from its snapshot when one matches, else booted
        cold and saved as that snapshot for the next board like it. A
        restored board's console text begins with the transcript of the
        cold boot the snapshot was taken after, so waits for boot
        messages and markers work as on a cold board."""
        if self.snapshot_refused():
            return self._boot_settled(timeout)
        if self.has_snapshot():
            try:
                return self._start_from(self.snapshot_path(), timeout)
            except TestFailure as e:
                # (e.g. a file a concurrent run was replacing): boot cold
                print('[lab] %s: restoring its snapshot failed, booting cold: '
                      '%s' % (self.name, str(e).splitlines()[0]),
                      file=sys.stderr, flush=True)
                self.shutdown()
                self._reset_for_cold_boot()
        return self.make_snapshot(timeout)

    def make_snapshot(self, timeout=120):
        """Boot cold to a settled shell and save it as this board's
        snapshot; the board runs on."""
        self._boot_settled(timeout)
        save_snapshot(self, self.snapshot_path())
        self.snapshot = self.snapshot_path()
        return self

    def _boot_settled(self, timeout):
        self.boot(timeout)
        self.wait_settled(timeout)
        self.sync_shell()
        return self

    def _wait_incoming(self, path, timeout):
        """Wait until QEMU has loaded the migration stream of `path`."""
        end = time.monotonic() + timeout
        while self.qmp('query-status')['status'] == 'inmigrate':
            if time.monotonic() > end:
                raise TestFailure('restoring %s did not finish' % path)
            time.sleep(0.02)

    def _start_from(self, path, timeout):
        with open(path + '.console', encoding='utf-8') as f:
            transcript = f.read()
        self.vm.add_args('-incoming', 'exec:lz4 -dc ' + path)
        self.launch()
        self._wait_incoming(path, timeout)
        status = self.qmp('query-status')['status']
        if status == 'paused':
            self.qmp('cont')    # (a snapshot taken of a stopped board)
        elif status != 'running':
            raise TestFailure('restored %s is %s, not running' % (path, status))
        self.text = transcript
        self._log.write(transcript)
        self._log.write('\n[lab] --- restored from snapshot %s ---\n'
                        % os.path.basename(path))
        self.pos = 0
        self.wait_for(r'LAB-READY (\S+) cpus=(\S+)', 1)
        self.wait_settled(1)
        self.pos = len(self.text)
        self.sync_shell()
        for p in (path, path + '.console'):
            os.utime(p)     # in use: kept by prune_snapshots()
        self.snapshot = path
        self.restored = True
        return self

    def _reset_for_cold_boot(self):
        """Undo launch() for a second try with a cold boot."""
        self._vm = None
        self.text, self.pos = '', 0

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
        self.migrate('exec:cat > ' + path, timeout)

    def migrate(self, uri, timeout=60):
        """Migrate the board to `uri` and wait until that is done (the
        board is stopped then)."""
        self.qmp('migrate', uri=uri)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            info = self.qmp('query-migrate')
            if info.get('status') == 'completed':
                return
            if info.get('status') in ('failed', 'cancelled'):
                raise TestFailure('migration %s: %s' % (info['status'], info))
            time.sleep(0.02)
        raise TestFailure('migration did not complete')

    @classmethod
    def restore(cls, name, path, timeout=60, **board_args):
        """A new board (a new QEMU) loaded from a save_state() file, still
        stopped: `qmp('cont')` runs it."""
        args = tuple(board_args.pop('qemu_args', ()))
        board = cls(name, qemu_args=args + ('-incoming', 'exec:cat ' + path,
                                            '-S'), **board_args)
        board.launch()
        try:
            board._wait_incoming(path, timeout)
        except TestFailure:
            board.shutdown()
            raise
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
