// Command trapd is a small service whose dependency tree hides the usual cgo traps.
package main

import (
	"fmt"

	"example.com/cgotraps/cpuinfo"
	"example.com/cgotraps/hashx"
	"example.com/cgotraps/pcapcap"
	"example.com/cgotraps/procinfo"
	"example.com/cgotraps/sqlite"
)

func main() {
	fmt.Println(sqlite.Version(), pcapcap.Interfaces(), procinfo.PageSize(), hashx.Sum([]byte("x")),
		cpuinfo.Cores())
}
