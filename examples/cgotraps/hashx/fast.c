/* A C twin of Sum, never compiled: hashx has no cgo file, so go reports
   "C source files not allowed when not using cgo or SWIG". */
unsigned int hashx_sum(const unsigned char *p, unsigned long n) {
	unsigned int h = 2166136261u;
	while (n--) h = (h ^ *p++) * 16777619u;
	return h;
}
