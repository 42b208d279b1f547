// GLSL prelude: maps the neutral kernel dialect onto Vulkan compute shaders.
#define GLOBAL_ID_X int(gl_GlobalInvocationID.x)
#define GLOBAL_ID_Y int(gl_GlobalInvocationID.y)
#define LOCAL_ID_X int(gl_LocalInvocationID.x)
#define GROUP_ID_X int(gl_WorkGroupID.x)
#define GROUP_ID_Y int(gl_WorkGroupID.y)
#define GROUP_ID_Z int(gl_WorkGroupID.z)
#define BARRIER() memoryBarrierShared(); barrier()
// A thread's lane in its subgroup, and its index in the workgroup counted by
// subgroups (the GEMM's shared loads, gemm_subgroup: the lanes that share are
// one subgroup whichever invocations the device puts in it). SHUFFLE_REAL4
// comes with the working type (the preamble).
#define SUBGROUP_LANE int(gl_SubgroupInvocationID)
#define SUBGROUP_THREAD int(gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID)
#define SHARED shared
#define FMA(a, b, c) fma(a, b, c)
#define KERNEL_MAIN void main()
// A loop CUDA unrolls whole (its arrays in registers); llvmpipe compiles the
// loop itself far sooner than the unrolled form.
#define UNROLL_LOOP
// Read-only buffers are uniform texel buffers (one float or four per texel):
// lavapipe fetches texels as vectors, but reads storage buffers lane by lane.
// REAL and REAL4, the working type, come with the precision (the preamble).
#define MAKE_REAL4(a, b, c, d) REAL4(a, b, c, d)
#define FETCH(buffer, i) texelFetch(buffer, i).x
#define FETCH4(buffer, i) texelFetch(buffer, i)
#define FETCH_REAL(buffer, i) REAL(FETCH(buffer, i))
#define FETCH_REAL4(buffer, i) REAL4(FETCH4(buffer, i))
// The product's operands at precisions tf32 and split-tf32 (ProductOperands
// in kernel_kinds.hpp): TF32 rounding on the bits, to nearest with ties away
// from zero, as CUDA's kernels and the layer error model round; x - big is
// exact in fp32.
float wino_tf32(float x) { return uintBitsToFloat((floatBitsToUint(x) + 0x1000u) & 0xffffe000u); }
float wino_split_tf32_fma(float a, float b, float c) {
    float a_big = wino_tf32(a), b_big = wino_tf32(b);
    float a_small = wino_tf32(a - a_big), b_small = wino_tf32(b - b_big);
    return FMA(a_big, b_big, FMA(a_small, b_big, FMA(a_big, b_small, c)));
}
// The quantized precisions (ProductOperands): a value's code at a scale,
// rounded to nearest even and clamped to ±largest; an int8 code placed in
// byte `lane` of a word; the product's 4-way dot product of two words' codes,
// added to an int32 sum, as CUDA's dp4a: by the device's instruction where
// the GEMM asks for it (integer_dot), else of sign-extended bytes.
int wino_code(float scaled, float largest) { return int(roundEven(clamp(scaled, -largest, largest))); }
int wino_lane_byte(int code, int lane) { return int(uint(code & 255) << (8 * lane)); }
// split-int8's planes of M at a tap weighed together (CodeSplit): high·high,
// then high·low + low·high at `weight` (1 / radix).
float wino_weigh_planes(float high, float mixed, float weight) { return high + mixed * weight; }
vec4 wino_weigh_planes(vec4 high, vec4 mixed, float weight) { return high + mixed * weight; }
int wino_dot4(int a, int b, int c) {
#ifdef WINO_DOT_INSTRUCTION
    return c + wino_sdot_4x8(a, b, 0);
#else
    return c + bitfieldExtract(a, 0, 8) * bitfieldExtract(b, 0, 8) + bitfieldExtract(a, 8, 8) * bitfieldExtract(b, 8, 8) +
           bitfieldExtract(a, 16, 8) * bitfieldExtract(b, 16, 8) + bitfieldExtract(a, 24, 8) * bitfieldExtract(b, 24, 8);
#endif
}
#define MAKE_INT4(a, b, c, d) ivec4(a, b, c, d)
// The staged GEMM's copies into shared memory (gemm_staging), through a
// register; a copy names the array and its slot there. A staged block is
// quads of the working type, or, for cooperative matrices (which load arrays
// of their component type: prelude.coop.glsl), binary16 values, which the
// operands of their precision are.
#ifdef WINO_COOPERATIVE_MATRIX
#define STAGED_QUADS(name, quads) shared float16_t name[4 * (quads)]
#define STAGE_STORE(array, slot, reg) { vec4 q_ = vec4(reg); int at_ = 4 * (slot); \
    array[at_] = float16_t(q_.x); array[at_ + 1] = float16_t(q_.y); array[at_ + 2] = float16_t(q_.z); array[at_ + 3] = float16_t(q_.w); }
#else
#define STAGED_QUADS(name, quads) shared REAL4 name[quads]
#define STAGE_STORE(array, slot, reg) array[slot] = reg
#endif
#define STAGE_LOAD(reg, array, slot, buffer, i) REAL4 reg = FETCH_REAL4(buffer, i)
#ifdef WINO_COOPERATIVE_MATRIX
// The tensor-core GEMM's last step (its others are prelude.coop.glsl's; CUDA's
// are in prelude.mma.cuh): a tile's sums stored at row `row0` (filter) and
// column `column0` (tile) of M's position xi, from where TC_STAGE_TILE put
// them, row-major: lane l of the subgroup stores the quad of row l / 2 at
// column 4 (l % 2), unless that row is past K or the quad past the padded P.
#define TC_STORE(acc, xi, row0, column0) { \
    TC_STAGE_TILE(acc); \
    int lane_ = SUBGROUP_THREAD % 32, row_ = (row0) + lane_ / 2, column_ = (column0) + lane_ % 2 * 4, at_ = lane_ / 2 * 8 + lane_ % 2 * 4; \
    if (row_ < p.K && column_ < p.p_quads * 4) \
        product[((xi) * p.K + row_) * p.p_quads + column_ / 4] = \
            STORED_product(vec4(TC_TILE(at_), TC_TILE(at_ + 1), TC_TILE(at_ + 2), TC_TILE(at_ + 3))); \
    TC_TILE_DONE(); }
#endif
#define STAGE_WAIT()
