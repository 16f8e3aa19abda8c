// Shared inline helpers of the kernels (private to this module): the AVX-512
// target attribute, and vectorised GELU and exp accurate to a few 1e-7.
#ifndef LLMK_VECTOR_MATH_H
#define LLMK_VECTOR_MATH_H

#include <math.h>

#define LLMK_INLINE static inline __attribute__((always_inline))

/// The exact GELU of one float, as the portable paths compute it.
LLMK_INLINE float llmk_gelu_scalar(float x) {
    return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
}

#if defined(__x86_64__)
#define LLMK_HAS_X86 1
#include <immintrin.h>

/// Compiles one function for AVX-512 (plus the AVX2 and FMA it implies)
/// without raising the whole module's target: callers check
/// llmk_avx512_available() first.
#define LLMK_AVX512 __attribute__((target("avx512f,avx2,fma")))

/// The same for functions that also use AVX512-BF16 (vdpbf16ps,
/// vcvtne2ps2bf16): callers check llmk_avx512_bf16_available() first.
#define LLMK_AVX512_BF16 __attribute__((target("avx512f,avx512bf16,avx2,fma")))

/// GELU on 16 floats. erf(u) is the rational fit u·P(u²)/Q(u²) on
/// |u| ≤ 4 (made for this file by least squares: error below 1e-7 in double,
/// 3e-7 evaluated in float), and ±1 beyond, where erf is 1 to float precision.
LLMK_AVX512 LLMK_INLINE __m512 llmk_gelu_avx512(__m512 x) {
    __m512 u = _mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f));
    u = _mm512_min_ps(_mm512_max_ps(u, _mm512_set1_ps(-4.0f)), _mm512_set1_ps(4.0f));
    __m512 t = _mm512_mul_ps(u, u);
    __m512 p = _mm512_set1_ps(2.0284038081506975e-06f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.0002859714697368564f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.00383650411232763f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.05295699451499812f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.1921206608442462f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.12837906424634f));
    __m512 q = _mm512_set1_ps(3.7928602420794564e-05f);
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.0011789940823948852f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.015108285200915632f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.11480192218925149f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.5035945210544823f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(1.0f));
    __m512 erf = _mm512_div_ps(_mm512_mul_ps(u, p), q);
    erf = _mm512_min_ps(_mm512_max_ps(erf, _mm512_set1_ps(-1.0f)), _mm512_set1_ps(1.0f));
    __m512 half = _mm512_mul_ps(x, _mm512_set1_ps(0.5f));
    return _mm512_fmadd_ps(half, erf, half);
}

/// eˣ on 16 floats (x ≤ 88): x = n·ln2 + r with |r| ≤ ln2/2 (ln 2 split in
/// two so n·ln2 is exact), eʳ by a degree-6 polynomial fitted for this file
/// (relative error 1e-7 in float), scaled by 2ⁿ. Inputs below −87 give e⁻⁸⁷.
LLMK_AVX512 LLMK_INLINE __m512 llmk_exp_avx512(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
    __m512 p = _mm512_set1_ps(0.0013843652858859874f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.008374155610161945f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.041668002065406745f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.1666643125882009f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.4999999420883706f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.000000032165968f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

/// The mask selecting the first `count` of 16 lanes (all for count ≥ 16).
LLMK_INLINE __mmask16 llmk_lanes(int count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}
#endif

#endif
