"""scripts/setup-host on a machine that has none of the lab's packages, with
dpkg-query, dpkg and apt-get replaced by stubs on PATH: it must reach the
install step and name what it installs, name what failed when the install
fails, and name the fix when it is not root and has no sudo. And no setup
script stops without saying why (scripts/lib.sh's ERR trap)."""
import os
import subprocess
import tempfile

from lablib import ROOT, expect

SETUP_HOST = os.path.join(ROOT, 'scripts', 'setup-host')
LIB = os.path.join(ROOT, 'scripts', 'lib.sh')

# A fresh machine's dpkg-query -W: every package unknown, exit 1.
DPKG_QUERY = r'''#!/bin/sh
for p in "$@"; do
	case $p in -*) ;; *) echo "dpkg-query: no packages found matching $p" >&2 ;; esac
done
exit 1
'''
# armhf is already enabled, so only packages are left to do.
DPKG = r'''#!/bin/sh
case $1 in --print-foreign-architectures) echo armhf ;; esac
'''
# apt-get logs its calls; `install` exits $INSTALL_EXIT.
APT_GET = r'''#!/bin/sh
echo "$*" >>"$APT_LOG"
case " $* " in
*" install "*)
	if [ "${INSTALL_EXIT:-0}" != 0 ]; then
		echo "E: Unable to locate package (stub)" >&2
		exit "$INSTALL_EXIT"
	fi ;;
esac
'''
# a user who is not root
ID = r'''#!/bin/sh
case $1 in -u) echo 1000 ;; -un) echo labuser ;; *) echo 'uid=1000(labuser)' ;; esac
'''


def stub(bindir, name, text):
    path = os.path.join(bindir, name)
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, 0o755)


def run_setup_host(tmp, install_exit=0, non_root=False):
    bindir = os.path.join(tmp, 'bin')
    os.makedirs(bindir)
    stub(bindir, 'dpkg-query', DPKG_QUERY)
    stub(bindir, 'dpkg', DPKG)
    stub(bindir, 'apt-get', APT_GET)
    path = bindir
    if non_root:
        stub(bindir, 'id', ID)
        # the machine's own commands, less sudo
        tools = os.path.join(tmp, 'tools')
        os.makedirs(tools)
        for d in ('/usr/local/bin', '/usr/bin', '/bin'):
            for name in os.listdir(d) if os.path.isdir(d) else ():
                link = os.path.join(tools, name)
                if name != 'sudo' and not os.path.lexists(link):
                    os.symlink(os.path.join(d, name), link)
        path += ':' + tools
    else:
        path += ':' + os.environ['PATH']
    # an apt configuration that already has its deb-src entries
    etc = os.path.join(tmp, 'etc-apt')
    os.makedirs(os.path.join(etc, 'sources.list.d'))
    with open(os.path.join(etc, 'sources.list'), 'w') as f:
        f.write('deb file:/nonexistent bookworm main\n'
                'deb-src file:/nonexistent bookworm main\n')
    log = os.path.join(tmp, 'apt.log')
    env = dict(os.environ, PATH=path, LAB_APT_ETC=etc, APT_LOG=log,
               INSTALL_EXIT=str(install_exit), LAB_CACHE=os.path.join(tmp, 'c'))
    proc = subprocess.run(['bash', SETUP_HOST], capture_output=True,
                          text=True, env=env, timeout=120)
    calls = open(log).read().splitlines() if os.path.exists(log) else []
    return proc, calls


def test_fresh_machine_reaches_install():
    """dpkg-query exits 1 on a fresh machine; under pipefail that once
    ended setup-host before it printed a word."""
    with tempfile.TemporaryDirectory() as tmp:
        proc, calls = run_setup_host(tmp)
        expect(proc.returncode == 0, 'setup-host failed (exit %d):\n%s'
               % (proc.returncode, proc.stderr))
        installs = [c for c in calls if ' install ' in ' %s ' % c]
        expect(installs, 'apt-get install never called; apt-get calls: %r\n'
               'stderr:\n%s' % (calls, proc.stderr))
        for pkg in ('gcc-arm-linux-gnueabihf', 'ninja-build', 'gdb-multiarch'):
            expect(pkg in installs[0].split(), '%s not installed: %s'
                   % (pkg, installs[0]))
            expect(pkg in proc.stderr, 'the log does not name %s:\n%s'
                   % (pkg, proc.stderr))
        expect(any(c.split()[-1] == 'update' for c in calls),
               'no apt-get update before the install: %r' % calls)


def test_failing_install_names_packages():
    with tempfile.TemporaryDirectory() as tmp:
        proc, calls = run_setup_host(tmp, install_exit=100)
        expect(proc.returncode != 0, 'a failed install passed')
        expect(len([c for c in calls if ' install ' in ' %s ' % c]) == 3,
               'install not tried 3 times: %r' % calls)
        last = proc.stderr.strip().splitlines()[-1]
        expect(last.startswith('[lab] ERROR:') and 'ninja-build' in last
               and 'gcc-arm-linux-gnueabihf' in last,
               'the last line is not an ERROR naming the packages:\n'
               + proc.stderr)
        expect('Unable to locate package' in proc.stderr,
               "apt-get's own error is not shown:\n" + proc.stderr)


def test_non_root_without_sudo_is_told_the_fix():
    with tempfile.TemporaryDirectory() as tmp:
        proc, calls = run_setup_host(tmp, non_root=True)
        expect(proc.returncode != 0, 'setup-host passed without root')
        expect(not calls, 'apt-get was called without root: %r' % calls)
        expect('sudo is not installed' in proc.stderr and
               'run the command as root' in proc.stderr,
               'no message naming the missing sudo and the fix:\n'
               + proc.stderr)
        expect('retrying' not in proc.stderr, 'retried without root:\n'
               + proc.stderr)


def test_a_failing_command_is_named():
    """lib.sh's ERR trap: the script, the command and its exit code, once,
    also from a subshell and a command substitution; nothing for a failure
    inside a command substitution that the script goes on from."""
    cases = {
        'plain': ('ls /nonexistent-lab-path',
                  'ls /nonexistent-lab-path (exit 2)'),
        'subshell': ('( cd / && ls /nonexistent-lab-path )',
                     'ls /nonexistent-lab-path (exit 2)'),
        'substitution': ('x=$(grep -q lab-nothing /dev/null)',
                         'x=$(grep -q lab-nothing /dev/null) (exit 1)'),
        # bash traps inside $(...) too, where a failure stops nothing
        'tolerated': ('x=$(ls /nonexistent-lab-a 2>/dev/null; echo ok); '
                      'test "$x" = ok; ls /nonexistent-lab-b',
                      'ls /nonexistent-lab-b (exit 2)'),
        'apt hint': ('apt-get install nothing',
                     'apt-get install nothing (exit 100)'),
    }
    with tempfile.TemporaryDirectory() as tmp:
        stub(tmp, 'apt-get', '#!/bin/sh\nexit 100\n')
        env = dict(os.environ, PATH=tmp + ':' + os.environ['PATH'])
        for name, (body, want) in cases.items():
            script = os.path.join(tmp, 'lab-step')
            with open(script, 'w') as f:
                f.write('set -euo pipefail\n. "%s"\n%s\necho not-reached\n'
                        % (LIB, body))
            proc = subprocess.run(['bash', script], capture_output=True,
                                  text=True, timeout=30, env=env)
            errors = [l for l in proc.stderr.splitlines()
                      if l.startswith('[lab] ERROR:')]
            expect(proc.returncode != 0 and 'not-reached' not in proc.stdout,
                   '%s: the script went on' % name)
            expect(errors == ['[lab] ERROR: lab-step: ' + want],
                   '%s: want one line "[lab] ERROR: lab-step: %s", got:\n%s'
                   % (name, want, proc.stderr))
            if name == 'apt hint':
                expect('what to do: check the machine' in proc.stderr,
                       'no hint for a failed apt-get:\n' + proc.stderr)
