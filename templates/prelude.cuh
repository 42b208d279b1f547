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
#define max(a, b) ((a) > (b) ? (a) : (b))
#define KERNEL_MAIN extern "C" __global__ void KERNEL_NAME(KERNEL_ARGS)
// A loop whose arrays must stay in registers: unrolled whole.
#define UNROLL_LOOP _Pragma("unroll")
// Read-only buffers through the read-only data cache; FETCH4 reads 4 floats
// (16-byte aligned: buffers come from cudaMalloc, indices count float4s).
// REAL and REAL4, the working type, come with the precision
// (prelude.fp32.cuh, prelude.fp16.cuh).
#define FETCH(buffer, i) __ldg(&(buffer)[i])
#define FETCH4(buffer, i) __ldg(reinterpret_cast<const float4*>(buffer) + (i))
