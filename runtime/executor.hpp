// The one interface every device API implements (Vulkan, CUDA): who the
// device is and what it allows, and a ConvPlan loaded on it (kernels
// compiled once, buffers allocated) that takes filters, runs, and is timed.
// The checks every backend needs (plan against the device limits, tensor
// sizes, output poisoning) and the timer are written here, once.
#pragma once

#include "templates/layer_plan.hpp"
#include "templates/kernel_params.hpp"

#include <wino/conv2d.hpp>

#include <cstdint>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wino {

// What the tuning database keys results on, and how a device is shown.
struct DeviceIdentity {
    Backend backend = Backend::glsl;
    std::uint32_t vendor_id = 0, device_id = 0;
    std::string driver_version;  // as the driver reports it
    std::string name;            // the device's own name
    std::string label;           // "vulkan:0 llvmpipe (LLVM 15.0.6, 256 bits)"
};

struct ExecutorOptions {
    int device_index = -1;    // -1: the API's default ($WINO_VULKAN_DEVICE, else 0)
    bool validation = false;  // Vulkan: the Khronos validation layer; any message fails a run
    bool cuda_graphs = false;  // CUDA: each layer's kernels as one graph (wino::DeviceOptions)
};

std::size_t element_bytes(ElementType type);  // 4, 2 or 1
// A value's int8 code: to nearest even, saturated to [-128, 127] (NaN: 0).
std::int8_t int8_code(double value);
// Values as a tensor of `type` holds them in memory (binary16: each rounded to
// nearest even, as the kernels round; int8: int8_code), and back to floats
// (the first `count`).
std::vector<std::byte> encode(std::span<const float> values, ElementType type);
std::vector<float> decode(std::span<const std::byte> bytes, std::size_t count, ElementType type);

// Tensor memory on a device, owned by whoever allocated it (wino::Buffer):
// size() values of type(), bytes() bytes.
class DeviceArray {
public:
    virtual ~DeviceArray() = default;
    std::size_t size() const { return size_; }
    ElementType type() const { return type_; }
    std::size_t bytes() const { return size_ * element_bytes(type_); }
    virtual void write(const std::byte* data) = 0;  // bytes() of them
    virtual void read(std::byte* data) const = 0;

protected:
    DeviceArray(std::size_t size, ElementType type) : size_(size), type_(type) {}
    std::size_t size_;
    ElementType type_;
};

// A plan whose kernels are compiled and whose buffers exist on a device.
class LoadedLayer {
public:
    virtual ~LoadedLayer() = default;
    const ConvPlan& plan() const { return plan_; }

    // Uploads the filters and runs the per-weight kernels (the filter transform).
    void set_filters(const std::vector<float>& filters);
    // The K values the epilogue adds; throws InputError when it adds none.
    void set_bias(const std::vector<float>& bias);
    // Precision int8-io's coding of the input and output (scales and zero
    // points; InputError for bad ones or another precision): set before a run.
    void set_quantization(const TensorQuantization& quantization);
    // One convolution; the output is poisoned (NaN) first. Times are those of
    // the per-input kernels (the filters are already transformed).
    KernelTimes run(const std::vector<float>& input, std::vector<float>& output);
    // One convolution from and into arrays of the same executor: no host copy.
    // Throws InputError for an array too small or of another device.
    KernelTimes run(const DeviceArray& input, DeviceArray& output);
    // Of `repeats` runs after `warmup` untimed ones, the times of the run whose
    // total is the median.
    KernelTimes median_run(const std::vector<float>& input, int warmup, int repeats);
    // How many runs a timing takes: `min_runs`, then more while their summed
    // device time is under `slice_ms` (a µs layer gets hundreds, a ms one a
    // few), `max_runs` at most.
    struct RunCount {
        int min_runs = 5, max_runs = 5;
        double slice_ms = 0;
    };
    struct TimedRuns {
        KernelTimes median;  // the run whose total is the median
        int runs = 0;
    };
    TimedRuns median_run(const std::vector<float>& input, int warmup, RunCount count);
    // Throws std::runtime_error when a kernel wrote outside a buffer, where the
    // backend can tell (Vulkan keeps guard zones around every buffer).
    virtual void check_guards() const = 0;

protected:
    explicit LoadedLayer(ConvPlan plan) : plan_(std::move(plan)) {}
    // The tensors' element type at the plan's precision.
    ElementType tensor_type() const;
    // The filters as the filters buffer holds them (encode).
    virtual void upload_filters(const std::vector<std::byte>& filters) = 0;
    // Fills a buffer the host writes and the kernels only read: the bias, int8's scales.
    virtual void upload(BufferId buffer, const std::vector<std::byte>& values) = 0;
    // Writes the input (encoded), fills the output buffer's 32-bit words with
    // `poison`, runs the per-input launches, and reads the output buffer back.
    virtual KernelTimes run_input(const std::vector<std::byte>& input, std::uint32_t poison, std::vector<std::byte>& output) = 0;
    // The per-input launches on the caller's arrays, whose sizes are checked.
    virtual KernelTimes run_arrays(const DeviceArray& input, DeviceArray& output) = 0;

    ConvPlan plan_;

private:
    // The bias and int8-io's quantization, where the layer needs them.
    void check_set_before_run() const;
    bool bias_set_ = false;
    TensorQuantization quantization_;
    bool quantization_set_ = false;
    std::vector<float> scales_;  // int8's scales buffer, as last uploaded
};

class Executor {
public:
    virtual ~Executor() = default;
    virtual const DeviceIdentity& identity() const = 0;
    virtual const DeviceLimits& limits() const = 0;
    virtual std::unique_ptr<DeviceArray> allocate(std::size_t size, ElementType type) = 0;

    // Plans the layer for this backend, checks the plan against the device
    // (DeviceError), and loads it.
    std::unique_ptr<LoadedLayer> load(const ConvShape& shape, const ConvConfig& config);
    // The same for a plan already made for this backend.
    std::unique_ptr<LoadedLayer> load(ConvPlan plan);
    // Compiles a kernel into the executor's caches so that a later load finds
    // it compiled; any thread may call it while another loads and runs (the
    // tuner compiles ahead). A failure is kept for the load to report.
    virtual void compile_ahead(const EmittedKernel&) {}

protected:
    virtual std::unique_ptr<LoadedLayer> load_plan(ConvPlan plan) = 0;
};

// The executor of a backend's API; throws DeviceError when there is no such
// device, InputError when this build leaves out the backend's part.
std::unique_ptr<Executor> open_executor(Backend backend, const ExecutorOptions& options);

// Each backend's own, defined with its executor (vulkan_executor.cpp,
// cuda_loader.cpp), or, in a build without that part, by the file that says
// so (vulkan_absent.cpp, cuda_absent.cpp).
std::unique_ptr<Executor> open_vulkan_executor(const ExecutorOptions& options);
std::unique_ptr<Executor> open_cuda_executor(const ExecutorOptions& options);

}  // namespace wino
