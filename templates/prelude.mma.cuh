// The product's operands at precisions tf32 and split-tf32 (ProductOperands
// in kernel_kinds.hpp): TF32 rounding on the bits, to nearest with ties away
// from zero (cvt.rna.tf32.f32's rounding, which sm_75 lacks), as the GLSL
// kernels and the layer error model round; x - big is exact in fp32.
__device__ inline float wino_tf32(float x) { return __uint_as_float((__float_as_uint(x) + 0x1000u) & 0xffffe000u); }
__device__ inline float wino_split_tf32_fma(float a, float b, float c) {
    const float a_big = wino_tf32(a), b_big = wino_tf32(b);
    const float a_small = wino_tf32(a - a_big), b_small = wino_tf32(b - b_big);
    return fmaf(a_big, b_big, fmaf(a_small, b_big, fmaf(a_big, b_small, c)));
}
// Tensor cores for the GEMM (tensor_cores): WINO_MMA_BLOCK(d, u, u_row, v,
// v_row) sets d to a warp's 16x8 tile of M from a 16x8 block of U (u[c *
// u_row + k]: 16 filters k by 8 channels c) and an 8x8 block of V (v[c * v_row
// + p]: 8 channels by 8 tiles p), summed in fp32 from zero by PTX's mma.sync
// m16n8k8. The preamble names the one for the precision's operands. Lane l
// holds, with g = l / 4 and t = l % 4, of M: (g, 2t..2t+1) in d[0..1] and
// (g + 8, 2t..2t+1) in d[2..3].
// binary16 operands (sm_75 on): of U, (g, 2t..2t+1) in a0 and (g + 8,
// 2t..2t+1) in a1; of V, (2t..2t+1, g) in b0. The operands are exact binary16
// values held as floats (read from a 16-bit buffer), so packing them converts
// nothing.
#ifndef WINO_EMULATED_WARP  // the tests' CPU emulation of a warp defines these itself
__device__ inline unsigned wino_half2_bits(float low, float high) {
    unsigned short l, h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(l) : "f"(low));
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(high));
    return static_cast<unsigned>(l) | (static_cast<unsigned>(h) << 16);
}
// d = a·b from zero: mma.sync m16n8k8 on binary16 operands, fp32 sums.
__device__ inline void wino_mma_f16(float (&d)[4], unsigned a0, unsigned a1, unsigned b0) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5}, {%6}, {%7, %7, %7, %7};\n"
                 : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
                 : "r"(a0), "r"(a1), "r"(b0), "f"(0.0f));
}
#endif
__device__ inline void wino_mma_block_f16(float (&d)[4], const float* u, int u_row, const float* v, int v_row) {
    const int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4 * 2;
    const unsigned a0 = wino_half2_bits(u[t * u_row + g], u[(t + 1) * u_row + g]);
    const unsigned a1 = wino_half2_bits(u[t * u_row + g + 8], u[(t + 1) * u_row + g + 8]);
    const unsigned b0 = wino_half2_bits(v[t * v_row + g], v[(t + 1) * v_row + g]);
    wino_mma_f16(d, a0, a1, b0);
}
// TF32 operands (sm_80 on), as fp32 bits: of U, (g, t) in a[0], (g + 8, t) in
// a[1], (g, t + 4) in a[2], (g + 8, t + 4) in a[3]; of V, (t, g) in b[0] and
// (t + 4, g) in b[1]. wino_mma_tf32 adds the product to d.
struct wino_tf32_operands {
    unsigned a[4], b[2];
};
#ifndef WINO_EMULATED_WARP  // the tests' CPU emulation of a warp defines wino_mma_tf32 and wino_mma_s8 itself
__device__ inline void wino_mma_tf32(float (&d)[4], const wino_tf32_operands& o) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(o.a[0]), "r"(o.a[1]), "r"(o.a[2]), "r"(o.a[3]), "r"(o.b[0]), "r"(o.b[1]));
}
// d = a·b from zero, in exact int32 sums: mma.sync m16n8k32 on s8 operands,
// the fragments as PTX lays them out (four words of A, two of B a lane).
__device__ inline void wino_mma_s8(int (&d)[4], int a0, int a1, int a2, int a3, int b0, int b1) {
    asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%10, %10, %10, %10};\n"
                 : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "r"(0));
}
#endif
// The lane's U and V values of the blocks, `part` (wino_tf32 for the big
// part; the rounding of the rest for the small one) applied to each.
template <class Part>
__device__ inline wino_tf32_operands wino_tf32_fragments(const float* u, int u_row, const float* v, int v_row, Part part) {
    const int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
    return {{__float_as_uint(part(u[t * u_row + g])), __float_as_uint(part(u[t * u_row + g + 8])),
             __float_as_uint(part(u[(t + 4) * u_row + g])), __float_as_uint(part(u[(t + 4) * u_row + g + 8]))},
            {__float_as_uint(part(v[t * v_row + g])), __float_as_uint(part(v[(t + 4) * v_row + g]))}};
}
__device__ inline void wino_mma_block_tf32(float (&d)[4], const float* u, int u_row, const float* v, int v_row) {
    d[0] = d[1] = d[2] = d[3] = 0.0f;
    wino_mma_tf32(d, wino_tf32_fragments(u, u_row, v, v_row, wino_tf32));
}
// 3xTF32: big·small, small·big, then big·big, into one sum.
__device__ inline void wino_mma_block_split_tf32(float (&d)[4], const float* u, int u_row, const float* v, int v_row) {
    const auto small = [](float x) { return wino_tf32(x - wino_tf32(x)); };
    const wino_tf32_operands big = wino_tf32_fragments(u, u_row, v, v_row, wino_tf32),
                             rest = wino_tf32_fragments(u, u_row, v, v_row, small);
    d[0] = d[1] = d[2] = d[3] = 0.0f;
    wino_mma_tf32(d, {{big.a[0], big.a[1], big.a[2], big.a[3]}, {rest.b[0], rest.b[1]}});
    wino_mma_tf32(d, {{rest.a[0], rest.a[1], rest.a[2], rest.a[3]}, {big.b[0], big.b[1]}});
    wino_mma_tf32(d, big);
}
// int8 codes (precisions int8 and int8-io; sm_80 on): mma.sync m16n8k32 on
// s8 operands with exact s32 sums. A staged block is 8 words of 4 channels'
// codes, 32 channels, k32: u[w * u_row + k] and v[w * v_row + p] are words.
// Of U, the word of channels 4t..4t+3 for filter g in a0, g + 8 in a1, and of
// channels 16 + 4t.. (word t + 4) in a2 and a3; of V, words t and t + 4 of
// tile g in b0 and b1. The codes' byte order is the same in both, so each
// byte pairs with its channel's. d as the fp32 forms hold it, in int32.
__device__ inline void wino_mma_block_s8(int (&d)[4], const int* u, int u_row, const int* v, int v_row) {
    const int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
    wino_mma_s8(d, u[t * u_row + g], u[t * u_row + g + 8], u[(t + 4) * u_row + g], u[(t + 4) * u_row + g + 8], v[t * v_row + g],
                v[(t + 4) * v_row + g]);
}
