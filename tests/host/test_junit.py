"""tests/run --junit-xml and tests/run PATH: a directory of a user's own
tests runs with the lab's tally, and the XML file a CI system reads agrees
with it test by test. A module that fails to load is a failure of its own,
and the run goes on (the runner once died of one, tally and all)."""
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from lablib import ROOT, expect

RUN = os.path.join(ROOT, 'tests', 'run')

USER_TESTS = '''
from lablib import expect


def test_passes():
    expect(1 + 1 == 2, 'arithmetic')


def test_fails():
    expect(False, 'the panel stayed <black> & "dark"\\nsecond line')


def test_raises():
    raise RuntimeError('a bug in the test')
'''


def test_junit_xml_matches_the_tally():
    with tempfile.TemporaryDirectory() as tmp:
        tests = os.path.join(tmp, 'my-driver-tests')
        os.makedirs(tests)
        with open(os.path.join(tests, 'test_mine.py'), 'w') as f:
            f.write(USER_TESTS)
        with open(os.path.join(tests, 'test_broken.py'), 'w') as f:
            f.write('raise OSError("as a free_port() without localhost")\n')
        xml = os.path.join(tmp, 'out', 'junit.xml')
        proc = subprocess.run([RUN, '--junit-xml', xml, tests],
                              capture_output=True, text=True, timeout=120)
        expect(proc.returncode == 1, 'runner exit %d with a failing test'
               % proc.returncode)
        tally = re.search(r'^(\d+) passed, (\d+) failed$', proc.stdout, re.M)
        expect(tally and tally.groups() == ('1', '3'),
               'tally is not 1 passed, 3 failed:\n' + proc.stdout)
        root = ET.parse(xml).getroot()     # raises if not well-formed
        expect(root.tag == 'testsuites' and root.get('tests') == '4'
               and root.get('failures') == '3',
               'testsuites counts: %r' % root.attrib)
        broken = root.findall("./testsuite[@name='test_broken']/testcase")
        expect(len(broken) == 1 and broken[0].get('name') == '(load)' and
               'without localhost' in broken[0].find('failure').text,
               'the module that failed to load is not a failed testcase')
        cases = root.findall("./testsuite[@name='test_mine']/testcase")
        expect(len(cases) == 3, '%d testcases, want 3' % len(cases))
        by_name = {c.get('name'): c for c in cases}
        expect(set(by_name) == {'test_passes', 'test_fails', 'test_raises'},
               'testcase names: %r' % sorted(by_name))
        for c in cases:
            expect(c.get('classname') == 'test_mine' and
                   float(c.get('time')) >= 0, 'testcase attributes: %r'
                   % c.attrib)
        expect(by_name['test_passes'].find('failure') is None,
               'a passing test has a failure element')
        fail = by_name['test_fails'].find('failure')
        expect(fail is not None and
               fail.get('message') == 'the panel stayed <black> & "dark"'
               and 'second line' in fail.text,
               'failure message and text: %r %r'
               % (fail.attrib if fail is not None else None,
                  fail.text if fail is not None else None))
        raised = by_name['test_raises'].find('failure')
        expect(raised is not None and 'RuntimeError' in raised.text,
               'a test that raised has no traceback in its failure')
        suite = root.find("testsuite[@name='test_mine']")
        expect(suite.get('tests') == '3' and suite.get('failures') == '2',
               'testsuite counts: %r' % suite.attrib)
