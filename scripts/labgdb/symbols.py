"""gdb's symbol files for the guest's modules: which .ko on the host is
which module, and a copy of it per load address (elf.py) given to gdb
with add-symbol-file, removed again when the module moves or goes."""

import atexit
import os
import re
import shutil

import gdb

from . import BUILD, ROOT, say
from .elf import relocated_copy

_SCRATCH = []


def scratch_dir():
    """Where this gdb keeps its relocated module copies: removed at exit,
    and by the next gdb if this one is killed."""
    if not _SCRATCH:
        top = os.path.join(BUILD, 'debug')
        os.makedirs(top, exist_ok=True)
        for old in os.listdir(top):
            m = re.match(r'^modules-(\d+)$', old)
            if m and not os.path.exists('/proc/' + m.group(1)):
                shutil.rmtree(os.path.join(top, old), True)
        path = os.path.join(top, 'modules-%d' % os.getpid())
        os.makedirs(path, exist_ok=True)
        _SCRATCH.append(path)
        atexit.register(shutil.rmtree, path, True)
    return _SCRATCH[0]


def default_module_path():
    """Our modules first, then the kernel's own: Debian's package
    (kernel.mk says where scripts/fetch-kernel put it), or with
    KERNEL_SRC=1 the source kernel's object tree, whose .ko files keep
    their debug info. LAB_MODULES is where the Makefile built ours."""
    modules = os.environ.get('LAB_MODULES') or BUILD
    dirs = [os.path.join(modules, 'guest-driver'),
            os.path.join(modules, 'upstream')]
    source = os.environ.get('LAB_KERNEL_SRC')
    mk, var = ((os.path.join(BUILD, 'kernel-src', source, 'kernel.mk'),
                'SRC_KDIR') if source else
               (os.path.join(BUILD, 'kernel', 'kernel.mk'), 'DEBIAN_KMODDIR'))
    try:
        with open(mk) as f:
            m = re.search(r'^%s := (.*)$' % var, f.read(), re.M)
        if m:
            dirs.append(m.group(1).strip())
    except OSError:
        pass
    return ':'.join(dirs)


_KO_INDEX = {}


def ko_index(path, fresh=False):
    """Module name -> .ko path: the first file of that name in path order
    (the kernel names a module after its file, '-' read as '_'). Kept
    between calls: the module breakpoint uses it on every module load."""
    if not fresh and path in _KO_INDEX:
        return _KO_INDEX[path]
    index = _KO_INDEX[path] = {}
    for top in path.split(':'):
        for dirpath, _, files in sorted(os.walk(top)):
            for f in sorted(files):
                if f.endswith('.ko'):
                    index.setdefault(f[:-3].replace('-', '_'),
                                     os.path.join(dirpath, f))
    return index


SYSFS_LINE = re.compile(
    r'^/sys/module/([^/]+)/sections/([^:]+):(0x[0-9a-f]+)$', re.I)
PLAIN_LINE = re.compile(r'^(\S+)\s+(\S+)\s+(0x[0-9a-f]+)$', re.I)


def parse_sections_file(path):
    """{module: {section: address}} from lines like
    /sys/module/NAME/sections/SECT:0xADDR (grep . output) or
    NAME SECT ADDR."""
    found = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = SYSFS_LINE.match(line) or PLAIN_LINE.match(line)
            if m:
                found.setdefault(m.group(1), {})[m.group(2)] = \
                    int(m.group(3), 16)
    if not found:
        raise gdb.GdbError('%s: no section addresses in it (expected the '
                           'output of `grep . /sys/module/*/sections/.*`)'
                           % path)
    return found


class SymbolFiles:
    def __init__(self):
        self.loaded = {}    # module name -> (symbol file, (ko, sections))

    def probes(self):
        """An address in each MiB of module memory gdb has symbols for
        (a module's .text), to check that a CPU can read them all: each
        MiB has its own first-level page-table entry (pagetable.py)."""
        seen = {}
        for _, (_, (_, sects)) in sorted(self.loaded.items()):
            addr = dict(sects).get('.text')
            if addr is not None:
                seen.setdefault(addr >> 20, addr)
        return sorted(seen.values())

    def sync(self, found, index, quiet=False):
        """Make gdb's module symbol files match `found` ({module:
        {section: address}}); what changed, as [(module, its .ko or
        None, a line to report)]."""
        report = []
        for name in sorted(set(self.loaded) - set(found)):
            path, _ = self.loaded.pop(name)
            gdb.execute('remove-symbol-file %s' % path, to_string=True)
            report.append((name, None, '%-16s unloaded' % name))
        for name, sects in sorted(found.items()):
            ko = index.get(name)
            if ko is None:
                report.append((name, None, '%-16s (no .ko in lab-module-path)'
                               % name))
                continue
            if not sects:
                continue    # still loading: its own do_init_module comes
            key = (ko, tuple(sorted(sects.items())))
            if name in self.loaded and self.loaded[name][1] == key:
                continue
            known = name in self.loaded
            if known:
                # moved, or its init sections are gone (freed after init)
                gdb.execute('remove-symbol-file %s' % self.loaded.pop(name)[0],
                            to_string=True)
            try:
                path, placed = relocated_copy(ko, sects, scratch_dir())
            except ValueError as e:
                raise gdb.GdbError(str(e)) from None
            if path is None:
                report.append((name, ko, '%-16s (no section of the .ko '
                               'loaded)' % name))
                continue
            gdb.execute('add-symbol-file %s' % path, to_string=True)
            self.loaded[name] = (path, key)
            if known:
                continue
            report.append((name, ko, '%-16s .text 0x%08x  %s' % (
                name, sects.get('.text', 0), os.path.relpath(ko, ROOT)
                if ko.startswith(ROOT + os.sep) else ko)))
        if not quiet:
            for _, _, line in report:
                say(line)
            say('%d modules in the guest, symbols for %d'
                % (len(found), len(self.loaded)))
        return report
