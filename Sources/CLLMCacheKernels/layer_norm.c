// Layer normalisation of the hidden rows, sums in double.
#include "CLLMCacheKernels.h"
#include "vector_math.h"

static void row_portable(float *x, int width, const float *gamma, const float *beta, double epsilon) {
    double sum = 0;
    for (int j = 0; j < width; j++) sum += x[j];
    double mean = sum / width;
    double squares = 0;
    for (int j = 0; j < width; j++) squares += (x[j] - mean) * (x[j] - mean);
    double scale = 1 / sqrt(squares / width + epsilon);
    for (int j = 0; j < width; j++) x[j] = (float)((x[j] - mean) * scale) * gamma[j] + beta[j];
}

#if LLMK_HAS_X86
/// Eight floats at a time widened to double; a width not a multiple of 8
/// finishes in scalar code.
LLMK_AVX512 static void row_avx512(float *x, int width, const float *gamma, const float *beta, double epsilon) {
    int vector_end = width / 8 * 8;
    __m512d sums = _mm512_setzero_pd();
    double sum = 0;
    for (int j = 0; j < vector_end; j += 8) sums = _mm512_add_pd(sums, _mm512_cvtps_pd(_mm256_loadu_ps(x + j)));
    for (int j = vector_end; j < width; j++) sum += x[j];
    double mean = (sum + _mm512_reduce_add_pd(sums)) / width;
    __m512d means = _mm512_set1_pd(mean);
    __m512d squares = _mm512_setzero_pd();
    double tail = 0;
    for (int j = 0; j < vector_end; j += 8) {
        __m512d deviation = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + j)), means);
        squares = _mm512_fmadd_pd(deviation, deviation, squares);
    }
    for (int j = vector_end; j < width; j++) tail += (x[j] - mean) * (x[j] - mean);
    double scale = 1 / sqrt((tail + _mm512_reduce_add_pd(squares)) / width + epsilon);
    __m512d scales = _mm512_set1_pd(scale);
    for (int j = 0; j < vector_end; j += 8) {
        __m512d normalised = _mm512_mul_pd(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + j)), means), scales);
        __m256 y = _mm256_fmadd_ps(_mm512_cvtpd_ps(normalised), _mm256_loadu_ps(gamma + j), _mm256_loadu_ps(beta + j));
        _mm256_storeu_ps(x + j, y);
    }
    for (int j = vector_end; j < width; j++) x[j] = (float)((x[j] - mean) * scale) * gamma[j] + beta[j];
}
#endif

void llmk_layer_norm(float *values, int rows, int width, ptrdiff_t stride, const float *gamma, const float *beta,
                     double epsilon, int avx512) {
    for (int r = 0; r < rows; r++) {
#if LLMK_HAS_X86
        if (avx512) {
            row_avx512(values + r * stride, width, gamma, beta, epsilon);
            continue;
        }
#endif
        row_portable(values + r * stride, width, gamma, beta, epsilon);
    }
}
