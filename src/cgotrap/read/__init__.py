"""Read: Go file headers (constraints, imports, cgo preamble) and binaries, each read once."""
