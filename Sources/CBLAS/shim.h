#pragma once
// OpenBLAS's CBLAS interface (cblas_sgemm, cblas_saxpy) and its thread-count
// setter; Debian keeps the header under /usr/include/<triplet>/openblas-*/,
// which pkg-config (openblas.pc) puts on the include path.
#include <cblas.h>
