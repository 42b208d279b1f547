// CUDA prelude: maps the neutral kernel dialect onto CUDA C++.
#define GLOBAL_ID_X int(blockIdx.x * blockDim.x + threadIdx.x)
#define GLOBAL_ID_Y int(blockIdx.y * blockDim.y + threadIdx.y)
#define LOCAL_ID_X int(threadIdx.x)
#define GROUP_ID_X int(blockIdx.x)
#define GROUP_ID_Y int(blockIdx.y)
#define GROUP_ID_Z int(blockIdx.z)
#define BARRIER() __syncthreads()
#define SHARED __shared__
#define FMA(a, b, c) fmaf(a, b, c)
#define min(a, b) ((a) < (b) ? (a) : (b))
#define KERNEL_MAIN extern "C" __global__ void KERNEL_NAME(KERNEL_ARGS)
// Groups of 8 neighbouring threads (8-aligned within a warp).
#define GROUP8_LANE int(threadIdx.x & 7)
#define GROUP8_SHUFFLE(x, i) __shfl_sync(0xffffffffu, x, i, 8)
