"""The guest kernel's own page table (swapper_pg_dir) and module memory.

On 32-bit ARM, module_alloc() maps new module memory in swapper_pg_dir.
A process's table gets the module area's first-level entries (the 16 MiB
below PAGE_OFFSET, from TASK_SIZE up) as they are when the table is made
(pgd_alloc, at fork and exec); an entry swapper_pg_dir gets later, for a
MiB of the area a later module is the first to use, reaches the process's
table only when the kernel, running in that process, first touches it
(do_translation_fault copies it). QEMU's gdb stub translates with the
selected CPU's current table, so a module can be unreadable through a CPU
stopped on behalf of an older process (after an attach, Ctrl-C, a
breakpoint in the core kernel; a CPU stopped at a breakpoint in the
module has the entry).

Two uses, kept apart:
- read_kernel(): the lab's own reads of module memory (the module list
  walk) fall back to translating with swapper_pg_dir here and reading
  through the kernel's linear map of RAM, which every table has.
  Read-only: classic short descriptors (the armmp kernel is not LPAE).
- map_modules(): what lab-map-modules does on request, so that gdb's
  own reads (print a module's data, x/i its code, bt through it) work
  from any CPU: copy the module area's first-level entries of
  swapper_pg_dir into each CPU's current table where it has none, the
  entries do_translation_fault would copy on the first touch. It is the
  one place the lab writes guest memory, so it never runs by itself.
"""

import gdb

from .memory import raw_read, raw_word, symbol_address

MODULES_SIZE = 16 << 20
L1_SECTION, L1_TABLE = 2, 1


class KernelPageTable:
    """swapper_pg_dir, found in guest memory, and translation with it."""

    def __init__(self):
        self.pgd = None

    def find(self):
        """swapper_pg_dir: the 16 KiB table just below the kernel image
        (PAGE_OFFSET + TEXT_OFFSET - 16 KiB; no symbol for it in
        kallsyms) whose user half is empty and whose entry for
        PAGE_OFFSET maps a section of RAM. None when not found."""
        if self.pgd is not None:
            return self.pgd
        text = symbol_address('find_module_all')
        if text is None:
            return None
        self.page_offset = text & 0xf0000000
        top = symbol_address('_stext') or symbol_address('stext') or \
            (text & ~0xfffff)
        cand = (top & ~0x3fff) - 0x4000
        while cand >= self.page_offset:
            try:
                first = raw_word(cand + self.kernel_entry())
                if first & 3 == L1_SECTION and \
                        not any(raw_read(cand, self.area_entry())):
                    self.pgd = cand
                    self.phys_offset = first & 0xfff00000
                    return cand
            except gdb.MemoryError:
                pass
            cand -= 0x4000
        return None

    def area_entry(self):
        """Offset in a first-level table of the module area's entries."""
        return ((self.page_offset - MODULES_SIZE) >> 20) * 4

    def kernel_entry(self):
        """Offset in a first-level table of PAGE_OFFSET's entry."""
        return (self.page_offset >> 20) * 4

    def in_module_area(self, addr):
        return self.page_offset - MODULES_SIZE <= addr < self.page_offset

    def linear(self, phys):
        """The kernel's linear-map address of RAM at phys."""
        return phys - self.phys_offset + self.page_offset

    def translate(self, va):
        """Physical address of va in swapper_pg_dir, or None."""
        l1 = raw_word(self.pgd + (va >> 20) * 4)
        if l1 & 3 == L1_SECTION:
            return (l1 & 0xfff00000) | (va & 0xfffff)
        if l1 & 3 != L1_TABLE:
            return None
        l2 = raw_word(self.linear(l1 & 0xfffffc00) +
                      ((va >> 12) & 0xff) * 4)
        if l2 & 2:                                      # small page
            return (l2 & 0xfffff000) | (va & 0xfff)
        if l2 & 3 == 1:                                 # large page
            return (l2 & 0xffff0000) | (va & 0xffff)
        return None

    def read(self, addr, size):
        """Module memory at addr through swapper_pg_dir, or None."""
        if self.find() is None or not self.in_module_area(addr):
            return None
        out = b''
        while len(out) < size:
            va = addr + len(out)
            pa = self.translate(va)
            if pa is None:
                return None
            n = min(size - len(out), 0x1000 - (va & 0xfff))
            out += raw_read(self.linear(pa), n)
        return out

    def cpu_table(self):
        """(TTBR0 name, the selected CPU's first-level table in the
        linear map) when it is one of this kernel's tables, else None.
        Linux without LPAE translates everything through TTBR0 (TTBCR.N
        = 0); the secure bank when the kernel runs in secure state
        (psci=off)."""
        mark = raw_word(self.pgd + self.kernel_entry())
        for reg in ('$TTBR0', '$TTBR0_S'):
            try:
                ttbr = int(gdb.parse_and_eval(reg)) & 0xffffffff
                pgd = self.linear(ttbr & 0xffffc000)
                if ttbr and raw_word(pgd + self.kernel_entry()) == mark:
                    return reg[1:], pgd
            except (gdb.error, gdb.MemoryError):
                continue
        return None


KERNEL = KernelPageTable()


def read_kernel(addr, size):
    """Guest kernel memory: as the selected CPU sees it, or else (module
    memory its table does not map yet) through swapper_pg_dir."""
    try:
        return raw_read(addr, size)
    except gdb.MemoryError:
        data = KERNEL.read(addr, size)
        if data is None:
            raise
        return data


def map_modules():
    """lab-map-modules: give each CPU's current table the module-area
    entries of swapper_pg_dir that it lacks (a zero entry: a translation
    fault), nothing else. [(CPU number, what was done)]."""
    if KERNEL.find() is None:
        raise gdb.GdbError('cannot find the kernel\'s page table '
                           '(swapper_pg_dir): no kernel symbols, or the '
                           'kernel is not running yet')
    n = MODULES_SIZE >> 20
    ours = raw_read(KERNEL.pgd + KERNEL.area_entry(), 4 * n)
    done = []
    selected = gdb.selected_thread()
    try:
        for t in gdb.selected_inferior().threads():
            t.switch()
            cpu = t.num - 1
            table = KERNEL.cpu_table()
            if table is None:
                done.append((cpu, 'not in one of the kernel\'s page tables '
                             '(not booted yet?): left alone'))
                continue
            reg, pgd = table
            if pgd == KERNEL.pgd:
                done.append((cpu, 'runs on swapper_pg_dir itself'))
                continue
            theirs = raw_read(pgd + KERNEL.area_entry(), 4 * n)
            new = bytearray(theirs)
            copied = 0
            for i in range(0, 4 * n, 4):
                if not any(theirs[i:i + 4]) and any(ours[i:i + 4]):
                    new[i:i + 4] = ours[i:i + 4]
                    copied += 1
            if copied:
                gdb.selected_inferior().write_memory(
                    pgd + KERNEL.area_entry(), bytes(new))
                done.append((cpu, '%d module-area entr%s copied from '
                             'swapper_pg_dir into its table at 0x%x (%s)'
                             % (copied, 'y' if copied == 1 else 'ies',
                                pgd, reg)))
            else:
                done.append((cpu, 'its table at 0x%x (%s) maps module '
                             'memory already' % (pgd, reg)))
    finally:
        selected.switch()
    return done
