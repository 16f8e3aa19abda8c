// What the float32 and bfloat16 products share (private to this module): the
// register tile of 8, 4, 2 or 1 rows × 32 outputs as inline-assembly pieces,
// and the tile's epilogue. The two differ only in the row step (LLMK_ROW_*):
// both walk a panel 128 bytes and each row 4 bytes per step (one float, or
// one pair of bfloat16 values).
//
// The accumulation loops are inline assembly, not intrinsics, for one reason:
// SwiftPM compiles C at -O0 in debug builds, where intrinsics run ~60× slower
// (every vector goes through the stack), and the test suite runs debug builds
// through these loops. Everything around the loops is ordinary C.
#ifndef LLMK_DENSE_TILE_H
#define LLMK_DENSE_TILE_H

#include "CLLMCacheKernels.h"
#include "vector_math.h"

#if LLMK_HAS_X86
// Registers: zmm0…zmm15 the sums (row r in zmm(2r) and zmm(2r+1)),
// zmm16/zmm17 the panel's step (32 outputs' weights), zmm18 the broadcast
// input. %[b] walks the panel, %[i] is the byte offset of the current input
// in every row, %[n] counts steps down.
#define LLMK_ZERO(lo, hi) "vpxord %%zmm" #lo ", %%zmm" #lo ", %%zmm" #lo "\n\t" \
                          "vpxord %%zmm" #hi ", %%zmm" #hi ", %%zmm" #hi "\n\t"
#define LLMK_LOOP_START "xor %[i], %[i]\n\t" \
                        "test %[n], %[n]\n\t" \
                        "jz 2f\n\t" \
                        ".p2align 5\n\t" \
                        "1:\n\t" \
                        "vmovups (%[b]), %%zmm16\n\t" \
                        "vmovups 64(%[b]), %%zmm17\n\t"
#define LLMK_LOOP_END "add $128, %[b]\n\t" \
                      "add $4, %[i]\n\t" \
                      "dec %[n]\n\t" \
                      "jnz 1b\n\t" \
                      "2:\n\t"
#define LLMK_STORE(lo, hi, row) "vmovups %%zmm" #lo ", " #row "*128(%[out])\n\t" \
                                "vmovups %%zmm" #hi ", " #row "*128+64(%[out])\n\t"
#define LLMK_CLOBBERS "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8", "zmm9", "zmm10", \
                      "zmm11", "zmm12", "zmm13", "zmm14", "zmm15", "zmm16", "zmm17", "zmm18", "memory", "cc"

/// The assembly of a tile of 8, 4, 2 or 1 rows, `ROW` being the row step.
#define LLMK_TILE8(ROW) \
    LLMK_ZERO(0, 1) LLMK_ZERO(2, 3) LLMK_ZERO(4, 5) LLMK_ZERO(6, 7) \
    LLMK_ZERO(8, 9) LLMK_ZERO(10, 11) LLMK_ZERO(12, 13) LLMK_ZERO(14, 15) \
    LLMK_LOOP_START \
    ROW(a0, 0, 1) ROW(a1, 2, 3) ROW(a2, 4, 5) ROW(a3, 6, 7) \
    ROW(a4, 8, 9) ROW(a5, 10, 11) ROW(a6, 12, 13) ROW(a7, 14, 15) \
    LLMK_LOOP_END \
    LLMK_STORE(0, 1, 0) LLMK_STORE(2, 3, 1) LLMK_STORE(4, 5, 2) LLMK_STORE(6, 7, 3) \
    LLMK_STORE(8, 9, 4) LLMK_STORE(10, 11, 5) LLMK_STORE(12, 13, 6) LLMK_STORE(14, 15, 7)
#define LLMK_TILE4(ROW) \
    LLMK_ZERO(0, 1) LLMK_ZERO(2, 3) LLMK_ZERO(4, 5) LLMK_ZERO(6, 7) \
    LLMK_LOOP_START \
    ROW(a0, 0, 1) ROW(a1, 2, 3) ROW(a2, 4, 5) ROW(a3, 6, 7) \
    LLMK_LOOP_END \
    LLMK_STORE(0, 1, 0) LLMK_STORE(2, 3, 1) LLMK_STORE(4, 5, 2) LLMK_STORE(6, 7, 3)
#define LLMK_TILE2(ROW) \
    LLMK_ZERO(0, 1) LLMK_ZERO(2, 3) \
    LLMK_LOOP_START \
    ROW(a0, 0, 1) ROW(a1, 2, 3) \
    LLMK_LOOP_END \
    LLMK_STORE(0, 1, 0) LLMK_STORE(2, 3, 1)
#define LLMK_TILE1(ROW) \
    LLMK_ZERO(0, 1) \
    LLMK_LOOP_START \
    ROW(a0, 0, 1) \
    LLMK_LOOP_END \
    LLMK_STORE(0, 1, 0)

/// The operands of a tile's assembly: `rows` the row pointers, `panel`,
/// `steps` and `offset` the loop's registers, `sums` the output.
#define LLMK_OPERANDS8 [b] "+r"(panel), [n] "+r"(steps), [i] "=&r"(offset) \
    : [a0] "r"(rows[0]), [a1] "r"(rows[1]), [a2] "r"(rows[2]), [a3] "r"(rows[3]), \
      [a4] "r"(rows[4]), [a5] "r"(rows[5]), [a6] "r"(rows[6]), [a7] "r"(rows[7]), [out] "r"(sums)
#define LLMK_OPERANDS4 [b] "+r"(panel), [n] "+r"(steps), [i] "=&r"(offset) \
    : [a0] "r"(rows[0]), [a1] "r"(rows[1]), [a2] "r"(rows[2]), [a3] "r"(rows[3]), [out] "r"(sums)
#define LLMK_OPERANDS2 [b] "+r"(panel), [n] "+r"(steps), [i] "=&r"(offset) \
    : [a0] "r"(rows[0]), [a1] "r"(rows[1]), [out] "r"(sums)
#define LLMK_OPERANDS1 [b] "+r"(panel), [n] "+r"(steps), [i] "=&r"(offset) \
    : [a0] "r"(rows[0]), [out] "r"(sums)

/// Adds the bias to one tile's sums, applies the epilogue and writes the
/// valid outputs (`mask0`/`mask1`: those of each half of the panel). Defined
/// in dense.c.
__attribute__((visibility("hidden"))) void llmk_finish_tile(int rows, const float *sums, const float *bias,
                                                          __mmask16 mask0, __mmask16 mask1, float *output,
                                                          ptrdiff_t output_stride, llmk_epilogue epilogue);
#endif

#endif
