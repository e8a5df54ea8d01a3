//go:build cgo

// Package pcapcap lists capture interfaces through libpcap when cgo is on, and falls back
// to a pure-Go answer when it is off: the proper pattern.
package pcapcap

/*
#cgo LDFLAGS: -lpcap
#include <pcap/pcap.h>
*/
import "C"

// Interfaces reports how capture devices are enumerated.
func Interfaces() string {
	var errbuf [C.PCAP_ERRBUF_SIZE]C.char
	var devs *C.pcap_if_t
	if C.pcap_findalldevs(&devs, &errbuf[0]) != 0 {
		return "libpcap: error"
	}
	C.pcap_freealldevs(devs)
	return "libpcap"
}
