// The matrix product of dense.c with bfloat16 weights, for CPUs with
// AVX512-BF16: `vdpbf16ps` multiplies 16 pairs of bfloat16 values and adds
// both products into float32 sums, twice the work of a float32 FMA per
// instruction, over half the weight bytes.
//
// Weights are rounded to nearest-even once, at packing. Each tile's rows are
// rounded the same way just before the tile runs (one `vcvtne2ps2bf16` per 32
// inputs), once for all the panels of a call, so callers should give each
// call several panels: rounding per panel took ~16% of the product's time.
// Sums, bias and epilogue stay float32.
//
// MiniLM keeps cosine ≥ 0.9999 to its reference vectors this way (measured:
// worst ≈ 0.99996), and the product takes half the time of dense.c's.
//
// A panel holds, for each pair of inputs (2k, 2k+1), the 32 outputs' weight
// pairs side by side: 64 values, the 128 bytes of one step of the tile in
// dense_tile.h, as one step of dense.c's panels holds 32 floats. An odd last
// input is paired with a zero.
#include "dense_tile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { WIDTH = LLMK_PANEL_WIDTH };

/// `value` rounded to the nearest bfloat16, ties to even (NaN stays NaN).
static uint16_t bfloat16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x40);
    return (uint16_t)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

size_t llmk_packed_bf16_count(int outputs, int inputs) {
    size_t panels = (size_t)((outputs + WIDTH - 1) / WIDTH);
    return panels * WIDTH * 2 * (size_t)((inputs + 1) / 2);
}

void llmk_pack_bf16(const float *source, int outputs, int inputs, ptrdiff_t output_stride, ptrdiff_t input_stride,
                    uint16_t *packed) {
    int panels = (outputs + WIDTH - 1) / WIDTH;
    size_t panel_size = (size_t)WIDTH * 2 * (size_t)((inputs + 1) / 2);
    memset(packed, 0, panels * panel_size * sizeof *packed);
    for (int p = 0; p < panels; p++) {
        uint16_t *panel = packed + (size_t)p * panel_size;
        for (int j = 0; j < WIDTH && p * WIDTH + j < outputs; j++) {
            const float *row = source + (p * WIDTH + j) * output_stride;
            for (int i = 0; i < inputs; i++) {
                panel[(size_t)(i / 2) * 2 * WIDTH + 2 * j + i % 2] = bfloat16(row[i * input_stride]);
            }
        }
    }
}

#if LLMK_HAS_X86
/// One pair of a row's inputs times the panel's 32 weight pairs for them.
#define LLMK_ROW_BF16(a, lo, hi) "vpbroadcastd (%[" #a "],%[i]), %%zmm18\n\t" \
                                 "vdpbf16ps %%zmm16, %%zmm18, %%zmm" #lo "\n\t" \
                                 "vdpbf16ps %%zmm17, %%zmm18, %%zmm" #hi "\n\t"

/// `sums[r][j] = Σₖ rows[r][2k]·W[j][2k] + rows[r][2k+1]·W[j][2k+1]` for 8
/// rows of bfloat16 pairs, over `steps` pairs.
LLMK_AVX512_BF16 static void accumulate8(const uint16_t *const *rows, const uint16_t *panel, long steps, float *sums) {
    long offset;
    __asm__ volatile(LLMK_TILE8(LLMK_ROW_BF16) : LLMK_OPERANDS8 : LLMK_CLOBBERS);
}

/// The same for 4 rows.
LLMK_AVX512_BF16 static void accumulate4(const uint16_t *const *rows, const uint16_t *panel, long steps, float *sums) {
    long offset;
    __asm__ volatile(LLMK_TILE4(LLMK_ROW_BF16) : LLMK_OPERANDS4 : LLMK_CLOBBERS);
}

/// The same for 2 rows.
LLMK_AVX512_BF16 static void accumulate2(const uint16_t *const *rows, const uint16_t *panel, long steps, float *sums) {
    long offset;
    __asm__ volatile(LLMK_TILE2(LLMK_ROW_BF16) : LLMK_OPERANDS2 : LLMK_CLOBBERS);
}

/// The same for 1 row.
LLMK_AVX512_BF16 static void accumulate1(const uint16_t *const *rows, const uint16_t *panel, long steps, float *sums) {
    long offset;
    __asm__ volatile(LLMK_TILE1(LLMK_ROW_BF16) : LLMK_OPERANDS1 : LLMK_CLOBBERS);
}

/// `count` floats rounded to bfloat16 (nearest, ties to even), with a zero
/// after an odd count so the row is whole pairs.
LLMK_AVX512_BF16 static void round_row(const float *row, int count, uint16_t *rounded) {
    long chunks = count / 32;
    const float *from = row;
    uint16_t *to = rounded;
    __asm__ volatile(
        "test %[n], %[n]\n\t"
        "jz 2f\n\t"
        "1:\n\t"
        "vmovups (%[x]), %%zmm16\n\t"
        "vmovups 64(%[x]), %%zmm17\n\t"
        "vcvtne2ps2bf16 %%zmm16, %%zmm17, %%zmm18\n\t"
        "vmovdqu32 %%zmm18, (%[y])\n\t"
        "add $128, %[x]\n\t"
        "add $64, %[y]\n\t"
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        "2:\n\t"
        : [x] "+r"(from), [y] "+r"(to), [n] "+r"(chunks)
        :
        : "zmm16", "zmm17", "zmm18", "memory", "cc");
    for (int i = count / 32 * 32; i < count; i++) rounded[i] = bfloat16(row[i]);
    if (count % 2) rounded[count] = 0;
}

LLMK_AVX512_BF16 void llmk_dense_bf16(const float *input, ptrdiff_t input_stride, int rows, int inputs,
                                      const uint16_t *packed, const float *bias, int outputs, int panel_begin,
                                      int panel_end, float *output, ptrdiff_t output_stride,
                                      llmk_epilogue epilogue) {
    __attribute__((aligned(64))) float sums[8 * WIDTH];
    long steps = (inputs + 1) / 2;
    // One tile's rows in bfloat16 (16·inputs bytes of stack at most).
    __attribute__((aligned(64))) uint16_t rounded[8 * 2 * (steps > 0 ? steps : 1)];
    const uint16_t *pointers[8];
    // Tiles of 8 rows, then one each of 4, 2 and 1 as the rest needs; each
    // tile's rows are rounded once for all the panels of this call.
    for (int r = 0; r < rows;) {
        int left = rows - r;
        int tile = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
        for (int k = 0; k < tile; k++) {
            round_row(input + (r + k) * input_stride, inputs, rounded + k * 2 * steps);
            pointers[k] = rounded + k * 2 * steps;
        }
        for (int p = panel_begin; p < panel_end; p++) {
            const uint16_t *panel = packed + (size_t)p * WIDTH * 2 * (size_t)steps;
            int columns = outputs - p * WIDTH;
            switch (tile) {
            case 8: accumulate8(pointers, panel, steps, sums); break;
            case 4: accumulate4(pointers, panel, steps, sums); break;
            case 2: accumulate2(pointers, panel, steps, sums); break;
            default: accumulate1(pointers, panel, steps, sums); break;
            }
            llmk_finish_tile(tile, sums, bias ? bias + p * WIDTH : 0, llmk_lanes(columns), llmk_lanes(columns - 16),
                             output + r * output_stride + p * WIDTH, output_stride, epilogue);
        }
        r += tile;
    }
}
#else
void llmk_dense_bf16(const float *input, ptrdiff_t input_stride, int rows, int inputs, const uint16_t *packed,
                     const float *bias, int outputs, int panel_begin, int panel_end, float *output,
                     ptrdiff_t output_stride, llmk_epilogue epilogue) {
    abort();  // Callers check llmk_avx512_bf16_available() first.
}
#endif
