"""The gdb commands `make debug` adds, and register(), which
scripts/lab-gdb.py calls. The help texts are what `help lab-...` shows."""

import os

import gdb

from . import BUILD, say
from .console import console
from .memory import prefer_kernel_cpu, symbol_address
from .modules import ModuleList
from .pagetable import map_modules
from .symbols import SymbolFiles, default_module_path, ko_index, \
    parse_sections_file

MODULES = ModuleList()
SYMBOLS = SymbolFiles()


class ModulePath(gdb.Parameter):
    """Directories searched (recursively, in order) for the guest's .ko
    files by lab-modules, separated by ':'."""
    set_doc = 'Set the directories lab-modules searches for .ko files.'
    show_doc = 'Show the directories lab-modules searches for .ko files.'

    def __init__(self):
        super().__init__('lab-module-path', gdb.COMMAND_FILES,
                         gdb.PARAM_STRING)
        self.value = default_module_path()

    def get_show_string(self, value):
        return value


_HINTED = []


def select_cpu_for_modules():
    """After a stop that is not a breakpoint: a CPU that reads kernel and
    module memory, or (once a session) a word on what to do when none
    does."""
    if not prefer_kernel_cpu(SYMBOLS.probes()) and not _HINTED:
        _HINTED.append(True)
        say('module memory is not mapped in the page table of a CPU in '
            'the kernel yet (Linux maps it there at the first touch), so '
            'gdb cannot read module data: lab-map-modules maps it (it '
            'writes the guest\'s page tables)')


class ModuleLoadBreakpoint(gdb.Breakpoint):
    """At the entry of do_init_module(struct module *mod): the module is
    on the list with its sections, its init has not run yet."""

    def __init__(self):
        super().__init__('*do_init_module', internal=True)
        self.silent = True

    def stop(self):
        try:
            index = ko_index(gdb.parameter('lab-module-path'))
            MODULES.get_layout(index)
            if MODULES.head is None:
                MODULES.head = MODULES.head_from_module(
                    int(gdb.parse_and_eval('$r0')) & 0xffffffff)
            kernel_pkg = os.path.join(BUILD, 'kernel') + os.sep
            for _, ko, line in SYMBOLS.sync(MODULES.from_guest(index), index,
                                            quiet=True):
                # ours only: the kernel package's come by the dozen
                if ko and not ko.startswith(kernel_pkg):
                    say('module ' + line)
        except Exception as e:      # never stop the guest's module load
            say('lab-modules --auto: %s' % e)
        return False


class LabModules(gdb.Command):
    """Load the guest's module symbols at the guest's addresses.
Usage: lab-modules [--quiet] | --auto [on|off] | --from FILE

Without arguments: read the loaded modules and their section addresses
from guest memory, give gdb the symbols of each one that has a .ko in
lab-module-path (show lab-module-path), drop those of modules that went
away, and turn --auto on.
--auto: also whenever the guest loads a module (a silent breakpoint at
do_init_module); a breakpoint set before its module is loaded resolves then.
--from FILE: the addresses from a file, the output of
`grep . /sys/module/*/sections/.*` in the guest."""

    def __init__(self):
        super().__init__('lab-modules', gdb.COMMAND_FILES)
        self.auto = None

    def set_auto(self, on):
        if on and self.auto is None:
            if symbol_address('do_init_module') is None:
                raise gdb.GdbError('no do_init_module in the kernel symbols: '
                                   'no automatic loading')
            self.auto = ModuleLoadBreakpoint()
        elif not on and self.auto is not None:
            self.auto.delete()
            self.auto = None

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        quiet = '--quiet' in argv
        argv = [a for a in argv if a != '--quiet']
        index = ko_index(gdb.parameter('lab-module-path'), fresh=True)
        if argv[:1] == ['--auto']:
            on = argv[1:] in ([], ['on'])
            if argv[1:] not in ([], ['on'], ['off']):
                raise gdb.GdbError('usage: lab-modules --auto [on|off]')
            self.set_auto(on)
            say('automatic module symbols %s' % ('on' if on else 'off'))
            return
        if argv[:1] == ['--from']:
            if len(argv) != 2:
                raise gdb.GdbError('usage: lab-modules --from FILE')
            SYMBOLS.sync(parse_sections_file(argv[1]), index, quiet)
            return
        if argv:
            raise gdb.GdbError('usage: lab-modules [--from FILE] [--quiet] '
                               '| --auto [on|off]')
        # from now on also whenever a module loads (and so, when no
        # module is there yet, as soon as one is)
        self.set_auto(True)
        try:
            found = MODULES.from_guest(index)
        except gdb.MemoryError as e:
            raise gdb.GdbError('cannot read the module list: %s (is the '
                               'kernel running yet?)' % e)
        SYMBOLS.sync(found, index, quiet)
        select_cpu_for_modules()


class LabMapModules(gdb.Command):
    """Map module memory in each CPU's current page table, so that gdb
can read it from any CPU. Usage: lab-map-modules

Linux maps module memory in its own page table (swapper_pg_dir). A
process's table has the module entries swapper_pg_dir had when the table
was made; an entry added later (a MiB of the module area first used by a
later module) it gets when the kernel first touches that MiB there. Until
then gdb cannot read such a module's data or code through a CPU that runs
on that table (`Cannot access memory at address 0xbf...` after an
attach, Ctrl-C or a breakpoint in the core kernel; at a breakpoint in the
module it can). This command copies the module area's first-level
entries of swapper_pg_dir into each CPU's current table where it has
none: what the kernel's translation fault handler would copy at the
first touch, nothing else. It writes guest memory, and only when you run
it; after the guest has run, a CPU may be on another table that needs it.
"""

    def __init__(self):
        super().__init__('lab-map-modules', gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if arg.strip():
            raise gdb.GdbError('usage: lab-map-modules')
        for cpu, what in map_modules():
            say('CPU%d: %s' % (cpu, what))


class LabSh(gdb.Command):
    """Type a command into the guest's shell and let the guest run: lab-sh
[COMMAND]. The guest runs until a breakpoint stops it (gdb shows where) or
until its shell prompt is back (gdb's prompt then; the guest stays stopped
until the next continue or lab-sh). Without COMMAND: run until the shell
prompts (at boot: until the shell is up and /init has loaded the
board's drivers)."""

    def __init__(self):
        super().__init__('lab-sh', gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        con = console()
        arg = arg.strip()
        if arg and not con.shell_idle():
            # booting, or a command still running: what is typed before
            # the shell reads it can be lost
            if con.run():
                say('stopped before the shell was ready; lab-sh again to '
                    'type the command')
                return
        # without a command at an idle shell: an empty line, a new prompt
        line = arg if arg or con.shell_idle() else None
        if not con.run(line):
            gdb.write('\n')
            say('guest stopped at its shell prompt')
            select_cpu_for_modules()


def register():
    ModulePath()
    LabModules()
    LabMapModules()
    LabSh()
    gdb.execute('set breakpoint pending on')
    gdb.execute('set confirm off')
    if os.environ.get('LAB_CONSOLE'):
        console()   # from the start: the boot log is printed as it comes
