// CUDA executor of a ConvPlan: NVRTC, cudaLibrary kernels, cuBLAS, events.
#include "cuda_conv2d.hpp"

#include "errors.hpp"

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <nvrtc.h>

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>

namespace wino {
namespace {

void check(cudaError_t status, const char* what) {
    if (status != cudaSuccess) throw DeviceError(fmt::format("{}: {}", what, cudaGetErrorString(status)));
}

void check(cublasStatus_t status, const char* what) {
    if (status != CUBLAS_STATUS_SUCCESS) throw DeviceError(fmt::format("{}: cuBLAS status {}", what, int(status)));
}

// NVRTC: CUDA source → CUBIN for sm_<arch>, cached by (source, arch).
std::string compile_cuda(const std::string& source, const std::string& name, int arch) {
    static std::mutex guard;
    static std::map<std::pair<std::string, int>, std::string> cache;
    std::lock_guard lock(guard);
    auto hit = cache.find({source, arch});
    if (hit != cache.end()) return hit->second;
    nvrtcProgram program;
    if (nvrtcCreateProgram(&program, source.c_str(), (name + ".cu").c_str(), 0, nullptr, nullptr) != NVRTC_SUCCESS)
        throw DeviceError("NVRTC could not create a program");
    const std::string arch_flag = fmt::format("--gpu-architecture=sm_{}", arch);
    const char* flags[] = {arch_flag.c_str(), "--std=c++17"};
    const nvrtcResult compiled = nvrtcCompileProgram(program, 2, flags);
    std::size_t log_size = 0;
    nvrtcGetProgramLogSize(program, &log_size);
    std::string log(log_size, '\0');
    nvrtcGetProgramLog(program, log.data());
    if (compiled != NVRTC_SUCCESS) {
        nvrtcDestroyProgram(&program);
        throw DeviceError(fmt::format("NVRTC could not compile {}: {}", name, log));
    }
    std::size_t size = 0;
    nvrtcGetCUBINSize(program, &size);
    std::string cubin(size, '\0');
    nvrtcGetCUBIN(program, cubin.data());
    nvrtcDestroyProgram(&program);
    return cache[{source, arch}] = cubin;
}

}  // namespace

int cuda_device_count() {
    int count = 0;
    return cudaGetDeviceCount(&count) == cudaSuccess ? count : 0;
}

std::string cuda_unavailable_reason() {
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    return status == cudaSuccess ? "no CUDA device" : fmt::format("no CUDA device ({})", cudaGetErrorString(status));
}

struct CudaConv2d::State {
    ConvPlan plan;
    CudaOptions options;
    cudaDeviceProp properties{};
    std::vector<cudaLibrary_t> libraries;
    std::vector<cudaKernel_t> kernels;
    std::map<std::string, float*> buffers;
    cublasHandle_t cublas = nullptr;
    cudaEvent_t start = nullptr, stop = nullptr;

    ~State() {
        for (auto& [name, pointer] : buffers) cudaFree(pointer);
        for (cudaLibrary_t library : libraries) cudaLibraryUnload(library);
        if (cublas) cublasDestroy(cublas);
        if (start) cudaEventDestroy(start);
        if (stop) cudaEventDestroy(stop);
    }

    void launch(const Launch& l) {
        const EmittedKernel& k = plan.kernels[l.kernel];
        if (k.kind == KernelKind::gemm && options.cublas_gemm) return gemm_by_cublas();
        std::vector<void*> args;
        std::vector<float*> pointers;
        for (const BufferSpec& b : k.buffers) pointers.push_back(buffers.at(b.name));
        for (float*& p : pointers) args.push_back(&p);
        args.push_back(plan.params.data());  // Params: the ints in order, by value
        check(cudaLaunchKernel(reinterpret_cast<const void*>(kernels[l.kernel]), dim3(l.groups[0], l.groups[1], l.groups[2]),
                               dim3(k.workgroup_size), args.data(), 0, nullptr),
              k.name.c_str());
    }

    // M[xi] (K×tiles_padded, row-major) = U[xi] (K×C) · V[xi] (C×tiles_padded).
    // U is stored [c][k] and V [c][tile] with rows of k_padded and tiles_padded:
    // read column-major they are U (K×C) and Vᵀ (tiles_padded×C), so Mᵀ
    // (column-major) = Vᵀ · Uᵀ, for every xi in one strided-batched call. The
    // padding columns are computed too: the output transform reads them as the
    // copies of tile P - 1 that our GEMM leaves there.
    void gemm_by_cublas() {
        const ConvShape& s = plan.shape;
        const int k_padded = plan.k_padded, tiles_padded = plan.tiles_padded;
        const int a2 = plan.alpha * plan.alpha;
        const float one = 1.0f, zero = 0.0f;
        check(cublasSgemmStridedBatched(cublas, CUBLAS_OP_N, CUBLAS_OP_T, tiles_padded, s.K, s.C, &one, buffers.at("v"), tiles_padded,
                                        static_cast<long long>(s.C) * tiles_padded, buffers.at("u"), k_padded,
                                        static_cast<long long>(s.C) * k_padded, &zero, buffers.at("product"), tiles_padded,
                                        static_cast<long long>(s.K) * tiles_padded, a2),
              "cublasSgemmStridedBatched");
    }
};

CudaConv2d::CudaConv2d(const CudaOptions& options, const ConvShape& shape, const ConvConfig& config)
    : state_(std::make_unique<State>()) {
    if (cuda_device_count() == 0) throw DeviceError(cuda_unavailable_reason());
    if (options.device >= cuda_device_count())
        throw DeviceError(fmt::format("no CUDA device {}: there are {}", options.device, cuda_device_count()));
    State& st = *state_;
    st.options = options;
    check(cudaSetDevice(options.device), "cudaSetDevice");
    check(cudaGetDeviceProperties(&st.properties, options.device), "cudaGetDeviceProperties");
    st.plan = make_plan(shape, config, Backend::cuda);
    if (st.plan.shared_bytes > st.properties.sharedMemPerBlock)
        throw DeviceError(fmt::format("the fused kernel needs {} bytes of shared memory, the device has {}",
                                      st.plan.shared_bytes, st.properties.sharedMemPerBlock));
    const int arch = st.properties.major * 10 + st.properties.minor;
    for (const EmittedKernel& k : st.plan.kernels) {
        const std::string cubin = compile_cuda(k.source, k.name, arch);
        cudaLibrary_t library;
        check(cudaLibraryLoadData(&library, cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0), "cudaLibraryLoadData");
        st.libraries.push_back(library);
        cudaKernel_t kernel;
        check(cudaLibraryGetKernel(&kernel, library, k.name.c_str()), "cudaLibraryGetKernel");
        st.kernels.push_back(kernel);
    }
    for (const auto& [name, floats] : st.plan.buffer_floats) {
        float* pointer = nullptr;
        check(cudaMalloc(&pointer, floats * sizeof(float)), "cudaMalloc");
        st.buffers[name] = pointer;
    }
    if (options.cublas_gemm) check(cublasCreate(&st.cublas), "cublasCreate");
    check(cudaEventCreate(&st.start), "cudaEventCreate");
    check(cudaEventCreate(&st.stop), "cudaEventCreate");
}

CudaConv2d::~CudaConv2d() = default;

std::string cuda_device_name(int index) {
    if (index < 0 || index >= cuda_device_count()) throw DeviceError(cuda_unavailable_reason());
    cudaDeviceProp properties{};
    check(cudaGetDeviceProperties(&properties, index), "cudaGetDeviceProperties");
    return fmt::format("cuda:{} {}", index, properties.name);
}

void CudaConv2d::set_filters(const std::vector<float>& filters) {
    State& st = *state_;
    if (filters.size() != st.plan.shape.filter_size())
        throw InputError(fmt::format("filters hold {} values, the shape needs {}", filters.size(), st.plan.shape.filter_size()));
    check(cudaMemcpy(st.buffers.at("filters"), filters.data(), filters.size() * sizeof(float), cudaMemcpyHostToDevice),
          "cudaMemcpy");
    for (const Launch& l : st.plan.filter_launches) st.launch(l);
    check(cudaDeviceSynchronize(), "filter transform");
}

double CudaConv2d::run(const std::vector<float>& input, std::vector<float>& output) {
    State& st = *state_;
    if (input.size() != st.plan.shape.input_size())
        throw InputError(fmt::format("the input holds {} values, the shape needs {}", input.size(), st.plan.shape.input_size()));
    check(cudaMemcpy(st.buffers.at("images"), input.data(), input.size() * sizeof(float), cudaMemcpyHostToDevice), "cudaMemcpy");
    std::vector<float> poison(st.plan.shape.output_size(), std::numeric_limits<float>::quiet_NaN());
    check(cudaMemcpy(st.buffers.at("result"), poison.data(), poison.size() * sizeof(float), cudaMemcpyHostToDevice), "cudaMemcpy");
    check(cudaEventRecord(st.start), "cudaEventRecord");
    for (const Launch& l : st.plan.input_launches) st.launch(l);
    check(cudaEventRecord(st.stop), "cudaEventRecord");
    check(cudaEventSynchronize(st.stop), "convolution");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, st.start, st.stop), "cudaEventElapsedTime");
    output.resize(poison.size());
    check(cudaMemcpy(output.data(), st.buffers.at("result"), output.size() * sizeof(float), cudaMemcpyDeviceToHost), "cudaMemcpy");
    return ms;
}

double CudaConv2d::time_median(const std::vector<float>& input, int warmup, int repeats) {
    std::vector<float> output;
    return median_of_runs([&] { return run(input, output); }, warmup, repeats);
}

}  // namespace wino
