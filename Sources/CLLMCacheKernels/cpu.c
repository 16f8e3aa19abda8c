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

int llmk_avx512_bf16_available(void) {
#if defined(__x86_64__)
    // CPUID's AVX512_BF16 bit (the avx512_bf16 flag of /proc/cpuinfo); the
    // OS support for the registers is what llmk_avx512_available() checks.
    return llmk_avx512_available() && __builtin_cpu_supports("avx512bf16") ? 1 : 0;
#else
    return 0;
#endif
}
