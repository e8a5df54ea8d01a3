// Package procinfo reads the page size through a Linux-only header (<sys/sysinfo.h> exists on
// glibc and musl, not on macOS, Windows or the BSDs), and its fallback only covers !cgo.
package procinfo

/*
#include <unistd.h>
#include <sys/sysinfo.h>
static long page_size(void) { return sysconf(_SC_PAGESIZE); }
*/
import "C"

// PageSize is the memory page size in bytes.
func PageSize() int { return int(C.page_size()) }
