// CUDA prelude of kernels with 16-bit buffers (precision fp16-storage): FETCH
// and FETCH4 read a float or a __half buffer as floats, and a float4 converts
// to half4 (four __half, 8 bytes) on store.
#include <cuda_fp16.h>
struct __align__(8) half4 {
    __half2 xy, zw;
    __device__ half4(float4 v) : xy(__floats2half2_rn(v.x, v.y)), zw(__floats2half2_rn(v.z, v.w)) {}
};
__device__ inline float wino_fetch(const float* b, int i) { return __ldg(b + i); }
__device__ inline float wino_fetch(const __half* b, int i) { return __half2float(__ldg(b + i)); }
__device__ inline float4 wino_fetch4(const float* b, int i) { return __ldg(reinterpret_cast<const float4*>(b) + i); }
__device__ inline float4 wino_fetch4(const __half* b, int i) {
    const uint2 raw = __ldg(reinterpret_cast<const uint2*>(b) + i);
    const float2 xy = __half22float2(*reinterpret_cast<const __half2*>(&raw.x));
    const float2 zw = __half22float2(*reinterpret_cast<const __half2*>(&raw.y));
    return make_float4(xy.x, xy.y, zw.x, zw.y);
}
#undef FETCH
#undef FETCH4
#define FETCH(buffer, i) wino_fetch(buffer, i)
#define FETCH4(buffer, i) wino_fetch4(buffer, i)
