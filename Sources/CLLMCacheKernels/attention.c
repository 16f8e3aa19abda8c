// One attention head over one sequence on AVX-512, built from the dense
// kernel: the head's keys and values are packed into panels (a few KB), then
// scores = Q·Kᵀ and context = softmax(scores)·V are two tiled products.
//
// This replaces two small BLAS calls per head and sequence, whose fixed
// costs dominated for sentences of tens of tokens.
#include "CLLMCacheKernels.h"
#include "vector_math.h"

#include <stdlib.h>

/// The scores' row stride: whole panels.
static int padded(int tokens) { return (tokens + LLMK_PANEL_WIDTH - 1) / LLMK_PANEL_WIDTH * LLMK_PANEL_WIDTH; }

/// Rounded up to 16 floats (64 bytes), so each scratch part stays aligned.
static size_t aligned(size_t count) { return (count + 15) / 16 * 16; }

size_t llmk_attention_scratch_count(int tokens, int head_size) {
    return aligned(llmk_packed_count(tokens, head_size)) + aligned((size_t)tokens * padded(tokens))
        + aligned(llmk_packed_count(head_size, tokens));
}

#if LLMK_HAS_X86
/// Softmax of `row · scale` in place, shifted by the maximum so exp cannot
/// overflow.
LLMK_AVX512 static void softmax(float *row, int count, float scale) {
    __m512 maximum = _mm512_set1_ps(-INFINITY);
    for (int j = 0; j < count; j += 16) {
        __mmask16 mask = llmk_lanes(count - j);
        maximum = _mm512_mask_max_ps(maximum, mask, maximum, _mm512_maskz_loadu_ps(mask, row + j));
    }
    __m512 shift = _mm512_set1_ps(_mm512_reduce_max_ps(maximum) * scale);
    __m512 factor = _mm512_set1_ps(scale);
    __m512 sum = _mm512_setzero_ps();
    for (int j = 0; j < count; j += 16) {
        __mmask16 mask = llmk_lanes(count - j);
        __m512 e = llmk_exp_avx512(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(mask, row + j), factor, shift));
        e = _mm512_maskz_mov_ps(mask, e);
        sum = _mm512_add_ps(sum, e);
        _mm512_mask_storeu_ps(row + j, mask, e);
    }
    __m512 inverse = _mm512_set1_ps(1 / _mm512_reduce_add_ps(sum));
    for (int j = 0; j < count; j += 16) {
        __mmask16 mask = llmk_lanes(count - j);
        _mm512_mask_storeu_ps(row + j, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, row + j), inverse));
    }
}

LLMK_AVX512 void llmk_attention_head_avx512(const float *queries, const float *keys, const float *values,
                                            ptrdiff_t stride, int tokens, int head_size, float scale,
                                            float *context, ptrdiff_t context_stride, float *scratch) {
    int width = padded(tokens);
    float *packed_keys = scratch;
    float *scores = packed_keys + aligned(llmk_packed_count(tokens, head_size));
    float *packed_values = scores + aligned((size_t)tokens * width);
    // Kᵀ as "weights" with one output per token; V as weights with one
    // output per head dimension and one input per token.
    llmk_pack(keys, tokens, head_size, stride, 1, packed_keys);
    llmk_dense_avx512(queries, stride, tokens, head_size, packed_keys, 0, tokens, 0, width / LLMK_PANEL_WIDTH,
                      scores, width, LLMK_STORE);
    for (int r = 0; r < tokens; r++) softmax(scores + (size_t)r * width, tokens, scale);
    llmk_pack(values, head_size, tokens, 1, stride, packed_values);
    int panels = (head_size + LLMK_PANEL_WIDTH - 1) / LLMK_PANEL_WIDTH;
    llmk_dense_avx512(scores, width, tokens, tokens, packed_values, 0, head_size, 0, panels, context,
                      context_stride, LLMK_STORE);
}
#else
void llmk_attention_head_avx512(const float *queries, const float *keys, const float *values, ptrdiff_t stride,
                                int tokens, int head_size, float scale, float *context, ptrdiff_t context_stride,
                                float *scratch) {
    abort();  // Callers check llmk_avx512_available() first.
}
#endif
