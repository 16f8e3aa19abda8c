// GELU over a strided block, for products that do not fuse it (OpenBLAS's).
#include "CLLMCacheKernels.h"
#include "vector_math.h"

#if LLMK_HAS_X86
LLMK_AVX512 static void gelu_avx512(float *values, int rows, int count, ptrdiff_t stride) {
    for (int r = 0; r < rows; r++) {
        float *row = values + r * stride;
        for (int j = 0; j < count; j += 16) {
            __mmask16 mask = llmk_lanes(count - j);
            _mm512_mask_storeu_ps(row + j, mask, llmk_gelu_avx512(_mm512_maskz_loadu_ps(mask, row + j)));
        }
    }
}
#endif

void llmk_gelu(float *values, int rows, int count, ptrdiff_t stride, int avx512) {
#if LLMK_HAS_X86
    if (avx512) {
        gelu_avx512(values, rows, count, stride);
        return;
    }
#endif
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < count; j++) values[r * stride + j] = llmk_gelu_scalar(values[r * stride + j]);
    }
}
