// The CUDA executor when wino-gen is built without CUDA (-DWINO_CUDA=OFF or no
// toolkit): there is never a device.
#include "runtime/cuda_executor.hpp"

#include <wino/errors.hpp>

namespace wino {

std::unique_ptr<Executor> open_cuda_executor(const ExecutorOptions&) {
    throw DeviceError("no CUDA device (wino-gen was built without CUDA)");
}

}  // namespace wino
