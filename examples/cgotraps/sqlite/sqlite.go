// Package sqlite wraps a C library and has NO fallback: with CGO_ENABLED=0 it has no Go
// files left and the build fails ("build constraints exclude all Go files").
package sqlite

/*
#cgo LDFLAGS: -lsqlite3
#cgo linux pkg-config: sqlite3
#include <stdlib.h>
#include <sqlite3.h>
*/
import "C"

// Version is the SQLite library version.
func Version() string { return C.GoString(C.sqlite3_libversion()) }
