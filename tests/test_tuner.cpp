// The tuner: the space and its pruning, the correctness gate, the tuning
// database (resume after kill -9, concurrent writers, refusals, export/import,
// the fallback chain), and `run` picking the tuned configuration.
#include <wino/errors.hpp>
#include "runtime/layer_run.hpp"
#include "recipes/recipe_db.hpp"
#include "tests/test_support.hpp"
#include "tuner/compile_pool.hpp"
#include "tuner/strategy.hpp"
#include "tuner/tuner.hpp"
#include "runtime/layer_error.hpp"
#include "runtime/vulkan_executor.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <signal.h>
#include <sys/wait.h>

using namespace wino;
namespace fs = std::filesystem;

namespace {

VulkanExecutor& vulkan() {
    static VulkanExecutor e({-1, false});
    return e;
}

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / fmt::format("wino-tuner-{}-{}", name, ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

const ConvShape tiny{1, 4, 6, 8, 4, 3, 1};  // output 6x8: vector rows fit m 4 and 8
const DeviceLimits roomy{1024, {65535, 65535, 65535}, 32768};

bool any_of(const std::vector<Candidate>& space, const std::function<bool(const Candidate&)>& f) {
    return std::any_of(space.begin(), space.end(), f);
}

// Vulkan underneath, with what a test changes in a layer's run: its output,
// or the device times it reports.
class Altered : public Executor {
public:
    const DeviceIdentity& identity() const override { return vulkan().identity(); }
    const DeviceLimits& limits() const override { return vulkan().limits(); }
    std::unique_ptr<DeviceArray> allocate(std::size_t size, ElementType type) override { return vulkan().allocate(size, type); }

protected:
    // What the layer of `config` computed in its run number `run` (from 0, a
    // loaded layer counting its own).
    virtual void alter(const ConvConfig& config, int run, std::vector<float>& output, KernelTimes& times) const = 0;

    class Layer : public LoadedLayer {
    public:
        Layer(ConvPlan plan, std::unique_ptr<LoadedLayer> inner, const Altered& owner)
            : LoadedLayer(std::move(plan)), inner_(std::move(inner)), owner_(owner) {}
        void check_guards() const override { inner_->check_guards(); }

    protected:
        void upload_filters(const std::vector<std::byte>& filters) override {
            inner_->set_filters(decode(filters, plan_.shape.filter_size(), tensor_type()));
        }
        // The inner layer's set_filters fills its own scales (int8).
        void upload(BufferId buffer, const std::vector<std::byte>& values) override {
            if (buffer == BufferId::bias) inner_->set_bias(decode(values, static_cast<std::size_t>(plan_.shape.K), tensor_type()));
        }
        KernelTimes run_input(const std::vector<std::byte>& input, std::uint32_t, std::vector<std::byte>& output) override {
            std::vector<float> values;
            KernelTimes times = inner_->run(decode(input, plan_.shape.input_size(), tensor_type()), values);
            owner_.alter(plan_.config, runs_++, values, times);
            output = encode(values, tensor_type());
            return times;
        }
        KernelTimes run_arrays(const DeviceArray& input, DeviceArray& output) override { return inner_->run(input, output); }

    private:
        std::unique_ptr<LoadedLayer> inner_;
        const Altered& owner_;
        int runs_ = 0;
    };
    std::unique_ptr<LoadedLayer> load_plan(ConvPlan plan) override {
        auto inner = vulkan().load(plan.shape, plan.config);
        return std::make_unique<Layer>(std::move(plan), std::move(inner), *this);
    }
};

// Every output of a candidate with m other than 2 is wrong: a candidate the
// gate must refuse, however fast.
class WrongUnlessM2 : public Altered {
    void alter(const ConvConfig& config, int, std::vector<float>& output, KernelTimes&) const override {
        if (config.m != 2) output[output.size() / 2] += 1.0f;
    }
};

DeviceIdentity fake_device(std::uint32_t vendor, std::uint32_t device, const std::string& driver) {
    return {Backend::glsl, vendor, device, driver, fmt::format("fake {:x}:{:x}", vendor, device), ""};
}

TuningResult fake_result(const DeviceIdentity& d, int m, double ms) {
    Candidate c = untuned_config(tiny, DeviceClass::cpu);
    c.m = m;
    return {d, tiny, "h1", "0.1", c, ms, "", {}};
}

int count_rows(const fs::path& db) { return static_cast<int>(TuningDb(db, true).all().size()); }

}  // namespace

TEST_CASE("the space covers variants, every m of the recipes and the table's values, untuned first") {
    DeviceLimits with_blas = roomy;
    with_blas.vendor_gemm = true;
    const std::vector<Candidate> space = search_space(tiny, Backend::glsl, with_blas);
    CHECK(space.front() == untuned_config(tiny, DeviceClass::cpu));
    // A GPU (Vulkan's on a GPU as CUDA's) starts from the GPU's parameters.
    DeviceLimits gpu = with_blas;
    gpu.device_class = DeviceClass::gpu;
    CHECK(search_space(tiny, Backend::glsl, gpu).front() == untuned_config(tiny, DeviceClass::gpu));
    for (int m = 2; m <= 10; ++m)
        for (Variant v : {Variant::fused, Variant::nonfused})
            CHECK(any_of(space, [&](const Candidate& c) { return c.variant == v && c.m == m; }));
    CHECK_FALSE(any_of(space, [](const Candidate& c) { return c.variant == Variant::direct; }));
    CHECK_FALSE(any_of(space, [](const Candidate& c) { return !c.m.square(); }));  // a square filter's tiles are square
    // Every value of the table, tensor cores where they apply: on CUDA, at fp16-mixed, on a device with them.
    DeviceLimits tensor_device = with_blas;
    tensor_device.tensor_cores = true;
    tensor_device.half_storage = true;
    const std::vector<Candidate> mixed = search_space(tiny, Backend::cuda, tensor_device, Precision::fp16_mixed);
    // And the integer dot product at int8, in GLSL, on a device with it.
    DeviceLimits dot_device = with_blas;
    dot_device.integer_dot_product = true;
    const std::vector<Candidate> quantized = search_space(tiny, Backend::glsl, dot_device, Precision::int8);
    // And the loads a subgroup shares, at the lanes of the device's subgroups.
    auto with_subgroups = [&](int lanes) {
        DeviceLimits subgroups = with_blas;
        subgroups.subgroup_size = static_cast<std::uint32_t>(lanes);
        return search_space(tiny, Backend::glsl, subgroups);
    };
    for (const ParamSpec& spec : param_table())
        for (const ParamValue& value : spec.candidates) {
            INFO(spec.name << " " << value_text(spec, value));
            const bool lanes = spec.param == Param::gemm_subgroup && value[0];
            CHECK(any_of(spec.param == Param::tensor_cores  ? mixed
                         : spec.param == Param::integer_dot ? quantized
                         : lanes                            ? with_subgroups(value[0])
                                                            : space,
                         [&](const Candidate& c) { return c.params[spec.param] == value; }));
        }
    CHECK(with_subgroups(8).front().params[Param::gemm_subgroup] == ParamValue{8, 0});  // the untuned start shares, as run does
    CHECK_FALSE(any_of(space, [](const Candidate& c) { return c.params[Param::gemm_subgroup][0] != 0; }));
    CHECK_FALSE(any_of(space, [](const Candidate& c) { return c.params[Param::tensor_cores][0] != 0; }));
    const auto dot_on = [](const Candidate& c) { return c.params[Param::integer_dot][0] != 0; };
    CHECK_FALSE(any_of(space, dot_on));
    CHECK(dot_on(quantized.front()));  // the untuned start, as run starts: on where the device has it
    CHECK(std::all_of(mixed.begin(), mixed.end(), [](const Candidate& c) { return c.precision == Precision::fp16_mixed; }));
    // At the TF32 precisions, only on a device whose tensor cores take TF32 (sm_80 on).
    DeviceLimits tf32_device = tensor_device;
    tf32_device.tf32_tensor_cores = true;
    const auto on_tensor_cores = [](const Candidate& c) { return c.params[Param::tensor_cores][0] != 0; };
    for (Precision precision : {Precision::tf32, Precision::split_tf32}) {
        INFO(to_string(precision));
        CHECK(any_of(search_space(tiny, Backend::cuda, tf32_device, precision), on_tensor_cores));
        CHECK_FALSE(any_of(search_space(tiny, Backend::cuda, tensor_device, precision), on_tensor_cores));
    }
    // In GLSL, on a device with cooperative matrices (subgroups of 32), at fp16-mixed only.
    DeviceLimits cooperative_device = tf32_device;
    cooperative_device.subgroup_size = 32;
    CHECK(any_of(search_space(tiny, Backend::glsl, cooperative_device, Precision::fp16_mixed), on_tensor_cores));
    CHECK_FALSE(any_of(search_space(tiny, Backend::glsl, cooperative_device, Precision::tf32), on_tensor_cores));
    std::set<std::string> keys;
    for (const Candidate& c : space) keys.insert(candidate_key(c));
    CHECK(keys.size() == space.size());
}

TEST_CASE("each constraint removes from the space what the device or the layer cannot run") {
    // Workgroup size: the transform workgroup, the GEMM threads and the fused tile.
    DeviceLimits small = roomy;
    small.max_workgroup_size = 16;
    const auto wide = [](const Candidate& c) {
        const auto& p = c.params;
        return (c.variant == Variant::nonfused && (p[Param::workgroup_size][0] > 16 || p[Param::gemm_threads][0] * p[Param::gemm_threads][1] > 16)) ||
               (c.variant == Variant::fused && spec_of(KernelKind::fused).workgroup_size(p) > 16);
    };
    const std::vector<Candidate> roomy_space = search_space(tiny, Backend::glsl, roomy);  // made once: 21 k candidates
    CHECK(any_of(roomy_space, wide));
    const std::vector<Candidate> narrow = search_space(tiny, Backend::glsl, small);
    CHECK_FALSE(any_of(narrow, [&](const Candidate& c) { return c != narrow.front() && wide(c); }));
    // Shared memory: the fused kernel's block of channels, or its sums.
    DeviceLimits little_shared = roomy;
    little_shared.max_shared_bytes = 16 * 1024;
    const auto fused_past = [](std::size_t bytes) {
        return [bytes](const Candidate& c) {
            const long long alpha = c.m.h + 2;
            return c.variant == Variant::fused && fused_shared_bytes(c.params, alpha * alpha) > static_cast<long long>(bytes);
        };
    };
    CHECK(any_of(roomy_space, fused_past(little_shared.max_shared_bytes)));
    CHECK_FALSE(any_of(roomy_space, fused_past(roomy.max_shared_bytes)));
    const std::vector<Candidate> little = search_space(tiny, Backend::glsl, little_shared);
    CHECK_FALSE(any_of(little, fused_past(little_shared.max_shared_bytes)));
    CHECK(any_of(little, [](const Candidate& c) { return c.variant == Variant::fused; }));
    // Vector rows: only where m and the output width are multiples of 4.
    const ConvShape odd{1, 4, 7, 7, 4, 3, 1};
    CHECK(any_of(roomy_space, [](const Candidate& c) { return c.params[Param::vector_rows][0] == 1; }));
    for (const Candidate& c : search_space(odd, Backend::glsl, roomy)) CHECK(c.params[Param::vector_rows][0] == 0);
    // The vendor's BLAS product: only where the API has one, and then once per
    // (variant, m) and set of transform parameters, the GEMM tiles it leaves
    // inert at their suggested values.
    const auto blas = [](const Candidate& c) { return c.params[Param::cublas][0] == 1; };
    CHECK_FALSE(any_of(roomy_space, blas));
    DeviceLimits with_blas = roomy;
    with_blas.vendor_gemm = true;
    with_blas.device_class = DeviceClass::gpu;
    const std::vector<Candidate> space = search_space(tiny, Backend::cuda, with_blas);
    CHECK(any_of(space, blas));
    for (const Candidate& c : space)
        if (blas(c)) {
            const KernelParams start = suggested_params(tiny, c.m, DeviceClass::gpu);
            CHECK(c.params[Param::gemm_threads] == start[Param::gemm_threads]);
            CHECK(c.params[Param::gemm_registers] == start[Param::gemm_registers]);
        }
}

TEST_CASE("buffer, texel-buffer and workgroup-count limits remove what they must before anything is compiled") {
    const ConvShape layer{1, 16, 20, 20, 16, 3, 1};
    const std::vector<Candidate> all = search_space(layer, Backend::glsl, roomy);
    // Bytes of the largest buffer a candidate writes, and of the largest it reads, in texels.
    const auto largest = [&](const Candidate& c, bool writes) {
        std::size_t most = 0;
        const Tiling t = tiling_of(layer, c.variant, c.m);
        for (KernelKind kind : spec_of(c.variant).kinds)
            for (const BufferUse& use : spec_of(kind).buffers(c.params))
                if (use.writes == writes) {
                    const auto floats = static_cast<std::size_t>(buffer_floats(use.buffer, layer, t));
                    most = std::max(most, writes ? floats * sizeof(float) : floats / use.width);
                }
        return most;
    };
    std::vector<std::size_t> written, read;
    for (const Candidate& c : all) written.push_back(largest(c, true)), read.push_back(largest(c, false));
    std::sort(written.begin(), written.end());
    std::sort(read.begin(), read.end());
    DeviceLimits small_buffers = roomy, small_texels = roomy, few_groups = roomy;
    small_buffers.max_buffer_bytes = written[written.size() / 2];  // about half the space passes it
    small_texels.max_texel_elements = read[read.size() / 2];
    for (const auto& [limits, writes] : {std::pair{small_buffers, true}, {small_texels, false}}) {
        const std::vector<Candidate> kept = search_space(layer, Backend::glsl, limits);
        CHECK(kept.size() < all.size());
        CHECK(kept.size() > 0);
        const std::size_t bound = writes ? limits.max_buffer_bytes : limits.max_texel_elements;
        for (const Candidate& c : kept) CHECK(largest(c, writes) <= bound);
        CHECK(std::count_if(all.begin(), all.end(), [&](const Candidate& c) { return largest(c, writes) <= bound; }) ==
              static_cast<long>(kept.size()));
        ConvConfig over = *std::find_if(all.begin(), all.end(), [&](const Candidate& c) { return largest(c, writes) > bound; });
        CHECK_THROWS_AS(check_device_limits(layer, over, limits), DeviceError);
    }
    few_groups.max_groups = {2, 65535, 65535};
    for (const Candidate& c : search_space(layer, Backend::glsl, few_groups)) {
        const Tiling t = tiling_of(layer, c.variant, c.m);
        for (KernelKind kind : spec_of(c.variant).kinds) {
            const KindSpec& k = spec_of(kind);
            CHECK(k.groups(layer, t, c.params, k.workgroup_size(c.params))[0] <= 2);
        }
    }
}

TEST_CASE("the compile pool compiles each kernel given on its own threads, in order, once, and holds still while paused") {
    // Vulkan's limits and identity; compile_ahead records which kernel, on which thread.
    class Recording : public Executor {
    public:
        const DeviceIdentity& identity() const override { return vulkan().identity(); }
        const DeviceLimits& limits() const override { return vulkan().limits(); }
        std::unique_ptr<DeviceArray> allocate(std::size_t size, ElementType type) override { return vulkan().allocate(size, type); }
        void compile_ahead(const EmittedKernel& kernel) override {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            std::lock_guard lock(mutex);
            compiled.push_back({kernel.name, std::this_thread::get_id()});
        }
        std::mutex mutex;
        std::vector<std::pair<std::string, std::thread::id>> compiled;

    protected:
        std::unique_ptr<LoadedLayer> load_plan(ConvPlan plan) override { return vulkan().load(std::move(plan)); }
    } recording;
    const auto wait_idle = [](const CompilePool& pool) {
        for (int i = 0; i < 500 && pool.pending() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return pool.pending() == 0;
    };
    std::vector<EmittedKernel> kernels(3);
    for (std::size_t i = 0; i < kernels.size(); ++i) {
        kernels[i].name = fmt::format("k{}", i);
        kernels[i].source = fmt::format("// kernel {}", i);
    }
    {
        CompilePool pool(recording, 1);
        CHECK(pool.threads() == 1);
        {
            const CompilePool::Pause paused(pool);
            pool.add(kernels);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            std::lock_guard lock(recording.mutex);
            CHECK(recording.compiled.empty());  // nothing starts while paused
        }
        REQUIRE(wait_idle(pool));
        pool.add(kernels);  // given before: not queued again
        CHECK(pool.pending() == 0);
    }
    REQUIRE(recording.compiled.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(recording.compiled[i].first == kernels[i].name);
        CHECK(recording.compiled[i].second != std::this_thread::get_id());
    }
    // Without threads, nothing is compiled ahead; a pool dropped with work queued leaves it.
    CompilePool none(recording, 0);
    none.add(kernels);
    CHECK(none.pending() == 0);
    {
        CompilePool dropped(recording, 1);
        std::vector<EmittedKernel> many(50);
        for (std::size_t i = 0; i < many.size(); ++i) many[i].source = fmt::format("// kernel {} of many", i);
        dropped.add(many);
    }
    CHECK(recording.compiled.size() < 3 + 50);
}

TEST_CASE("tune prints the strategy's phases on stderr, a line each where stderr is a log") {
    const fs::path dir = scratch("phases");
    auto r = test::run_wino_gen("tune --input-shape 1,4,6,8 --filters 4 --pad 1 --budget-candidates 40 --db " + (dir / "t.db").string());
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("[coarse: "));
    CHECK_THAT(r.err, Catch::Contains("[round 1: descent of "));
    CHECK_THAT(r.out, Catch::Contains("rel_err"));
    fs::remove_all(dir);
}

TEST_CASE("a layer whose untuned tile errs past the budget still gets a choice within it: the smallest tiles are tried") {
    const fs::path dir = scratch("smallest");
    TuningDb db(dir / "t.db");
    TuneOptions options{"guided", 0};
    options.max_candidates = 1;  // the untuned candidate only, F(4,3)
    options.max_error = 1e-9;    // past every tile's error here, and the direct kernel's too
    CHECK_THROWS_WITH(tune_layer(vulkan(), db, tiny, options), Catch::Contains("within the error budget 1.0e-09"));
    options.max_error = 2e-7;  // F(2,3) and the direct kernel keep it; F(4,3) does not at C = 64
    const ConvShape deep{1, 64, 8, 8, 4, 3, 1};
    const LayerTuning t = tune_layer(vulkan(), db, deep, options);
    REQUIRE(t.rel_err);
    CHECK(*t.rel_err <= 2e-7);
    CHECK(t.best.m.h * t.best.m.w < 16);
    fs::remove_all(dir);
}

TEST_CASE("guided descends on the parameters in the order it is given, the kernels that take the most time first") {
    const std::vector<Candidate> space = search_space(tiny, Backend::glsl, roomy);
    std::set<std::string> in_space;
    for (const Candidate& c : space) in_space.insert(candidate_key(c));
    std::vector<Candidate> measured;
    // Every candidate equally fast: the order alone decides what is tried first.
    SearchContext context{space, [&](const Candidate& c) -> std::optional<double> {
                              measured.push_back(c);
                              return 1.0;
                          },
                          [&] { return measured.size() >= 200; }};
    std::vector<const ParamSpec*> reversed;
    for (const ParamSpec& spec : param_table()) reversed.insert(reversed.begin(), &spec);
    context.parameter_order = [&](const Candidate&) { return reversed; };
    std::set<std::tuple<Variant, int, int>> groups;
    for (const Candidate& c : space) groups.insert({c.variant, c.m.h, c.m.w});
    strategy_named("guided", "").search(context);
    REQUIRE(measured.size() > groups.size());
    // The first candidate of the descent differs from its group's start in the
    // first parameter of the order that has another value in the space.
    const Candidate& first = measured[groups.size()];
    const auto start = std::find_if(measured.begin(), measured.end(), [&](const Candidate& c) {
        return c.variant == first.variant && c.m == first.m;
    });
    REQUIRE(start != measured.end());
    const ParamSpec* expected = nullptr;
    for (const ParamSpec* spec : reversed) {
        for (const ParamValue& value : spec->candidates) {
            Candidate next = *start;
            next.params[spec->param] = value;
            next = without_inert(next, start->params);
            if (!(next == *start) && in_space.count(candidate_key(next))) expected = spec;
        }
        if (expected) break;
    }
    REQUIRE(expected);
    INFO(expected->name);
    CHECK_FALSE(first.params[expected->param] == start->params[expected->param]);
}

TEST_CASE("compiling ahead on another thread gives the same database rows as a serial run") {
    const fs::path dir = scratch("ahead");
    const ConvShape layer{1, 5, 9, 7, 3, 3, 1};
    std::vector<std::map<std::string, std::tuple<bool, std::string, std::optional<double>>>> rows;
    for (int threads : {1, 0}) {  // the pool first, while nothing of this layer is compiled
        TuningDb db(dir / fmt::format("t{}.db", threads));
        TuneOptions options{"brute", 0};
        options.max_candidates = 24;
        options.compile_threads = threads;
        const LayerTuning t = tune_layer(vulkan(), db, layer, options);
        CHECK(t.candidates == 24);
        auto& mine = rows.emplace_back();
        for (const TuningResult& r : db.all()) mine[candidate_key(r.candidate)] = {r.time_ms.has_value(), r.failure, r.rel_err};
    }
    CHECK(rows[0].size() == 24);
    CHECK(rows[0] == rows[1]);
    fs::remove_all(dir);
}

// A machine whose fast spells favour one candidate: every m 2 candidate runs
// in 1 ms but for one run in 5 of 10 runs each, in 0.1 ms; every other
// candidate in a steady 0.5 ms. Its best round of the final re-timing would
// be 0.1 ms; its median round is 1 ms, and the steady untuned candidate (m 4)
// is chosen.
TEST_CASE("the final re-timing takes each leader's median round, not a lucky spell's best") {
    class FastSpells : public Altered {
        void alter(const ConvConfig& config, int run, std::vector<float>&, KernelTimes& times) const override {
            const double ms = config.m != 2 ? 0.5 : run / 10 % 5 == 0 ? 0.1 : 1.0;
            const double total = total_ms(times);
            for (auto& [kernel, t] : times) t *= ms / total;
        }
    } spells;
    const fs::path dir = scratch("spells");
    TuningDb db(dir / "t.db");
    TuneOptions options{"brute"};
    options.warmup = 0;
    options.timing = {10, 10, 0};  // 10 runs a timing, as each of the re-timing's 5 rounds
    options.max_candidates = 6;    // the untuned candidate, then m 2's
    const LayerTuning t = tune_layer(spells, db, tiny, options);
    REQUIRE(t.untuned.m == 4);
    CHECK(t.best.m == 4);
    CHECK(t.time_ms == Approx(0.5));
    for (const TuningResult& r : db.all())
        if (r.candidate.m == 2 && r.time_ms) CHECK(*r.time_ms >= 0.5);  // measured at 0.1 ms in its spell, kept at 1 ms if re-timed
    fs::remove_all(dir);
}

TEST_CASE("a candidate with a wrong output is recorded as failed and never chosen") {
    const fs::path dir = scratch("gate");
    TuningDb db(dir / "t.db");
    WrongUnlessM2 wrong;
    const LayerTuning t = tune_layer(wrong, db, tiny, {"guided", 8.0});
    CHECK(t.best.m == 2);
    CHECK(t.untuned_ms == 0);  // the untuned candidate (m 4) fails the gate
    CHECK(t.failed > 0);
    int wrong_recorded = 0;
    for (const TuningResult& r : db.all()) {
        CHECK((r.candidate.m == 2) == r.time_ms.has_value());
        if (!r.time_ms) wrong_recorded += r.failure.find("wrong output") != std::string::npos;
    }
    CHECK(wrong_recorded == t.failed);
    fs::remove_all(dir);
}

TEST_CASE("a tune killed with SIGKILL keeps every committed result and resumes without measuring one twice") {
    const fs::path dir = scratch("kill");
    const fs::path db = dir / "t.db";
    const std::string args = fmt::format("tune --input-shape 1,4,6,8 --filters 4 --pad 1 --strategy brute --db {} --format json",
                                         db.string());
    const pid_t child = fork();
    if (child == 0) {
        const std::string command = std::string(WINO_GEN_BINARY) + " " + args + " >/dev/null 2>&1";
        execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int before = 0;
    for (int i = 0; i < 600 && before < 5; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (fs::exists(db)) try {
                before = count_rows(db);
            } catch (const std::exception&) {
            }
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    REQUIRE(before >= 5);
    const int committed = count_rows(db);
    auto again = test::run_wino_gen(args + " --budget-seconds 5");
    REQUIRE(again.exit_code == 0);
    const auto layer = nlohmann::json::parse(again.out)["layers"][0];
    CHECK(layer["stored"].get<int>() == committed);  // brute measures in order: the stored prefix comes back first
    CHECK(count_rows(db) == layer["candidates"].get<int>());
    // `run` takes the tuned configuration, and it passes the check.
    auto run = test::run_wino_gen(fmt::format("run --input-shape 1,4,6,8 --filters 4 --pad 1 --db {} --check --format json",
                                              db.string()));
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["tuning"] == "exact");
    CHECK(j["rel_err"].get<double>() < layer_error_bound(j["m"].get<int>(), 3));
    CHECK(j["config"] == layer["config"]);
    auto untuned = test::run_wino_gen(fmt::format("run --input-shape 1,4,6,8 --filters 4 --pad 1 --db {} --no-tuning-db "
                                                  "--format json", db.string()));
    CHECK(nlohmann::json::parse(untuned.out)["tuning"] == "none");
    auto flags_win = test::run_wino_gen(fmt::format("run --input-shape 1,4,6,8 --filters 4 --pad 1 --db {} --m 2 --format json",
                                                    db.string()));
    CHECK(nlohmann::json::parse(flags_win.out)["m"] == 2);
    fs::remove_all(dir);
}

TEST_CASE("four tune processes on one database at once") {
    const fs::path dir = scratch("concurrent");
    const fs::path db = dir / "t.db";
    std::vector<std::thread> runs;
    std::vector<test::RunResult> results(4);
    for (int i = 0; i < 4; ++i)
        runs.emplace_back([&, i] {
            results[i] = test::run_wino_gen(fmt::format("tune --input-shape 1,{},6,6 --filters 4 --pad 1 --budget-seconds 2 --db {}",
                                                        2 + i % 2, db.string()));
        });
    for (auto& t : runs) t.join();
    for (const test::RunResult& r : results) {
        INFO(r.err);
        CHECK(r.exit_code == 0);
    }
    CHECK(count_rows(db) > 0);
    CHECK(test::run_wino_gen("tune --show --db " + db.string()).exit_code == 0);
    fs::remove_all(dir);
}

TEST_CASE("a corrupt, foreign or newer database is refused and left as it is") {
    const fs::path dir = scratch("refuse");
    const fs::path garbage = dir / "garbage.db";
    std::ofstream(garbage) << std::string(4096, 'x');
    auto r = test::run_wino_gen("tune --show --db " + garbage.string());
    CHECK(r.exit_code == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(test::slurp(garbage.string()) == std::string(4096, 'x'));
    CHECK(test::run_wino_gen("tune --input-shape 1,4,6,8 --filters 4 --db " + garbage.string()).exit_code == 2);

    const fs::path newer = dir / "newer.db";
    TuningDb(newer).record(fake_result(fake_device(1, 2, "1"), 4, 1.0));
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(newer.c_str(), &handle) == SQLITE_OK);
    REQUIRE(sqlite3_exec(handle, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(handle);
    r = test::run_wino_gen("tune --show --db " + newer.string());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("newer") != std::string::npos);

    const fs::path foreign = dir / "foreign.db";
    REQUIRE(sqlite3_open(foreign.c_str(), &handle) == SQLITE_OK);
    REQUIRE(sqlite3_exec(handle, "CREATE TABLE t (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(handle);
    CHECK(test::run_wino_gen("tune --show --db " + foreign.string()).exit_code == 2);
    CHECK_THROWS_AS(TuningDb(foreign), InputError);
    fs::remove_all(dir);
}

TEST_CASE("lookups fall back from this driver to this device to this vendor, and export/import keeps them") {
    const fs::path dir = scratch("chain");
    const DeviceIdentity here = fake_device(0x10de, 0x2330, "550.1");
    TuningDb db(dir / "a.db");
    db.record(fake_result(here, 4, 2.0));
    db.record(fake_result(here, 6, 1.5));
    db.record(fake_result(fake_device(0x10de, 0x2331, "550.1"), 2, 0.5));  // another device of the vendor
    TuningResult failed = fake_result(here, 8, 0);
    failed.time_ms.reset();
    failed.failure = "wrong output";
    db.record(failed);
    const auto current = [](const Candidate&) { return std::string("h1"); };
    auto exact = db.best(here, tiny, current);
    CHECK(exact.match == TuningMatch::exact);
    CHECK(exact.candidate->m == 6);
    auto other_driver = db.best(fake_device(0x10de, 0x2330, "560.0"), tiny, current);
    CHECK(other_driver.match == TuningMatch::device);
    CHECK(other_driver.candidate->m == 6);
    auto same_vendor = db.best(fake_device(0x10de, 0x9999, "1"), tiny, current);
    CHECK(same_vendor.match == TuningMatch::vendor);
    CHECK(same_vendor.candidate->m == 2);
    CHECK(db.best(fake_device(0x1002, 0x2330, "550.1"), tiny, current).match == TuningMatch::none);
    // Results of other kernels are not current.
    CHECK(db.best(here, tiny, [](const Candidate&) { return std::string("h2"); }).match == TuningMatch::none);

    TuningDb fresh(dir / "b.db");
    CHECK(fresh.import_json(db.export_json()) == 4);
    for (const DeviceIdentity& d : {here, fake_device(0x10de, 0x2330, "560.0"), fake_device(0x10de, 0x9999, "1")}) {
        const TuningChoice a = db.best(d, tiny, current), b = fresh.best(d, tiny, current);
        CHECK(a.match == b.match);
        CHECK(a.time_ms == b.time_ms);
        CHECK(*a.candidate == *b.candidate);
    }
    // Import keeps the faster result per key, and a bad file changes nothing.
    nlohmann::json slower = db.export_json();
    for (auto& r : slower["results"])
        if (!r["time_ms"].is_null()) r["time_ms"] = r["time_ms"].get<double>() * 2;
    CHECK(fresh.import_json(slower) == 0);
    nlohmann::json broken = slower;
    broken["results"][1].erase("candidate");
    for (auto& r : broken["results"])
        if (!r["time_ms"].is_null()) r["time_ms"] = r["time_ms"].get<double>() / 100;
    CHECK_THROWS_AS(fresh.import_json(broken), InputError);
    nlohmann::json wrapping = slower;  // N = 2^32 + 1 would be 1 narrowed to 32 bits
    wrapping["results"][0]["layer"]["N"] = 4294967297LL;
    CHECK_THROWS_WITH(fresh.import_json(wrapping), Catch::Contains("layer field 'N' must be an integer from 1 to 65536"));
    CHECK(fresh.best(here, tiny, current).time_ms == 1.5);
    fs::remove_all(dir);
}

TEST_CASE("a layer without its own result takes the same layer's at the nearest tuned batch size, in ratio, the larger on a tie") {
    const fs::path dir = scratch("nearest");
    const DeviceIdentity here = fake_device(0x10de, 0x2330, "550.1");
    TuningDb db(dir / "a.db");
    const auto at_batch = [&](int n, int m, double ms) {
        TuningResult r = fake_result(here, m, ms);
        r.layer.N = n;
        return r;
    };
    db.record(at_batch(1, 2, 0.5));
    db.record(at_batch(1, 4, 0.4));  // N = 1's fastest
    db.record(at_batch(4, 6, 3.0));
    db.record(at_batch(32, 8, 9.0));
    const auto current = [](const Candidate&) { return std::string("h1"); };
    const auto at = [&](int n) {
        ConvShape layer = tiny;
        layer.N = n;
        return db.best(here, layer, current);
    };
    CHECK_FALSE(at(1).batch);  // its own result
    CHECK(at(1).candidate->m == 4);
    struct Expect {
        int n;
        long long from;
        int m;
    };
    for (const Expect& e : {Expect{2, 4, 6},     // 2/1 = 4/2: the larger
                            Expect{3, 4, 6},     // 4/3 < 3/1
                            Expect{8, 4, 6},     // 8/4 < 32/8
                            Expect{16, 32, 8},   // 32/16 < 16/4
                            Expect{64, 32, 8}}) {
        INFO("N " << e.n);
        const TuningChoice choice = at(e.n);
        REQUIRE(choice.batch);
        CHECK(*choice.batch == e.from);
        CHECK(choice.candidate->m == e.m);
        CHECK(choice.match == TuningMatch::exact);
    }
    // Along the device chain: another driver of the device takes them too, as a device match.
    ConvShape eight = tiny;
    eight.N = 8;
    const TuningChoice other_driver = db.best(fake_device(0x10de, 0x2330, "560.0"), eight, current);
    CHECK(other_driver.match == TuningMatch::device);
    CHECK(other_driver.batch == 4);
    // Results of other kernels are not current at any batch; another layer's never count.
    CHECK(db.best(here, eight, [](const Candidate&) { return std::string("h2"); }).match == TuningMatch::none);
    ConvShape wider = eight;
    wider.W = 9;
    CHECK(db.best(here, wider, current).match == TuningMatch::none);
    fs::remove_all(dir);
}

TEST_CASE("tune --batches tunes a list of batch sizes, and run at an untuned N says which N it took") {
    const fs::path dir = scratch("batches");
    const std::string db = " --db " + (dir / "t.db").string();
    auto tuned = test::run_wino_gen("tune --input-shape 1,4,6,8 --filters 4 --pad 1 --batches 1,4 --budget-seconds 2 --format json" + db);
    REQUIRE(tuned.exit_code == 0);
    const auto layers = nlohmann::json::parse(tuned.out)["layers"];
    REQUIRE(layers.size() == 2);
    CHECK(layers[0]["layer"] == "1x4x6x8-k4-r3x3-p1-n1");
    CHECK(layers[1]["shape"]["N"] == 4);
    auto run = test::run_wino_gen("run --input-shape 3,4,6,8 --filters 4 --pad 1 --check --format json" + db);
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["tuning"] == "nearest-batch");
    CHECK(j["tuned_batch"] == 4);
    CHECK(j["tuning_match"] == "exact");
    CHECK(j["config"] == layers[1]["config"]);
    CHECK(j["check"] == "pass");
    auto text = test::run_wino_gen("run --input-shape 3,4,6,8 --filters 4 --pad 1" + db);
    CHECK_THAT(text.out, Catch::Contains("nearest tuned batch, N=4 (exact match, error budget 1.0e-05)"));
    auto own = test::run_wino_gen("run --input-shape 4,4,6,8 --filters 4 --pad 1 --format json" + db);
    CHECK(nlohmann::json::parse(own.out)["tuning"] == "exact");
    CHECK_FALSE(nlohmann::json::parse(own.out).contains("tuned_batch"));
    for (const auto& [args, says] : {std::pair{" --batches 1,x", "--batches"}, {" --batches 1,1", "lists 1 twice"},
                                     {" --batches 0", "--batches"}, {" --batches 1 --batch 2", "--batch is for --model"}}) {
        auto bad = test::run_wino_gen("tune --input-shape 1,4,6,8 --filters 4 --pad 1" + std::string(args) + db);
        INFO(args);
        CHECK(bad.exit_code == 2);
        CHECK_THAT(bad.err, Catch::Contains(says));
    }
    fs::remove_all(dir);
}

TEST_CASE("tune refuses bad input with one line") {
    const fs::path dir = scratch("bad");
    const std::string db = " --db " + (dir / "t.db").string();
    std::ofstream(dir / "layers.txt") << "ok 1 4 6 6 4 3 1\nbroken 1 4 six 6 4 3 1\n";
    std::ofstream(dir / "huge.txt") << "# sizes past their range are refused, not truncated\nhuge 1 4 4294967302 6 4 3 1\n";
    for (const std::string& args : std::vector<std::string>{
             "tune --layers " + (dir / "layers.txt").string(), "tune --layers /nonexistent", "tune --input-shape 1,4,6,8",
          "tune --input-shape 1,4,6,8 --filters 4 --strategy random", "tune --input-shape 1,4,6,8 --filters 4 --budget-seconds -1",
          "tune --input-shape 1,4,6,8 --filters 4 --budget-seconds nan", "tune --layers " + (dir / "huge.txt").string(),
          "tune --import /nonexistent", "tune"}) {
        INFO(args);
        auto r = test::run_wino_gen(args + db);
        CHECK(r.exit_code == 2);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    CHECK(test::run_wino_gen("tune --layers " + (dir / "layers.txt").string() + db).err.find("layers.txt:2") != std::string::npos);
    CHECK(test::run_wino_gen("tune --layers " + (dir / "huge.txt").string() + db).err.find("huge.txt:2: H must be an integer from 1") !=
          std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("a schema-1 database migrates in place: its rows as square layers, padded alike on every side") {
    const fs::path dir = scratch("migrate");
    const fs::path file = dir / "v1.db";
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &handle) == SQLITE_OK);
    // Schema 1 as wino-gen 0.x wrote it, and one result of it.
    const char* v1 = R"sql(
CREATE TABLE results (
    backend TEXT NOT NULL, vendor_id INTEGER NOT NULL, device_id INTEGER NOT NULL, driver TEXT NOT NULL,
    device TEXT NOT NULL,
    n INTEGER NOT NULL, c INTEGER NOT NULL, h INTEGER NOT NULL, w INTEGER NOT NULL, k INTEGER NOT NULL,
    r INTEGER NOT NULL, pad INTEGER NOT NULL, precision TEXT NOT NULL,
    kernels_hash TEXT NOT NULL, version TEXT NOT NULL, candidate TEXT NOT NULL,
    time_ms REAL, failure TEXT NOT NULL,
    PRIMARY KEY (backend, vendor_id, device_id, driver, device, n, c, h, w, k, r, pad, precision, kernels_hash, candidate));
INSERT INTO results VALUES ('glsl', 1, 2, '1', 'fake', 1, 4, 6, 8, 4, 3, 1, 'fp32', 'h1', '0.1',
                            '{"variant":"nonfused","m":4}', 2.5, '');
PRAGMA application_id = 1464290900;
PRAGMA user_version = 1;
)sql";
    REQUIRE(sqlite3_exec(handle, v1, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(handle);
    {
        TuningDb db(file);
        const std::vector<TuningResult> rows = db.all();
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].layer == tiny);  // R = S = 3, pad 1 on every side
        CHECK(rows[0].candidate.m == TileSize(4));
        CHECK(rows[0].time_ms == 2.5);
        const auto current = [](const Candidate&) { return std::string("h1"); };
        CHECK(db.best(fake_device(1, 2, "1"), tiny, current).time_ms == 2.5);
        // Non-square layers and tiles beside it.
        TuningResult wide = fake_result(fake_device(1, 2, "1"), 4, 1.0);
        wide.layer = {1, 4, 6, 8, 4, 1, 7, Padding(0, 0, 3, 3)};
        wide.candidate.m = {1, 4};
        db.record(wide);
        const TuningChoice best = db.best(fake_device(1, 2, "1"), wide.layer, current);
        REQUIRE(best.candidate);
        CHECK(best.candidate->m == TileSize(1, 4));
        CHECK(db.best(fake_device(1, 2, "1"), tiny, current).time_ms == 2.5);
    }
    REQUIRE(sqlite3_open(file.c_str(), &handle) == SQLITE_OK);
    sqlite3_stmt* version = nullptr;
    REQUIRE(sqlite3_prepare_v2(handle, "PRAGMA user_version", -1, &version, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(version) == SQLITE_ROW);
    CHECK(sqlite3_column_int(version, 0) == 5);
    sqlite3_finalize(version);
    sqlite3_close(handle);
    // A schema-1 export (R and one pad) imports as the same square layer.
    TuningDb fresh(dir / "fresh.db");
    nlohmann::json v1_export = TuningDb(file).export_json();
    v1_export["format"] = "wino-gen-tuning/1";
    for (auto& r : v1_export["results"]) {
        nlohmann::json& l = r["layer"];
        const auto pad = l["pad_top"];
        for (const char* key : {"S", "pad_top", "pad_bottom", "pad_left", "pad_right"}) l.erase(key);
        l["pad"] = pad;
    }
    v1_export["results"].erase(1);  // the 1x7 layer has no schema-1 form
    CHECK(fresh.import_json(v1_export) == 1);
    CHECK(fresh.all().at(0).layer == tiny);
    fs::remove_all(dir);
}

TEST_CASE("an error budget picks the fastest result within it, results of unknown error never under one") {
    const fs::path dir = scratch("budget");
    const DeviceIdentity here = fake_device(0x10de, 0x2330, "550.1");
    TuningDb db(dir / "a.db");
    const auto with_error = [&](int m, double ms, std::optional<double> rel_err) {
        TuningResult r = fake_result(here, m, ms);
        r.rel_err = rel_err;
        return r;
    };
    db.record(with_error(8, 1.0, 2.2e-5));
    db.record(with_error(4, 2.0, 5.6e-7));
    db.record(with_error(6, 0.5, std::nullopt));  // measured before errors were stored
    const auto current = [](const Candidate&) { return std::string("h1"); };
    CHECK(db.best(here, tiny, current).candidate->m == 6);
    CHECK(db.best(here, tiny, current, Precision::fp32, Pass::forward, 1e-4).candidate->m == 8);
    const TuningChoice fp32_class = db.best(here, tiny, current, Precision::fp32, Pass::forward, default_error_budget(Precision::fp32));
    CHECK(fp32_class.candidate->m == 4);
    CHECK(fp32_class.rel_err == 5.6e-7);
    CHECK(db.best(here, tiny, current, Precision::fp32, Pass::forward, 1e-7).match == TuningMatch::none);
    // The errors travel with an export, and a /2 export (none) still imports.
    TuningDb fresh(dir / "b.db");
    const nlohmann::json exported = db.export_json();
    CHECK(exported["format"] == "wino-gen-tuning/3");
    CHECK(fresh.import_json(exported) == 3);
    CHECK(fresh.best(here, tiny, current, Precision::fp32, Pass::forward, 1e-5).candidate->m == 4);
    nlohmann::json v2 = exported;
    v2["format"] = "wino-gen-tuning/2";
    for (auto& r : v2["results"]) r.erase("rel_err");
    TuningDb older(dir / "c.db");
    CHECK(older.import_json(v2) == 3);
    CHECK(older.best(here, tiny, current, Precision::fp32, Pass::forward, 1.0).match == TuningMatch::none);
    nlohmann::json negative = exported;
    negative["results"][0]["rel_err"] = -1;
    CHECK_THROWS_WITH(older.import_json(negative), Catch::Contains("rel_err"));
    fs::remove_all(dir);
}

TEST_CASE("schema-2, 3 and 4 databases migrate in place: every result kept as forward, its error unknown or kept, no clips") {
    const int schema = GENERATE(2, 3, 4);
    const fs::path dir = scratch(fmt::format("migrate{}", schema));
    const fs::path file = dir / "old.db";
    // The table as that schema wrote it: R, S and four pads (2), the error (3), the pass (4), no clips.
    const std::string error_column = schema >= 3 ? ", rel_err REAL" : "", error_value = schema >= 3 ? ", 4e-7" : "";
    const std::string pass_column = schema == 4 ? " pass TEXT NOT NULL DEFAULT 'forward'," : "",
                      pass_value = schema == 4 ? " 'forward'," : "", pass_key = schema == 4 ? " pass," : "";
    const std::string old_schema = fmt::format(R"sql(
CREATE TABLE results (
    backend TEXT NOT NULL, vendor_id INTEGER NOT NULL, device_id INTEGER NOT NULL, driver TEXT NOT NULL,
    device TEXT NOT NULL,
    n INTEGER NOT NULL, c INTEGER NOT NULL, h INTEGER NOT NULL, w INTEGER NOT NULL, k INTEGER NOT NULL,
    r INTEGER NOT NULL, s INTEGER NOT NULL, pad_top INTEGER NOT NULL, pad_bottom INTEGER NOT NULL,
    pad_left INTEGER NOT NULL, pad_right INTEGER NOT NULL, precision TEXT NOT NULL,{3}
    kernels_hash TEXT NOT NULL, version TEXT NOT NULL, candidate TEXT NOT NULL,
    time_ms REAL, failure TEXT NOT NULL{0},
    PRIMARY KEY (backend, vendor_id, device_id, driver, device, n, c, h, w, k, r, s, pad_top, pad_bottom, pad_left,
                 pad_right, precision,{5} kernels_hash, candidate));
INSERT INTO results VALUES ('glsl', 1, 2, '1', 'fake', 1, 4, 6, 8, 4, 3, 3, 1, 1, 1, 1, 'fp32',{4} 'h1', '0.1',
                            '{{"variant":"nonfused","m":4}}', 2.5, ''{1});
PRAGMA application_id = 1464290900;
PRAGMA user_version = {2};
)sql", error_column, error_value, schema, pass_column, pass_value, pass_key);
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &handle) == SQLITE_OK);
    REQUIRE(sqlite3_exec(handle, old_schema.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(handle);
    TuningDb db(file);
    const std::vector<TuningResult> rows = db.all();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].time_ms == 2.5);
    CHECK(rows[0].candidate.pass == Pass::forward);
    CHECK(rows[0].rel_err == (schema >= 3 ? std::optional(4e-7) : std::nullopt));
    CHECK(rows[0].candidate.clips.empty());
    const auto current = [](const Candidate&) { return std::string("h1"); };
    const DeviceIdentity device = fake_device(1, 2, "1");
    CHECK(db.best(device, tiny, current).time_ms == 2.5);
    // Under a budget only a result of known error: schema 3's and 4's.
    CHECK((db.best(device, tiny, current, Precision::fp32, Pass::forward, 1.0).match != TuningMatch::none) == (schema >= 3));
    // The same layer's backward-data beside it: each pass finds its own.
    TuningResult backward = fake_result(device, 2, 9.0);
    backward.candidate.pass = Pass::backward_data;
    db.record(backward);
    CHECK(db.all().size() == 2);
    CHECK(db.best(device, tiny, current).time_ms == 2.5);
    const TuningChoice data = db.best(device, tiny, current, Precision::fp32, Pass::backward_data);
    REQUIRE(data.candidate);
    CHECK(data.time_ms == 9.0);
    CHECK(data.candidate->pass == Pass::backward_data);
    // An int8 result keeps its clips through the database, an export and an import.
    TuningResult quantized = fake_result(device, 2, 3.0);
    quantized.candidate.precision = Precision::int8;
    quantized.candidate.clips = {{1.5f, 2.25f, 0.125f}, 0.5f, "given"};
    db.record(quantized);
    const std::optional<TuningResult> stored = db.find(device, tiny, "h1", quantized.candidate);
    REQUIRE(stored);
    CHECK(stored->candidate.clips == quantized.candidate.clips);
    nlohmann::json exported = db.export_json();
    TuningDb copy(dir / "copy.db");
    CHECK(copy.import_json(exported) == 3);
    CHECK(copy.find(device, tiny, "h1", quantized.candidate)->candidate.clips == quantized.candidate.clips);
    for (nlohmann::json& row : exported["results"])
        if (row["clips"].is_object()) row["clips"]["taps"] = "wide";
    CHECK_THROWS_WITH(TuningDb(dir / "bad.db").import_json(exported), Catch::Contains("int8 clips are {\"taps\""));
    fs::remove_all(dir);
}

TEST_CASE("tune keeps to its error budget, stores every result with its error, and run says the budget it took") {
    const fs::path dir = scratch("tune-budget");
    const std::string db = " --db " + (dir / "t.db").string();
    auto tuned = test::run_wino_gen("tune --input-shape 1,4,6,8 --filters 4 --pad 1 --strategy brute --budget-seconds 4 "
                                    "--max-error 3e-7 --format json" + db);
    REQUIRE(tuned.exit_code == 0);
    const auto out = nlohmann::json::parse(tuned.out);
    CHECK(out["max_error"] == 3e-7);
    const auto layer = out["layers"][0];
    CHECK(layer["rel_err"].get<double>() <= 3e-7);
    CHECK(layer["over_budget"].get<int>() > 0);  // the large tiles
    for (const TuningResult& r : TuningDb(dir / "t.db", true).all())
        CHECK(r.rel_err.has_value() == r.time_ms.has_value());
    auto run = test::run_wino_gen("run --input-shape 1,4,6,8 --filters 4 --pad 1 --max-error 3e-7 --check --format json" + db);
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["max_error"] == 3e-7);
    CHECK(j["config"] == layer["config"]);
    CHECK(j["rel_err"].get<double>() <= 3e-7);
    auto any = test::run_wino_gen("run --input-shape 1,4,6,8 --filters 4 --pad 1 --max-error none --format json" + db);
    CHECK(nlohmann::json::parse(any.out)["max_error"].is_null());
    for (const char* bad : {"0", "-1", "x", "1e-5x", "nan"}) {
        auto refused = test::run_wino_gen(fmt::format("tune --input-shape 1,4,6,8 --filters 4 --max-error {}{}", bad, db));
        INFO(bad);
        CHECK(refused.exit_code == 2);
        CHECK_THAT(refused.err, Catch::Contains("--max-error must be"));
    }
    fs::remove_all(dir);
}

TEST_CASE("tune --precision int8 stores each tile's clips with its results, run and emit take them, other clips are measured again") {
    const fs::path dir = scratch("tune-int8");
    const std::string db = " --db " + (dir / "t.db").string(), layer = " --input-shape 1,6,8,8 --filters 5 --pad 1";
    auto tuned = test::run_wino_gen("tune --precision int8 --budget-candidates 8 --format json" + layer + db);
    INFO(tuned.err);
    REQUIRE(tuned.exit_code == 0);
    const auto chosen = nlohmann::json::parse(tuned.out)["layers"][0];
    CHECK(chosen["config"]["precision"] == "int8");
    CHECK(chosen["clips"]["source"] == "percentile 99.9 of 1 inputs (the tuner's gate input)");
    CHECK(chosen["rel_err"].get<double>() > 1e-4);
    CHECK(chosen["rel_err"].get<double>() <= default_error_budget(Precision::int8));
    // Every result carries its tile's clips, one a tap, as calibrated on the gate's input.
    const std::vector<TuningResult> rows = TuningDb(dir / "t.db", true).all();
    REQUIRE(rows.size() == 8);
    for (const TuningResult& r : rows) {
        CHECK(r.candidate.precision == Precision::int8);
        CHECK(static_cast<long long>(r.candidate.clips.taps.size()) == tile_positions(r.layer, r.candidate));
        CHECK(r.candidate.clips.taps == calibrate_int8(r.layer, r.candidate, {random_tensor(r.layer.input_size(), 1)},
                                                       Int8Calibration::percentile).taps);
    }
    // tune --show names the best result's clips.
    auto shown = test::run_wino_gen("tune --show" + db);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("; int8 clips: percentile 99.9 of 1 inputs (the tuner's gate input)"));
    // run takes the stored clips, and holds the output to them.
    auto run = test::run_wino_gen("run --precision int8 --check --format json" + layer + db);
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["tuning"] == "exact");
    CHECK(j["clips"] == chosen["clips"]);
    CHECK(j["check"] == "pass");
    // Clip flags replace them.
    auto given = test::run_wino_gen("run --precision int8 --clip 1,3,0 --format json" + layer + db);
    REQUIRE(given.exit_code == 0);
    CHECK(nlohmann::json::parse(given.out)["clips"]["source"] == "given: every tap at 3");
    // emit --layers builds the tuned set with its clips.
    std::ofstream(dir / "layers.txt") << "only 1 6 8 8 5 3 1\n";
    auto emitted = test::run_wino_gen("emit --backend glsl --precision int8 --layers " + (dir / "layers.txt").string() +
                                      " --registry-unit int8_unit --out " + (dir / "unit").string() + db);
    REQUIRE(emitted.exit_code == 0);
    std::ifstream unit(dir / "unit" / "int8_unit.cpp");
    const std::string text((std::istreambuf_iterator<char>(unit)), std::istreambuf_iterator<char>());
    CHECK(text.find("set0_clip_taps[] = {") != std::string::npos);
    CHECK(text.find("\"percentile 99.9 of 1 inputs (the tuner's gate input)\"") != std::string::npos);
    // Tuned again with other clips: the same candidates measured again, their rows replaced, not added.
    auto again = test::run_wino_gen("tune --precision int8 --calibration mse --budget-candidates 8 --format json" + layer + db);
    REQUIRE(again.exit_code == 0);
    const auto second = nlohmann::json::parse(again.out)["layers"][0];
    CHECK(second["stored"] == 0);
    // The choice is the fastest stored result within the budget, with the clips it was measured with: this run's or the first's.
    CHECK_THAT(second["clips"]["source"].get<std::string>(), Catch::EndsWith("of 1 inputs (the tuner's gate input)"));
    // The second run's 8 rows hold its clips; the first run's that it did
    // not measure keep theirs; the untuned candidate, measured by both, is one row.
    const std::vector<TuningResult> after = TuningDb(dir / "t.db", true).all();
    const auto with_mse = std::count_if(after.begin(), after.end(), [](const TuningResult& r) {
        return r.candidate.clips.source == "least squared error of 1 inputs (the tuner's gate input)";
    });
    CHECK(with_mse == 8);
    CHECK(after.size() < 16);
    // With the same clips again, a stored result is taken as it is: the untuned candidate's.
    auto third = test::run_wino_gen("tune --precision int8 --calibration mse --budget-candidates 1 --format json" + layer + db);
    REQUIRE(third.exit_code == 0);
    CHECK(nlohmann::json::parse(third.out)["layers"][0]["stored"] == 1);
    fs::remove_all(dir);
}

TEST_CASE("a non-square filter's space: an axis of size 1 has tile 1, two transformed axes square tiles and shared alphas") {
    const ConvShape row{1, 4, 9, 12, 4, 1, 7, Padding(0, 3)};
    const std::vector<Candidate> space = search_space(row, Backend::glsl, roomy);
    CHECK(space.front().m == TileSize(1, 4));
    std::set<std::pair<int, int>> tiles;
    for (const Candidate& c : space) tiles.insert({c.m.h, c.m.w});
    std::set<std::pair<int, int>> expected;
    for (const auto& [m, r] : standard_configs())
        if (r == 7) expected.insert({1, m});
    CHECK(tiles == expected);
    const ConvShape rect{1, 4, 9, 12, 4, 3, 5, Padding(1, 2)};
    std::set<std::pair<int, int>> pairs;
    for (const Candidate& c : search_space(rect, Backend::glsl, roomy)) pairs.insert({c.m.h, c.m.w});
    std::set<std::pair<int, int>> shared_or_square;
    for (int m = 2; m <= 10; ++m) {
        shared_or_square.insert({m, m});
        if (m >= 4) shared_or_square.insert({m, m - 2});  // alpha m + 2 on both axes
    }
    CHECK(pairs == shared_or_square);
}

TEST_CASE("best_current takes a result only while its kernels are those wino-gen emits today") {
    const fs::path dir = scratch("current");
    const DeviceIdentity here = fake_device(0x10de, 0x2330, "550.1");
    TuningDb db(dir / "a.db");
    TuningResult today = fake_result(here, 4, 2.0), stale = fake_result(here, 6, 1.0);
    today.kernels_hash = current_kernels_hash(tiny, today.candidate, Backend::glsl);
    stale.kernels_hash = "0123456789abcdef";  // faster, but of kernels emitted differently
    db.record(today);
    db.record(stale);
    const TuningChoice choice = db.best_current(here, tiny);
    REQUIRE(choice.candidate);
    CHECK(choice.candidate->m == 4);
    CHECK(choice.time_ms == 2.0);
    CHECK_FALSE(db.best_current(here, tiny, Precision::fp16).candidate);  // another precision's results: none
    fs::remove_all(dir);
}

TEST_CASE("the error model leaves unmeasured the tiles it predicts past twice the error budget, and predicts the measured ones") {
    const fs::path dir = scratch("pruned");
    const ConvShape layer{1, 32, 12, 12, 8, 3, 1};
    TuneOptions options{"guided", 0};
    options.max_candidates = 30;
    options.max_error = 5e-7;
    TuningDb db(dir / "t.db");
    const LayerTuning t = tune_layer(vulkan(), db, layer, options);
    CHECK(t.pruned > 0);
    REQUIRE(t.rel_err);
    CHECK(*t.rel_err <= 5e-7);
    int predicted = 0;
    for (const TuningResult& r : db.all()) {
        if (!spec_of(r.candidate.variant).winograd || r.candidate == t.untuned) continue;
        const double model = modelled_config_error(layer, r.candidate);
        INFO(candidate_key(r.candidate) << ": model " << model);
        CHECK(model <= 2 * 5e-7);
        if (!r.rel_err) continue;
        INFO("measured " << *r.rel_err);
        CHECK(model < 2 * *r.rel_err);
        CHECK(model > *r.rel_err / 2);
        ++predicted;
    }
    CHECK(predicted > 0);
    // Without a budget nothing is left out.
    options.max_error = std::nullopt;
    options.max_candidates = 2;
    TuningDb none(dir / "none.db");
    CHECK(tune_layer(vulkan(), none, layer, options).pruned == 0);
    fs::remove_all(dir);
}

TEST_CASE("tune --pass backward-data tunes that pass, and run takes its result for that pass only") {
    const fs::path dir = scratch("tune-backward");
    const std::string db = " --db " + (dir / "t.db").string(), layer = " --input-shape 1,4,6,8 --filters 5 --pad 1";
    auto tuned = test::run_wino_gen("tune --pass backward-data --budget-candidates 12 --format json" + layer + db);
    INFO(tuned.err);
    REQUIRE(tuned.exit_code == 0);
    const auto out = nlohmann::json::parse(tuned.out);
    CHECK(out["pass"] == "backward-data");
    const auto chosen = out["layers"][0]["config"];
    CHECK(chosen["pass"] == "backward-data");
    for (const TuningResult& r : TuningDb(dir / "t.db", true).all()) CHECK(r.candidate.pass == Pass::backward_data);
    auto run = test::run_wino_gen("run --pass backward-data --check --format json" + layer + db);
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["tuning"] != "none");
    CHECK(j["config"] == chosen);
    CHECK(j["check"] == "pass");
    // The forward pass of the same layer has no result of its own.
    CHECK(nlohmann::json::parse(test::run_wino_gen("run --format json" + layer + db).out)["tuning"] == "none");
    fs::remove_all(dir);
}

TEST_CASE("tune --pass backward-filter measures chunk widths as its tiles, and run takes the width it chose") {
    const fs::path dir = scratch("tune-backward-filter");
    const std::string db = " --db " + (dir / "t.db").string(), layer = " --input-shape 2,4,6,11 --filters 5 --pad 1";
    auto tuned = test::run_wino_gen("tune --pass backward-filter --budget-candidates 12 --format json" + layer + db);
    INFO(tuned.err);
    REQUIRE(tuned.exit_code == 0);
    const auto chosen = nlohmann::json::parse(tuned.out)["layers"][0]["config"];
    CHECK(chosen["pass"] == "backward-filter");
    std::set<int> widths;
    for (const TuningResult& r : TuningDb(dir / "t.db", true).all()) {
        CHECK(r.candidate.pass == Pass::backward_filter);
        if (spec_of(r.candidate.variant).winograd) {
            CHECK(r.candidate.m.h == 1);
            widths.insert(r.candidate.m.w);
        }
    }
    CHECK(widths.size() >= 2);  // the coarse step spreads over the widths
    auto run = test::run_wino_gen("run --pass backward-filter --check --format json" + layer + db);
    REQUIRE(run.exit_code == 0);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["config"] == chosen);
    CHECK(j["check"] == "pass");
    fs::remove_all(dir);
}
