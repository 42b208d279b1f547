// The CUDA executor: a ConvPlan's CUDA kernels compiled in process with NVRTC
// for the device's architecture (cached), the non-fused product by our GEMM
// kernel or by cuBLAS strided-batched SGEMM, per-kernel times from CUDA
// events. Built when the CUDA toolkit is found; otherwise (cuda_absent.cpp),
// and on a machine without a GPU, opening it throws DeviceError.
#pragma once

#include "executor.hpp"

#include <memory>

namespace wino {

std::unique_ptr<Executor> open_cuda_executor(const ExecutorOptions& options);

}  // namespace wino
