package main

// Fewer page faults for a command.
//
// A command is short, and much of its time is page faults: before main the
// runtime and the packages' initialisation touched about 1450 pages of a
// `burrow version`, and a page fault costs 10 to 25 µs on the virtual
// machines burrow is measured on (docs/performance.md). Two kinds make
// most of them, and each has a cheaper way in:
//
//   - The Go heap, half of them. With transparent huge pages in their usual
//     "madvise" mode, a region advised MADV_HUGEPAGE faults in 2 MB at a
//     time. The Go runtime does not advise its heap, but in a binary linked
//     with cgo it maps the heap through the C library's mmap (runtime/cgo's
//     _cgo_mmap, kept for sanitizers): the binary's own mmap below, which
//     the linker prefers to the C library's, advises the heap's chunks as
//     they are mapped. It does nothing else: the system call, its result
//     and errno are the C library's.
//   - The binary's code and read-only data, most of the rest: 40 MB of
//     which a command touches pages all over (each package's init, the
//     type tables). One MADV_POPULATE_READ of those segments before the
//     runtime starts maps the pages already in the page cache in one
//     system call (about 1 ms) instead of some 350 faults.
//
// A process that lives for hours (the API service, a command attached to a
// long-running container) goes back to 4 kB pages for what its heap maps
// later (hugeHeapOff), so that a heap that grows and shrinks does not hold
// whole 2 MB pages for a few live objects. The roles in C (monitor, init,
// exec) never reach the populate, and map nothing that the mmap advises.

/*
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

// The Go heap grows in chunks of 4 MB (the runtime's pallocChunkBytes),
// each an anonymous private read-write mapping at a fixed address; 2 MB
// is the huge page.
#define BURROW_HUGE_MIN (2UL << 20)
#define BURROW_HEAP_FLAGS (MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED)

static int burrow_huge_heap = 1;

static void burrow_huge_heap_off(void) { __atomic_store_n(&burrow_huge_heap, 0, __ATOMIC_RELAXED); }

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
	long p = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (p != -1 && fd == -1 && (flags & BURROW_HEAP_FLAGS) == BURROW_HEAP_FLAGS &&
	    prot == (PROT_READ | PROT_WRITE) && len >= BURROW_HUGE_MIN &&
	    __atomic_load_n(&burrow_huge_heap, __ATOMIC_RELAXED))
		madvise((void *)p, len, MADV_HUGEPAGE);
	return (void *)p;
}

// populate_segments maps the read-only loaded segments of the executable
// (the first object dl_iterate_phdr reports). Not the writable one: what a
// command writes of its data is a copy either way. Errors are ignored (an
// older kernel has no MADV_POPULATE_READ: the faults come as before).
static int populate_segments(struct dl_phdr_info *info, size_t size, void *data) {
	(void)size;
	(void)data;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
			continue;
		uintptr_t start = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		uintptr_t end = info->dlpi_addr + ph->p_vaddr + ph->p_filesz;
		madvise((void *)start, end - start, MADV_POPULATE_READ);
	}
	return 1; // the executable only
}

// burrow_populate_binary is called by the constructor, for the CLI.
void burrow_populate_binary(void) { dl_iterate_phdr(populate_segments, NULL); }
*/
import "C"

// hugeHeapOff maps what the heap grows by from now on in 4 kB pages.
func hugeHeapOff() { C.burrow_huge_heap_off() }
