// CUDA prelude of kernels that compute in fp16 (precision fp16), after
// prelude.half.cuh. wino_f16 holds binary16 bits; its + - * and FMA are PTX's
// f16 instructions (sm_53 on), each rounded once to nearest even, so the layer
// error model can round as the device does. Constants are written as their
// bits (wino_f16_bits), so no conversion runs for them. Values read from a
// 16-bit buffer are taken as they are; from an fp32 one, converted.
struct wino_f16 {
    wino_half bits;
    wino_f16() = default;
    __device__ wino_f16(float f) : bits(wino_to_half(f)) {}
};
struct __align__(8) wino_f16x4 {
    wino_f16 x, y, z, w;
};
__device__ inline wino_f16 wino_f16_bits(wino_half bits) {
    wino_f16 h;
    h.bits = bits;
    return h;
}
#define WINO_F16_BINARY(op, instruction)                                                          \
    __device__ inline wino_f16 operator op(wino_f16 a, wino_f16 b) {                              \
        wino_f16 r;                                                                               \
        asm(instruction " %0, %1, %2;" : "=h"(r.bits) : "h"(a.bits), "h"(b.bits));                \
        return r;                                                                                 \
    }
WINO_F16_BINARY(+, "add.rn.f16")
WINO_F16_BINARY(-, "sub.rn.f16")
WINO_F16_BINARY(*, "mul.rn.f16")
__device__ inline wino_f16 operator-(wino_f16 a) {
    wino_f16 r;
    asm("neg.f16 %0, %1;" : "=h"(r.bits) : "h"(a.bits));
    return r;
}
__device__ inline wino_f16& operator+=(wino_f16& a, wino_f16 b) { return a = a + b; }
__device__ inline wino_f16 wino_fma(wino_f16 a, wino_f16 b, wino_f16 c) {
    wino_f16 r;
    asm("fma.rn.f16 %0, %1, %2, %3;" : "=h"(r.bits) : "h"(a.bits), "h"(b.bits), "h"(c.bits));
    return r;
}
__device__ inline wino_f16x4 wino_make_f16x4(wino_f16 a, wino_f16 b, wino_f16 c, wino_f16 d) { return {a, b, c, d}; }
__device__ inline wino_f16 wino_fetch_real(const wino_half* b, int i) { return wino_f16_bits(__ldg(b + i)); }
__device__ inline wino_f16 wino_fetch_real(const float* b, int i) { return wino_f16(__ldg(b + i)); }
__device__ inline wino_f16x4 wino_fetch_real4(const wino_half* b, int i) {
    const ushort4 h = __ldg(reinterpret_cast<const ushort4*>(b) + i);
    return {wino_f16_bits(h.x), wino_f16_bits(h.y), wino_f16_bits(h.z), wino_f16_bits(h.w)};
}
__device__ inline wino_half wino_to_half(wino_f16 h) { return h.bits; }
__device__ inline half4 wino_to_half(wino_f16x4 v) { return {v.x.bits, v.y.bits, v.z.bits, v.w.bits}; }
__device__ inline float wino_to_float(wino_f16 h) { return wino_to_float(h.bits); }
// Comparisons (the epilogue's min, max and sign) on the exact float values.
__device__ inline bool operator<(wino_f16 a, wino_f16 b) { return wino_to_float(a) < wino_to_float(b); }
__device__ inline bool operator>(wino_f16 a, wino_f16 b) { return b < a; }
__device__ inline float4 wino_to_float(wino_f16x4 v) {
    return make_float4(wino_to_float(v.x), wino_to_float(v.y), wino_to_float(v.z), wino_to_float(v.w));
}
#undef FMA
#define FMA(a, b, c) wino_fma(a, b, c)
#define REAL wino_f16
#define REAL4 wino_f16x4
#define MAKE_REAL4(a, b, c, d) wino_make_f16x4(a, b, c, d)
#define FETCH_REAL(buffer, i) wino_fetch_real(buffer, i)
#define FETCH_REAL4(buffer, i) wino_fetch_real4(buffer, i)
