// Runs every kernel set built into this program on the default Vulkan device,
// on host vectors and on device buffers, and checks each against a direct
// convolution loop in double. Exit 0 when every set is within its bound.
#include "consumer_cuda_kernels.hpp"
#include "consumer_backward_kernels.hpp"
#include "consumer_filter_gradient_kernels.hpp"
#include "consumer_fp16_kernels.hpp"
#include "consumer_int8_kernels.hpp"
#include "consumer_kernels.hpp"
#include "consumer_rect_kernels.hpp"
#ifdef CONSUMER_TUNED
#include "tuned_kernels.hpp"
#endif
#ifdef CONSUMER_MODEL
#include "consumer_model_kernels.hpp"
#endif

#include <wino/conv2d.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string_view>
#include <vector>

namespace {

std::vector<float> random_values(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = uniform(rng);
    return v;
}

// The set's epilogue on one output of filter k (the activations this program's sets use).
double epilogue(const wino::Epilogue& e, double y, float bias) {
    if (e.bias) y += bias;
    return e.activation == wino::Activation::relu ? std::max(y, 0.0) : y;
}

std::vector<double> direct(const wino::ConvShape& s, const std::vector<float>& x, const std::vector<float>& w,
                           const wino::Epilogue& e, const std::vector<float>& bias) {
    std::vector<double> y(s.output_size());
    for (int n = 0; n < s.N; ++n)
        for (int k = 0; k < s.K; ++k)
            for (int i = 0; i < s.out_h(); ++i)
                for (int j = 0; j < s.out_w(); ++j) {
                    double sum = 0;
                    for (int c = 0; c < s.C; ++c)
                        for (int u = 0; u < s.R; ++u)
                            for (int v = 0; v < s.S; ++v) {
                                const int h = i + u - s.pad.top, ww = j + v - s.pad.left;
                                if (h < 0 || h >= s.H || ww < 0 || ww >= s.W) continue;
                                sum += double(x[((n * s.C + c) * s.H + h) * s.W + ww]) * w[((k * s.C + c) * s.R + u) * s.S + v];
                            }
                    y[((n * s.K + k) * s.out_h() + i) * s.out_w() + j] = epilogue(e, sum, bias[k]);
                }
    return y;
}

// Backward-data from its definition: dx[n,c,h,w] gathers dy[n,k,h+p-u,w+p-v]·w[k,c,u,v].
std::vector<double> direct_backward_data(const wino::ConvShape& s, const std::vector<float>& dy, const std::vector<float>& w) {
    std::vector<double> dx(s.input_size());
    for (int n = 0; n < s.N; ++n)
        for (int c = 0; c < s.C; ++c)
            for (int h = 0; h < s.H; ++h)
                for (int x = 0; x < s.W; ++x) {
                    double sum = 0;
                    for (int k = 0; k < s.K; ++k)
                        for (int u = 0; u < s.R; ++u)
                            for (int v = 0; v < s.S; ++v) {
                                const int i = h + s.pad.top - u, j = x + s.pad.left - v;
                                if (i < 0 || i >= s.out_h() || j < 0 || j >= s.out_w()) continue;
                                sum += double(dy[((n * s.K + k) * s.out_h() + i) * s.out_w() + j]) * w[((k * s.C + c) * s.R + u) * s.S + v];
                            }
                    dx[((n * s.C + c) * s.H + h) * s.W + x] = sum;
                }
    return dx;
}

// Backward-filter from its definition: dw[k,c,u,v] sums x[n,c,i-p+u,j-p+v]·dy[n,k,i,j] over n, i, j.
std::vector<double> direct_backward_filter(const wino::ConvShape& s, const std::vector<float>& x, const std::vector<float>& dy) {
    std::vector<double> dw(s.filter_size());
    for (int k = 0; k < s.K; ++k)
        for (int c = 0; c < s.C; ++c)
            for (int u = 0; u < s.R; ++u)
                for (int v = 0; v < s.S; ++v) {
                    double sum = 0;
                    for (int n = 0; n < s.N; ++n)
                        for (int i = 0; i < s.out_h(); ++i)
                            for (int j = 0; j < s.out_w(); ++j) {
                                const int h = i + u - s.pad.top, ww = j + v - s.pad.left;
                                if (h < 0 || h >= s.H || ww < 0 || ww >= s.W) continue;
                                sum += double(x[((n * s.C + c) * s.H + h) * s.W + ww]) * dy[((n * s.K + k) * s.out_h() + i) * s.out_w() + j];
                            }
                    dw[((k * s.C + c) * s.R + u) * s.S + v] = sum;
                }
    return dw;
}

// What a set's pass reads (into Conv2d's input and set_filters) and writes, by size:
// forward x and w into y, backward-data dy and w into dx, backward-filter x and dy into dw.
struct PassTensors {
    std::size_t input, filters, output;
    const char* label;
};
PassTensors tensors_of(const wino::ConvShape& s, wino::Pass pass) {
    switch (pass) {
        case wino::Pass::backward_data: return {s.output_size(), s.filter_size(), s.input_size(), " backward-data"};
        case wino::Pass::backward_filter: return {s.input_size(), s.output_size(), s.filter_size(), " backward-filter"};
        default: return {s.input_size(), s.filter_size(), s.output_size(), ""};
    }
}

double max_relative_error(const std::vector<float>& y, const std::vector<double>& ref) {
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        diff = std::fmax(diff, std::isfinite(y[i]) ? std::fabs(y[i] - ref[i]) : INFINITY);
        scale = std::fmax(scale, std::fabs(ref[i]));
    }
    return diff / scale;
}

// Runs `set` on `shape` from host vectors and device buffers; true when both
// agree and are within Winograd's error at the set's precision of the direct loop.
// A backward set reads and writes its pass's tensors (tensors_of).
bool check(wino::Device& device, const wino::ConvShape& shape, const wino::KernelSet& set) {
    const PassTensors pass = tensors_of(shape, set.pass);
    const std::size_t reads = pass.input, writes = pass.output;
    const std::vector<float> x = random_values(reads, 1), w = random_values(pass.filters, 2),
                             bias = random_values(static_cast<std::size_t>(shape.K), 3);
    wino::Conv2d conv(device, shape, set);
    conv.set_filters(w);
    if (set.epilogue.bias) conv.set_bias(bias);
    std::vector<float> from_host;
    conv.run(x, from_host);
    wino::Buffer input(device, reads), output(device, writes);
    input.write(x);
    conv.run(input, output);
    std::vector<float> on_device(writes);
    output.read(on_device);
    const std::vector<double> ref = set.pass == wino::Pass::backward_data     ? direct_backward_data(shape, x, w)
                                    : set.pass == wino::Pass::backward_filter ? direct_backward_filter(shape, x, w)
                                                                              : direct(shape, x, w, set.epilogue, bias);
    const double host_error = max_relative_error(from_host, ref), device_error = max_relative_error(on_device, ref);
    // fp32 Winograd: a few hundred ulps of the largest output at these sizes; 16-bit U, V and M: fp16's 11 bits;
    // int8 F(2,3) at its clips: 127 steps a side of each tap's (the exact bound for |x| <= 1).
    const double bound = set.precision == wino::Precision::fp32 ? 1e-4 : set.precision == wino::Precision::int8 ? 0.05 : 1e-2;
    const bool good = host_error < bound && device_error == host_error;
    std::printf("%s F(%dx%d,%dx%d) %s%s: %zu kernels, max rel err %.3e (device buffers %.3e) %s\n", set.name, set.m.h,
                set.m.w, set.r, set.s, set.variant == wino::Variant::fused ? "fused" : "nonfused", pass.label,
                set.kernels.size(), host_error, device_error, good ? "ok" : "FAILED");
    return good;
}

}  // namespace

int main() try {
    const wino::Registry& registry = consumer_kernels::registry();
    wino::Device device;
    std::printf("%s: %zu kernel sets\n", device.name().c_str(), registry.sets.size());
    bool all_good = !registry.sets.empty();
    for (const wino::KernelSet& set : registry.sets)
        all_good = check(device, {2, 3, 11, 10, 5, set.r, set.s, wino::Padding(set.r / 2, set.s / 2)}, set) && all_good;
    for (const wino::KernelSet& set : consumer_rect_kernels::registry().sets)
        all_good = check(device, {2, 3, 11, 10, 5, set.r, set.s, wino::Padding(set.r / 2, set.s / 2)}, set) && all_good;
    for (const wino::KernelSet& set : consumer_fp16_kernels::registry().sets)
        all_good = check(device, {2, 3, 11, 10, 5, set.r, set.s, wino::Padding(set.r / 2, set.s / 2)}, set) && all_good;
    for (const wino::KernelSet& set : consumer_int8_kernels::registry().sets)
        all_good = check(device, {2, 3, 11, 10, 5, set.r, set.s, wino::Padding(set.r / 2, set.s / 2)}, set) && all_good;
    for (const wino::KernelSet& set : consumer_backward_kernels::registry().sets)
        all_good = check(device, {2, 3, 11, 10, 5, set.r, set.s, wino::Padding(set.r / 2, set.s / 2)}, set) && all_good;
    for (const wino::KernelSet& set : consumer_filter_gradient_kernels::registry().sets)
        all_good = check(device, {2, 3, 11, 10, 5, set.r, set.s, wino::Padding(set.r / 2, set.s / 2)}, set) && all_good;
    try {
        wino::Device cuda({wino::Backend::cuda});
        for (const wino::KernelSet& set : consumer_cuda_kernels::registry().sets)
            all_good = check(cuda, {2, 3, 11, 10, 5, set.r, set.s, wino::Padding(set.r / 2, set.s / 2)}, set) && all_good;
    } catch (const wino::DeviceError& e) {
        for (const wino::KernelSet& set : consumer_cuda_kernels::registry().sets)
            std::printf("%s (CUDA) not run: %s\n", set.name, e.what());
    }
#ifdef CONSUMER_MODEL
    // Two of the model's nodes by name, each on its own shape; and a node no set runs says why.
    const wino::Registry& model = consumer_model_kernels::registry();
    for (const char* node : {"/conv1/Conv", "/row/Conv"}) {
        const wino::NodeLookup found = model.find_node(node);
        const auto entry = std::find_if(model.nodes.begin(), model.nodes.end(), [&](const wino::NodeKernels& n) { return std::string_view(n.node) == node; });
        std::printf("node %s: ", node);
        all_good = found.set && entry != model.nodes.end() && check(device, entry->shape, *found.set) && all_good;
    }
    const wino::NodeLookup strided = model.find_node("/down/Conv");
    std::printf("node /down/Conv: %s\n", strided.set ? "has a set" : strided.why);
    all_good = !strided.set && std::string_view(strided.why) == "stride 2x2" && all_good;
#endif
#ifdef CONSUMER_TUNED
    const wino::Registry& tuned = tuned_kernels::registry();
    all_good = all_good && !tuned.layers.empty();
    for (const wino::LayerKernels& layer : tuned.layers) {
        const wino::ConvShape& s = layer.shape;
        std::printf("layer %dx%dx%dx%d -> %d, %dx%d, pad %d,%d,%d,%d: ", s.N, s.C, s.H, s.W, s.K, s.R, s.S, s.pad.top,
                    s.pad.bottom, s.pad.left, s.pad.right);
        all_good = tuned.find(s) == layer.set && check(device, s, *layer.set) && all_good;
    }
#endif
    return all_good ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
}
