"""The guest's serial console in the board scripts/debug boots, and the
board's QMP monitor to stop the guest when its shell prompts.

scripts/debug gives QEMU's console to a Unix socket (LAB_CONSOLE) and its
QMP monitor to another (LAB_QMP). A thread prints what the guest sends,
as it arrives, to gdb's terminal (the guest only runs, and so only
prints, while gdb waits for it), and notes each shell prompt; while
lab-sh waits for one, the guest is stopped once it appears. QMP goes
through QEMU's own qemu.qmp (build/qemu-src/python, the source tree
scripts/build-qemu keeps), the package tests/lablib.py uses too.
"""

import asyncio
import atexit
import os
import re
import socket
import sys
import threading
import time

import gdb

from . import BUILD

ESCAPE = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
QEMU_PYTHON = os.path.join(BUILD, 'qemu-src', 'python')


def qmp_client(path):
    """A sync QMP client (qemu.qmp.legacy) for the monitor at path, made
    for the calling thread: it runs an asyncio loop, and that loop
    must be the calling thread's."""
    if QEMU_PYTHON not in sys.path:
        sys.path.insert(0, QEMU_PYTHON)
    try:
        from qemu.qmp.legacy import QEMUMonitorProtocol
    except ImportError as e:
        raise RuntimeError('no qemu.qmp in %s (%s): build QEMU first '
                           '(make qemu)' % (QEMU_PYTHON, e)) from None
    asyncio.set_event_loop(asyncio.new_event_loop())
    # Once in three suite runs the first message on the socket was not
    # QEMU's greeting ("Did not understand Greeting"); the cause is not
    # known. A new connection gets a greeting of its own: try again.
    for attempt in range(5):
        qmp = QEMUMonitorProtocol(path)
        try:
            qmp.connect()
            return qmp
        except Exception as e:          # qemu.qmp's own error classes
            failure = e
            try:
                qmp.close()
            except Exception:
                pass
            time.sleep(0.2)
    raise failure


class Stopper(threading.Thread):
    """Stops the guest through QMP `stop` when asked, as often as it
    takes: a stop that lands while gdb handles a breakpoint of its own
    (the module one) is a no-op, and gdb resumes the guest. Ctrl-C
    (SIGINT to gdb) would be lost the same way, and a second one makes
    gdb offer to disconnect. One thread for the whole session, which
    owns the QMP connection (connected at the first stop)."""

    def __init__(self, path, wanted):
        super().__init__(daemon=True)
        self.path = path
        self.wanted = wanted    # wanted(run_id): that lab-sh still waits
        self.cond = threading.Condition()
        self.request = None     # the run_id to stop, or 'close'
        self.qmp = None
        self.start()
        atexit.register(self.close)

    def stop_guest(self, run_id):
        with self.cond:
            self.request = run_id
            self.cond.notify()

    def close(self):
        """At gdb's exit: the QMP connection closed by its own thread."""
        with self.cond:
            self.request = 'close'
            self.cond.notify()
        self.join(2)

    def run(self):
        while True:
            with self.cond:
                while self.request is None:
                    self.cond.wait()
                run_id, self.request = self.request, None
            if run_id == 'close':
                try:
                    if self.qmp is not None:
                        self.qmp.close()
                except Exception:
                    pass        # (QEMU went first)
                return
            try:
                self._stop_guest(run_id)
            except Exception as e:      # (a thread: nobody to raise to)
                os.write(1, ('\n[lab] cannot stop the guest through QMP '
                             '(%s): Ctrl-C stops it\n' % e).encode())

    def _stop_guest(self, run_id):
        # A first short wait lets the shell go to sleep in read(): the
        # CPUs idle in the kernel, where gdb can read kernel memory
        # (QEMU reads as the CPU's mode allows).
        delay = 0.1
        while True:
            time.sleep(delay)
            if not self.wanted(run_id):
                return          # that lab-sh has its stop
            if self.qmp is None:
                self.qmp = qmp_client(self.path)
            self.qmp.command('stop')
            self.qmp.clear_events()     # (STOP, RESUME: nobody reads them)
            delay = 0.5


class Console:
    """The console socket: its reader thread, the prompts seen, and
    lab-sh's typing and waiting."""

    PROMPT = re.compile(r'(^|\n)imx7d-lab:[^\n#]*# ')

    def __init__(self, path, qmp_path):
        self.sock = socket.socket(socket.AF_UNIX)
        for _ in range(50):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise gdb.GdbError('cannot connect to the guest console at '
                               + path)
        self.text = ''          # what the console printed (the tail)
        self.prompt_at = -1     # where the last shell prompt ends in text
        self.sent_at = 0        # where text ended when lab-sh typed
        self.watch = False      # lab-sh waits for a prompt
        self.stopping = False   # ... and it came: the guest is being stopped
        self.run_id = 0
        self.coldplug = False   # /init said its boot-time modules are in
        self.lab_init = False   # the lab's /init (LAB-READY) runs
        self.booted = False     # the first prompt is the boot's end
        self.lock = threading.Lock()
        self.stopper = Stopper(qmp_path, self._still_waiting)
        threading.Thread(target=self._reader, daemon=True).start()

    def _still_waiting(self, run_id):
        with self.lock:
            return self.watch and self.run_id == run_id

    def _reader(self):
        held = b''
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            # The shell asks the terminal where the cursor is (ESC [6n);
            # the answer would be typed into gdb, not the guest. (A
            # sequence cut between two reads waits for the rest.)
            data = (held + data).replace(b'\x1b[6n', b'')
            cut = data.rfind(b'\x1b')
            held, data = (data[cut:], data[:cut]) \
                if cut >= 0 and len(data) - cut < 4 else (b'', data)
            os.write(1, data)
            with self.lock:
                self._seen(data)

    def _seen(self, data):
        """Note prompts and /init's markers in what just came (the lock
        held); ask for the stop lab-sh waits for."""
        start = max(0, len(self.text) - 64)
        self.text += ESCAPE.sub('', data.decode('utf-8', 'replace')
                                .replace('\r', ''))
        if len(self.text) > 1 << 20:
            drop = len(self.text) - (1 << 16)
            self.text = self.text[drop:]
            self.prompt_at -= drop
            self.sent_at -= drop
            start = max(0, start - drop)
        for m in self.PROMPT.finditer(self.text, start):
            self.prompt_at = max(self.prompt_at, m.end())
        self.lab_init |= 'LAB-READY' in self.text[start:]
        self.coldplug |= 'LAB-COLDPLUG-DONE' in self.text[start:]
        # at boot: the prompt, and the lab's /init done loading the
        # board's drivers (/dev/fb0 is there)
        if self.watch and not self.stopping and \
                self.prompt_at > self.sent_at and \
                (self.booted or self.coldplug or not self.lab_init):
            self.stopping = True
            self.stopper.stop_guest(self.run_id)

    def shell_idle(self):
        """The shell prompted after the last command lab-sh typed."""
        with self.lock:
            return self.prompt_at > self.sent_at

    def run(self, line=None):
        """Type `line` (if any) and continue the guest until it stops on
        its own (a breakpoint, Ctrl-C: returns True) or the shell prompts
        again (False)."""
        with self.lock:
            if line is not None or self.prompt_at > self.sent_at:
                # wait for a prompt printed from now on
                self.sent_at = len(self.text)
            self.watch, self.stopping = True, False
            self.run_id += 1
        if line is not None:
            self.sock.sendall(line.encode() + b'\n')
        try:
            gdb.execute('continue')
        finally:
            with self.lock:
                prompted = self.stopping
                self.watch = self.stopping = False
                self.booted = self.booted or prompted
        return not prompted


CONSOLE = None


def console():
    """The board's console (made at the first call)."""
    global CONSOLE
    if CONSOLE is None:
        path = os.environ.get('LAB_CONSOLE')
        if not path:
            raise gdb.GdbError('no guest console here: lab-sh works in the '
                               'board scripts/debug boots, not with --attach')
        CONSOLE = Console(path, os.environ['LAB_QMP'])
    return CONSOLE
