// The CUDA executor when wino-gen is built without CUDA (-DWINO_CUDA=OFF or no
// toolkit): opening one says how to build it.
#include "runtime/executor.hpp"

#include "generator/build_parts.hpp"
#include <wino/errors.hpp>

namespace wino {

std::unique_ptr<Executor> open_cuda_executor(const ExecutorOptions&) {
    throw DeviceError(absent_part(Part::cuda, "a CUDA executor"));
}

}  // namespace wino
