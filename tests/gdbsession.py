"""Shared by the gdb system tests: scripts/debug in batch mode, run while
the test drives the guest."""
import os
import re
import signal
import socket
import subprocess
import threading
import time

from lablib import ROOT, TestFailure, expect

DEBUG = os.path.join(ROOT, 'scripts', 'debug')


def free_port():
    with socket.socket() as s:
        s.bind(('localhost', 0))
        return s.getsockname()[1]


class Gdb:
    """scripts/debug with gdb in batch mode, its output collected as it
    comes so that the test can act on the guest while gdb waits."""

    def __init__(self, *commands, args, timeout=120):
        argv = [DEBUG] + args + ['--batch', '--']
        for c in commands:
            argv += ['-ex', c]
        # a session of its own: on a timeout the whole of it is stopped
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.out = ''
        self.pos = 0
        self.deadline = time.monotonic() + timeout
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b''):
            with self.lock:
                self.out += chunk.decode('utf-8', 'replace').replace('\r', '')

    def wait_for(self, pattern):
        """Wait until gdb prints `pattern` (after earlier waits' matches)."""
        rx = re.compile(pattern, re.M)
        while True:
            with self.lock:
                m = rx.search(self.out, self.pos)
                if m:
                    self.pos = m.end()
                    return m
            if self.proc.poll() is not None and not self.reader.is_alive():
                raise TestFailure('gdb exited (%s) before /%s/:\n%s'
                                  % (self.proc.returncode, pattern,
                                     self.out[-3000:]))
            if time.monotonic() > self.deadline:
                self.kill()
                raise TestFailure('gdb: no /%s/ in time:\n%s'
                                  % (pattern, self.out[-3000:]))
            time.sleep(0.05)

    def finish(self):
        """Wait for gdb to exit; its whole output."""
        try:
            self.proc.wait(max(1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            raise TestFailure('gdb did not finish in time:\n'
                              + self.out[-3000:])
        self.reader.join(5)
        expect(self.proc.returncode == 0, 'scripts/debug exited %d:\n%s'
               % (self.proc.returncode, self.out[-3000:]))
        return self.out

    def kill(self):
        """SIGTERM first: gdb detaches (QEMU would keep a guest that gdb
        leaves without a word stopped), scripts/debug stops its board."""
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(wait)
                return
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass


def run_gdb(*commands, **kw):
    return Gdb(*commands, **kw).finish()


def run_gdb(*commands, **kw):
    return Gdb(*commands, **kw).finish()


def quiet(board):
    """Kernel messages off the console: the Wi-Fi driver's boot chatter
    would land in the middle of the output parsed here. And /init's
    background module loads done: each one stops at gdb's module
    breakpoint, and one on the other CPU while a test sits at its own
    breakpoint left gdb thinking the target was running."""
    board.wait_settled()
    board.run('dmesg -n 1')
