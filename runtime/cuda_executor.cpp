// CUDA executor of a ConvPlan: NVRTC, cudaLibrary kernels (registers checked
// as loaded), cuBLAS, events, and optionally a CUDA graph a layer;
// the CUDA module's one entry point (cuda_executor.hpp).
#include "runtime/cuda_executor.hpp"

#include "runtime/cuda_compiler.hpp"
#include <wino/errors.hpp>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <utility>

namespace wino {
namespace {

void check(cudaError_t status, const char* what) {
    if (status != cudaSuccess) throw DeviceError(fmt::format("{}: {}", what, cudaGetErrorString(status)));
}

void check(cublasStatus_t status, const char* what) {
    if (status != CUBLAS_STATUS_SUCCESS) throw DeviceError(fmt::format("{}: cuBLAS status {}", what, int(status)));
}

// A host-to-device copy, landed when this returns: cudaMemcpy from pageable
// memory may return with the copy still on its way on the legacy default
// stream, which a layer's graph, launched on a non-blocking stream, does not
// wait for.
void copy_to_device(void* device, const void* host, std::size_t bytes) {
    check(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy");
    check(cudaStreamSynchronize(cudaStreamLegacy), "cudaStreamSynchronize");
}

class CudaArray : public DeviceArray {
public:
    CudaArray(std::size_t size, ElementType type) : DeviceArray(size, type) {
        check(cudaMalloc(&pointer_, std::max<std::size_t>((bytes() + 3) / 4, 1) * sizeof(float)), "cudaMalloc");
    }
    ~CudaArray() override { cudaFree(pointer_); }
    void write(const std::byte* data) override { copy_to_device(pointer_, data, bytes()); }
    void read(std::byte* data) const override { check(cudaMemcpy(data, pointer_, bytes(), cudaMemcpyDeviceToHost), "cudaMemcpy"); }
    float* pointer() const { return pointer_; }

private:
    float* pointer_ = nullptr;
};

class CudaLayer : public LoadedLayer {
public:
    CudaLayer(int arch, const DeviceLimits& limits, ConvPlan plan, bool graphs)
        : LoadedLayer(std::move(plan)), cublas_gemm_(plan_.config.params[Param::cublas][0] != 0) {
        // Each kernel's registers come from the loaded function, whether NVRTC
        // compiled it now or served it from its cache (with no ptxas report),
        // and are checked against the device before its first launch.
        for (const EmittedKernel& k : plan_.kernels) {
            const CudaBinary binary = compile_cuda(k.source, k.name, arch);
            cudaLibrary_t library;
            check(cudaLibraryLoadData(&library, binary.cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
                  "cudaLibraryLoadData");
            libraries_.push_back(library);
            cudaKernel_t kernel;
            check(cudaLibraryGetKernel(&kernel, library, k.name.c_str()), "cudaLibraryGetKernel");
            kernels_.push_back(kernel);
            cudaFuncAttributes attributes{};
            check(cudaFuncGetAttributes(&attributes, reinterpret_cast<const void*>(kernel)), "cudaFuncGetAttributes");
            try {
                check_registers(k, attributes.numRegs, limits);
            } catch (const DeviceError& refused) {
                throw DeviceError(fmt::format("{} ({} bytes of local memory a thread){}", refused.what(),
                                              attributes.localSizeBytes, binary.log.empty() ? "" : "; NVRTC: " + binary.log));
            }
        }
        for (const auto& [id, floats] : plan_.buffer_floats) {
            float* pointer = nullptr;
            check(cudaMalloc(&pointer, floats * sizeof(float)), "cudaMalloc");
            buffers_[id] = pointer;
        }
        // A graph is captured from a stream of its own: the legacy default
        // stream cannot be captured, nor can a stream that synchronizes with it.
        if (graphs) check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        if (cublas_gemm_) {
            check(cublasCreate(&cublas_), "cublasCreate");
            check(cublasSetStream(cublas_, stream_), "cublasSetStream");
            // Captured, cuBLAS may not allocate: its workspace is given (the size
            // cuBLAS documents for Hopper, enough for every architecture).
            if (graphs) {
                check(cudaMalloc(&cublas_workspace_, cublas_workspace_bytes), "cudaMalloc");
                check(cublasSetWorkspace(cublas_, cublas_workspace_, cublas_workspace_bytes), "cublasSetWorkspace");
            }
        }
        events_.resize(plan_.input_launches.size() + 1);
        for (cudaEvent_t& event : events_) check(cudaEventCreate(&event), "cudaEventCreate");
    }

    ~CudaLayer() override {
        if (graph_) cudaGraphExecDestroy(graph_);
        if (stream_) cudaStreamDestroy(stream_);
        cudaFree(cublas_workspace_);
        for (auto& [id, pointer] : buffers_) cudaFree(pointer);
        for (cudaLibrary_t library : libraries_) cudaLibraryUnload(library);
        if (cublas_) cublasDestroy(cublas_);
        for (cudaEvent_t event : events_)
            if (event) cudaEventDestroy(event);
    }

    void check_guards() const override {}  // CUDA buffers have no guard zones

protected:
    void upload_filters(const std::vector<std::byte>& filters) override {
        copy_in(BufferId::filters, filters);
        for (const Launch& l : plan_.filter_launches) launch(l, buffers_);
        check(cudaDeviceSynchronize(), "filter transform");
    }

    void upload(BufferId buffer, const std::vector<std::byte>& values) override { copy_in(buffer, values); }

    KernelTimes run_input(const std::vector<std::byte>& input, std::uint32_t poison, std::vector<std::byte>& output) override {
        copy_in(BufferId::images, input);
        output = encode_words(std::vector<std::uint32_t>(plan_.buffer_floats.at(BufferId::result), poison));
        copy_in(BufferId::result, output);
        const KernelTimes times = launch_input(buffers_);
        check(cudaMemcpy(output.data(), buffers_.at(BufferId::result), output.size(), cudaMemcpyDeviceToHost), "cudaMemcpy");
        return times;
    }

    KernelTimes run_arrays(const DeviceArray& input, DeviceArray& output) override {
        std::map<BufferId, float*> buffers = buffers_;
        buffers[BufferId::images] = own(input).pointer();
        buffers[BufferId::result] = own(output).pointer();
        return launch_input(buffers);
    }

private:
    static const CudaArray& own(const DeviceArray& array) {
        const auto* mine = dynamic_cast<const CudaArray*>(&array);
        if (!mine) throw InputError("the buffer belongs to another device");
        return *mine;
    }

    // The input's launches, each followed by its event (events_[0] before the
    // first), on stream_: launched one by one, or as the graph of them.
    KernelTimes launch_input(const std::map<BufferId, float*>& buffers) {
        if (stream_) {
            launch_graph(buffers);
        } else {
            enqueue_input(buffers, cudaEventRecordDefault);
        }
        check(cudaEventSynchronize(events_.back()), "convolution");
        KernelTimes times;
        for (std::size_t i = 0; i < plan_.input_launches.size(); ++i) {
            float ms = 0;
            check(cudaEventElapsedTime(&ms, events_[i], events_[i + 1]), "cudaEventElapsedTime");
            times.push_back({plan_.kernels[plan_.input_launches[i].kernel].name, ms});
        }
        return times;
    }

    void enqueue_input(const std::map<BufferId, float*>& buffers, unsigned event_flags) {
        check(cudaEventRecordWithFlags(events_[0], stream_, event_flags), "cudaEventRecord");
        for (std::size_t i = 0; i < plan_.input_launches.size(); ++i) {
            launch(plan_.input_launches[i], buffers);
            check(cudaEventRecordWithFlags(events_[i + 1], stream_, event_flags), "cudaEventRecord");
        }
    }

    // The graph is captured for one pair of input and output buffers, the
    // others being the layer's own; another pair captures it again. Its events
    // are nodes (cudaEventRecordExternal), so each kernel's time is measured
    // as without the graph, from the graph's start on the device.
    void launch_graph(const std::map<BufferId, float*>& buffers) {
        const std::pair<float*, float*> pair{buffers.at(BufferId::images), buffers.at(BufferId::result)};
        if (!graph_ || graph_buffers_ != pair) {
            if (graph_) check(cudaGraphExecDestroy(std::exchange(graph_, nullptr)), "cudaGraphExecDestroy");
            check(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
            cudaGraph_t graph = nullptr;
            try {
                enqueue_input(buffers, cudaEventRecordExternal);
            } catch (const DeviceError&) {
                cudaStreamEndCapture(stream_, &graph);
                if (graph) cudaGraphDestroy(graph);
                throw;
            }
            check(cudaStreamEndCapture(stream_, &graph), "cudaStreamEndCapture");
            const cudaError_t instantiated = cudaGraphInstantiate(&graph_, graph, 0);
            cudaGraphDestroy(graph);
            check(instantiated, "cudaGraphInstantiate");
            graph_buffers_ = pair;
        }
        check(cudaGraphLaunch(graph_, stream_), "cudaGraphLaunch");
    }

    void copy_in(BufferId id, const std::vector<std::byte>& bytes) {
        copy_to_device(buffers_.at(id), bytes.data(), bytes.size());
    }

    static std::vector<std::byte> encode_words(const std::vector<std::uint32_t>& words) {
        std::vector<std::byte> bytes(words.size() * sizeof(std::uint32_t));
        std::memcpy(bytes.data(), words.data(), bytes.size());
        return bytes;
    }

    void launch(const Launch& l, const std::map<BufferId, float*>& buffers) {
        const EmittedKernel& k = plan_.kernels[l.kernel];
        if (k.kind == KernelKind::gemm && cublas_gemm_) return gemm_by_cublas();
        std::vector<float*> pointers;
        for (const BufferUse& use : k.buffers) pointers.push_back(buffers.at(use.buffer));
        std::vector<void*> args;
        for (float*& p : pointers) args.push_back(&p);
        args.push_back(&plan_.args);  // the Params struct, by value
        check(cudaLaunchKernel(reinterpret_cast<const void*>(kernels_[l.kernel]), dim3(l.groups[0], l.groups[1], l.groups[2]),
                               dim3(k.workgroup_size), args.data(), 0, stream_),
              k.name.c_str());
    }

    // M[xi] (K×tiles_padded, row-major) = U[xi] (K×C) · V[xi] (C×tiles_padded).
    // U is stored [c][k] and V [c][tile] with rows of k_padded and tiles_padded:
    // read column-major they are U (K×C) and Vᵀ (tiles_padded×C), so Mᵀ
    // (column-major) = Vᵀ · Uᵀ, for every xi in one strided-batched call. The
    // padding columns are computed too: the output transform reads them as the
    // copies of tile P - 1 that our GEMM leaves there.
    void gemm_by_cublas() {
        const ConvShape& s = plan_.shape;
        const int k_padded = static_cast<int>(plan_.tiling.k_padded), tiles_padded = static_cast<int>(plan_.tiling.tiles_padded);
        const int a2 = static_cast<int>(plan_.tiling.positions());
        const float one = 1.0f, zero = 0.0f;
        check(cublasSgemmStridedBatched(cublas_, CUBLAS_OP_N, CUBLAS_OP_T, tiles_padded, s.K, s.C, &one,
                                        buffers_.at(BufferId::v), tiles_padded, static_cast<long long>(s.C) * tiles_padded,
                                        buffers_.at(BufferId::u), k_padded, static_cast<long long>(s.C) * k_padded, &zero,
                                        buffers_.at(BufferId::product), tiles_padded,
                                        static_cast<long long>(s.K) * tiles_padded, a2),
              "cublasSgemmStridedBatched");
    }

    static constexpr std::size_t cublas_workspace_bytes = 32 << 20;
    bool cublas_gemm_;
    cudaStream_t stream_ = nullptr;  // graphs only: nullptr is the legacy default stream
    cudaGraphExec_t graph_ = nullptr;
    std::pair<float*, float*> graph_buffers_{nullptr, nullptr};  // the input and output it was captured on
    void* cublas_workspace_ = nullptr;
    std::vector<cudaLibrary_t> libraries_;
    std::vector<cudaKernel_t> kernels_;
    std::map<BufferId, float*> buffers_;
    cublasHandle_t cublas_ = nullptr;
    std::vector<cudaEvent_t> events_;
};

class CudaExecutor : public Executor {
public:
    explicit CudaExecutor(const ExecutorOptions& options) : graphs_(options.cuda_graphs) {
        int count = 0;
        const cudaError_t status = cudaGetDeviceCount(&count);
        if (status != cudaSuccess) throw DeviceError(fmt::format("no CUDA device ({})", cudaGetErrorString(status)));
        const int index = std::max(options.device_index, 0);
        if (index >= count) throw DeviceError(fmt::format("no CUDA device {}: there are {}", index, count));
        check(cudaSetDevice(index), "cudaSetDevice");
        cudaDeviceProp p{};
        check(cudaGetDeviceProperties(&p, index), "cudaGetDeviceProperties");
        int driver = 0;
        check(cudaDriverGetVersion(&driver), "cudaDriverGetVersion");
        arch_ = p.major * 10 + p.minor;
        // CUDA does not report the PCI product id: the compute capability stands in.
        identity_ = {Backend::cuda, 0x10de, static_cast<std::uint32_t>(arch_),
                     fmt::format("{}.{}", driver / 1000, driver % 1000 / 10), p.name, fmt::format("cuda:{} {}", index, p.name)};
        limits_ = {static_cast<std::uint32_t>(std::min(p.maxThreadsPerBlock, p.maxThreadsDim[0])),
                   {static_cast<std::uint32_t>(p.maxGridSize[0]), static_cast<std::uint32_t>(p.maxGridSize[1]),
                    static_cast<std::uint32_t>(p.maxGridSize[2])},
                   p.sharedMemPerBlock,
                   p.totalGlobalMem,
                   0,  // no texel buffers: kernels read through pointers
                   static_cast<std::uint32_t>(p.regsPerBlock),
                   true,
                   // 16-bit loads, stores and f16 arithmetic: every architecture NVRTC targets here (sm_75 on)
                   true,
                   true,
                   // mma.m16n8k8 with f16 operands and f32 sums: sm_75 on
                   arch_ >= 75,
                   // ... with tf32 operands: sm_80 on
                   arch_ >= 80,
                   DeviceClass::gpu};
        limits_.int8_storage = true;  // byte loads and stores
        limits_.subgroup_size = 32;   // a warp, __shfl_sync
    }
    const DeviceIdentity& identity() const override { return identity_; }
    const DeviceLimits& limits() const override { return limits_; }
    void compile_ahead(const EmittedKernel& kernel) override {
        try {
            compile_cuda(kernel.source, kernel.name, arch_);
        } catch (const std::exception&) {  // kept, and thrown where the kernel is loaded
        }
    }
    std::unique_ptr<DeviceArray> allocate(std::size_t size, ElementType type) override {
        return std::make_unique<CudaArray>(size, type);
    }

protected:
    std::unique_ptr<LoadedLayer> load_plan(ConvPlan plan) override {
        return std::make_unique<CudaLayer>(arch_, limits_, std::move(plan), graphs_);
    }

private:
    bool graphs_;
    int arch_ = 0;
    DeviceIdentity identity_;
    DeviceLimits limits_;
};

}  // namespace

}  // namespace wino

extern "C" wino::Executor* wino_cuda_open_executor(const wino::ExecutorOptions* options) {
    return new wino::CudaExecutor(*options);
}
