// How much sooner the tuner's compiles end with threads compiling ahead, where
// it matters most: NVRTC, 1-2 s a candidate on the H200 (issue 28). Plans the
// first CANDIDATES tuning candidates of a layer for an H200 (sm_90, its
// limits) and compiles their kernels as the tuner does: the measuring thread
// compiles each candidate's kernels in turn (its load), while THREADS pool
// threads compile the kernels of the candidates planned ahead of it
// (CompilePool::wants_more); a kernel already under way is waited for, never
// compiled twice. No GPU is needed. Prints one JSON line: the wall time and the kernels compiled.
// usage: wino-gen-bench-compile-ahead THREADS [CANDIDATES] [N C H W K R PAD]
// Run it with CUDA_CACHE_DISABLE=1: NVRTC's own cache would serve repeats.
#include "runtime/cuda_compiler.hpp"
#include "runtime/executor.hpp"
#include "tuner/compile_pool.hpp"
#include "tuner/search_space.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

constexpr int h200_arch = 90;

// An H200's identity and limits for planning, NVRTC for compiling; it loads nothing.
class CompileOnly : public wino::Executor {
public:
    CompileOnly() {
        limits_.max_workgroup_size = 1024;
        limits_.max_groups = {2147483647u, 65535u, 65535u};
        limits_.max_shared_bytes = 48 * 1024;
        limits_.max_registers = 65536;
        limits_.vendor_gemm = limits_.half_storage = limits_.half_arithmetic = true;
        limits_.tensor_cores = limits_.tf32_tensor_cores = true;
        limits_.device_class = wino::DeviceClass::gpu;
        identity_.backend = wino::Backend::cuda;
        identity_.name = "NVIDIA H200 (compile only)";
    }
    const wino::DeviceIdentity& identity() const override { return identity_; }
    const wino::DeviceLimits& limits() const override { return limits_; }
    std::unique_ptr<wino::DeviceArray> allocate(std::size_t, wino::ElementType) override {
        throw wino::DeviceError("a compile-only device holds no buffers");
    }
    void compile_ahead(const wino::EmittedKernel& k) override { compile(k); }
    static void compile(const wino::EmittedKernel& k) { wino::compile_cuda(k.source, k.name, h200_arch); }

protected:
    std::unique_ptr<wino::LoadedLayer> load_plan(wino::ConvPlan) override {
        throw wino::DeviceError("a compile-only device loads nothing");
    }

private:
    wino::DeviceIdentity identity_;
    wino::DeviceLimits limits_;
};

int count(const char* text, const char* what, int low) {
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < low || value > 1 << 20)
        throw wino::InputError(fmt::format("{} must be a count from {}, not '{}'", what, low, text));
    return static_cast<int>(value);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc != 2 && argc != 3 && argc != 10)
            throw wino::InputError("usage: wino-gen-bench-compile-ahead THREADS [CANDIDATES] [N C H W K R PAD]");
        const int threads = count(argv[1], "THREADS", 0);
        const int wanted = argc > 2 ? count(argv[2], "CANDIDATES", 1) : 24;
        wino::ConvShape layer{1, 64, 56, 56, 64, 3, 1};  // layer a of issue 27 at N = 1
        if (argc == 10) {
            int v[7];
            for (int i = 0; i < 7; ++i) v[i] = count(argv[3 + i], "a layer's sizes", i == 6 ? 0 : 1);
            layer = {v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
        }
        CompileOnly device;
        std::vector<wino::ConvPlan> plans;
        for (const wino::Candidate& c : wino::search_space(layer, wino::Backend::cuda, device.limits())) {
            if (static_cast<int>(plans.size()) == wanted) break;
            plans.push_back(wino::make_plan(layer, c, wino::Backend::cuda));
        }
        const auto start = std::chrono::steady_clock::now();
        std::size_t kernels = 0, planned = 0;
        {
            wino::CompilePool pool(device, threads);
            for (std::size_t i = 0; i < plans.size(); ++i) {
                // As the tuner plans ahead (Tuner::top_up).
                for (planned = std::max(planned, i + 1);
                     planned < plans.size() && pool.wants_more() && planned - i - 1 < pool.plan_limit(); ++planned)
                    pool.add(plans[planned].kernels);
                for (const wino::EmittedKernel& k : plans[i].kernels) CompileOnly::compile(k);
                kernels += plans[i].kernels.size();
            }
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cout << fmt::format(R"({{"threads": {}, "candidates": {}, "kernels": {}, "seconds": {:.3f}}})", threads,
                                 plans.size(), kernels, seconds)
                  << "\n";
        return 0;
    } catch (const wino::InputError& e) {
        std::cerr << "wino-gen-bench-compile-ahead: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "wino-gen-bench-compile-ahead: " << e.what() << "\n";
        return 1;
    }
}
