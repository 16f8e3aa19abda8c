// CPU feature detection for the kernels' dispatch.
#include "CLLMCacheKernels.h"

int llmk_avx512_available(void) {
#if defined(__x86_64__)
    // Checks CPUID and, through XGETBV, that the OS saves the AVX-512 state.
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}
