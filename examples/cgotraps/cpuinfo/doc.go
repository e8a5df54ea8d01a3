// Package cpuinfo counts CPUs through the C library. Its only pure-Go file is this one: with
// CGO_ENABLED=0 the package still "builds", but Cores is gone and importers fail with
// "undefined: cpuinfo.Cores" (a dropped cgo file with nothing in its place).
package cpuinfo
