package cpuinfo

/*
#include <unistd.h>
static long online_cpus(void) { return sysconf(_SC_NPROCESSORS_ONLN); }
*/
import "C"

// Cores is the number of online CPUs.
func Cores() int { return int(C.online_cpus()) }
