// CUDA prelude of kernels with 16-bit buffers (precision fp16-storage). A
// 16-bit element is the binary16 bits in an unsigned short, converted with
// PTX's cvt (to nearest even), so NVRTC needs no cuda_fp16.h: FETCH and FETCH4
// (prelude.cuh) read a 16-bit buffer as floats too; wino_to_half converts a
// float (float4) for a store.
typedef unsigned short wino_half;
struct __align__(8) half4 {
    wino_half x, y, z, w;
};
#ifndef WINO_EMULATED_WARP  // the tests' CPU emulation converts by its own
__device__ inline float wino_to_float(wino_half h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}
__device__ inline wino_half wino_to_half(float f) {
    wino_half h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}
#endif
__device__ inline half4 wino_to_half(float4 v) {
    return {wino_to_half(v.x), wino_to_half(v.y), wino_to_half(v.z), wino_to_half(v.w)};
}
__device__ inline float wino_fetch(const wino_half* b, int i) { return wino_to_float(__ldg(b + i)); }
__device__ inline float4 wino_fetch4(const wino_half* b, int i) {
    const ushort4 h = __ldg(reinterpret_cast<const ushort4*>(b) + i);
    return make_float4(wino_to_float(h.x), wino_to_float(h.y), wino_to_float(h.z), wino_to_float(h.w));
}
