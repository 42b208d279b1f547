// The C++ API: open a device, make a Conv2d for a layer from a kernel choice
// or from a generated KernelSet, upload its filters once, and run it on
// device buffers the caller owns or on host vectors. Every error is an
// exception of <wino/errors.hpp> with a one-line message. `wino-gen run`
// runs its layers through this API.
#pragma once

#include <wino/errors.hpp>
#include <wino/kernel_set.hpp>
#include <wino/kinds.hpp>
#include <wino/shape.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wino {

namespace detail {
struct DeviceState;
struct BufferState;
struct Conv2dState;
}  // namespace detail

struct DeviceOptions {
    Backend backend = Backend::glsl;
    int index = -1;           // -1: the API's default ($WINO_VULKAN_DEVICE, else 0)
    bool validation = false;  // Vulkan: the Khronos validation layer; any message fails a run
    // CUDA: a layer's kernels launched as one CUDA graph, captured at its first
    // run on a pair of input and output buffers (again when the pair changes):
    // one launch a run instead of one a kernel.
    bool cuda_graphs = false;
};

// One GPU through one API. Throws DeviceError when there is none (for CUDA,
// also when the CUDA libraries are not installed).
class Device {
public:
    explicit Device(const DeviceOptions& options = {});
    ~Device();
    Device(Device&&) noexcept;
    Device& operator=(Device&&) noexcept;

    Backend backend() const;
    std::string name() const;  // "vulkan:0 llvmpipe (LLVM 15.0.6, 256 bits)"

private:
    friend class Buffer;
    friend class Conv2d;
    friend struct detail::DeviceState;
    friend struct detail::Conv2dState;
    std::shared_ptr<detail::DeviceState> state_;
};

// `size` values of `type` (fp32, binary16 for the fp16 _io precisions'
// tensors, int8 codes for int8-io's: Conv2d::tensor_type) in the device's
// memory, owned by the caller.
class Buffer {
public:
    Buffer(Device& device, std::size_t size, ElementType type = ElementType::fp32);
    ~Buffer();
    Buffer(Buffer&&) noexcept;
    Buffer& operator=(Buffer&&) noexcept;

    std::size_t size() const;
    ElementType type() const;
    // Copies between the host and the buffer; the span's size must be size().
    // Floats are converted to and from the buffer's type (to binary16: to
    // nearest even; to int8: to the nearest integer, even on a tie, saturated
    // to [-128, 127]).
    void write(std::span<const float> values);
    void read(std::span<float> values) const;
    // IEEE binary16 bits as they are, to and from an fp16 buffer.
    void write(std::span<const std::uint16_t> binary16);
    void read(std::span<std::uint16_t> binary16) const;
    // int8 codes as they are, to and from an int8 buffer.
    void write(std::span<const std::int8_t> codes);
    void read(std::span<std::int8_t> codes) const;

private:
    friend class Conv2d;
    std::unique_ptr<detail::BufferState> state_;
};

// Which kernels a Conv2d makes: the variant, the output tile m (per axis,
// F(m.h×m.w, R×S); along an axis whose filter size is 1 the tile is 1), kernel
// parameters by name with the text `wino-gen run` takes for them
// ({"gemm_threads", "1,8"}, {"unroll", "full"}; the others are the ones
// suggested for the layer), and the interpolation points as --points takes
// them ("0,1,-1,2,-2"; empty: the default set).
struct KernelChoice {
    Variant variant = Variant::nonfused;
    TileSize m = 4;
    std::map<std::string, std::string> params = {};
    std::string points = "";
    Precision precision = Precision::fp32;  // a Winograd variant's only
    Epilogue epilogue = {};                 // bias and activation, applied as the output is written (forward only)
    // What the kernels compute for the layer: forward; backward_data (run
    // then reads the output's gradient dy and writes the input's, dx); or
    // backward_filter (set_filters takes dy, run reads x and writes the
    // filters' gradient dw; m is then the width w of dy's chunks, 1×w with w
    // from 2 to 9).
    Pass pass = Pass::forward;
    // Precision int8's clips of V, one a tap of the tile, and U's cap (from a
    // calibration, or given); the scales of U come from the filters.
    Int8Clips clips = {};
};

using KernelTimes = std::vector<std::pair<std::string, double>>;  // kernel name, device ms; launch order

class Conv2d {
public:
    // Kernels emitted from the recipe database and compiled on the device.
    Conv2d(Device& device, const ConvShape& shape, const KernelChoice& choice = {});
    // The kernels of a generated registry (SPIR-V built in: nothing is
    // compiled but by the driver). Throws InputError when the set is not for
    // this device's backend or not what this wino-gen makes for the layer.
    Conv2d(Device& device, const ConvShape& shape, const KernelSet& kernels);
    ~Conv2d();
    Conv2d(Conv2d&&) noexcept;
    Conv2d& operator=(Conv2d&&) noexcept;

    const ConvShape& shape() const;  // the layer as its forward pass describes it, whatever the pass
    const KernelChoice& choice() const;
    std::vector<std::string> kernel_names() const;  // in launch order
    // The element type of the input and output Buffers it runs on: fp16 at
    // the fp16 _io precisions (whose filters are binary16 on the device too),
    // int8 at int8-io, else fp32. Host vectors are floats at every precision,
    // converted on the way (at int8-io they hold the codes).
    ElementType tensor_type() const;

    // K·C·R·S values; uploaded and transformed once, kept for every run.
    // Backward-filter: dy, N·K·H'·W' values, uploaded (and transformed by
    // each run, with the x it pairs with).
    void set_filters(std::span<const float> filters);
    // K values, when the epilogue adds a bias: set before the first run, kept.
    void set_bias(std::span<const float> bias);
    // Precision int8-io's coding of the input and output (ONNX QLinearConv's
    // x_scale, x_zero_point, y_scale, y_zero_point): set before the first
    // run, kept; InputError for a scale that is not finite and positive, a
    // zero point outside [-128, 127], or another precision. The epilogue
    // (bias, activation) applies before the output is coded.
    void set_quantization(const TensorQuantization& quantization);
    // On the device: input holds at least N·C·H·W values, output N·K·H'·W'
    // (backward-data: input is dy, N·K·H'·W', and output dx, N·C·H·W;
    // backward-filter: input is x and output dw, K·C·R·S).
    // No host copy; returns the kernels' device times.
    KernelTimes run(const Buffer& input, Buffer& output);
    // From and to host memory, through the layer's own buffers; the output is
    // poisoned (NaN) first, so a value a kernel missed shows.
    KernelTimes run(std::span<const float> input, std::vector<float>& output);
    // Backward-filter's step: dw from x and dy (set_filters(dy), then run).
    // Throws InputError for another pass.
    KernelTimes run(std::span<const float> input, std::span<const float> grad_output, std::vector<float>& grad_filters);
    // The times of the median (by total) of `repeats` runs after `warmup`.
    KernelTimes median_times(std::span<const float> input, int warmup, int repeats);

private:
    friend struct detail::Conv2dState;
    explicit Conv2d(std::unique_ptr<detail::Conv2dState> state);
    std::unique_ptr<detail::Conv2dState> state_;
};

double total_ms(const KernelTimes& times);

}  // namespace wino
