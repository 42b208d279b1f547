// The CUDA executor: a ConvPlan's CUDA kernels compiled in process with NVRTC
// for the device's architecture (cached), the non-fused product by our GEMM
// kernel or by cuBLAS strided-batched SGEMM, per-kernel times from CUDA
// events. It lives in its own module, libwinogen_cuda.so, the only part of
// wino-gen linked to the CUDA libraries: the runtime loads it on first use
// (cuda_loader.cpp), so nothing else pays for CUDA at startup or needs it
// installed. Built without the toolkit, cuda_absent.cpp says so instead.
#pragma once

#include "runtime/executor.hpp"

// open_cuda_executor (executor.hpp) throws DeviceError when the module or the
// CUDA libraries cannot be loaded, or when there is no CUDA device.

// The module's entry point, looked up by this name; it throws as open_cuda_executor.
extern "C" wino::Executor* wino_cuda_open_executor(const wino::ExecutorOptions* options);
inline constexpr const char* wino_cuda_module = "libwinogen_cuda.so";
inline constexpr const char* wino_cuda_entry = "wino_cuda_open_executor";
