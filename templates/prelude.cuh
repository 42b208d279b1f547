// CUDA prelude: maps the neutral kernel dialect onto CUDA C++.
#define GLOBAL_ID_X int(blockIdx.x * blockDim.x + threadIdx.x)
#define GLOBAL_ID_Y int(blockIdx.y * blockDim.y + threadIdx.y)
#define LOCAL_ID_X int(threadIdx.x)
#define GROUP_ID_X int(blockIdx.x)
#define GROUP_ID_Y int(blockIdx.y)
#define GROUP_ID_Z int(blockIdx.z)
#define BARRIER() __syncthreads()
// A thread's lane in its warp, its index counted by warps, and a value from
// another lane of the warp, word by word (the GEMM's shared loads, gemm_subgroup).
#define SUBGROUP_LANE int(threadIdx.x % 32)
#define SUBGROUP_THREAD LOCAL_ID_X
template <class T>
__device__ T wino_shuffle(T value, int lane) {
    static_assert(sizeof(T) % 4 == 0, "shuffled a word at a time");
    unsigned* words = reinterpret_cast<unsigned*>(&value);
    for (int i = 0; i < int(sizeof(T) / 4); ++i) words[i] = __shfl_sync(0xffffffffu, words[i], lane);
    return value;
}
#define SHUFFLE_REAL4(v, lane) wino_shuffle(v, lane)
#define SHARED __shared__
#define FMA(a, b, c) fmaf(a, b, c)
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define KERNEL_MAIN extern "C" __global__ void KERNEL_NAME(KERNEL_ARGS)
// A loop whose arrays must stay in registers: unrolled whole.
#define UNROLL_LOOP _Pragma("unroll")
// Read-only buffers through the read-only data cache; FETCH4 reads 4 floats
// (16-byte aligned: buffers come from cudaMalloc, indices count float4s).
// REAL and REAL4, the working type, come with the precision
// (prelude.fp32.cuh, prelude.fp16.cuh).
// An int32 buffer (precision int8's M) is read as floats too.
__device__ inline float wino_fetch(const float* b, int i) { return __ldg(b + i); }
__device__ inline float4 wino_fetch4(const float* b, int i) { return __ldg(reinterpret_cast<const float4*>(b) + i); }
__device__ inline float wino_fetch(const int* b, int i) { return static_cast<float>(__ldg(b + i)); }
__device__ inline float4 wino_fetch4(const int* b, int i) {
    const int4 q = __ldg(reinterpret_cast<const int4*>(b) + i);
    return make_float4(q.x, q.y, q.z, q.w);
}
// An int8 buffer (precision int8-io's input) is read as floats, the codes.
__device__ inline float wino_fetch(const signed char* b, int i) { return static_cast<float>(__ldg(b + i)); }
#define FETCH(buffer, i) wino_fetch(buffer, i)
#define FETCH4(buffer, i) wino_fetch4(buffer, i)
// The quantized precisions (ProductOperands): a value's code at a scale,
// rounded to nearest even and clamped to ±largest; an int8 code placed in
// byte `lane` of a word; the product's 4-way dot product of two words'
// codes, added to an int32 sum.
__device__ inline int wino_code(float scaled, float largest) { return __float2int_rn(fminf(fmaxf(scaled, -largest), largest)); }
__device__ inline int wino_lane_byte(int code, int lane) { return static_cast<int>(static_cast<unsigned>(code & 255) << (8 * lane)); }
// split-int8's planes of M at a tap weighed together (CodeSplit): high·high,
// then high·low + low·high at `weight` (1 / radix).
__device__ inline float wino_weigh_planes(float high, float mixed, float weight) { return high + mixed * weight; }
__device__ inline float4 wino_weigh_planes(float4 high, float4 mixed, float weight) {
    return make_float4(wino_weigh_planes(high.x, mixed.x, weight), wino_weigh_planes(high.y, mixed.y, weight),
                       wino_weigh_planes(high.z, mixed.z, weight), wino_weigh_planes(high.w, mixed.w, weight));
}
__device__ inline int wino_dot4(int a, int b, int c) { return __dp4a(a, b, c); }
#define MAKE_INT4(a, b, c, d) make_int4(a, b, c, d)
// Precision int8-io's output: a value's int8 code at the output's inverse
// scale and zero point, rounded to nearest even and saturated.
__device__ inline signed char wino_to_int8(float x, float inverse_scale, float zero_point) {
    return static_cast<signed char>(__float2int_rn(fminf(fmaxf(rintf(x * inverse_scale) + zero_point, -128.0f), 127.0f)));
}
__device__ inline char4 wino_to_int8(float4 v, float inverse_scale, float zero_point) {
    return make_char4(wino_to_int8(v.x, inverse_scale, zero_point), wino_to_int8(v.y, inverse_scale, zero_point),
                      wino_to_int8(v.z, inverse_scale, zero_point), wino_to_int8(v.w, inverse_scale, zero_point));
}
