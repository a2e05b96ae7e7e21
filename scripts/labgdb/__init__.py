"""The gdb side of `make debug`, one file a job (scripts/lab-gdb.py is
what gdb sources; it registers the commands of commands.py):

  commands.py   the gdb commands and the lab-module-path parameter
  memory.py     guest memory through QEMU's gdb stub, and which CPU to
                read the kernel through
  pagetable.py  the kernel's own page table: reads of module memory the
                CPU's table does not map yet, and lab-map-modules' copy
  modules.py    the kernel's module list and each module's sections,
                read from guest memory
  symbols.py    gdb's symbol files for those modules (.ko search, copies)
  elf.py        a .ko copy whose section headers hold the load addresses
  console.py    the guest's serial console, and QMP (qemu.qmp) to stop
                the guest at its shell prompt

Nothing here writes guest memory except lab-map-modules, on request.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get('LAB_ROOT', os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get('LAB_BUILD', os.path.join(ROOT, 'build'))


def say(msg):
    """A line of the lab's own, set apart from gdb's."""
    import gdb      # here: elf.py is also used (and tested) without gdb
    gdb.write('[lab] %s\n' % msg)
