// Tensor cores in GLSL (tensor_cores): cooperative matrices of a subgroup of
// 32 (GL_NV_cooperative_matrix; the driver issues their MulAdd as mma), the
// primitives prelude.glsl's TC_ steps are written with. A 16x8 tile of M is
// the product of U's 16 filters x 8 channels and V's 8 channels x 8 tiles:
// binary16 operands read from the staged block (U's fragment column-major
// there, a channel's filters adjacent; V's row-major), fp32 sums. A block
// product is taken from zero and added to the tile's sums, as CUDA's mma.sync
// GEMM and the layer error model sum. A tile reaches M through shared memory,
// one tile a subgroup (wino_tc_tiles), since cooperative stores write every
// element and M has no rows past K. Vulkan asks each load's and store's
// offset and stride to be 16-byte aligned here; the padded staged rows and
// their buffers are, for every block the parameters allow.
#define TC_A fcoopmatNV<16, gl_ScopeSubgroup, 16, 8>
#define TC_B fcoopmatNV<16, gl_ScopeSubgroup, 8, 8>
#define TC_SUM fcoopmatNV<32, gl_ScopeSubgroup, 16, 8>
#define TC_SUMS(acc) TC_SUM acc = TC_SUM(0.0)
#define TC_LOAD_A(a, array, offset, stride) TC_A a; coopMatLoadNV(a, array, uint(offset), uint(stride), true)
#define TC_LOAD_B(b, array, offset, stride) TC_B b; coopMatLoadNV(b, array, uint(offset), uint(stride), false)
#define TC_PRODUCT_ADD(acc, a, b) acc = acc + coopMatMulAddNV(a, b, TC_SUM(0.0))
shared float wino_tc_tiles[gl_WorkGroupSize.x / 32 * 128];
#define TC_STAGE_TILE(acc) \
    coopMatStoreNV(acc, wino_tc_tiles, gl_SubgroupID * 128, 8, false); subgroupMemoryBarrierShared(); subgroupBarrier()
#define TC_TILE(i) wino_tc_tiles[gl_SubgroupID * 128 + (i)]
#define TC_TILE_DONE() subgroupBarrier()
