// Benchmarks wino-gen's CUDA kernels against cuDNN on a layer list (EuroSys'20
// Figure 7; neural-operator paper Table 1): per layer the best wino-gen variant
// (fused / non-fused with our GEMM / non-fused with cuBLAS, m 2/4/6) beside
// cudnnConvolutionForward with IMPLICIT_PRECOMP_GEMM, WINOGRAD and
// WINOGRAD_NONFUSED, each the median of 10 timed runs after warm-up.
// usage: cudnn_compare LAYER_FILE   (lines: name N C H W K R pad, as layer lists)
#include "cuda_executor.hpp"
#include <wino/errors.hpp>

#include <cuda_runtime.h>
#include <cudnn.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <tuple>

namespace {

using namespace wino;

struct Layer {
    std::string name;
    ConvShape shape;
};

std::vector<Layer> read_layers(const char* path) {
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
        layers.push_back(l);
    }
    return layers;
}

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

// cuDNN forward convolution time in ms, or a negative value when the algorithm
// does not support the layer.
double cudnn_time(cudnnHandle_t handle, const ConvShape& s, cudnnConvolutionFwdAlgo_t algo) {
    cudnnTensorDescriptor_t x, y;
    cudnnFilterDescriptor_t w;
    cudnnConvolutionDescriptor_t conv;
    cudnnCreateTensorDescriptor(&x);
    cudnnCreateTensorDescriptor(&y);
    cudnnCreateFilterDescriptor(&w);
    cudnnCreateConvolutionDescriptor(&conv);
    cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.N, s.C, s.H, s.W);
    cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.N, s.K, s.out_h(), s.out_w());
    cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, s.K, s.C, s.R, s.S);
    cudnnSetConvolution2dDescriptor(conv, s.pad.top, s.pad.left, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT);
    float *dx, *dy, *dw;
    void* workspace = nullptr;
    std::size_t bytes = 0;
    cudaMalloc(&dx, s.input_size() * 4);
    cudaMalloc(&dy, s.output_size() * 4);
    cudaMalloc(&dw, s.filter_size() * 4);
    double result = -1;
    if (cudnnGetConvolutionForwardWorkspaceSize(handle, x, w, conv, y, algo, &bytes) == CUDNN_STATUS_SUCCESS &&
        cudaMalloc(&workspace, std::max<std::size_t>(bytes, 4)) == cudaSuccess) {
        cudaEvent_t start, stop;
        cudaEventCreate(&start);
        cudaEventCreate(&stop);
        const float one = 1, zero = 0;
        std::vector<double> times;
        for (int i = 0; i < 13; ++i) {
            cudaEventRecord(start);
            const cudnnStatus_t st = cudnnConvolutionForward(handle, &one, x, dx, w, dw, conv, algo, workspace, bytes,
                                                             &zero, y, dy);
            cudaEventRecord(stop);
            cudaEventSynchronize(stop);
            if (st != CUDNN_STATUS_SUCCESS) break;
            float ms = 0;
            cudaEventElapsedTime(&ms, start, stop);
            if (i >= 3) times.push_back(ms);
        }
        if (times.size() == 10) result = median(times);
        cudaEventDestroy(start);
        cudaEventDestroy(stop);
        cudaFree(workspace);
    }
    cudaFree(dx);
    cudaFree(dy);
    cudaFree(dw);
    cudnnDestroyConvolutionDescriptor(conv);
    cudnnDestroyFilterDescriptor(w);
    cudnnDestroyTensorDescriptor(x);
    cudnnDestroyTensorDescriptor(y);
    return result;
}

std::string ms_text(double ms) { return ms < 0 ? "-" : fmt::format("{:.3f}", ms); }

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        fmt::print(stderr, "usage: cudnn_compare LAYER_FILE\n");
        return 2;
    }
    try {
        const auto layers = read_layers(argv[1]);
        const std::unique_ptr<Executor> ours = open_cuda_executor({0, false});
        cudnnHandle_t handle;
        if (cudnnCreate(&handle) != CUDNN_STATUS_SUCCESS) throw DeviceError("cudnnCreate failed");
        fmt::print("{:<18} {:<26} {:>9} | {:>10} {:>10} {:>10} | {:>7}\n", "layer", "best wino-gen", "ms",
                   "cuDNN GEMM", "WINOGRAD", "WINO_NF", "speedup");
        for (const Layer& l : layers) {
            std::mt19937 rng(1);
            std::uniform_real_distribution<float> u(-1, 1);
            std::vector<float> x(l.shape.input_size()), w(l.shape.filter_size());
            for (float& v : x) v = u(rng);
            for (float& v : w) v = u(rng);
            double best = -1;
            std::string best_name;
            for (Variant variant : {Variant::fused, Variant::nonfused})
                for (bool cublas : {false, true})
                    for (int m : {2, 4, 6}) {
                        if (cublas && variant == Variant::fused) continue;
                        try {
                            const TileSize tile = tile_for(l.shape, m);
                            KernelParams params = suggested_params(l.shape, tile, Backend::cuda);
                            params["cublas"][0] = cublas;
                            const std::unique_ptr<LoadedLayer> conv = ours->load(l.shape, {variant, tile, params});
                            conv->set_filters(w);
                            const double ms = total_ms(conv->median_run(x, 3, 10));
                            if (best < 0 || ms < best)
                                best = ms, best_name = fmt::format("{} m={}{}", to_string(variant), m, cublas ? " cuBLAS" : "");
                        } catch (const std::exception&) {
                        }
                    }
            const double gemm = cudnn_time(handle, l.shape, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM);
            const double wino = cudnn_time(handle, l.shape, CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD);
            const double wino_nf = cudnn_time(handle, l.shape, CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED);
            double cudnn_best = -1;
            for (double t : {gemm, wino, wino_nf})
                if (t > 0 && (cudnn_best < 0 || t < cudnn_best)) cudnn_best = t;
            fmt::print("{:<18} {:<26} {:>9} | {:>10} {:>10} {:>10} | {:>6.2f}x\n", l.name, best_name, ms_text(best),
                       ms_text(gemm), ms_text(wino), ms_text(wino_nf), best > 0 && cudnn_best > 0 ? cudnn_best / best : 0.0);
        }
        cudnnDestroy(handle);
        return 0;
    } catch (const InputError& e) {
        fmt::print(stderr, "cudnn_compare: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "cudnn_compare: {}\n", e.what());
        return 1;
    }
}
