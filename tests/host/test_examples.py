"""tests/examples/: the example of a developer's own test directory runs
through tests/run PATH with the lab's fixtures and tally, so the lablib
API that tests/README.md documents with it stays true."""
import os
import re
import signal
import subprocess

from lablib import ROOT, expect

RUN = os.path.join(ROOT, 'tests', 'run')
EXAMPLES = os.path.join(ROOT, 'tests', 'examples')


def test_example_directory_passes():
    # a session of its own: if this test is stopped (its time limit), the
    # boards the inner runner started go with it, not on running
    proc = subprocess.Popen([RUN, EXAMPLES], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    tally = re.search(r'^(\d+) passed, (\d+) failed$', out, re.M)
    expect(tally, 'no tally:\n' + out[-2000:] + err[-2000:])
    expect(tally.group(2) == '0' and proc.returncode == 0,
           'the example tests failed:\n' + out[-3000:])
    expect(int(tally.group(1)) == 6, 'expected the 6 example tests, got %s'
           % tally.group(1))
