// The CUDA executor, loaded from its module on first use: the process maps
// the CUDA driver, NVRTC and cuBLAS only when a CUDA device is asked for, and
// where they are not installed that request fails with dlopen's reason.
#include "runtime/cuda_executor.hpp"

#include <wino/errors.hpp>
#include "generator/install_paths.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <mutex>

namespace wino {
namespace {

using OpenExecutor = Executor* (*)(const ExecutorOptions*);

// The module stays loaded for the life of the process: its code runs every
// executor it made.
OpenExecutor load_module() {
    static std::once_flag once;
    static OpenExecutor entry = nullptr;
    static std::string failure;
    std::call_once(once, [] {
        const std::string path = (library_dir() / wino_cuda_module).string();
        void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!module) {
            failure = dlerror();
            return;
        }
        entry = reinterpret_cast<OpenExecutor>(dlsym(module, wino_cuda_entry));
        if (!entry) failure = fmt::format("{} has no {}", path, wino_cuda_entry);
    });
    if (!entry) throw DeviceError(fmt::format("CUDA is not available: {}", failure));
    return entry;
}

}  // namespace

std::unique_ptr<Executor> open_cuda_executor(const ExecutorOptions& options) {
    return std::unique_ptr<Executor>(load_module()(&options));
}

}  // namespace wino
