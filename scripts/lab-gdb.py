"""gdb commands for debugging the lab board's guest kernel and its modules.

scripts/debug sources this into gdb-multiarch; by hand:
`gdb-multiarch -x scripts/lab-gdb.py -ex 'target remote :PORT'`. The code
is the package scripts/labgdb/ (its __init__.py says which file does
what); this file puts it on gdb's path and registers the commands.

  lab-modules [--quiet]
      Load the symbols of every guest module that has a .ko on the host
      (build/guest-driver, build/upstream, then the kernel package's:
      `show lab-module-path`) at the addresses the guest loaded it at,
      what `add-symbol-file X.ko <.text> -s .data <addr>...` with the
      addresses from /sys/module/X/sections does by hand. Modules that
      moved or went away leave gdb. Turns on --auto.
  lab-modules --auto [on|off]
      Do that again whenever the guest loads a module, from a silent
      breakpoint at the kernel's do_init_module(): a breakpoint on a
      module's function, set before the module is there, resolves when
      it loads (its init function included).
  lab-modules --from FILE
      The same from addresses the guest printed, e.g. the output of
      `grep . /sys/module/*/sections/.*` saved on the host.
  lab-sh [COMMAND]
      Type COMMAND into the guest's shell and let the guest run until a
      breakpoint stops it or the shell prompt is back (in the board
      scripts/debug boots: it gives QEMU's console and monitor to gdb).
  lab-map-modules
      Map module memory in each CPU's current page table (copies the
      kernel's entries, as Linux does at a first touch), for gdb's reads
      of module data from a CPU stopped outside the module. The only
      command that writes guest memory; never run by itself.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from labgdb import commands  # noqa: E402  (path set just above)

commands.register()
