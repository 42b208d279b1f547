// The flags that say where a layer runs (`run`, `tune`): backend, device,
// validation, cuBLAS; and the --input-shape reader they share.
#pragma once

#include "executor.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace wino::cli {

struct DeviceOptions {
    std::string backend = "vulkan", device;
    bool validation = false, cublas = false;
};

void add_device_options(CLI::App* sub, DeviceOptions& options);

// Throws InputError for a bad backend or device name, DeviceError for no device.
std::unique_ptr<Executor> open_device(const DeviceOptions& options);

// "1,64,56,56" → {1, 64, 56, 56}; throws InputError naming --input-shape.
std::vector<long long> parse_shape(const std::string& text);

}  // namespace wino::cli
