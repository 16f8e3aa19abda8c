// The MiniLM encoder's inner loops in C: a matrix product over weights packed
// once at load time, attention for one head, GELU, layer normalisation.
//
// Why C: these loops need AVX-512 and FMA, which Swift cannot target without
// unsafe compiler flags. Each AVX-512 function is compiled for that
// instruction set alone (a per-function target attribute) and may only be
// called when llmk_avx512_available() says the CPU and OS support it (on
// other CPUs the `_avx512` functions abort); the bfloat16 product likewise
// needs llmk_avx512_bf16_available(). GELU and layer normalisation
// also have portable versions, chosen by their `avx512` argument, for the
// encoder's OpenBLAS path.
#ifndef CLLMCACHEKERNELS_H
#define CLLMCACHEKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outputs per packed panel: one micro-kernel call computes up to 8 rows by
/// this many outputs.
#define LLMK_PANEL_WIDTH 32

/// What a dense product does with its result: store `x·Wᵀ + b`, add it to
/// what the output holds (a residual connection), or store GELU of it.
typedef enum {
    LLMK_STORE = 0,
    LLMK_ACCUMULATE = 1,
    LLMK_GELU = 2,
} llmk_epilogue;

/// 1 when the CPU has AVX-512F and the OS saves its registers, else 0.
int llmk_avx512_available(void);

/// Floats needed to pack a matrix of `outputs` rows by `inputs` columns:
/// `outputs` rounded up to whole panels, times `inputs`.
size_t llmk_packed_count(int outputs, int inputs);

/// Packs the matrix `W[o][i] = source[o * output_stride + i * input_stride]`
/// (`outputs × inputs`) into panels: panel `p` holds, for each input `i`,
/// the `LLMK_PANEL_WIDTH` weights of outputs `p·32 …` side by side (zeros past
/// `outputs`). The product kernel then reads each panel sequentially.
void llmk_pack(const float *source, int outputs, int inputs, ptrdiff_t output_stride, ptrdiff_t input_stride,
               float *packed);

/// `output[r][o] (+)= Σᵢ input[r][i]·W[o][i] + bias[o]` for every row `r` and
/// the outputs of panels `panel_begin ..< panel_end`, with `W` packed by
/// llmk_pack. `bias` may be NULL (no bias). Panels are independent, so
/// threads can share one product by taking different panels.
void llmk_dense_avx512(const float *input, ptrdiff_t input_stride, int rows, int inputs, const float *packed,
                       const float *bias, int outputs, int panel_begin, int panel_end, float *output,
                       ptrdiff_t output_stride, llmk_epilogue epilogue);

/// 1 when llmk_avx512_available() and the CPU also has AVX512-BF16 (the
/// bfloat16 dot products of llmk_dense_bf16), else 0.
int llmk_avx512_bf16_available(void);

/// bfloat16 values needed to pack a matrix for llmk_dense_bf16: `outputs`
/// rounded up to whole panels, times `inputs` rounded up to even.
size_t llmk_packed_bf16_count(int outputs, int inputs);

/// Packs the matrix of llmk_pack's arguments for llmk_dense_bf16, each weight
/// rounded to the nearest bfloat16 (ties to even): panel `p` holds, for each
/// pair of inputs `(2k, 2k + 1)`, the pairs of weights of outputs `p·32 …`
/// side by side (zeros past `outputs`, and for the input past an odd count).
void llmk_pack_bf16(const float *source, int outputs, int inputs, ptrdiff_t output_stride, ptrdiff_t input_stride,
                    uint16_t *packed);

/// llmk_dense_avx512 over weights packed by llmk_pack_bf16: each input value
/// is rounded to bfloat16 too, products are summed in float32. About twice
/// as fast, and within bfloat16 rounding of the float32 product. A call
/// rounds each tile of rows once for all its panels, so give it several.
/// Only when llmk_avx512_bf16_available(); uses up to 16·`inputs` bytes of stack.
void llmk_dense_bf16(const float *input, ptrdiff_t input_stride, int rows, int inputs, const uint16_t *packed,
                     const float *bias, int outputs, int panel_begin, int panel_end, float *output,
                     ptrdiff_t output_stride, llmk_epilogue epilogue);

/// GELU, `x/2 · (1 + erf(x/√2))`, in place on `count` floats of each of
/// `rows` rows `stride` apart.
void llmk_gelu(float *values, int rows, int count, ptrdiff_t stride, int avx512);

/// Floats of scratch llmk_attention_head_avx512 needs for a sequence of `tokens`.
size_t llmk_attention_scratch_count(int tokens, int head_size);

/// One head of scaled dot-product attention over one sequence of `tokens`
/// rows: `context = softmax(Q·Kᵀ·scale)·V`. `queries`, `keys`, `values`
/// point at the head's first column in rows `stride` apart; `context` rows
/// are `context_stride` apart. `scratch` holds
/// llmk_attention_scratch_count(tokens, head_size) floats.
void llmk_attention_head_avx512(const float *queries, const float *keys, const float *values, ptrdiff_t stride,
                                int tokens, int head_size, float scale, float *context, ptrdiff_t context_stride,
                                float *scratch);

/// Layer normalisation of `rows` rows of `width` floats (`stride` apart), in
/// place: `(x − mean)/√(variance + epsilon)·gamma + beta`, with the biased
/// variance and sums in double, as torch.nn.LayerNorm computes it.
void llmk_layer_norm(float *values, int rows, int width, ptrdiff_t stride, const float *gamma, const float *beta,
                     double epsilon, int avx512);

/// A hint to the CPU that the caller is spinning on a flag another thread
/// will set (x86 `pause`), so the wait costs less power and sibling time.
static inline void llmk_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#ifdef __cplusplus
}
#endif

#endif
