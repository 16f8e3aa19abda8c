// The matrix product of the dense layers (and of attention) on AVX-512: a
// register-tiled micro-kernel of 8, 4, 2 or 1 rows × 32 outputs over weights
// packed in panels (the tile itself is in dense_tile.h, shared with the
// bfloat16 product of dense_bf16.c).
//
// Packing once at load time is what OpenBLAS cannot do for us: it repacks the
// weights on every call, which for a sentence of ~20 tokens costs as much as
// the product itself. A tile keeps its rows × 32 sums in registers while it
// streams one panel (32 weights per input, contiguous) and broadcasts one
// input value per row.
#include "dense_tile.h"

#include <stdlib.h>

enum { WIDTH = LLMK_PANEL_WIDTH };

size_t llmk_packed_count(int outputs, int inputs) {
    size_t panels = (size_t)((outputs + WIDTH - 1) / WIDTH);
    return panels * WIDTH * (size_t)inputs;
}

void llmk_pack(const float *source, int outputs, int inputs, ptrdiff_t output_stride, ptrdiff_t input_stride,
               float *packed) {
    int panels = (outputs + WIDTH - 1) / WIDTH;
    for (int p = 0; p < panels; p++) {
        float *panel = packed + (size_t)p * WIDTH * (size_t)inputs;
        for (int j = 0; j < WIDTH; j++) {
            int output = p * WIDTH + j;
            if (output < outputs) {
                const float *row = source + output * output_stride;
                for (int i = 0; i < inputs; i++) panel[(size_t)i * WIDTH + j] = row[i * input_stride];
            } else {
                for (int i = 0; i < inputs; i++) panel[(size_t)i * WIDTH + j] = 0;
            }
        }
    }
}

#if LLMK_HAS_X86
/// One float of a row times the panel's 32 weights for that input.
#define LLMK_ROW_F32(a, lo, hi) "vbroadcastss (%[" #a "],%[i]), %%zmm18\n\t" \
                                "vfmadd231ps %%zmm16, %%zmm18, %%zmm" #lo "\n\t" \
                                "vfmadd231ps %%zmm17, %%zmm18, %%zmm" #hi "\n\t"

/// `sums[r][j] = Σᵢ rows[r][i] · panel[i·32 + j]` for 8 rows.
LLMK_AVX512 static void accumulate8(const float *const *rows, const float *panel, long steps, float *sums) {
    long offset;
    __asm__ volatile(LLMK_TILE8(LLMK_ROW_F32) : LLMK_OPERANDS8 : LLMK_CLOBBERS);
}

/// The same for 4 rows.
LLMK_AVX512 static void accumulate4(const float *const *rows, const float *panel, long steps, float *sums) {
    long offset;
    __asm__ volatile(LLMK_TILE4(LLMK_ROW_F32) : LLMK_OPERANDS4 : LLMK_CLOBBERS);
}

/// The same for 2 rows.
LLMK_AVX512 static void accumulate2(const float *const *rows, const float *panel, long steps, float *sums) {
    long offset;
    __asm__ volatile(LLMK_TILE2(LLMK_ROW_F32) : LLMK_OPERANDS2 : LLMK_CLOBBERS);
}

/// The same for 1 row.
LLMK_AVX512 static void accumulate1(const float *const *rows, const float *panel, long steps, float *sums) {
    long offset;
    __asm__ volatile(LLMK_TILE1(LLMK_ROW_F32) : LLMK_OPERANDS1 : LLMK_CLOBBERS);
}

LLMK_AVX512 void llmk_finish_tile(int rows, const float *sums, const float *bias, __mmask16 mask0, __mmask16 mask1,
                                  float *output, ptrdiff_t output_stride, llmk_epilogue epilogue) {
    __m512 bias0 = bias ? _mm512_maskz_loadu_ps(mask0, bias) : _mm512_setzero_ps();
    __m512 bias1 = bias ? _mm512_maskz_loadu_ps(mask1, bias + 16) : _mm512_setzero_ps();
    for (int r = 0; r < rows; r++) {
        float *out = output + r * output_stride;
        __m512 v0 = _mm512_add_ps(_mm512_load_ps(sums + r * WIDTH), bias0);
        __m512 v1 = _mm512_add_ps(_mm512_load_ps(sums + r * WIDTH + 16), bias1);
        if (epilogue == LLMK_ACCUMULATE) {
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(mask0, out));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(mask1, out + 16));
        } else if (epilogue == LLMK_GELU) {
            v0 = llmk_gelu_avx512(v0);
            v1 = llmk_gelu_avx512(v1);
        }
        _mm512_mask_storeu_ps(out, mask0, v0);
        _mm512_mask_storeu_ps(out + 16, mask1, v1);
    }
}

LLMK_AVX512 void llmk_dense_avx512(const float *input, ptrdiff_t input_stride, int rows, int inputs,
                                   const float *packed, const float *bias, int outputs, int panel_begin,
                                   int panel_end, float *output, ptrdiff_t output_stride, llmk_epilogue epilogue) {
    __attribute__((aligned(64))) float sums[8 * WIDTH];
    const float *pointers[8];
    for (int p = panel_begin; p < panel_end; p++) {
        const float *panel = packed + (size_t)p * WIDTH * (size_t)inputs;
        const float *panel_bias = bias ? bias + p * WIDTH : 0;
        int columns = outputs - p * WIDTH;
        __mmask16 mask0 = llmk_lanes(columns), mask1 = llmk_lanes(columns - 16);
        // Tiles of 8 rows, then one each of 4, 2 and 1 as the rest needs.
        for (int r = 0; r < rows;) {
            int left = rows - r;
            int tile = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
            for (int k = 0; k < tile; k++) pointers[k] = input + (r + k) * input_stride;
            switch (tile) {
            case 8: accumulate8(pointers, panel, inputs, sums); break;
            case 4: accumulate4(pointers, panel, inputs, sums); break;
            case 2: accumulate2(pointers, panel, inputs, sums); break;
            default: accumulate1(pointers, panel, inputs, sums); break;
            }
            llmk_finish_tile(tile, sums, panel_bias, mask0, mask1, output + r * output_stride + p * WIDTH,
                             output_stride, epilogue);
            r += tile;
        }
    }
}
#else
void llmk_dense_avx512(const float *input, ptrdiff_t input_stride, int rows, int inputs, const float *packed,
                       const float *bias, int outputs, int panel_begin, int panel_end, float *output,
                       ptrdiff_t output_stride, llmk_epilogue epilogue) {
    abort();  // Callers check llmk_avx512_available() first.
}
#endif
