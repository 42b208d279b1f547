// conv2d on an NVIDIA GPU: the same ConvPlan as Vulkan, its CUDA kernels
// compiled in process with NVRTC for the device's architecture (cached), the
// non-fused product by our GEMM kernel or by cuBLAS strided-batched SGEMM, and
// timing with CUDA events. Built when the CUDA toolkit is found; otherwise (or
// without a device) cuda_device_count() is 0 and construction throws.
#pragma once

#include "conv_plan.hpp"
#include "errors.hpp"

#include <memory>
#include <string>
#include <vector>

namespace wino {

int cuda_device_count();
// Why there is no CUDA device: "no CUDA device", with the reason when known.
std::string cuda_unavailable_reason();
// "cuda:N <name>"; throws DeviceError when there is no such device.
std::string cuda_device_name(int index);

struct CudaOptions {
    int device = 0;
    bool cublas_gemm = false;  // non-fused: cuBLAS instead of our GEMM kernel
};

class CudaConv2d {
public:
    CudaConv2d(const CudaOptions& options, const ConvShape& shape, const ConvConfig& config);
    ~CudaConv2d();
    void set_filters(const std::vector<float>& filters);
    double run(const std::vector<float>& input, std::vector<float>& output);  // ms, per-input kernels
    double time_median(const std::vector<float>& input, int warmup, int repeats);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace wino
