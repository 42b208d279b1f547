// Benchmarks wino-gen's CUDA kernels against cuDNN on a layer list (EuroSys'20
// Figure 7; neural-operator paper Table 1). Per layer, every wino-gen variant
// (fused / non-fused with our GEMM at each --gemm-staging / non-fused with
// cuBLAS, m 2/4/6; and, apart, the non-fused at fp16-mixed, on CUDA cores
// and on tensor cores, and at fp16; and int8, its clips calibrated on the
// input, global and double-staged, beside the 16-bit ones) and
// cudnnConvolutionForward with IMPLICIT_PRECOMP_GEMM, WINOGRAD and
// WINOGRAD_NONFUSED, each the median of 10 timed runs after warm-up, on the
// same seeded tensors, with its error against the fp64 host reference (relative
// L2, and max |Δ| / max |ref|). A variant that fails says why. Run it with
// NVIDIA_TF32_OVERRIDE=0 for cuDNN's fp32 without TF32. With --pass
// backward-data: our fp32 variants of that pass against every algorithm of
// cudnnConvolutionBackwardData (dx from dy and w). With --cuda-graphs, each of
// our layers runs as one CUDA graph (issue 27's launch cost at batch 1).
// usage: wino-gen-cudnn-compare [--batch N] [--pass forward|backward-data] [--cuda-graphs] [--json FILE] LAYER_FILE
//        (lines: name N C H W K R pad, as layer lists)
#include "runtime/cuda_executor.hpp"
#include "runtime/layer_error.hpp"
#include "runtime/layer_run.hpp"
#include "generator/atomic_file.hpp"
#include "generator/json_text.hpp"
#include "runtime/host_reference.hpp"
#include <wino/errors.hpp>

#include <cuda_runtime.h>
#include <cudnn.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <tuple>

namespace {

using namespace wino;

struct Layer {
    std::string name;
    ConvShape shape;
};

std::vector<Layer> read_layers(const std::string& path, std::optional<int> batch) {
    std::ifstream in(path);
    if (!in) throw InputError(fmt::format("cannot read {}", path));
    std::vector<Layer> layers;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        Layer l;
        std::string filter, pad;
        fields >> l.name >> l.shape.N >> l.shape.C >> l.shape.H >> l.shape.W >> l.shape.K >> filter >> pad;
        if (!fields) throw InputError(fmt::format("{}: bad line '{}'", path, line));
        std::tie(l.shape.R, l.shape.S) = parse_filter_shape(filter, l.name + "'s R", true);
        l.shape.pad = parse_padding(pad, l.shape.R, l.shape.S, l.name + "'s pad");
        // cuDNN's descriptor pads each axis alike on both sides.
        if (l.shape.pad.top != l.shape.pad.bottom || l.shape.pad.left != l.shape.pad.right)
            throw InputError(fmt::format("{}: cuDNN pads both sides of an axis alike, not {}", l.name, padding_text(l.shape.pad)));
        if (batch) {
            l.shape.N = *batch;
            l.name += fmt::format("-n{}", *batch);
        }
        layers.push_back(l);
    }
    return layers;
}

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

// One contender on one layer: its time and errors, or why it did not run.
struct Result {
    std::string name;
    double ms = -1;
    std::optional<std::size_t> workspace_bytes;  // cuDNN's, or our U, V and M
    std::optional<LayerErrors> errors;
    std::string failure;
};

void check_cuda(cudaError_t status, const char* what) {
    if (status != cudaSuccess) throw DeviceError(fmt::format("{}: {}", what, cudaGetErrorString(status)));
}

void check_cudnn(cudnnStatus_t status, const char* what) {
    if (status != CUDNN_STATUS_SUCCESS) throw DeviceError(fmt::format("{}: {}", what, cudnnGetErrorString(status)));
}

// A device allocation freed with its scope.
struct DeviceMemory {
    explicit DeviceMemory(std::size_t bytes) { check_cuda(cudaMalloc(&pointer, std::max<std::size_t>(bytes, 4)), "cudaMalloc"); }
    ~DeviceMemory() { cudaFree(pointer); }
    DeviceMemory(const DeviceMemory&) = delete;
    DeviceMemory& operator=(const DeviceMemory&) = delete;
    void* pointer = nullptr;
};

// One cuDNN algorithm of the pass (a cudnnConvolutionFwdAlgo_t,
// cudnnConvolutionBwdDataAlgo_t or cudnnConvolutionBwdFilterAlgo_t) on the
// two tensors the pass reads (x and w, dy and w, x and dy: PassSpec's images
// and filters).
Result cudnn_run(cudnnHandle_t handle, const ConvShape& s, Pass pass, int algo, const char* name,
                 const std::vector<float>& x, const std::vector<float>& w, const std::vector<double>& reference) {
    Result result;
    result.name = fmt::format("cuDNN {}", name);
    cudnnTensorDescriptor_t xd = nullptr, yd = nullptr;
    cudnnFilterDescriptor_t wd = nullptr;
    cudnnConvolutionDescriptor_t conv = nullptr;
    try {
        check_cudnn(cudnnCreateTensorDescriptor(&xd), "cudnnCreateTensorDescriptor");
        check_cudnn(cudnnCreateTensorDescriptor(&yd), "cudnnCreateTensorDescriptor");
        check_cudnn(cudnnCreateFilterDescriptor(&wd), "cudnnCreateFilterDescriptor");
        check_cudnn(cudnnCreateConvolutionDescriptor(&conv), "cudnnCreateConvolutionDescriptor");
        check_cudnn(cudnnSetTensor4dDescriptor(xd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.N, s.C, s.H, s.W), "input descriptor");
        check_cudnn(cudnnSetTensor4dDescriptor(yd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.N, s.K, s.out_h(), s.out_w()),
                    "output descriptor");
        check_cudnn(cudnnSetFilter4dDescriptor(wd, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, s.K, s.C, s.R, s.S), "filter descriptor");
        check_cudnn(cudnnSetConvolution2dDescriptor(conv, s.pad.top, s.pad.left, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION,
                                                    CUDNN_DATA_FLOAT),
                    "convolution descriptor");
        const auto fwd = static_cast<cudnnConvolutionFwdAlgo_t>(algo);
        const auto bwd_data = static_cast<cudnnConvolutionBwdDataAlgo_t>(algo);
        const auto bwd_filter = static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo);
        std::size_t bytes = 0;
        switch (pass) {
            case Pass::forward: check_cudnn(cudnnGetConvolutionForwardWorkspaceSize(handle, xd, wd, conv, yd, fwd, &bytes), "workspace size"); break;
            case Pass::backward_data:
                check_cudnn(cudnnGetConvolutionBackwardDataWorkspaceSize(handle, wd, yd, conv, xd, bwd_data, &bytes), "workspace size");
                break;
            case Pass::backward_filter:
                check_cudnn(cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, xd, yd, conv, wd, bwd_filter, &bytes), "workspace size");
                break;
        }
        const std::size_t out_size = tensor_size(s, spec_of(pass).result);
        DeviceMemory in(x.size() * 4), dw(w.size() * 4), out(out_size * 4), workspace(bytes);
        check_cuda(cudaMemcpy(in.pointer, x.data(), x.size() * 4, cudaMemcpyHostToDevice), "cudaMemcpy");
        check_cuda(cudaMemcpy(dw.pointer, w.data(), w.size() * 4, cudaMemcpyHostToDevice), "cudaMemcpy");
        cudaEvent_t start, stop;
        check_cuda(cudaEventCreate(&start), "cudaEventCreate");
        check_cuda(cudaEventCreate(&stop), "cudaEventCreate");
        const float one = 1, zero = 0;
        std::vector<double> times;
        for (int i = 0; i < 13; ++i) {
            cudaEventRecord(start);
            switch (pass) {
                case Pass::forward:
                    check_cudnn(cudnnConvolutionForward(handle, &one, xd, in.pointer, wd, dw.pointer, conv, fwd, workspace.pointer, bytes,
                                                        &zero, yd, out.pointer),
                                "cudnnConvolutionForward");
                    break;
                case Pass::backward_data:
                    check_cudnn(cudnnConvolutionBackwardData(handle, &one, wd, dw.pointer, yd, in.pointer, conv, bwd_data,
                                                             workspace.pointer, bytes, &zero, xd, out.pointer),
                                "cudnnConvolutionBackwardData");
                    break;
                case Pass::backward_filter:  // in: x, dw: dy (the filters slot), out: the filters' gradient
                    check_cudnn(cudnnConvolutionBackwardFilter(handle, &one, xd, in.pointer, yd, dw.pointer, conv, bwd_filter,
                                                               workspace.pointer, bytes, &zero, wd, out.pointer),
                                "cudnnConvolutionBackwardFilter");
                    break;
            }
            cudaEventRecord(stop);
            check_cuda(cudaEventSynchronize(stop), "cuDNN's convolution");
            float ms = 0;
            cudaEventElapsedTime(&ms, start, stop);
            if (i >= 3) times.push_back(ms);
        }
        cudaEventDestroy(start);
        cudaEventDestroy(stop);
        std::vector<float> y(out_size);
        check_cuda(cudaMemcpy(y.data(), out.pointer, y.size() * 4, cudaMemcpyDeviceToHost), "cudaMemcpy");
        result.ms = median(times);
        result.workspace_bytes = bytes;
        result.errors = compare_with_reference(y, reference);
    } catch (const std::exception& e) {
        result.failure = e.what();
    }
    cudnnDestroyConvolutionDescriptor(conv);
    cudnnDestroyFilterDescriptor(wd);
    cudnnDestroyTensorDescriptor(xd);
    cudnnDestroyTensorDescriptor(yd);
    return result;
}

// A wino-gen configuration: the variant, m, and for the non-fused product
// cuBLAS or our GEMM with its staging (global, shared, double).
struct Ours {
    Variant variant;
    int m;
    bool cublas = false;
    int staging = 0;
    Precision precision = Precision::fp32;
    bool tensor_cores = false;
    Pass pass = Pass::forward;
};

// One wino-gen configuration, checked against the reference and timed as run --bench does.
Result ours_run(Executor& executor, const ConvShape& shape, const Ours& ours, const std::vector<float>& x,
                const std::vector<float>& w, const std::vector<double>& reference) {
    const auto [variant, m, cublas, staging, precision, tensor_cores, pass] = ours;
    const ParamSpec& staging_spec = param_spec(Param::gemm_staging);
    Result result;
    result.name = fmt::format("wino-gen {} m={}{}{}{}{}", to_string(variant), m, cublas ? " cuBLAS" : "",
                              staging ? fmt::format(" {}", value_text(staging_spec, {staging, 0})) : std::string(),
                              precision == Precision::fp32 ? std::string() : fmt::format(" {}", to_string(precision)),
                              tensor_cores ? " tensor cores" : "");
    try {
        const TileSize tile = tile_for(shape, m, pass);
        KernelParams params = suggested_params(shape, tile, executor.limits().device_class, pass);
        params[Param::cublas][0] = cublas;
        params[Param::gemm_staging][0] = staging;
        params[Param::tensor_cores][0] = tensor_cores;
        ConvConfig config{.variant = variant, .m = tile, .params = params, .precision = precision, .pass = pass};
        // int8's clips: calibrated on the input run, as `run` calibrates by default.
        if (spec_of(precision).quantized()) config.clips = calibrate_int8(shape, config, {x}, default_calibration(precision));
        const std::unique_ptr<LoadedLayer> conv = executor.load(shape, config);
        conv->set_filters(w);
        std::vector<float> y;
        conv->run(x, y);
        result.errors = compare_with_reference(y, reference);
        result.errors->bound = check_bound(config, shape, x, w, {});
        result.ms = total_ms(conv->median_run(x, 3, 10));
        // Our workspace: U, V and M (the fused variant has no V or M).
        std::size_t workspace = 0;
        for (const auto& [buffer, words] : conv->plan().buffer_floats)
            if (buffer == BufferId::u || buffer == BufferId::v || buffer == BufferId::product) workspace += 4 * words;
        result.workspace_bytes = workspace;
        if (!result.errors->passed())
            result.failure = fmt::format("rel_err {:.3e} past the bound {:.3e}", result.errors->relative, result.errors->bound);
    } catch (const std::exception& e) {
        result.failure = e.what();
    }
    return result;
}

std::string ms_text(double ms) { return ms < 0 ? "-" : fmt::format("{:.3f}", ms); }

nlohmann::ordered_json result_json(const Result& r) {
    nlohmann::ordered_json out = {{"name", r.name}};
    if (r.ms >= 0) out["ms"] = r.ms;
    if (r.workspace_bytes) out["workspace_bytes"] = *r.workspace_bytes;
    if (r.errors) {
        out["rel_err"] = r.errors->relative;
        out["max_abs_over_max_ref"] = r.errors->max_relative;
    }
    if (!r.failure.empty()) out["failure"] = r.failure;
    return out;
}

// The fastest of `results` that ran and passed.
const Result* fastest(const std::vector<Result>& results) {
    const Result* best = nullptr;
    for (const Result& r : results)
        if (r.failure.empty() && r.ms >= 0 && (!best || r.ms < best->ms)) best = &r;
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    std::optional<int> batch;
    std::string json_path, layer_path;
    Pass pass = Pass::forward;
    bool graphs = false;
    const char* usage =
        "usage: wino-gen-cudnn-compare [--batch N] [--pass forward|backward-data|backward-filter] [--cuda-graphs] [--json FILE] "
        "LAYER_FILE\n";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--cuda-graphs") {
            graphs = true;
        } else if ((arg == "--batch" || arg == "--json" || arg == "--pass") && i + 1 < argc) {
            const std::string value = argv[++i];
            if (arg == "--json") {
                json_path = value;
            } else if (arg == "--pass") {
                try {
                    pass = parse_pass(value, "--pass");
                } catch (const InputError& e) {
                    fmt::print(stderr, "wino-gen-cudnn-compare: {}\n", e.what());
                    return 2;
                }
            } else if (value.find_first_not_of("0123456789") == std::string::npos && value.size() <= 4 && std::stoi(value) > 0) {
                batch = std::stoi(value);
            } else {
                fmt::print(stderr, "wino-gen-cudnn-compare: --batch must be a count from 1 to 9999, not '{}'\n", value);
                return 2;
            }
        } else if (layer_path.empty() && !arg.empty() && arg[0] != '-') {
            layer_path = arg;
        } else {
            fmt::print(stderr, "{}", usage);
            return 2;
        }
    }
    if (layer_path.empty()) {
        fmt::print(stderr, "{}", usage);
        return 2;
    }
    try {
        const auto layers = read_layers(layer_path, batch);
        const std::unique_ptr<Executor> ours = open_cuda_executor({.device_index = 0, .cuda_graphs = graphs});
        cudnnHandle_t handle;
        check_cudnn(cudnnCreate(&handle), "cudnnCreate");
        nlohmann::ordered_json json_layers = nlohmann::ordered_json::array();
        std::string summary =
            fmt::format("{:<22} {:<30} {:>8} | {:<34} {:>8} | {:>7} | {:<38} {:>8} | {:<44} {:>8} | {:<36} {:>8} {:>9}\n", "layer",
                        "best wino-gen fp32", "ms", "best cuDNN", "ms", "speedup", "best wino-gen 16-bit", "ms",
                        "best wino-gen TF32 (tensor cores)", "ms", "best wino-gen int8", "ms", "16-bit/int8");
        for (const Layer& l : layers) {
            // The pass's two tensors (x and w, dy and w, x and dy).
            const std::vector<float> x = random_tensor(tensor_size(l.shape, spec_of(pass).images), 1),
                                     w = random_tensor(tensor_size(l.shape, spec_of(pass).filters), 2);
            const std::vector<double> reference = reference_pass(l.shape, pass, x, w);
            std::vector<Result> wino, wino16, wino_tf32, wino8, cudnn;
            // Backward-filter's m is the width of dy's chunks.
            for (int m : pass == Pass::backward_filter ? std::vector<int>{3, 4, 7, 8} : std::vector<int>{2, 4, 6}) {
                wino.push_back(ours_run(*ours, l.shape, {.variant = Variant::fused, .m = m, .pass = pass}, x, w, reference));
                wino.push_back(ours_run(*ours, l.shape, {.variant = Variant::nonfused, .m = m, .cublas = true, .pass = pass}, x, w,
                                        reference));
                for (int staging = 0; staging <= param_spec(Param::gemm_staging).max; ++staging)
                    wino.push_back(ours_run(*ours, l.shape, {.variant = Variant::nonfused, .m = m, .staging = staging, .pass = pass},
                                            x, w, reference));
                if (pass != Pass::forward) continue;  // the 16-bit and TF32 comparisons are the forward pass's
                // The 16-bit precisions beside torch's fp16 (gpu-check's torch step), not in the fp32 comparison.
                for (Precision precision : {Precision::fp16_mixed, Precision::fp16})
                    wino16.push_back(ours_run(*ours, l.shape, {Variant::nonfused, m, false, 2, precision}, x, w, reference));
                wino16.push_back(ours_run(*ours, l.shape, {Variant::nonfused, m, false, 2, Precision::fp16_mixed, true}, x, w, reference));
                // TF32 on tensor cores beside torch's TF32, and split-tf32 beside our fp32 (its error is fp32's).
                for (Precision precision : {Precision::tf32, Precision::split_tf32})
                    wino_tf32.push_back(ours_run(*ours, l.shape, {Variant::nonfused, m, false, 2, precision, true}, x, w, reference));
                // int8 (dp4a, and s8 mma on tensor cores) beside our 16-bit kernels: issue 30's GPU target is 1.5x them at batch 32.
                for (int staging : {0, 2}) wino8.push_back(ours_run(*ours, l.shape, {Variant::nonfused, m, false, staging, Precision::int8}, x, w, reference));
                // int8's and split-int8's (three planes a tap, under int8 direct's error) fastest form: s8 mma.
                for (Precision precision : {Precision::int8, Precision::split_int8})
                    wino8.push_back(ours_run(*ours, l.shape, {Variant::nonfused, m, false, 2, precision, true}, x, w, reference));
            }
            const std::vector<std::pair<int, const char*>> algorithms =
                pass == Pass::forward
                    ? std::vector<std::pair<int, const char*>>{{CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, "IMPLICIT_PRECOMP_GEMM"},
                                                               {CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, "WINOGRAD"},
                                                               {CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, "WINOGRAD_NONFUSED"}}
                : pass == Pass::backward_filter
                    ? std::vector<std::pair<int, const char*>>{{CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, "BWD_FILTER_ALGO_0"},
                                                               {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, "BWD_FILTER_ALGO_1"},
                                                               {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT, "BWD_FILTER_FFT"},
                                                               {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, "BWD_FILTER_ALGO_3"},
                                                               {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED,
                                                                "BWD_FILTER_WINOGRAD_NONFUSED"},
                                                               {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING, "BWD_FILTER_FFT_TILING"}}
                    : std::vector<std::pair<int, const char*>>{{CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, "BWD_DATA_ALGO_0"},
                                                               {CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, "BWD_DATA_ALGO_1"},
                                                               {CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT, "BWD_DATA_FFT"},
                                                               {CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING, "BWD_DATA_FFT_TILING"},
                                                               {CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD, "BWD_DATA_WINOGRAD"},
                                                               {CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED,
                                                                "BWD_DATA_WINOGRAD_NONFUSED"}};
            for (const auto& [algo, name] : algorithms) cudnn.push_back(cudnn_run(handle, l.shape, pass, algo, name, x, w, reference));
            fmt::print("== {} ({}{})\n", l.name, pass == Pass::forward ? "" : fmt::format("{} of ", to_string(pass)),
                       layer_text(l.shape));
            nlohmann::ordered_json entries = nlohmann::ordered_json::array();
            for (const std::vector<Result>* group : {&wino, &wino16, &wino_tf32, &wino8, &cudnn})
                for (const Result& r : *group) {
                    if (r.errors)
                        fmt::print("  {:<34} {:>8} ms  rel_err {:.2e}  max|d|/max|ref| {:.2e}  workspace {}{}\n", r.name, ms_text(r.ms),
                                   r.errors->relative, r.errors->max_relative,
                                   r.workspace_bytes ? fmt::format("{:.2f} MiB", *r.workspace_bytes / 1048576.0) : "-",
                                   r.failure.empty() ? "" : "  FAILED: " + r.failure);
                    else
                        fmt::print("  {:<34} failed: {}\n", r.name, r.failure);
                    entries.push_back(result_json(r));
                }
            const Result *ours_best = fastest(wino), *cudnn_best = fastest(cudnn), *ours16_best = fastest(wino16),
                         *tf32_best = fastest(wino_tf32), *int8_best = fastest(wino8);
            const double speedup = ours_best && cudnn_best ? cudnn_best->ms / ours_best->ms : 0;
            const std::string int8_over_16 = int8_best && ours16_best ? fmt::format("{:.2f}x", ours16_best->ms / int8_best->ms) : "-";
            summary += fmt::format("{:<22} {:<30} {:>8} | {:<34} {:>8} | {:>6.2f}x | {:<38} {:>8} | {:<44} {:>8} | {:<36} {:>8} {:>9}\n",
                                   l.name, ours_best ? ours_best->name : "-", ms_text(ours_best ? ours_best->ms : -1),
                                   cudnn_best ? cudnn_best->name : "-", ms_text(cudnn_best ? cudnn_best->ms : -1), speedup,
                                   ours16_best ? ours16_best->name : "-", ms_text(ours16_best ? ours16_best->ms : -1),
                                   tf32_best ? tf32_best->name : "-", ms_text(tf32_best ? tf32_best->ms : -1),
                                   int8_best ? int8_best->name : "-", ms_text(int8_best ? int8_best->ms : -1), int8_over_16);
            nlohmann::ordered_json layer = {{"name", l.name}, {"shape", layer_text(l.shape)}, {"results", entries}};
            if (speedup > 0) layer["speedup_over_cudnn"] = speedup;
            json_layers.push_back(layer);
        }
        cudnnDestroy(handle);
        fmt::print("\n{}", summary);
        if (!json_path.empty())
            write_file_atomically(json_path, to_readable_json({{"layer_file", layer_path}, {"batch", batch ? nlohmann::json(*batch) : nlohmann::json("as listed")}, {"pass", to_string(pass)}, {"layers", json_layers}}));
        return 0;
    } catch (const InputError& e) {
        fmt::print(stderr, "wino-gen-cudnn-compare: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "wino-gen-cudnn-compare: {}\n", e.what());
        return 1;
    }
}
