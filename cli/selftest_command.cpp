// `wino-gen selftest`: every kernel kind the device runs, against the fp64
// host reference (runtime/selftest.hpp), each configuration twice: in this
// process, then in a fresh one, so a fault of a cross-process cache (NVRTC's,
// the Vulkan driver's shader cache) or of a reload shows. A table (or JSON);
// exit 1 on any failure, 0 only when every configuration passed both times.
#include "cli/command.hpp"
#include "cli/shared_options.hpp"
#include "generator/json_text.hpp"
#include "runtime/selftest.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <memory>

extern char** environ;

namespace wino::cli {
namespace {

struct SelftestCli {
    DeviceOptions where;
    bool quick = false, fresh_process_run = false;
    std::string format = "text", pass;  // pass: empty for every pass
    int corrupt = 0;  // a case number, or 0
};

nlohmann::ordered_json result_json(const SelftestResult& r) {
    nlohmann::ordered_json out = {{"ms", r.ms}, {"failure", r.failure}};
    if (r.errors) out["rel_err"] = std::isfinite(r.errors->relative) ? nlohmann::json(r.errors->relative) : nlohmann::json("inf");
    return out;
}

SelftestResult result_of(const nlohmann::json& in) {
    SelftestResult r;
    r.ms = in.at("ms").get<double>();
    r.failure = in.at("failure").get<std::string>();
    if (in.contains("rel_err")) {
        const nlohmann::json& e = in.at("rel_err");
        r.errors = LayerErrors{e.is_number() ? e.get<double>() : INFINITY, 0, 0};
    }
    return r;
}

// The same selftest in a fresh process of this binary, each case once; its
// results in case order. A process that dies or prints no results fails every case.
std::vector<SelftestResult> run_in_fresh_process(const SelftestCli& o, std::size_t count) {
    std::vector<std::string> args = {"/proc/self/exe", "selftest", "--backend", o.where.backend, "--format", "json",
                                     "--fresh-process-run"};
    if (!o.where.device.empty()) args.insert(args.end(), {"--device", o.where.device});
    if (o.where.validation) args.push_back("--validation");
    if (o.where.cuda_graphs) args.push_back("--cuda-graphs");
    if (o.quick) args.push_back("--quick");
    if (!o.pass.empty()) args.insert(args.end(), {"--pass", o.pass});
    if (o.corrupt) args.insert(args.end(), {"--corrupt", std::to_string(o.corrupt)});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::string failure, text;
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0) throw std::runtime_error("selftest: no pipe for the fresh process");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
    pid_t child = 0;
    const int spawned = posix_spawn(&child, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_ends[1]);
    if (spawned == 0) {
        char buffer[4096];
        for (ssize_t n; (n = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
        int status = 0;
        waitpid(child, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
            failure = WIFEXITED(status) ? fmt::format("the fresh process exited with {}", WEXITSTATUS(status))
                                        : fmt::format("the fresh process died of signal {}", WTERMSIG(status));
    } else {
        failure = fmt::format("could not start a fresh process: {}", std::strerror(spawned));
    }
    close(pipe_ends[0]);
    std::vector<SelftestResult> results(count);
    if (failure.empty()) {
        try {
            const nlohmann::json out = nlohmann::json::parse(text);
            const nlohmann::json& cases = out.at("cases");
            if (cases.size() != count) throw std::runtime_error("another count of cases");
            for (std::size_t i = 0; i < count; ++i) results[i] = result_of(cases[i]);
            return results;
        } catch (const std::exception& e) {
            failure = fmt::format("the fresh process's results could not be read ({})", e.what());
        }
    }
    for (SelftestResult& r : results) r.failure = failure;
    return results;
}

std::string rel_err_text(const SelftestResult& r) { return r.errors ? fmt::format("{:.2e}", r.errors->relative) : "-"; }

void selftest(const SelftestCli& o) {
    if (o.format != "text" && o.format != "json") throw InputError(fmt::format("--format must be text or json, not '{}'", o.format));
    const std::optional<Pass> pass = o.pass.empty() ? std::nullopt : std::optional(parse_pass(o.pass, "--pass"));
    Device device = open_device(o.where);
    Executor& executor = detail::DeviceState::executor_of(device);
    const std::vector<SelftestCase> cases = selftest_cases(executor.identity().backend, executor.limits(), o.quick, pass);
    if (o.corrupt > static_cast<int>(cases.size()))
        throw InputError(fmt::format("--corrupt {}: there are {} configurations", o.corrupt, cases.size()));
    const bool progress = o.format == "text" && !o.fresh_process_run;
    if (progress)
        fmt::print(stderr, "selftest on {}: {} configurations, each run here and then in a fresh process\n",
                   executor.identity().label, cases.size());
    std::vector<SelftestResult> first;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        first.push_back(run_selftest_case(executor, cases[i], o.corrupt == static_cast<int>(i + 1)));
        if (progress)
            fmt::print(stderr, "[{}/{}] {}: {}\n", i + 1, cases.size(), cases[i].name, first.back().passed() ? "pass" : "FAIL");
    }
    if (o.fresh_process_run) {
        nlohmann::ordered_json out = {{"cases", nlohmann::ordered_json::array()}};
        for (const SelftestResult& r : first) out["cases"].push_back(result_json(r));
        fmt::print("{}", to_readable_json(out));
        return;
    }
    if (progress) fmt::print(stderr, "selftest: the same {} configurations in a fresh process\n", cases.size());
    const std::vector<SelftestResult> second = run_in_fresh_process(o, cases.size());

    int failed = 0;
    nlohmann::ordered_json json_cases = nlohmann::ordered_json::array();
    std::string table = fmt::format("{:>3}  {:<64} {:>9} {:>9} {:>9}  {:>8} {:>8}\n", "#", "configuration", "rel_err", "(fresh)",
                                    "bound", "ms", "(fresh)");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const SelftestResult &a = first[i], &b = second[i];
        const bool passed = a.passed() && b.passed();
        failed += !passed;
        // The bound the run held itself to (int8's depends on the tensors).
        const double bound = a.errors ? a.errors->bound : check_bound(cases[i].config, cases[i].shape);
        table += fmt::format("{:>3}  {:<64} {:>9} {:>9} {:>9.2e}  {:>8.3f} {:>8.3f}  {}\n", i + 1, cases[i].name, rel_err_text(a),
                             rel_err_text(b), bound, a.ms, b.ms, passed ? "pass" : "FAIL");
        for (const SelftestResult* r : {&a, &b})
            if (!r->passed()) table += fmt::format("       {}: {}\n", r == &a ? "here" : "fresh process", r->failure);
        json_cases.push_back({{"index", i + 1}, {"configuration", cases[i].name}, {"bound", bound},
                              {"runs", {result_json(a), result_json(b)}}, {"result", passed ? "pass" : "fail"}});
    }
    const std::string summary = fmt::format("{} of {} configurations passed both runs ((fresh): the second, in a fresh process)",
                                            cases.size() - failed, cases.size());
    if (o.format == "json") {
        fmt::print("{}", to_readable_json({{"device", executor.identity().label}, {"quick", o.quick}, {"cases", json_cases},
                                           {"passed", cases.size() - failed}, {"failed", failed}}));
    } else {
        fmt::print("selftest on {}\n{}{}\n", executor.identity().label, table, summary);
    }
    if (failed) throw std::runtime_error(fmt::format("selftest: {} of {} configurations failed", failed, cases.size()));
}

}  // namespace

Command add_selftest_command(CLI::App& app) {
    auto o = std::make_shared<SelftestCli>();
    CLI::App* sub = app.add_subcommand(
        "selftest", "Check a device: every kernel kind it runs against the fp64 host reference, each twice (the second time in "
                    "a fresh process); exit 1 on any failure");
    add_device_options(sub, o->where);
    sub->add_flag("--quick", o->quick, "a representative subset, one configuration of each kind (seconds on a CPU Vulkan driver)");
    sub->add_option("--pass", o->pass, fmt::format("only the configurations of this pass ({}); default: every pass", pass_names()));
    sub->add_option("--format", o->format, "text or json")->default_str("text");
    // For the fresh process of the second run, and for the suite (a corrupted output must fail): not for users.
    sub->add_flag("--fresh-process-run", o->fresh_process_run)->group("");
    sub->add_option("--corrupt", o->corrupt)->check(integer_range(1, 100000))->group("");
    return {sub, [o] { selftest(*o); }};
}

}  // namespace wino::cli
