// The layer error model (runtime/layer_error): exact when every stage runs in
// fp64 (so its tiling, padding and indices are the kernels'), and within 2x
// of what the Vulkan device measures on the same tensors at m = 2, 4, 6.
#include "api_state.hpp"
#include "layer_error.hpp"
#include "layer_run.hpp"
#include "recipe_db.hpp"

#include <catch2/catch.hpp>

using namespace wino;

namespace {

RecipeSet recipes(int m, int r) { return recipes_for(m, r, default_points(m + r - 1), {}); }

}  // namespace

TEST_CASE("the host pipeline in fp64 is the convolution, on odd shapes with padding and N > 1") {
    for (const ConvShape& s : {ConvShape{2, 3, 11, 13, 5, 3, 1}, ConvShape{1, 4, 9, 7, 3, 5, 2}, ConvShape{1, 2, 5, 6, 2, 3, 0}})
        for (int m : {2, 4, 6}) {
            INFO("m " << m << " R " << s.R << " H " << s.H << " W " << s.W);
            const std::vector<float> x = random_tensor(s.input_size(), 3), w = random_tensor(s.filter_size(), 4);
            const LayerErrors e = compare_with_reference(winograd_on_host(s, recipes(m, s.R), x, w, {}), reference_conv2d(s, x, w));
            CHECK(e.relative < 1e-13);
            CHECK(e.max_relative < 1e-13);
        }
}

TEST_CASE("the model's error agrees with the device's within 2x at m = 2, 4, 6") {
    Device device;
    const ConvShape s{1, 32, 20, 20, 16, 3, 1};
    const std::vector<float> x = random_tensor(s.input_size(), 1), w = random_tensor(s.filter_size(), 2);
    const std::vector<double> ref = reference_conv2d(s, x, w);
    for (int m : {2, 4, 6}) {
        const LayerErrorModel model = model_layer_error(s, recipes(m, 3), x, w);
        LayerJob job;
        job.shape = s;
        job.config = {Variant::nonfused, m, suggested_params(s, m, Backend::glsl)};
        job.input = x;
        job.filters = w;
        job.check = true;
        const LayerReport device_run = run_layer(device, job);
        const LayerErrors measured = compare_with_reference(device_run.output, ref);
        INFO("m " << m << ": model " << model.all.relative << " / " << model.all.max_relative << ", device "
                  << measured.relative << " / " << measured.max_relative);
        CHECK(model.all.relative <= 2 * measured.relative);
        CHECK(model.all.relative >= measured.relative / 2);
        CHECK(model.all.max_relative <= 2 * measured.max_relative);
        CHECK(model.all.max_relative >= measured.max_relative / 2);
        for (const LayerErrors& stage : model.stages) {
            CHECK(stage.relative > 0);
            CHECK(stage.relative <= model.all.relative * 2);
        }
    }
}
