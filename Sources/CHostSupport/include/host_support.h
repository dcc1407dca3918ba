/* Thin C shims for the host (WorkbenchCore) where Swift's Glibc module has no binding. */
#ifndef WB_HOST_SUPPORT_H
#define WB_HOST_SUPPORT_H
#include <malloc.h>

/* Keep freed blocks of up to 64 MiB in the heap for reuse (glibc would otherwise map and unmap every block
 * above its mmap threshold, and page-fault each new mapping in: 8 % of a streamed batch row). */
static inline void wb_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
}
#endif
