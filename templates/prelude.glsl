// GLSL prelude: maps the neutral kernel dialect onto Vulkan compute shaders.
#define GLOBAL_ID_X int(gl_GlobalInvocationID.x)
#define GLOBAL_ID_Y int(gl_GlobalInvocationID.y)
#define LOCAL_ID_X int(gl_LocalInvocationID.x)
#define GROUP_ID_X int(gl_WorkGroupID.x)
#define GROUP_ID_Y int(gl_WorkGroupID.y)
#define GROUP_ID_Z int(gl_WorkGroupID.z)
#define BARRIER() memoryBarrierShared(); barrier()
#define SHARED shared
#define FMA(a, b, c) fma(a, b, c)
#define KERNEL_MAIN void main()
// Groups of 8 neighbouring invocations (8-aligned within a subgroup).
#define GROUP8_LANE int(gl_SubgroupInvocationID & 7u)
#define GROUP8_SHUFFLE(x, i) subgroupShuffle(x, (gl_SubgroupInvocationID & ~7u) + uint(i))
