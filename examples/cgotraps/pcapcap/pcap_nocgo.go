//go:build !cgo

package pcapcap

// Interfaces reports how capture devices are enumerated.
func Interfaces() string { return "pure Go (no libpcap)" }
