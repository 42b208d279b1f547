// The flags the subcommands share: where a layer runs (backend, device,
// validation), which layer (--input-shape, --filters, --r, --pad), and the
// check every integer flag gets.
#pragma once

#include "api_state.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wino::cli {

struct DeviceOptions {
    std::string backend = "vulkan", device;
    bool validation = false;
};

void add_device_options(CLI::App* sub, DeviceOptions& options);

struct LayerOptions {
    std::string input_shape;
    std::optional<int> filters;
    int r = 3, pad = 0;
};

void add_layer_options(CLI::App* sub, LayerOptions& options);

// --activation, the same on run and emit (epilogue.hpp's forms).
void add_activation_option(CLI::App* sub, std::string& activation);

// Throws InputError for a bad backend or device name, DeviceError for no device.
Device open_device(const DeviceOptions& options);

// Every integer flag's check, on its text before CLI11 converts it: a decimal
// integer in [min, max], never wrapped or saturated ("--pad: must be an
// integer from 0 to 65536, not 2147483648").
CLI::Validator integer_range(long long min, long long max);
// A number of seconds: finite, 0 to a year (no nan, no inf, no negative).
CLI::Validator seconds_range();

// "1,64,56,56" → {1, 64, 56, 56}: the first `count` of N, C, H, W, K, each
// against its range (layer_fields); throws InputError naming `flag`.
std::vector<long long> parse_shape(const std::string& text, const std::string& flag = "--input-shape", std::size_t count = 4);
// The layer of N,C,H,W, K filters and the flags' R and pad, checked.
ConvShape layer_shape(const std::vector<long long>& nchw, long long filters, const LayerOptions& options);

}  // namespace wino::cli
