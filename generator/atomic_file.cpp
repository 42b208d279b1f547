// Atomic file replacement by temporary + rename (same folder, same filesystem),
// with the temporaries registered for the signal handler and swept when stale.
#include "generator/atomic_file.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <array>
#include <csignal>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace wino {
namespace {

constexpr std::string_view marker = ".wino-tmp-";

// The temporaries this process holds, where a signal handler can read them:
// fixed slots, each path written before its flag is set.
struct Slot {
    volatile std::sig_atomic_t used = 0;
    char path[4096] = {};
};
std::array<Slot, 64> slots;
std::mutex slots_guard;

// What SIGINT and SIGTERM did before: done after the temporaries are gone.
struct sigaction previous_int {}, previous_term {};

extern "C" void remove_temporaries_and_reraise(int signal) {
    for (Slot& s : slots)
        if (s.used) ::unlink(s.path);
    sigaction(signal, signal == SIGINT ? &previous_int : &previous_term, nullptr);
    std::raise(signal);
}

// A temporary of this process, registered until it is renamed or removed.
class Temporary {
public:
    explicit Temporary(const std::filesystem::path& target)
        : path_(target.parent_path() / fmt::format(".{}{}{}", target.filename().string(), marker, ::getpid())) {
        std::lock_guard lock(slots_guard);
        for (std::size_t i = 0; i < slots.size(); ++i)
            if (!slots[i].used && path_.native().size() < sizeof(slots[i].path)) {
                std::strcpy(slots[i].path, path_.c_str());
                slots[i].used = 1;
                slot_ = static_cast<int>(i);
                break;
            }
    }
    ~Temporary() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
        release();
    }
    const std::filesystem::path& path() const { return path_; }
    void renamed() { release(); }

private:
    void release() {
        std::lock_guard lock(slots_guard);
        if (slot_ >= 0) slots[slot_].used = 0;
        slot_ = -1;
    }
    std::filesystem::path path_;
    int slot_ = -1;
};

// Removes the temporaries in `folder` whose writer is no longer running.
void sweep_stale(const std::filesystem::path& folder) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder.empty() ? "." : folder, ec)) {
        const std::string name = entry.path().filename().string();
        const std::size_t at = name.rfind(marker);
        if (name.empty() || name[0] != '.' || at == std::string::npos) continue;
        const std::string pid = name.substr(at + marker.size());
        if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) continue;
        if (::kill(std::stoi(pid), 0) != 0 && errno == ESRCH) std::filesystem::remove(entry.path(), ec);
    }
}

void make_parent(const std::filesystem::path& path) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
    sweep_stale(path.parent_path());
}

void write_temporary(const Temporary& t, const std::filesystem::path& target, std::string_view content) {
    std::ofstream out(t.path(), std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", target.string()));
}

void rename_over(Temporary& t, const std::filesystem::path& target) {
    std::error_code ec;
    std::filesystem::rename(t.path(), target, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot replace {}: {}", target.string(), ec.message()));
    t.renamed();
}

}  // namespace

void remove_temporaries_on_signals() {
    for (int signal : {SIGINT, SIGTERM}) {
        struct sigaction ours {}, before {};
        ours.sa_handler = remove_temporaries_and_reraise;
        sigemptyset(&ours.sa_mask);
        sigaction(signal, &ours, &before);
        if (before.sa_handler == remove_temporaries_and_reraise) before.sa_handler = SIG_DFL;  // installed twice
        (signal == SIGINT ? previous_int : previous_term) = before;
    }
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    write_files_atomically({{path, std::string(content)}});
}

void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
    for (const auto& [path, content] : files)  // what rename would refuse, before any file changes
        if (std::filesystem::is_directory(path)) throw std::runtime_error(fmt::format("cannot replace {}: a folder", path.string()));
    std::vector<std::unique_ptr<Temporary>> temporaries;
    for (const auto& [path, content] : files) {
        make_parent(path);
        temporaries.push_back(std::make_unique<Temporary>(path));
        write_temporary(*temporaries.back(), path, content);
    }
    for (std::size_t i = 0; i < files.size(); ++i) rename_over(*temporaries[i], files[i].first);
}

void check_writable_folder(const std::filesystem::path& folder) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec || !std::filesystem::is_directory(folder) || ::access(folder.c_str(), W_OK) != 0)
        throw InputError(fmt::format("cannot write into {}", folder.string()));
}

}  // namespace wino
