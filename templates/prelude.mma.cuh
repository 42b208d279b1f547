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
// Tensor cores for the GEMM (tensor_cores). The preamble names as WINO_MMA
// the struct of the precision's operands: a_fragment and b_fragment, what a
// lane holds of a 16x8 block of U (u[c * u_row + k]: 16 filters k by 8 channel
// words c) and of an 8x8 block of V (v[c * v_row + p]: 8 channel words by 8
// tiles p); load_a and load_b, which read them from the staged block; and
// product(d, a, b), which sets d to the warp's 16x8 tile of M, summed from
// zero by PTX's mma.sync. A warp loads each fragment once a staged block and
// multiplies it with every fragment of the other operand it meets. Lane l
// holds, with g = l / 4 and t = l % 4, of M: (g, 2t..2t+1) in d[0..1] and
// (g + 8, 2t..2t+1) in d[2..3].
// binary16 operands (m16n8k8, sm_75 on): PTX puts k = 2t, 2t + 1 of rows g
// and g + 8 of A in a0 and a1, and of column g of B in b0. A sum over k takes
// its terms in any order the two operands share, so here k = 2t + j is
// channel t + 4j: lane l reads rows t and t + 4 of the staged block, as the
// TF32 and int8 loads do (GemmBlock's padding keeps them conflict-free). The
// operands are exact binary16 values held as floats (read from a 16-bit
// buffer), so packing them converts nothing.
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
// d += a·b: mma.sync m16n8k8 on TF32 operands (fp32 bits), fp32 sums.
__device__ inline void wino_mma_tf32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
// d = a·b from zero, in exact int32 sums: mma.sync m16n8k32 on s8 operands,
// the fragments as PTX lays them out (four words of A, two of B a lane).
__device__ inline void wino_mma_s8(int (&d)[4], const int (&a)[4], const int (&b)[2]) {
    asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%10, %10, %10, %10};\n"
                 : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(0));
}
#endif
struct wino_f16_mma {
    struct a_fragment {
        unsigned a0, a1;
    };
    struct b_fragment {
        unsigned b0;
    };
    __device__ static a_fragment load_a(const float* u, int u_row) {
        const int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
        return {wino_half2_bits(u[t * u_row + g], u[(t + 4) * u_row + g]),
                wino_half2_bits(u[t * u_row + g + 8], u[(t + 4) * u_row + g + 8])};
    }
    __device__ static b_fragment load_b(const float* v, int v_row) {
        const int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
        return {wino_half2_bits(v[t * v_row + g], v[(t + 4) * v_row + g])};
    }
    __device__ static void product(float (&d)[4], const a_fragment& a, const b_fragment& b) { wino_mma_f16(d, a.a0, a.a1, b.b0); }
};
// TF32 operands (m16n8k8, sm_80 on): of U, (g, t) in a[0], (g + 8, t) in
// a[1], (g, t + 4) in a[2], (g + 8, t + 4) in a[3]; of V, (t, g) in b[0] and
// (t + 4, g) in b[1]. wino_tf32_elements reads them, `part` (the TF32
// rounding, or the rounding of the rest) applied to each.
template <class Part>
__device__ inline void wino_tf32_elements(const float* u, int u_row, unsigned (&a)[4], Part part) {
    const int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
    a[0] = __float_as_uint(part(u[t * u_row + g]));
    a[1] = __float_as_uint(part(u[t * u_row + g + 8]));
    a[2] = __float_as_uint(part(u[(t + 4) * u_row + g]));
    a[3] = __float_as_uint(part(u[(t + 4) * u_row + g + 8]));
}
template <class Part>
__device__ inline void wino_tf32_elements(const float* v, int v_row, unsigned (&b)[2], Part part) {
    const int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
    b[0] = __float_as_uint(part(v[t * v_row + g]));
    b[1] = __float_as_uint(part(v[(t + 4) * v_row + g]));
}
__device__ inline float wino_tf32_rest(float x) { return wino_tf32(x - wino_tf32(x)); }
struct wino_tf32_mma {
    struct a_fragment {
        unsigned a[4];
    };
    struct b_fragment {
        unsigned b[2];
    };
    __device__ static a_fragment load_a(const float* u, int u_row) {
        a_fragment f;
        wino_tf32_elements(u, u_row, f.a, wino_tf32);
        return f;
    }
    __device__ static b_fragment load_b(const float* v, int v_row) {
        b_fragment f;
        wino_tf32_elements(v, v_row, f.b, wino_tf32);
        return f;
    }
    __device__ static void product(float (&d)[4], const a_fragment& a, const b_fragment& b) {
        d[0] = d[1] = d[2] = d[3] = 0.0f;
        wino_mma_tf32(d, a.a, b.b);
    }
};
// 3xTF32: each operand as its TF32 part and the TF32 rounding of the rest;
// big·small, small·big, then big·big, into one sum.
struct wino_split_tf32_mma {
    struct a_fragment {
        unsigned big[4], small[4];
    };
    struct b_fragment {
        unsigned big[2], small[2];
    };
    __device__ static a_fragment load_a(const float* u, int u_row) {
        a_fragment f;
        wino_tf32_elements(u, u_row, f.big, wino_tf32);
        wino_tf32_elements(u, u_row, f.small, wino_tf32_rest);
        return f;
    }
    __device__ static b_fragment load_b(const float* v, int v_row) {
        b_fragment f;
        wino_tf32_elements(v, v_row, f.big, wino_tf32);
        wino_tf32_elements(v, v_row, f.small, wino_tf32_rest);
        return f;
    }
    __device__ static void product(float (&d)[4], const a_fragment& a, const b_fragment& b) {
        d[0] = d[1] = d[2] = d[3] = 0.0f;
        wino_mma_tf32(d, a.big, b.small);
        wino_mma_tf32(d, a.small, b.big);
        wino_mma_tf32(d, a.big, b.big);
    }
};
// int8 codes (precisions int8 and int8-io; m16n8k32, sm_80 on) with exact s32
// sums. A staged block is 8 words of 4 channels' codes, 32 channels, k32:
// u[w * u_row + k] and v[w * v_row + p] are words. Of U, the word of channels
// 4t..4t+3 for filter g in a[0], g + 8 in a[1], and of channels 16 + 4t..
// (word t + 4) in a[2] and a[3]; of V, words t and t + 4 of tile g in b[0] and
// b[1]. The codes' byte order is the same in both, so each byte pairs with its
// channel's. d as the fp32 forms hold it, in int32.
struct wino_s8_mma {
    struct a_fragment {
        int a[4];
    };
    struct b_fragment {
        int b[2];
    };
    __device__ static a_fragment load_a(const int* u, int u_row) {
        const int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
        return {{u[t * u_row + g], u[t * u_row + g + 8], u[(t + 4) * u_row + g], u[(t + 4) * u_row + g + 8]}};
    }
    __device__ static b_fragment load_b(const int* v, int v_row) {
        const int g = threadIdx.x % 32 / 4, t = threadIdx.x % 4;
        return {{v[t * v_row + g], v[(t + 4) * v_row + g]}};
    }
    __device__ static void product(int (&d)[4], const a_fragment& a, const b_fragment& b) { wino_mma_s8(d, a.a, b.b); }
};
// Two sums of M in adjacent columns, at an even index, in one 8-byte store.
template <class Sum>
__device__ inline void wino_store_pair(Sum* m, int at, Sum low, Sum high) {
    struct alignas(2 * sizeof(Sum)) pair {
        Sum low, high;
    };
    *reinterpret_cast<pair*>(m + at) = pair{low, high};
}
// The tensor-core GEMM's steps as its template writes them in both dialects
// (kernel_kinds.cpp's tensor_core_values; prelude.coop.glsl for GLSL): a
// tile's running sums, zero; the fragments of U and V at element `offset` of
// a staged array, a channel word's row `stride` elements apart; a tile's
// block product from zero added to its sums; and the tile stored at row
// `row0` (filter) and column `column0` (tile) of M's position xi, its rows
// past K and columns past the padded P not.
#define TC_SUMS(acc) REAL acc[4] = {0, 0, 0, 0}
#define TC_LOAD_A(a, array, offset, stride) \
    const WINO_MMA::a_fragment a = WINO_MMA::load_a(reinterpret_cast<const REAL*>(array) + (offset), stride)
#define TC_LOAD_B(b, array, offset, stride) \
    const WINO_MMA::b_fragment b = WINO_MMA::load_b(reinterpret_cast<const REAL*>(array) + (offset), stride)
#define TC_PRODUCT_ADD(acc, a, b)                                     \
    {                                                                 \
        REAL d_[4];                                                   \
        WINO_MMA::product(d_, a, b);                                  \
        for (int e_ = 0; e_ < 4; ++e_) acc[e_] += d_[e_];             \
    }
#define TC_STORE(acc, xi, row0, column0) \
    WINO_TC_STORE_ROWS(acc, xi, row0, column0, 0); WINO_TC_STORE_ROWS(acc, xi, row0, column0, 1)
// Lane (g, t) holds rows g and g + 8 of the tile (`half` 0 and 1), columns 2t
// and 2t + 1 of each.
#define WINO_TC_STORE_ROWS(acc, xi, row0, column0, half)                                                             \
    {                                                                                                               \
        const int row_ = (row0) + threadIdx.x % 32 / 4 + 8 * (half), column_ = (column0) + threadIdx.x % 4 * 2;      \
        if (row_ < p.K && column_ < p.p_quads * 4)                                                                  \
            wino_store_pair(reinterpret_cast<REAL*>(product), ((xi) * p.K + row_) * p.p_quads * 4 + column_,        \
                            STORED_product(acc[2 * (half)]), STORED_product(acc[2 * (half) + 1]));                  \
    }
