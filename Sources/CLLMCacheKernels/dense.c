// The matrix product of the dense layers (and of attention) on AVX-512: a
// register-tiled micro-kernel of 8, 4, 2 or 1 rows × 32 outputs over weights
// packed in panels.
//
// Packing once at load time is what OpenBLAS cannot do for us: it repacks the
// weights on every call, which for a sentence of ~20 tokens costs as much as
// the product itself. A tile keeps its rows × 32 sums in registers while it
// streams one panel (32 weights per input, contiguous) and broadcasts one
// input value per row.
//
// The accumulation loops are inline assembly, not intrinsics, for one reason:
// SwiftPM compiles C at -O0 in debug builds, where intrinsics run ~60× slower
// (every vector goes through the stack), and the test suite runs debug builds
// through this loop. Everything around the loops is ordinary C.
#include "CLLMCacheKernels.h"
#include "vector_math.h"

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
// Pieces of the accumulation loops. Registers: zmm0…zmm15 the sums (row r in
// zmm(2r) and zmm(2r+1)), zmm16/zmm17 the panel's 32 weights for one input,
// zmm18 the broadcast input value. %[b] walks the panel, %[i] is the byte
// offset of the current input in every row, %[n] counts inputs down.
#define LLMK_ZERO(lo, hi) "vpxord %%zmm" #lo ", %%zmm" #lo ", %%zmm" #lo "\n\t" \
                          "vpxord %%zmm" #hi ", %%zmm" #hi ", %%zmm" #hi "\n\t"
#define LLMK_LOOP_START "xor %[i], %[i]\n\t" \
                        "test %[n], %[n]\n\t" \
                        "jz 2f\n\t" \
                        ".p2align 5\n\t" \
                        "1:\n\t" \
                        "vmovups (%[b]), %%zmm16\n\t" \
                        "vmovups 64(%[b]), %%zmm17\n\t"
#define LLMK_ROW(a, lo, hi) "vbroadcastss (%[" #a "],%[i]), %%zmm18\n\t" \
                            "vfmadd231ps %%zmm16, %%zmm18, %%zmm" #lo "\n\t" \
                            "vfmadd231ps %%zmm17, %%zmm18, %%zmm" #hi "\n\t"
#define LLMK_LOOP_END "add $128, %[b]\n\t" \
                      "add $4, %[i]\n\t" \
                      "dec %[n]\n\t" \
                      "jnz 1b\n\t" \
                      "2:\n\t"
#define LLMK_STORE(lo, hi, row) "vmovups %%zmm" #lo ", " #row "*128(%[out])\n\t" \
                                "vmovups %%zmm" #hi ", " #row "*128+64(%[out])\n\t"
#define LLMK_CLOBBERS "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8", "zmm9", "zmm10", \
                      "zmm11", "zmm12", "zmm13", "zmm14", "zmm15", "zmm16", "zmm17", "zmm18", "memory", "cc"

/// `sums[r][j] = Σᵢ rows[r][i] · panel[i·32 + j]` for 8 rows.
LLMK_AVX512 static void accumulate8(const float *const *rows, const float *panel, long inputs, float *sums) {
    long offset;
    __asm__ volatile(
        LLMK_ZERO(0, 1) LLMK_ZERO(2, 3) LLMK_ZERO(4, 5) LLMK_ZERO(6, 7)
        LLMK_ZERO(8, 9) LLMK_ZERO(10, 11) LLMK_ZERO(12, 13) LLMK_ZERO(14, 15)
        LLMK_LOOP_START
        LLMK_ROW(a0, 0, 1) LLMK_ROW(a1, 2, 3) LLMK_ROW(a2, 4, 5) LLMK_ROW(a3, 6, 7)
        LLMK_ROW(a4, 8, 9) LLMK_ROW(a5, 10, 11) LLMK_ROW(a6, 12, 13) LLMK_ROW(a7, 14, 15)
        LLMK_LOOP_END
        LLMK_STORE(0, 1, 0) LLMK_STORE(2, 3, 1) LLMK_STORE(4, 5, 2) LLMK_STORE(6, 7, 3)
        LLMK_STORE(8, 9, 4) LLMK_STORE(10, 11, 5) LLMK_STORE(12, 13, 6) LLMK_STORE(14, 15, 7)
        : [b] "+r"(panel), [n] "+r"(inputs), [i] "=&r"(offset)
        : [a0] "r"(rows[0]), [a1] "r"(rows[1]), [a2] "r"(rows[2]), [a3] "r"(rows[3]),
          [a4] "r"(rows[4]), [a5] "r"(rows[5]), [a6] "r"(rows[6]), [a7] "r"(rows[7]), [out] "r"(sums)
        : LLMK_CLOBBERS);
}

/// The same for 4 rows.
LLMK_AVX512 static void accumulate4(const float *const *rows, const float *panel, long inputs, float *sums) {
    long offset;
    __asm__ volatile(
        LLMK_ZERO(0, 1) LLMK_ZERO(2, 3) LLMK_ZERO(4, 5) LLMK_ZERO(6, 7)
        LLMK_LOOP_START
        LLMK_ROW(a0, 0, 1) LLMK_ROW(a1, 2, 3) LLMK_ROW(a2, 4, 5) LLMK_ROW(a3, 6, 7)
        LLMK_LOOP_END
        LLMK_STORE(0, 1, 0) LLMK_STORE(2, 3, 1) LLMK_STORE(4, 5, 2) LLMK_STORE(6, 7, 3)
        : [b] "+r"(panel), [n] "+r"(inputs), [i] "=&r"(offset)
        : [a0] "r"(rows[0]), [a1] "r"(rows[1]), [a2] "r"(rows[2]), [a3] "r"(rows[3]), [out] "r"(sums)
        : LLMK_CLOBBERS);
}

/// The same for 2 rows.
LLMK_AVX512 static void accumulate2(const float *const *rows, const float *panel, long inputs, float *sums) {
    long offset;
    __asm__ volatile(
        LLMK_ZERO(0, 1) LLMK_ZERO(2, 3)
        LLMK_LOOP_START
        LLMK_ROW(a0, 0, 1) LLMK_ROW(a1, 2, 3)
        LLMK_LOOP_END
        LLMK_STORE(0, 1, 0) LLMK_STORE(2, 3, 1)
        : [b] "+r"(panel), [n] "+r"(inputs), [i] "=&r"(offset)
        : [a0] "r"(rows[0]), [a1] "r"(rows[1]), [out] "r"(sums)
        : LLMK_CLOBBERS);
}

/// The same for 1 row.
LLMK_AVX512 static void accumulate1(const float *const *rows, const float *panel, long inputs, float *sums) {
    long offset;
    __asm__ volatile(
        LLMK_ZERO(0, 1)
        LLMK_LOOP_START
        LLMK_ROW(a0, 0, 1)
        LLMK_LOOP_END
        LLMK_STORE(0, 1, 0)
        : [b] "+r"(panel), [n] "+r"(inputs), [i] "=&r"(offset)
        : [a0] "r"(rows[0]), [out] "r"(sums)
        : LLMK_CLOBBERS);
}

/// Adds the bias to one tile's sums, applies the epilogue and writes the
/// valid outputs (`mask0`/`mask1`: those of each half of the panel).
LLMK_AVX512 static void finish(int rows, const float *sums, const float *bias, __mmask16 mask0, __mmask16 mask1,
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
            finish(tile, sums, panel_bias, mask0, mask1, output + r * output_stride + p * WIDTH, output_stride,
                   epilogue);
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
