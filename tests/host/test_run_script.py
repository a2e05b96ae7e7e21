"""scripts/run: documented options, and a usage error for anything else."""
import os
import socket
import subprocess
import time

from lablib import ROOT, expect

RUN = os.path.join(ROOT, 'scripts', 'run')


def test_help_documents_every_option():
    proc = subprocess.run([RUN, '--help'], capture_output=True, text=True)
    expect(proc.returncode == 0, 'run --help exited %d' % proc.returncode)
    src = open(RUN).read()
    for opt in ('--qemu', '--kernel', '--zimage', '--dtb', '--initrd',
                '--append', '--smp', '--mem', '--machine', '--display',
                '--vnc', '--help'):
        expect(opt in proc.stdout, opt + ' missing from --help')
        expect(opt + ')' in src or opt + '|' in src or '|' + opt in src,
               opt + ' documented but not handled')


def test_unknown_option_is_a_usage_error():
    proc = subprocess.run([RUN, '--no-such-option'], capture_output=True,
                          text=True)
    expect(proc.returncode == 2, 'exit %d, want 2' % proc.returncode)
    expect("unknown option '--no-such-option'" in proc.stderr,
           'no message naming the option: ' + proc.stderr)
    expect('usage: scripts/run' in proc.stderr, 'no usage text')


def test_boots_to_shell_with_two_cpus():
    # lab.noshell: /init powers off after its ready line instead of a shell
    proc = subprocess.run([RUN, '--display', 'none', '--append', 'lab.noshell'],
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    expect(proc.returncode == 0, 'run exited %d:\n%s'
           % (proc.returncode, proc.stderr[-2000:]))
    expect('LAB-READY ' in proc.stdout and 'cpus=0-1' in proc.stdout,
           'no ready line with 2 CPUs:\n' + proc.stdout[-2000:])


def test_psci_off_boots_and_powers_off():
    # without PSCI, Linux starts CPU1 through the SRC and powers the board
    # off through the SNVS node QEMU adds for psci=off
    proc = subprocess.run([RUN, '--display', 'none', '--machine', 'psci=off',
                           '--append', 'lab.noshell'],
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    expect(proc.returncode == 0, 'run exited %d:\n%s'
           % (proc.returncode, proc.stderr[-2000:]))
    expect('cpus=0-1' in proc.stdout and 'started in SVC mode' in proc.stdout
           and 'reboot: Power down' in proc.stdout,
           'no SVC boot with 2 CPUs and power-off:\n' + proc.stdout[-2000:])


def test_display_on_vnc_without_x():
    env = dict(os.environ)
    env.pop('DISPLAY', None)
    proc = subprocess.Popen([RUN, '--vnc', 'localhost:57', '--append',
                             'lab.noshell'], env=env, text=True,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        banner = b''
        while time.monotonic() < deadline and not banner:
            try:
                with socket.create_connection(('localhost', 5957), 1) as s:
                    banner = s.recv(12)
            except OSError:
                time.sleep(0.2)
        expect(banner.startswith(b'RFB '), 'no VNC server on port 5957')
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    expect('VNC at localhost:57 (port 5957)' in err,
           'run did not say where the display is:\n' + err)
