//go:build !cgo

package procinfo

import "os"

// PageSize is the memory page size in bytes.
func PageSize() int { return os.Getpagesize() }
