"""tests/examples/: the example of a developer's own test directory runs
through tests/run PATH with the lab's fixtures and tally, so the lablib
API that tests/README.md documents with it stays true."""
import os
import re
import subprocess

from lablib import ROOT, expect

RUN = os.path.join(ROOT, 'tests', 'run')
EXAMPLES = os.path.join(ROOT, 'tests', 'examples')


def test_example_directory_passes():
    proc = subprocess.run([RUN, EXAMPLES], capture_output=True, text=True,
                          timeout=600)
    tally = re.search(r'^(\d+) passed, (\d+) failed$', proc.stdout, re.M)
    expect(tally, 'no tally:\n' + proc.stdout[-2000:] + proc.stderr[-2000:])
    expect(tally.group(2) == '0' and proc.returncode == 0,
           'the example tests failed:\n' + proc.stdout[-3000:])
    expect(int(tally.group(1)) == 6, 'expected the 6 example tests, got %s'
           % tally.group(1))
