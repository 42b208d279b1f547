// What the emitted CUDA kernels use, emulated on the CPU so that a test can run
// a kernel without a GPU: the kernel's .cu is compiled as host C++ with this
// header first (-include), each thread of a block is a std::thread,
// __syncthreads() a barrier of the block, __shfl_sync and a warp's mma.sync collectives of
// its 32 threads that reads each lane's fragment registers where PTX's ISA lays
// them out ("Matrix Fragments for mma.m16n8k8" and "mma.m16n8k32") and gives
// each lane its part of D. The emulation takes sm_80's paths; its cp.async
// copies wait in their thread's queue until cp.async.wait_all. The test appends wino_emulated_launch_text()
// to the kernel's source: wino_emulated_run launches the kernel over a grid
// with CUDA's argument convention (a pointer to each argument).
#pragma once

#define WINO_EMULATED_WARP 1

#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

// sm_80's paths: the GPUs' since Ampere, cp.async's among them.
#define __CUDA_ARCH__ 800
#define __global__
#define __device__
#define __shared__ static
#define __restrict__
#define __launch_bounds__(...)
#define __align__(n) alignas(n)

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

struct float4 {
    float x, y, z, w;
};
struct int4 {
    int x, y, z, w;
};
struct char4 {
    signed char x, y, z, w;
};
struct ushort4 {
    unsigned short x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }
inline char4 make_char4(signed char x, signed char y, signed char z, signed char w) { return {x, y, z, w}; }

template <class T>
T __ldg(const T* p) {
    return *p;
}
inline int __float2int_rn(float x) { return static_cast<int>(std::nearbyint(x)); }
inline unsigned __float_as_uint(float x) {
    unsigned u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}
inline float __uint_as_float(unsigned u) {
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}
inline int __dp4a(int a, int b, int c) {
    for (int byte = 0; byte < 4; ++byte)
        c += static_cast<signed char>(static_cast<unsigned>(a) >> (8 * byte)) * static_cast<signed char>(static_cast<unsigned>(b) >> (8 * byte));
    return c;
}

// binary16 as PTX's cvt converts it (to nearest even), through GCC's _Float16.
inline float wino_to_float(unsigned short bits) {
    _Float16 h;
    std::memcpy(&h, &bits, sizeof h);
    return static_cast<float>(h);
}
inline unsigned short wino_to_half(float f) {
    const _Float16 h = static_cast<_Float16>(f);
    unsigned short bits;
    std::memcpy(&bits, &h, sizeof bits);
    return bits;
}
inline unsigned wino_half2_bits(float low, float high) { return wino_to_half(low) | (unsigned(wino_to_half(high)) << 16); }

// A warp's fragment registers, as each lane gives them to an mma, and the
// words its lanes give to a shuffle.
struct wino_warp {
    std::barrier<> sync{32};
    unsigned a[32][4];
    unsigned b[32][2];
    unsigned shuffled[32];
};
inline std::barrier<>* wino_block_sync = nullptr;
inline wino_warp* wino_warps = nullptr;

inline void __syncthreads() { wino_block_sync->arrive_and_wait(); }

// Every lane of the warp takes part (the kernels' mask is the whole warp).
inline unsigned __shfl_sync(unsigned, unsigned word, int lane) {
    wino_warp& warp = wino_warps[threadIdx.x / 32];
    warp.shuffled[threadIdx.x % 32] = word;
    warp.sync.arrive_and_wait();
    const unsigned got = warp.shuffled[lane % 32];
    warp.sync.arrive_and_wait();  // no lane gives its next word before every lane has read this one
    return got;
}

// Every lane's registers, then this lane's part of D (row g, g + 8; columns
// 2t, 2t + 1 with g = lane / 4, t = lane % 4), from element (row, col) of A
// and (k, n) of B as `a_element` and `b_element` find them.
template <class Sum, class A, class B>
void wino_warp_product(Sum (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2], int depth, A a_element, B b_element) {
    const unsigned lane = threadIdx.x % 32;
    wino_warp& warp = wino_warps[threadIdx.x / 32];
    std::memcpy(warp.a[lane], a, sizeof a);
    std::memcpy(warp.b[lane], b, sizeof b);
    warp.sync.arrive_and_wait();
    const int g = static_cast<int>(lane / 4), t = static_cast<int>(lane % 4);
    for (int i = 0; i < 4; ++i) {
        const int row = g + (i >= 2 ? 8 : 0), col = 2 * t + i % 2;
        Sum sum = d[i];
        for (int k = 0; k < depth; ++k) sum += a_element(warp, row, k) * b_element(warp, k, col);
        d[i] = sum;
    }
    warp.sync.arrive_and_wait();  // no lane gives its next registers before every lane has read these
}

// m16n8k32, s8: A's (row, col) in lane 4·(row % 8) + (col % 16) / 4, register
// (row ≥ 8) + 2·(col ≥ 16), byte col % 4; B's (k, n) in lane 4n + (k % 16) / 4,
// register (k ≥ 16), byte k % 4. D from zero.
inline void wino_mma_s8(int (&d)[4], const int (&a_words)[4], const int (&b_words)[2]) {
    unsigned a[4], b[2];
    std::memcpy(a, a_words, sizeof a);
    std::memcpy(b, b_words, sizeof b);
    auto byte = [](unsigned word, int index) { return int(static_cast<signed char>(word >> (8 * index))); };
    d[0] = d[1] = d[2] = d[3] = 0;
    wino_warp_product(
        d, a, b, 32,
        [&](const wino_warp& w, int row, int col) { return byte(w.a[4 * (row % 8) + col % 16 / 4][(row >= 8) + 2 * (col >= 16)], col % 4); },
        [&](const wino_warp& w, int k, int n) { return byte(w.b[4 * n + k % 16 / 4][k >= 16], k % 4); });
}

// m16n8k8, binary16: A's (row, col) in lane 4·(row % 8) + col / 2, register
// (row ≥ 8), half col % 2 (the low half the even column); B's (k, n) in lane
// 4n + k / 2, half k % 2. Products exact in fp32, summed here in double and
// rounded once. D from zero.
inline void wino_mma_f16(float (&d)[4], unsigned a0, unsigned a1, unsigned b0) {
    const unsigned a[4] = {a0, a1, 0, 0}, b[2] = {b0, 0};
    auto half = [](unsigned word, int index) { return double(wino_to_float(static_cast<unsigned short>(word >> (16 * index)))); };
    double sums[4] = {0, 0, 0, 0};
    wino_warp_product(
        sums, a, b, 8, [&](const wino_warp& w, int row, int col) { return half(w.a[4 * (row % 8) + col / 2][row >= 8], col % 2); },
        [&](const wino_warp& w, int k, int n) { return half(w.b[4 * n + k / 2][0], k % 2); });
    for (int i = 0; i < 4; ++i) d[i] = float(sums[i]);
}

// m16n8k8, tf32: A's (row, col) in lane 4·(row % 8) + col % 4, register
// (row ≥ 8) + 2·(col ≥ 4); B's (k, n) in lane 4n + k % 4, register (k ≥ 4).
// The tensor cores read 19 bits of each operand (its low 13 ignored); D is
// added to, summed here in double and rounded once.
inline void wino_mma_tf32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
    auto tf32 = [](unsigned bits) { return double(__uint_as_float(bits & 0xffffe000u)); };
    double sums[4] = {d[0], d[1], d[2], d[3]};
    wino_warp_product(
        sums, a, b, 8, [&](const wino_warp& w, int row, int col) { return tf32(w.a[4 * (row % 8) + col % 4][(row >= 8) + 2 * (col >= 4)]); },
        [&](const wino_warp& w, int k, int n) { return tf32(w.b[4 * n + k % 4][k >= 4]); });
    for (int i = 0; i < 4; ++i) d[i] = float(sums[i]);
}

// cp.async: each copy waits in the thread's queue until its cp.async.wait_all,
// so a kernel that read a slot before waiting would read it unfilled.
struct wino_async_copy {
    float4* slot;
    float4 value;
};
inline thread_local std::vector<wino_async_copy> wino_async_copies;
inline void wino_cp_async_wait() {
    for (const wino_async_copy& copy : wino_async_copies) *copy.slot = copy.value;
    wino_async_copies.clear();
}
struct wino_staged;
inline wino_staged wino_stage_load(float4& slot, const float* buffer, int i);

// Runs `kernel` over the grid, `threads` a block, one block at a time.
template <class... Arguments, std::size_t... I>
void wino_call(void (*kernel)(Arguments...), void** arguments, std::index_sequence<I...>) {
    kernel(*static_cast<std::remove_cv_t<Arguments>*>(arguments[I])...);
}
template <class... Arguments>
void wino_emulate(void (*kernel)(Arguments...), void** arguments, const unsigned* groups, unsigned threads) {
    blockDim = {threads, 1, 1};
    gridDim = {groups[0], groups[1], groups[2]};
    for (unsigned z = 0; z < groups[2]; ++z)
        for (unsigned y = 0; y < groups[1]; ++y)
            for (unsigned x = 0; x < groups[0]; ++x) {
                std::barrier<> block(threads);
                std::unique_ptr<wino_warp[]> warps(new wino_warp[(threads + 31) / 32]);
                wino_block_sync = &block;
                wino_warps = warps.get();
                std::vector<std::thread> lanes;
                for (unsigned t = 0; t < threads; ++t)
                    lanes.emplace_back([=] {
                        threadIdx = {t, 0, 0};
                        blockIdx = {x, y, z};
                        wino_call(kernel, arguments, std::index_sequence_for<Arguments...>{});
                    });
                for (std::thread& lane : lanes) lane.join();
            }
}

// What the test appends to a kernel's source (KERNEL_NAME is the kernel's).
#define WINO_EMULATED_LAUNCH                                                                      \
    inline wino_staged wino_stage_load(float4& slot, const float* buffer, int i) {                    \
        wino_async_copies.push_back({&slot, reinterpret_cast<const float4*>(buffer)[i]});             \
        return {};                                                                                    \
    }                                                                                                 \
    extern "C" void wino_emulated_run(void** arguments, const unsigned* groups, unsigned threads) {    \
        wino_emulate(&KERNEL_NAME, arguments, groups, threads);                                       \
    }
