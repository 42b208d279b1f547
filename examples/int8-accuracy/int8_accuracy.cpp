// int8 Winograd's error against the int8 direct convolution, on the host:
// per layer of a list and tile m, the relative L2 error against fp64 of
// - the direct convolution of x and w quantized to int8, one scale each
//   (int8_direct_on_host): the baseline users compare with;
// - Winograd F(m,r) with U and V quantized per tap (int8_winograd_on_host),
//   at int8 (8-bit codes) and split-int8 (16-bit codes as two int8 codes,
//   three int8 products), V's clips calibrated each of the three ways
//   (Int8Calibration: the exact bound of the inputs' range, the 99.9th
//   percentile of the tap's values, the least squared error) on 4 other
//   inputs of the same kind, not the one measured;
// and each Winograd error over the direct one. Issue 30's targets: F(2,3)
// within 1.5x, F(4,3) within 3x. The tensors are `run`'s seeded ones, uniform
// in [-1, 1), the input also after a ReLU (max(0, x)), as activations are.
// usage: wino-gen-int8-accuracy LAYER_FILE [M ...]   (default m: 2 4 6)
#include "runtime/layer_error.hpp"
#include "runtime/host_reference.hpp"
#include "templates/layer_plan.hpp"
#include "tuner/layer_list.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace wino;

int main(int argc, char** argv) {
    if (argc < 2) {
        fmt::print(stderr, "usage: wino-gen-int8-accuracy LAYER_FILE [M ...]\n");
        return 2;
    }
    try {
        const std::vector<NamedLayer> layers = read_layer_list(argv[1]);
        std::vector<int> ms;
        for (int i = 2; i < argc; ++i) ms.push_back(std::stoi(argv[i]));
        if (ms.empty()) ms = {2, 4, 6};
        const Int8Calibration calibrations[] = {Int8Calibration::exact_bound, Int8Calibration::percentile, Int8Calibration::mse};
        fmt::print("| layer | input | precision | m | int8 direct | exact bound | ratio | percentile 99.9 | ratio | least squares | ratio |\n");
        fmt::print("|---|---|---|---|---|---|---|---|---|---|---|\n");
        auto relu = [](std::vector<float> v) {
            for (float& value : v) value = std::max(value, 0.0f);
            return v;
        };
        for (const NamedLayer& l : layers) {
            const std::vector<float> w = random_tensor(l.shape.filter_size(), 2);
            for (const bool rectified : {false, true}) {
                auto input = [&](std::uint64_t seed) {
                    std::vector<float> x = random_tensor(l.shape.input_size(), seed);
                    return rectified ? relu(x) : x;
                };
                const std::vector<float> x = input(1);
                std::vector<std::vector<float>> calibration;
                for (std::uint64_t seed = 10; seed < 14; ++seed) calibration.push_back(input(seed));
                const std::vector<double> reference = reference_conv2d(l.shape, x, w);
                const double direct = compare_with_reference(int8_direct_on_host(l.shape, x, w), reference).relative;
                for (const Precision precision : {Precision::int8, Precision::split_int8})
                    for (int m : ms) {
                        const ConvConfig config{.variant = Variant::nonfused, .m = tile_for(l.shape, m), .params = {}};
                        validate_shape(l.shape, config);
                        const LayerRecipes recipes(l.shape, config, optimizer_options(precision));
                        const ConvAlgorithm algorithm = recipes.algorithm();
                        std::string row = fmt::format("| {} | {} | {} | {} | {:.2e} |", l.name, rectified ? "relu" : "uniform",
                                                      to_string(precision), m, direct);
                        for (Int8Calibration calibration_kind : calibrations) {
                            const Int8Clips clips = calibrate_int8(l.shape, algorithm, precision, calibration, calibration_kind);
                            const double e =
                                compare_with_reference(int8_winograd_on_host(l.shape, algorithm, precision, x, w, clips), reference).relative;
                            row += fmt::format(" {:.2e} | {:.2f}x |", e, e / direct);
                        }
                        fmt::print("{}\n", row);
                    }
            }
        }
        return 0;
    } catch (const InputError& e) {
        fmt::print(stderr, "wino-gen-int8-accuracy: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "wino-gen-int8-accuracy: {}\n", e.what());
        return 1;
    }
}
