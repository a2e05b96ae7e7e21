"""scripts/run: documented options, and a usage error for anything else."""
import os
import subprocess

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
