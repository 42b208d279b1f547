// The Vulkan executor when wino-gen is built without Vulkan (-DWINO_VULKAN=OFF,
// or Vulkan's headers or glslang not found): opening one says how to build it.
#include "runtime/executor.hpp"

#include "generator/build_parts.hpp"
#include <wino/errors.hpp>

namespace wino {

std::unique_ptr<Executor> open_vulkan_executor(const ExecutorOptions&) {
    throw DeviceError(absent_part(Part::vulkan, "a Vulkan executor"));
}

}  // namespace wino
