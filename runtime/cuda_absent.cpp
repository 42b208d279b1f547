// The CUDA executor when wino-gen is built without CUDA (-DWINO_CUDA=OFF or no
// toolkit): there is never a device.
#include "cuda_conv2d.hpp"

namespace wino {

int cuda_device_count() { return 0; }
std::string cuda_unavailable_reason() { return "no CUDA device (wino-gen was built without CUDA)"; }
std::string cuda_device_name(int) { throw DeviceError(cuda_unavailable_reason()); }

struct CudaConv2d::State {};

CudaConv2d::CudaConv2d(const CudaOptions&, const ConvShape&, const ConvConfig&) {
    throw DeviceError(cuda_unavailable_reason());
}
CudaConv2d::~CudaConv2d() = default;
void CudaConv2d::set_filters(const std::vector<float>&) {}
double CudaConv2d::run(const std::vector<float>&, std::vector<float>&) { return 0; }
double CudaConv2d::time_median(const std::vector<float>&, int, int) { return 0; }

}  // namespace wino
