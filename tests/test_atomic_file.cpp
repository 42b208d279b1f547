// Atomic writes: a file is the old content or the new; temporaries are hidden,
// carry their writer's pid, vanish on SIGTERM, and are swept by the next write
// into their folder once their writer is gone (kill -9).
#include "generator/atomic_file.hpp"
#include <wino/errors.hpp>
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace wino;

namespace {

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / fmt::format("wino-atomic-{}-{}", name, ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

int temporaries_in(const fs::path& dir) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().find(".wino-tmp-") != std::string::npos;
    return n;
}

}  // namespace

TEST_CASE("a kernel set is written whole, and stale temporaries of dead writers are swept") {
    const fs::path dir = scratch("sweep");
    // A dead writer's leftover (pid past pid_max) and a live one's (ours).
    std::ofstream(dir / ".wino_f4_3_gemm_t1x8_r16x8.comp.wino-tmp-99999999") << "half a kernel";
    std::ofstream(dir / fmt::format(".other.comp.wino-tmp-{}", ::getpid())) << "being written";
    write_files_atomically({{dir / "a.comp", "A"}, {dir / "b.comp", "B"}});
    CHECK(test::slurp((dir / "a.comp").string()) == "A");
    CHECK(test::slurp((dir / "b.comp").string()) == "B");
    CHECK_FALSE(fs::exists(dir / ".wino_f4_3_gemm_t1x8_r16x8.comp.wino-tmp-99999999"));
    CHECK(fs::exists(dir / fmt::format(".other.comp.wino-tmp-{}", ::getpid())));
    // A set whose second file cannot be written leaves neither new file nor a temporary.
    fs::create_directories(dir / "c.comp");  // a folder where a file should go
    CHECK_THROWS(write_files_atomically({{dir / "new.comp", "N"}, {dir / "c.comp", "C"}}));
    CHECK_FALSE(fs::exists(dir / "new.comp"));
    CHECK(temporaries_in(dir) == 1);  // the live writer's only
    CHECK_THROWS_AS(check_writable_folder("/proc/wino-never"), InputError);
    fs::remove_all(dir);
}

TEST_CASE("SIGTERM or SIGINT while writing leaves no temporary") {
    for (int signal : {SIGTERM, SIGINT}) {
        INFO("signal " << signal);
        const fs::path dir = scratch("signal");
        const pid_t child = ::fork();
        if (child == 0) {  // as the CLI is: default dispositions, then the cleanup
            std::signal(SIGINT, SIG_DFL);
            std::signal(SIGTERM, SIG_DFL);
            remove_temporaries_on_signals();
            // Its temporary is made a FIFO first, so the write blocks in open()
            // with the temporary registered: the signal lands mid-write, always.
            const fs::path temporary = dir / fmt::format(".out.bin.wino-tmp-{}", ::getpid());
            ::mkfifo(temporary.c_str(), 0600);
            write_file_atomically(dir / "out.bin", "never finished");
            ::_exit(0);
        }
        const fs::path temporary = dir / fmt::format(".out.bin.wino-tmp-{}", child);
        for (int i = 0; i < 200 && !fs::exists(temporary); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        REQUIRE(fs::exists(temporary));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // in open() by now
        ::kill(child, signal);
        int status = 0;
        ::waitpid(child, &status, 0);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == signal);
        CHECK(temporaries_in(dir) == 0);
        CHECK_FALSE(fs::exists(dir / "out.bin"));
        fs::remove_all(dir);
    }
}
