// wino-gen's int8 kernels against ncnn's int8 Vulkan convolution (issue 30's
// comparison), on the same Vulkan device, the same seeded tensors and in one
// process. Per layer of a list (N = 1; ncnn's Winograd takes 3×3 stride 1):
// - ncnn's int8 Convolution_vulkan: x quantized per tensor (127 / max |x|),
//   w per output channel, in three forms: its int8 GEMM (Winograd off), and
//   its Winograd F(2,3) and F(4,3), whose integer transforms keep V exact in
//   16 bits and multiply 16-bit values; fp16 storage between its steps where
//   the device has it, as ncnn's defaults; and its fp32 convolution, as it
//   chooses (Winograd F(4,3) or F(2,3) on these layers);
// - ours: --precision int8 F(2,3) and F(4,3), V's clips least squares on the
//   input, and fp32 F(4,3), the untuned parameters fitted to the device;
// each the median wall time of `--repeats` forward passes after `--warmup`
// (record, submit, wait: the same for both), rounds interleaved so that the
// machine's noise falls on all alike, with the relative L2 error against the
// fp64 host reference and its ratio to the int8 direct convolution's (one
// scale per tensor, on the host). Input and output are fp32 in all of them.
// usage: wino-gen-ncnn-compare [--warmup W] [--repeats R] LAYER_FILE
#include "runtime/host_reference.hpp"
#include "runtime/layer_error.hpp"
#include "templates/layer_plan.hpp"
#include "templates/precision.hpp"
#include "tuner/layer_list.hpp"

#include <wino/conv2d.hpp>
#include <wino/errors.hpp>

#include <fmt/format.h>
// ncnn's package puts its include/ncnn folder on the path.
#include <command.h>
#include <gpu.h>
#include <layer.h>
#include <layer_type.h>
#include <mat.h>
#include <modelbin.h>
#include <paramdict.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace wino;

double wall_ms(const std::function<void()>& work) {
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

float largest_magnitude(const float* values, std::size_t n) {
    float largest = 0;
    for (std::size_t i = 0; i < n; ++i) largest = std::max(largest, std::abs(values[i]));
    return largest;
}

// One forward pass's way of running, timed and checked alike.
struct Contender {
    std::string name;
    std::function<void()> forward;              // one pass, waited for
    std::function<std::vector<float>()> output;  // N·K·H'·W' values, NCHW
    bool int8;                                   // compared with the int8 direct convolution
    std::vector<double> times = {};
};

// ncnn's Convolution_vulkan for one layer (N = 1), its input uploaded once.
// At int8 its weights are quantized by ncnn itself from fp32 at the given
// scales.
class NcnnConv {
public:
    enum class Form { int8_gemm, int8_winograd23, int8_winograd43, fp32 };

    NcnnConv(const ConvShape& shape, const std::vector<float>& x, const std::vector<float>& w, Form form)
        : vkdev_(ncnn::get_gpu_device()), cmd_(vkdev_) {
        opt_.use_vulkan_compute = true;
        const bool int8 = form != Form::fp32;
        opt_.use_int8_inference = int8;
        // At int8, ncnn's defaults: its activations between steps in fp16
        // where the device stores fp16 (25% faster on lavapipe than fp32;
        // the int8 codes decide the error). fp32 stays fp32 throughout.
        opt_.use_fp16_packed = opt_.use_fp16_storage = int8 && vkdev_->info.support_fp16_storage();
        opt_.use_fp16_arithmetic = false;
        opt_.use_int8_packed = vkdev_->info.support_int8_packed();
        opt_.use_int8_storage = vkdev_->info.support_int8_storage();
        opt_.use_int8_arithmetic = vkdev_->info.support_int8_arithmetic();
        opt_.use_cooperative_matrix = vkdev_->info.support_cooperative_matrix();
        opt_.use_winograd_convolution = form != Form::int8_gemm;
        opt_.use_winograd23_convolution = form != Form::int8_winograd43;
        opt_.use_winograd43_convolution = form != Form::int8_winograd23;
        blob_allocator_ = vkdev_->acquire_blob_allocator();
        staging_allocator_ = vkdev_->acquire_staging_allocator();
        opt_.blob_vkallocator = opt_.workspace_vkallocator = blob_allocator_;
        opt_.staging_vkallocator = staging_allocator_;

        layer_.reset(ncnn::create_layer_vulkan(ncnn::LayerType::Convolution));
        layer_->vkdev = vkdev_;
        ncnn::ParamDict pd;
        pd.set(0, shape.K);
        pd.set(1, shape.S);
        pd.set(11, shape.R);
        pd.set(3, 1);
        pd.set(4, shape.pad.left);
        pd.set(15, shape.pad.right);
        pd.set(14, shape.pad.top);
        pd.set(16, shape.pad.bottom);
        pd.set(5, 0);  // no bias
        pd.set(6, shape.K * shape.C * shape.R * shape.S);
        pd.set(8, int8 ? 1 : 0);  // at int8, fp32 output
        layer_->load_param(pd);
        // Shape hints, as an optimized ncnn model carries them: its int8
        // pipelines specialize on them.
        const std::size_t pack4_bytes = opt_.use_fp16_storage ? 8u : 16u;
        layer_->bottom_shapes = {ncnn::Mat(shape.W, shape.H, shape.C / 4, (void*)nullptr, pack4_bytes, 4)};
        layer_->top_shapes = {ncnn::Mat(shape.out_w(), shape.out_h(), shape.K / 4, (void*)nullptr, pack4_bytes, 4)};

        ncnn::Mat weights(static_cast<int>(w.size()));
        std::copy(w.begin(), w.end(), static_cast<float*>(weights));
        ncnn::Mat weight_scales(shape.K);
        const std::size_t per_filter = w.size() / shape.K;
        for (int k = 0; k < shape.K; ++k) weight_scales[k] = 127.0f / largest_magnitude(w.data() + k * per_filter, per_filter);
        ncnn::Mat input_scale(1);
        input_scale[0] = 127.0f / largest_magnitude(x.data(), x.size());
        const ncnn::Mat model[] = {weights, weight_scales, input_scale};
        check(layer_->load_model(ncnn::ModelBinFromMatArray(model)), "load_model");  // fp32 reads the weights only
        check(layer_->create_pipeline(opt_), "create_pipeline");
        ncnn::VkTransfer upload(vkdev_);
        check(layer_->upload_model(upload, opt_), "upload_model");
        check(upload.submit_and_wait(), "upload");

        ncnn::Mat input(shape.W, shape.H, shape.C);
        std::copy(x.begin(), x.end(), static_cast<float*>(input));
        cmd_.record_upload(input, input_gpu_, opt_);
        check(cmd_.submit_and_wait(), "input upload");
        cmd_.reset();
    }

    ~NcnnConv() {
        output_gpu_.release();
        input_gpu_.release();
        layer_->destroy_pipeline(opt_);
        layer_.reset();
        vkdev_->reclaim_blob_allocator(blob_allocator_);
        vkdev_->reclaim_staging_allocator(staging_allocator_);
    }

    void forward() {
        check(layer_->forward(input_gpu_, output_gpu_, cmd_, opt_), "forward");
        check(cmd_.submit_and_wait(), "forward submit");
        cmd_.reset();
    }

    std::vector<float> output() {
        ncnn::Mat packed, plain;
        cmd_.record_download(output_gpu_, packed, opt_);
        check(cmd_.submit_and_wait(), "download");
        cmd_.reset();
        ncnn::Option host;
        host.use_packing_layout = false;
        ncnn::convert_packing(packed, plain, 1, host);
        std::vector<float> values;
        for (int k = 0; k < plain.c; ++k) {
            const float* channel = plain.channel(k);
            values.insert(values.end(), channel, channel + plain.w * plain.h);
        }
        return values;
    }

private:
    static void check(int status, const char* step) {
        if (status != 0) throw std::runtime_error(fmt::format("ncnn {} returned {}", step, status));
    }

    ncnn::VulkanDevice* vkdev_;
    ncnn::Option opt_;
    ncnn::VkAllocator* blob_allocator_ = nullptr;
    ncnn::VkAllocator* staging_allocator_ = nullptr;
    std::unique_ptr<ncnn::Layer> layer_;
    ncnn::VkCompute cmd_;
    ncnn::VkMat input_gpu_, output_gpu_;
};

// Ours, non-fused F(m,3); at int8, V's clips least squares on this input.
class OurConv {
public:
    OurConv(Device& device, const ConvShape& shape, const std::vector<float>& x, const std::vector<float>& w, int m,
            Precision precision)
        : input_(device, x.size()), output_(device, shape.output_size()) {
        const ConvConfig config{.variant = Variant::nonfused, .m = tile_for(shape, m), .params = {}};
        KernelChoice choice{.variant = Variant::nonfused, .m = config.m, .precision = precision};
        if (precision == Precision::int8) choice.clips = calibrate_int8(shape, config, {x}, Int8Calibration::mse);
        conv_ = std::make_unique<Conv2d>(device, shape, choice);
        conv_->set_filters(w);
        input_.write(x);
    }
    void forward() { conv_->run(input_, output_); }
    std::vector<float> output() {
        std::vector<float> values(output_.size());
        output_.read(values);
        return values;
    }

private:
    Buffer input_, output_;
    std::unique_ptr<Conv2d> conv_;
};

int parse_count(const std::string& text, const std::string& flag) {
    std::size_t used = 0;
    int value = 0;
    try {
        value = std::stoi(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || value < 1) throw InputError(fmt::format("{} must be a count (1 or more), not '{}'", flag, text));
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        int warmup = 3, repeats = 15;
        std::string layer_file;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if ((arg == "--warmup" || arg == "--repeats") && i + 1 < argc) {
                (arg == "--warmup" ? warmup : repeats) = parse_count(argv[++i], arg);
            } else if (!arg.empty() && arg[0] != '-' && layer_file.empty()) {
                layer_file = arg;
            } else {
                throw InputError("usage: wino-gen-ncnn-compare [--warmup W] [--repeats R] LAYER_FILE");
            }
        }
        if (layer_file.empty()) throw InputError("usage: wino-gen-ncnn-compare [--warmup W] [--repeats R] LAYER_FILE");
        const std::vector<NamedLayer> layers = read_layer_list(layer_file);
        if (ncnn::create_gpu_instance() != 0 || ncnn::get_gpu_count() == 0) throw DeviceError("ncnn found no Vulkan device");
        {
            Device device;
            fmt::print("device: {}; ncnn: {}; {} repeats after {} warm-up, interleaved\n\n", device.name(),
                       ncnn::get_gpu_device()->info.device_name(), repeats, warmup);
            fmt::print("| layer | kernels | ms (median) | rel_err vs fp64 | / int8 direct |\n|---|---|---|---|---|\n");
            for (const NamedLayer& l : layers) {
                const ConvShape& shape = l.shape;
                if (shape.N != 1 || shape.R != 3 || shape.S != 3 || shape.C % 4 != 0 || shape.K % 4 != 0) {
                    fmt::print("| {} | skipped: ncnn's int8 Winograd takes N = 1, 3×3, C and K multiples of 4 here | | | |\n", l.name);
                    continue;
                }
                const std::vector<float> x = random_tensor(shape.input_size(), 1);
                const std::vector<float> w = random_tensor(shape.filter_size(), 2);
                const std::vector<double> reference = reference_conv2d(shape, x, w);
                const double direct = compare_with_reference(int8_direct_on_host(shape, x, w), reference).relative;

                std::vector<std::shared_ptr<void>> owners;
                std::vector<Contender> contenders;
                auto add_ncnn = [&](const std::string& name, NcnnConv::Form form) {
                    auto conv = std::make_shared<NcnnConv>(shape, x, w, form);
                    owners.push_back(conv);
                    contenders.push_back({name, [conv] { conv->forward(); }, [conv] { return conv->output(); }, form != NcnnConv::Form::fp32});
                };
                auto add_ours = [&](int m, Precision precision) {
                    auto conv = std::make_shared<OurConv>(device, shape, x, w, m, precision);
                    owners.push_back(conv);
                    contenders.push_back({fmt::format("wino-gen {} F({},3)", to_string(precision), m), [conv] { conv->forward(); },
                                          [conv] { return conv->output(); }, precision == Precision::int8});
                };
                add_ncnn("ncnn int8 gemm", NcnnConv::Form::int8_gemm);
                add_ncnn("ncnn int8 F(2,3)", NcnnConv::Form::int8_winograd23);
                add_ncnn("ncnn int8 F(4,3)", NcnnConv::Form::int8_winograd43);
                add_ncnn("ncnn fp32, its choice", NcnnConv::Form::fp32);
                add_ours(2, Precision::int8);
                add_ours(4, Precision::int8);
                add_ours(4, Precision::fp32);

                for (int round = 0; round < warmup + repeats; ++round) {
                    for (Contender& c : contenders) {
                        const double ms = wall_ms(c.forward);
                        if (round >= warmup) c.times.push_back(ms);
                    }
                }
                for (Contender& c : contenders) {
                    const double error = compare_with_reference(c.output(), reference).relative;
                    fmt::print("| {} | {} | {:.2f} | {:.2e} | {} |\n", l.name, c.name, median(c.times), error,
                               c.int8 ? fmt::format("{:.2f}×", error / direct) : "");
                }
                fmt::print("| {} | int8 direct on the host, one scale per tensor | | {:.2e} | 1.00× |\n", l.name, direct);
            }
        }
        ncnn::destroy_gpu_instance();
        return 0;
    } catch (const InputError& e) {
        fmt::print(stderr, "wino-gen-ncnn-compare: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "wino-gen-ncnn-compare: {}\n", e.what());
        return 1;
    }
}
