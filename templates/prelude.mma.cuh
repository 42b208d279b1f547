// Tensor cores for the GEMM (tensor_cores): a warp's 16x8 tile of M from a
// 16x8 block of U (rows: filters, columns: channels) and an 8x8 block of V
// (rows: channels, columns: tiles) in binary16, summed in fp32 from zero, by
// PTX's mma.sync m16n8k8 (sm_75 on). Lane l holds, with g = l / 4 and
// t = l % 4: of U, (g, 2t..2t+1) in a0 and (g + 8, 2t..2t+1) in a1; of V,
// (2t..2t+1, g) in b0; of M, (g, 2t..2t+1) in d[0..1] and (g + 8, 2t..2t+1) in
// d[2..3]. The operands are exact binary16 values held as floats (read from a
// 16-bit buffer), so packing them converts nothing.
__device__ inline unsigned wino_half2_bits(float low, float high) {
    unsigned short l, h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(l) : "f"(low));
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(high));
    return static_cast<unsigned>(l) | (static_cast<unsigned>(h) << 16);
}
__device__ inline void wino_mma_16x8x8(float (&d)[4], unsigned a0, unsigned a1, unsigned b0) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5}, {%6}, {%7, %7, %7, %7};\n"
                 : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
                 : "r"(a0), "r"(a1), "r"(b0), "f"(0.0f));
}
